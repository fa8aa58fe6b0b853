#include "core/flow/flow_table.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>

#include "core/flow/community_id.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"

namespace netcap {

namespace {
// Timestamps come from the capture and can be anything up to INT64_MAX (corrupt files).
int64_t saturating_add(int64_t a, int64_t b) {
  return a > std::numeric_limits<int64_t>::max() - b ? std::numeric_limits<int64_t>::max() : a + b;
}
}  // namespace

namespace {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20,
                  kEce = 0x40, kCwr = 0x80;

// History letters in Zeek's conn.log meaning; each is recorded once per direction.
constexpr std::string_view kHistoryLetters = "SHADFRTGW";

uint64_t fnv1a(std::string_view s, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::string transport_name(uint8_t protocol, bool v6) {
  switch (protocol) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 132:
      return "sctp";
    case 1:
      return "icmp";
    case 58:
      return "icmpv6";
    case 2:
      return "igmp";
    case 47:
      return "gre";
    default:
      return (v6 ? "ipv6-proto-" : "ip-proto-") + std::to_string(protocol);
  }
}
}  // namespace

void FlowTableStats::merge(const FlowTableStats& o) {
  flows_created += o.flows_created;
  flows_closed += o.flows_closed;
  flows_evicted += o.flows_evicted;
  flows_timed_out += o.flows_timed_out;
  tcp_segments += o.tcp_segments;
  retransmissions += o.retransmissions;
  missed_bytes += o.missed_bytes;
}

FlowTable::FlowTable(const Limits& limits, RecordEmitter& emitter, FlowConsumerFactory* consumers)
    : limits_(limits),
      emitter_(emitter),
      consumers_(consumers),
      budget_(limits.max_shard_buffered_bytes) {}

FlowTable::~FlowTable() = default;

int64_t FlowTable::timeout_ns(Timeout t) const {
  switch (t) {
    case Timeout::kTcp:
      return limits_.tcp_idle_timeout_ns;
    case Timeout::kUdp:
      return limits_.udp_idle_timeout_ns;
    case Timeout::kOther:
      return limits_.other_idle_timeout_ns;
    case Timeout::kClosing:
      return limits_.tcp_closed_linger_ns;
  }
  return limits_.other_idle_timeout_ns;
}

void FlowTable::touch(Flow& f, Timeout timeout) {
  lru(f.timeout).erase(f.lru_pos);
  f.timeout = timeout;
  auto& list = lru(timeout);
  f.lru_pos = list.insert(list.end(), &f);
}

void FlowTable::add_history(Flow& f, int dir, char letter) {
  size_t bit = kHistoryLetters.find(letter);
  if (bit == std::string_view::npos) return;
  uint16_t mask = static_cast<uint16_t>(1u << bit);
  if (f.history_seen[dir] & mask) return;
  f.history_seen[dir] |= mask;
  f.history += dir == 0 ? letter : static_cast<char>(letter - 'A' + 'a');
}

FlowTable::Flow* FlowTable::create_flow(const FlowKey& key, bool from_lo, const TransportInfo& t,
                                        const PacketContext& ctx) {
  auto owned = std::make_unique<Flow>();
  Flow& f = *owned;
  f.key = key;
  f.protocol = t.ip_protocol;
  f.vlan = t.vlan;
  // The originator sent the first packet, except when that packet is a SYN-ACK: then the SYN
  // was missed and the originator is its destination (Zeek flips such connections too).
  f.flipped = t.ip_protocol == 6 && (t.tcp_flags & (kSyn | kAck)) == (kSyn | kAck);
  bool packet_from_orig = !f.flipped;
  f.orig_is_lo = packet_from_orig ? from_lo : !from_lo;
  FlowEndpoints e = flow_endpoints(t);
  if (packet_from_orig) {
    f.orig_addr = t.src;
    f.resp_addr = t.dst;
    f.orig_port = t.src_port;
    f.resp_port = t.dst_port;
  } else {
    f.orig_addr = t.dst;
    f.resp_addr = t.src;
    f.orig_port = t.dst_port;
    f.resp_port = t.src_port;
  }
  if (t.ip_protocol == 1 || t.ip_protocol == 58) {
    f.icmp_type = t.src_port;
    f.icmp_code = t.dst_port;
    f.orig_port = f.resp_port = 0;
  }
  f.link_proto = ctx.outer_layer();
  if (ctx.has_link_addresses()) {
    f.has_macs = true;
    f.src_mac = packet_from_orig ? ctx.src_mac() : ctx.dst_mac();
    f.dst_mac = packet_from_orig ? ctx.dst_mac() : ctx.src_mac();
  }
  f.first_ts = f.last_ts = ctx.ts_ns();
  f.first_frame = ctx.frame();
  f.community_id = community_id_v1(t.src, t.dst, t.ip_protocol, e.src_port, e.dst_port, e.one_way);
  // UID = FNV-1a over the Community ID and the decimal first time and frame (to_chars gives the
  // same digits as std::to_string without a heap string).
  char digits[24];
  uint64_t h = fnv1a(f.community_id);
  auto dec = std::to_chars(digits, digits + sizeof digits, f.first_ts);
  h = fnv1a(std::string_view(digits, static_cast<size_t>(dec.ptr - digits)), h);
  dec = std::to_chars(digits, digits + sizeof digits, f.first_frame);
  h = fnv1a(std::string_view(digits, static_cast<size_t>(dec.ptr - digits)), h);
  std::snprintf(f.uid, sizeof f.uid, "C%016llx", static_cast<unsigned long long>(h));
  if (f.flipped) f.history += '^';
  if ((t.ip_protocol == 6 || t.ip_protocol == 17) && consumers_ != nullptr) {
    FlowInfo info;
    info.flow_id = f.uid;
    info.ip_protocol = t.ip_protocol;
    info.client = f.orig_addr;
    info.server = f.resp_addr;
    info.client_port = f.orig_port;
    info.server_port = f.resp_port;
    info.has_macs = f.has_macs;
    info.client_mac = f.src_mac;
    info.server_mac = f.dst_mac;
    info.vlan = f.vlan;
    info.first_ts_ns = f.first_ts;
    f.consumer = consumers_->create(info);
  }
  if (t.ip_protocol == 6) {
    f.reassembler = std::make_unique<TcpConnectionReassembler>(limits_, budget_, f.consumer.get());
  }
  f.timeout = t.ip_protocol == 6    ? Timeout::kTcp
              : t.ip_protocol == 17 ? Timeout::kUdp
                                    : Timeout::kOther;
  auto& list = lru(f.timeout);
  f.lru_pos = list.insert(list.end(), &f);
  Flow* raw = owned.get();
  flows_.emplace(key, std::move(owned));
  stats_.flows_created++;
  return raw;
}

void FlowTable::on_transport(const TransportInfo& t, const PacketContext& ctx) {
  if (!t.src.valid()) return;
  bool from_lo = false;
  FlowKey key = make_flow_key(t, from_lo);
  const int64_t ts = ctx.ts_ns();
  Flow* f = nullptr;
  if (auto it = flows_.find(key); it != flows_.end()) {
    f = it->second.get();
    // Idle longer than its timeout: the old flow ended; this packet starts a new one. Checked
    // here (not only in sweep) so results do not depend on when a shard happens to sweep.
    if (ts - f->last_ts > timeout_ns(f->timeout)) {
      StreamEndReason reason = StreamEndReason::kIdle;
      if (f->timeout == Timeout::kClosing) {
        reason = f->dir[0].rst || f->dir[1].rst ? StreamEndReason::kRst : StreamEndReason::kFin;
      } else {
        stats_.flows_timed_out++;
      }
      finish(*f, reason, f->last_ts);
      erase(f);
      f = nullptr;
    }
  }
  if (f != nullptr) {
    // Port reuse: a new SYN on a connection that already ended starts a new connection; a
    // retransmitted SYN (same initial sequence number, e.g. retried after a RST) does not.
    if (t.ip_protocol == 6 && (t.tcp_flags & (kSyn | kAck)) == kSyn &&
        f->timeout == Timeout::kClosing && !(f->has_isn && f->orig_isn == t.seq)) {
      finish(*f, f->dir[0].rst || f->dir[1].rst ? StreamEndReason::kRst : StreamEndReason::kFin,
             ts);
      erase(f);
      f = nullptr;
    }
  }
  if (f == nullptr) {
    if (flows_.size() >= limits_.max_flows_per_shard && !flows_.empty()) {
      // Evict the least recently active flow of any class.
      Flow* oldest = nullptr;
      for (auto& list : lru_) {
        if (!list.empty() && (oldest == nullptr || list.front()->last_ts < oldest->last_ts)) {
          oldest = list.front();
        }
      }
      emit_flow_anomaly(*oldest, "flow.table_full",
                        "flow table limit " + std::to_string(limits_.max_flows_per_shard) +
                            " per shard reached; least recently active flow closed early",
                        ts, ctx.frame());
      stats_.flows_evicted++;
      finish(*oldest, StreamEndReason::kEvicted, ts);
      erase(oldest);
    }
    f = create_flow(key, from_lo, t, ctx);
  }

  const int dir = (from_lo == f->orig_is_lo) ? 0 : 1;
  Direction& d = f->dir[dir];
  d.packets++;
  d.bytes += ctx.packet().wire_len;
  note_packet_location(*f, t, ctx);
  d.payload += t.payload_length;
  f->last_ts = std::max(f->last_ts, ts);

  Timeout next = f->timeout == Timeout::kClosing ? Timeout::kClosing : f->timeout;
  if (t.ip_protocol == 6) {
    const uint8_t fl = t.tcp_flags;
    const uint8_t bits[8] = {kFin, kSyn, kRst, kPsh, kAck, kUrg, kEce, kCwr};
    for (int i = 0; i < 8; ++i) {
      if (fl & bits[i]) f->flag_counts[i]++;
    }
    if (!t.header_truncated) {
      f->window_sum += t.window;
      f->window_packets++;
    }
    if ((fl & (kSyn | kAck)) == kSyn) {
      d.syn = true;
      if (dir == 0 && !f->has_isn) {
        f->has_isn = true;
        f->orig_isn = t.seq;
      }
      add_history(*f, dir, 'S');
      if (dir == 0 && f->client_signature.empty()) f->client_signature = t.syn_signature;
    } else if ((fl & (kSyn | kAck)) == (kSyn | kAck)) {
      d.synack = true;
      add_history(*f, dir, 'H');
      if (dir == 1 && f->server_signature.empty()) f->server_signature = t.syn_signature;
    }
    if (fl & kFin) {
      d.fin = true;
      add_history(*f, dir, 'F');
    }
    if (fl & kRst) {
      d.rst = true;
      add_history(*f, dir, 'R');
    }
    if (t.payload_length > 0) {
      add_history(*f, dir, 'D');
    } else if ((fl & (kSyn | kFin | kRst | kAck)) == kAck) {
      add_history(*f, dir, 'A');
    }
    if (t.window == 0 && !(fl & kRst) && !t.header_truncated) add_history(*f, dir, 'W');

    stats_.tcp_segments++;
    if (f->reassembler) {
      TcpSegment seg;
      seg.dir = dir == 0 ? StreamDirection::kClientToServer : StreamDirection::kServerToClient;
      seg.seq = t.seq;
      seg.ack = t.ack;
      seg.flags = fl;
      seg.payload = t.payload;
      seg.payload_length = t.payload_length;
      seg.ts_ns = ts;
      seg.frame = ctx.frame();
      SegmentOutcome out = f->reassembler->add(seg);
      if (out.retransmission) {
        stats_.retransmissions++;
        add_history(*f, dir, 'T');
      }
      if (out.new_gap) add_history(*f, dir, 'G');
      for (const std::string& name : out.anomalies) {
        emit_flow_anomaly(*f, name, "", ts, ctx.frame());
      }
    }
    const bool closed = f->dir[0].rst || f->dir[1].rst || (f->dir[0].fin && f->dir[1].fin);
    next = closed ? Timeout::kClosing : Timeout::kTcp;
  } else if (t.payload_length > 0) {
    add_history(*f, dir, 'D');
  }
  if (t.ip_protocol == 17 && f->consumer && t.payload_length > 0) {
    f->consumer->on_datagram(
        dir == 0 ? StreamDirection::kClientToServer : StreamDirection::kServerToClient, t.payload,
        t.payload_length, ts, ctx.frame());
  }
  touch(*f, next);
}

void FlowTable::emit_flow_anomaly(const Flow& f, const std::string& name, std::string detail,
                                  int64_t ts, uint64_t frame) {
  auto a = std::make_unique<Anomaly>();
  a->set_timestamp(ts);
  a->set_frame(frame);
  a->set_name(name);
  a->set_layer(transport_name(f.protocol, f.orig_addr.is_v6()));
  a->set_detail(std::move(detail));
  a->set_srcip(f.orig_addr.to_string());
  a->set_dstip(f.resp_addr.to_string());
  a->set_srcport(f.orig_port);
  a->set_dstport(f.resp_port);
  a->set_flowid(f.uid);
  emitter_.emit(std::move(a));
}

std::string FlowTable::conn_state(const Flow& f) const {
  const Direction& o = f.dir[0];
  const Direction& r = f.dir[1];
  if (f.protocol != 6) return r.packets > 0 ? "SF" : "S0";
  // Zeek's conn_state semantics (base/protocols/conn/main.zeek), evaluated at the end.
  if (o.syn && !r.synack) {
    if (r.rst) return "REJ";
    if (o.rst) return "RSTOS0";
    if (o.fin) return "SH";
    if (r.packets == 0) return "S0";
  }
  if (!o.syn && r.synack) {
    if (r.rst && !o.fin && o.packets == 0) return "RSTRH";
    if (r.fin && o.packets == 0) return "SHR";
  }
  if (!o.syn && !r.synack && !r.syn) return "OTH";
  if (o.rst) return "RSTO";
  if (r.rst) return "RSTR";
  if (o.fin && r.fin) return "SF";
  if (o.fin) return "S2";
  if (r.fin) return "S3";
  return "S1";
}

void FlowTable::finish(Flow& f, StreamEndReason reason, int64_t now_ns) {
  uint64_t missed = 0;
  if (f.reassembler) {
    f.reassembler->close(reason, now_ns);
    missed = f.reassembler->missed_bytes(StreamDirection::kClientToServer) +
             f.reassembler->missed_bytes(StreamDirection::kServerToClient);
    stats_.missed_bytes += missed;
  } else if (f.consumer) {
    f.consumer->on_end(reason, now_ns);  // TCP consumers get on_end from their reassembler
  }
  auto c = std::make_unique<Connection>();
  c->set_timestampfirst(f.first_ts);
  c->set_timestamplast(f.last_ts);
  c->set_duration(f.last_ts - f.first_ts);
  c->set_linkproto(f.link_proto);
  c->set_networkproto(f.orig_addr.is_v6() ? "ipv6" : "ipv4");
  c->set_transportproto(transport_name(f.protocol, f.orig_addr.is_v6()));
  if (f.consumer) c->set_applicationproto(std::string(f.consumer->application_protocol()));
  if (f.has_macs) {
    c->set_srcmac(f.src_mac.to_string());
    c->set_dstmac(f.dst_mac.to_string());
  }
  c->set_srcip(f.orig_addr.to_string());
  c->set_srcport(f.orig_port);
  c->set_dstip(f.resp_addr.to_string());
  c->set_dstport(f.resp_port);
  const Direction& o = f.dir[0];
  const Direction& r = f.dir[1];
  c->set_totalsize(static_cast<int64_t>(o.bytes + r.bytes));
  c->set_apppayloadsize(static_cast<int64_t>(o.payload + r.payload));
  c->set_numpackets(static_cast<int64_t>(o.packets + r.packets));
  c->set_uid(f.uid);
  c->set_bytesclienttoserver(static_cast<int64_t>(o.bytes));
  c->set_bytesservertoclient(static_cast<int64_t>(r.bytes));
  c->set_packetsclienttoserver(static_cast<int64_t>(o.packets));
  c->set_packetsservertoclient(static_cast<int64_t>(r.packets));
  c->set_payloadclienttoserver(static_cast<int64_t>(o.payload));
  c->set_payloadservertoclient(static_cast<int64_t>(r.payload));
  c->set_numfin(static_cast<int32_t>(f.flag_counts[0]));
  c->set_numsyn(static_cast<int32_t>(f.flag_counts[1]));
  c->set_numrst(static_cast<int32_t>(f.flag_counts[2]));
  c->set_numpsh(static_cast<int32_t>(f.flag_counts[3]));
  c->set_numack(static_cast<int32_t>(f.flag_counts[4]));
  c->set_numurg(static_cast<int32_t>(f.flag_counts[5]));
  c->set_numece(static_cast<int32_t>(f.flag_counts[6]));
  c->set_numcwr(static_cast<int32_t>(f.flag_counts[7]));
  if (f.window_packets > 0) {
    c->set_meanwindowsize(static_cast<int32_t>(f.window_sum / f.window_packets));
  }
  c->set_connstate(conn_state(f));
  c->set_history(f.history);
  c->set_communityid(f.community_id);
  c->set_vlan(f.vlan);
  c->set_missedbytes(static_cast<int64_t>(missed));
  c->set_firstframe(f.first_frame);
  c->set_endreason(std::string(to_string(reason)));
  if (f.icmp_type >= 0) {
    c->set_icmptype(f.icmp_type);
    c->set_icmpcode(f.icmp_code);
  }
  c->set_clienttcpsignature(f.client_signature);
  c->set_servertcpsignature(f.server_signature);
  emitter_.emit(std::move(c));
  if (f.packet_map.packets() > 0 || !f.map_incomplete.empty()) {
    auto map = std::make_unique<PacketMap>();
    map->set_uid(f.uid);
    map->set_packets(static_cast<int64_t>(f.packet_map.packets()));
    packet_map_bytes_ -= f.packet_map.bytes().size();
    map->set_offsets(f.packet_map.take());
    map->set_incomplete(f.map_incomplete);
    emitter_.emit(std::move(map));
  }
  stats_.flows_closed++;
}

void FlowTable::cut_packet_map(Flow& f, std::string reason) {
  packet_map_bytes_ -= f.packet_map.bytes().size();
  f.packet_map = PacketMapWriter{};
  f.map_incomplete = std::move(reason);
}

void FlowTable::note_packet_location(Flow& f, const TransportInfo& t, const PacketContext& ctx) {
  const RawPacket& packet = ctx.packet();
  if (packet.file_offset == 0 || !f.map_incomplete.empty()) return;  // live capture, or cut
  if (t.from_reassembled_fragments) {
    // A reassembled datagram is every fragment's packet, not only the one that completed it.
    const std::vector<FragmentOrigin>& origins = ctx.reassembled_origins();
    if (origins.empty()) {
      cut_packet_map(f, "IP fragments of unknown origin");
      return;
    }
    for (const FragmentOrigin& origin : origins) {
      if (origin.offset == 0) {
        cut_packet_map(f, "IP fragments of unknown origin");
        return;
      }
      if (!add_packet_location(f, origin.file, origin.offset)) return;
    }
    return;
  }
  add_packet_location(f, packet.source_index, packet.file_offset);
}

bool FlowTable::add_packet_location(Flow& f, uint32_t file, uint64_t offset) {
  if (f.packet_map.bytes().size() + PacketMapWriter::kMaxEntryBytes >
      limits_.max_packet_map_bytes) {
    cut_packet_map(
        f, "more than " + std::to_string(limits_.max_packet_map_bytes) + " bytes of offsets");
    return false;
  }
  if (packet_map_bytes_ + PacketMapWriter::kMaxEntryBytes >
      limits_.max_packet_map_bytes_per_shard) {
    cut_packet_map(f, "the shard's " + std::to_string(limits_.max_packet_map_bytes_per_shard) +
                          " bytes for packet maps were in use");
    return false;
  }
  packet_map_bytes_ += f.packet_map.add(file, offset);
  return true;
}

void FlowTable::erase(Flow* f) {
  lru(f->timeout).erase(f->lru_pos);
  flows_.erase(f->key);  // destroys f
}

void FlowTable::sweep(int64_t now_ns) {
  for (int i = 0; i < 4; ++i) {
    const Timeout cls = static_cast<Timeout>(i);
    const int64_t limit = timeout_ns(cls);
    auto& list = lru_[i];
    while (!list.empty() && now_ns - list.front()->last_ts > limit) {
      Flow* f = list.front();
      StreamEndReason reason = StreamEndReason::kIdle;
      if (cls == Timeout::kClosing) {
        reason = f->dir[0].rst || f->dir[1].rst ? StreamEndReason::kRst : StreamEndReason::kFin;
      } else {
        stats_.flows_timed_out++;
      }
      // The moment the flow timed out, not the sweep time: when a shard sweeps depends on which
      // packets it got, so the end time handed to the parsers must not.
      finish(*f, reason, saturating_add(f->last_ts, limit));
      erase(f);
    }
  }
}

void FlowTable::close_all(int64_t now_ns) {
  // Deterministic order: by first frame.
  std::vector<Flow*> all;
  all.reserve(flows_.size());
  for (auto& [k, f] : flows_) all.push_back(f.get());
  std::sort(all.begin(), all.end(),
            [](const Flow* a, const Flow* b) { return a->first_frame < b->first_frame; });
  for (Flow* f : all) {
    StreamEndReason reason = StreamEndReason::kEndOfCapture;
    if (f->timeout == Timeout::kClosing) {
      reason = f->dir[0].rst || f->dir[1].rst ? StreamEndReason::kRst : StreamEndReason::kFin;
    } else if (now_ns - f->last_ts > timeout_ns(f->timeout)) {
      reason = StreamEndReason::kIdle;  // went idle before the capture ended
      stats_.flows_timed_out++;
    }
    finish(*f, reason,
           reason == StreamEndReason::kEndOfCapture
               ? now_ns
               : saturating_add(f->last_ts, timeout_ns(f->timeout)));
  }
  for (auto& list : lru_) list.clear();
  flows_.clear();
}

}  // namespace netcap
