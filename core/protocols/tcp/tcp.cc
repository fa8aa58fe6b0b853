#include "core/protocols/tcp/tcp.h"

#include <algorithm>

#include "core/protocols/common/layer_util.h"
#include "core/protocols/tcp/tcp_signature.h"
#include "proto/transport.pb.h"

namespace netcap {

namespace {

// Options (RFC 9293 3.2): kinds 0 (end of list) and 1 (no-op) are one octet; others carry a
// length octet that counts kind and length. An option cut by the end of `opts` because the snap
// length cut the header is not malformed; the caller decides.
void parse_options(ByteCursor opts, TcpHeader& out) {
  while (!opts.empty() && out.options.size() < kMaxTcpOptions) {
    TcpOption o;
    o.kind = opts.u8();
    if (o.kind == 0) {
      o.length = 1;
      out.options.push_back(o);
      out.padding = opts.take_rest();
      return;
    }
    if (o.kind == 1) {
      o.length = 1;
      out.options.push_back(o);
      continue;
    }
    o.length = opts.u8();
    if (!opts.ok() || o.length < 2 || o.length - 2u > opts.remaining()) {
      out.bad_option = true;
      return;
    }
    o.data = opts.bytes(o.length - 2u);
    if (o.kind == 3 && o.data.size() == 1) out.window_scale = o.data[0];
    out.options.push_back(o);
  }
}

}  // namespace

TcpParseResult parse_tcp(Bytes bytes, TcpHeader& out) {
  ByteCursor c(bytes);
  out.src_port = c.u16be();
  out.dst_port = c.u16be();
  out.seq = c.u32be();
  out.ack = c.u32be();
  const uint16_t off_flags = c.u16be();
  if (!c.ok()) return TcpParseResult::kTruncated;
  out.data_offset = static_cast<uint8_t>(off_flags >> 12);
  out.ns = (off_flags & 0x0100) != 0;
  out.flags = static_cast<uint8_t>(off_flags & 0xff);
  out.window = c.u16be();
  out.checksum = c.u16be();
  out.urgent = c.u16be();
  if (out.data_offset < 5) return TcpParseResult::kBadDataOffset;
  const size_t header_length = out.data_offset * 4u;
  if (bytes.size() < header_length) {
    out.header_cut = true;
    if (c.ok()) {
      ByteCursor opts(bytes.subspan(20));
      parse_options(opts, out);
      out.bad_option = false;  // an option cut by the end of the capture is not malformed
    }
    return TcpParseResult::kOk;
  }
  parse_options(ByteCursor(bytes.subspan(20, header_length - 20)), out);
  out.payload = bytes.subspan(header_length);
  return TcpParseResult::kOk;
}

namespace {

void emit_record(const TcpHeader& h, uint32_t payload_size, PacketContext& ctx) {
  auto r = new_layer_record<TCP>(ctx);
  r->set_srcport(h.src_port);
  r->set_dstport(h.dst_port);
  r->set_seqnum(h.seq);
  r->set_acknum(h.ack);
  r->set_dataoffset(h.data_offset);
  r->set_fin(h.flags & 0x01);
  r->set_syn(h.flags & 0x02);
  r->set_rst(h.flags & 0x04);
  r->set_psh(h.flags & 0x08);
  r->set_ack(h.flags & 0x10);
  r->set_urg(h.flags & 0x20);
  r->set_ece(h.flags & 0x40);
  r->set_cwr(h.flags & 0x80);
  r->set_ns(h.ns);
  r->set_window(h.window);
  r->set_checksum(h.checksum);
  r->set_urgent(h.urgent);
  for (const TcpOption& o : h.options) {
    TCPOption* po = r->add_options();
    po->set_optiontype(o.kind);
    po->set_optionlength(o.length);
    po->set_optiondata(to_bytes(o.data));
    ByteCursor d(o.data);
    switch (o.kind) {
      case 2:
        po->set_mss(d.u16be());
        break;
      case 3:
        po->set_windowscale(d.u8());
        break;
      case 5:
        while (d.has(8)) {
          po->add_sackblocks(d.u32be());
          po->add_sackblocks(d.u32be());
        }
        break;
      case 8:
        po->set_tsval(d.u32be());
        po->set_tsecr(d.u32be());
        break;
      default:
        break;
    }
  }
  r->set_payloadsize(static_cast<int32_t>(payload_size));
  r->set_headertruncated(h.header_cut);
  r->set_padding(to_bytes(h.padding));
  r->set_srcip(ip_text(ctx.net_src()));
  r->set_dstip(ip_text(ctx.net_dst()));
  ctx.emit(std::move(r));
}

void decode_tcp(Bytes bytes, PacketContext& ctx) {
  TcpHeader h;
  const TcpParseResult result = parse_tcp(bytes, h);
  if (result == TcpParseResult::kTruncated) {
    ctx.anomaly("tcp.truncated_header", std::to_string(bytes.size()) + " bytes, needs 20");
    return;
  }
  const uint32_t segment =
      std::max<uint32_t>(ctx.network_payload_length(), static_cast<uint32_t>(bytes.size()));
  const uint32_t header_length = h.data_offset * 4u;
  const bool snapped = frame_snapped(ctx);
  bool usable = true;
  if (result == TcpParseResult::kBadDataOffset || header_length > segment) {
    ctx.anomaly("tcp.bad_data_offset", "data offset " + std::to_string(h.data_offset) + " for a " +
                                           std::to_string(segment) + "-byte segment");
    usable = false;
  } else if (h.header_cut && !snapped) {
    ctx.anomaly("tcp.truncated_header", std::to_string(bytes.size()) + " bytes, header is " +
                                            std::to_string(header_length));
    usable = false;
  }
  if (h.bad_option) ctx.anomaly("tcp.bad_option", "option length < 2 or past the header");
  const uint32_t payload_length = usable ? segment - header_length : 0;
  if (usable) {
    if (TransportInfo* t = ctx.add_transport(6)) {
      t->src_port = h.src_port;
      t->dst_port = h.dst_port;
      t->tcp_flags = h.flags;
      t->seq = h.seq;
      t->ack = h.ack;
      t->window = h.window;
      t->window_scale = h.window_scale;
      t->header_truncated = h.header_cut;
      t->payload = h.payload;
      t->payload_length = payload_length;
      t->from_reassembled_fragments = ctx.network_reassembled();
      // Passive OS fingerprint, for SYNs only (the flow table keeps each side's first). p0f
      // skips fragmented datagrams and headers the snap length cut, and so do we.
      if ((h.flags & 0x02) != 0 && !h.header_cut && !ctx.network_reassembled()) {
        std::string signature = tcp_syn_signature(ctx.ip_fingerprint_fields(),
                                                  bytes.subspan(0, header_length), payload_length);
        if (!signature.empty()) {
          Bytes kept = ctx.keep(std::vector<uint8_t>(signature.begin(), signature.end()));
          t->syn_signature =
              std::string_view(reinterpret_cast<const char*>(kept.data()), kept.size());
        }
      }
    }
  }
  ctx.count_value(ValueKind::kTCPFlags, h.flags);
  if (ctx.layer_records()) emit_record(h, payload_length, ctx);
}

}  // namespace

Status register_tcp(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kIpProtocol, 6, {"tcp", &decode_tcp});
}

}  // namespace netcap
