// FlowTable: connection records, Zeek-style state and history, timeouts, eviction.
#include "core/flow/flow_table.h"

#include <catch2/catch.hpp>

#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"

using namespace netcap;

namespace {

constexpr uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
constexpr int64_t kSecond = 1'000'000'000;

struct Collector : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
  std::vector<const Connection*> connections() const {
    std::vector<const Connection*> out;
    for (auto& r : records) {
      if (auto* c = dynamic_cast<const Connection*>(r.get())) out.push_back(c);
    }
    return out;
  }
  std::vector<const Anomaly*> anomalies() const {
    std::vector<const Anomaly*> out;
    for (auto& r : records) {
      if (auto* a = dynamic_cast<const Anomaly*>(r.get())) out.push_back(a);
    }
    return out;
  }
};

IpAddress ip(const std::string& s) {
  IpAddress a;
  IpAddress::parse(s, a);
  return a;
}

// Drives a FlowTable with hand-made transport layers, as the shard does after decoding.
struct Harness {
  Limits limits;
  Collector out;
  LayerRegistry registry;
  DecodeStats stats;
  std::unique_ptr<FragmentReassembler> fragments;
  std::unique_ptr<FlowTable> table;
  uint64_t frame = 0;
  std::string next_signature;  // TransportInfo::syn_signature of the next packet only
  explicit Harness(Limits l = {}) : limits(l) {
    fragments = std::make_unique<FragmentReassembler>(limits);
    table = std::make_unique<FlowTable>(limits, out, nullptr);
  }
  void packet(const std::string& src, uint16_t sport, const std::string& dst, uint16_t dport,
              uint8_t proto, uint8_t flags, int64_t ts, uint32_t seq = 0, uint32_t ack = 0,
              std::string payload = {}, uint32_t wire_len = 100) {
    RawPacket p;
    p.frame = ++frame;
    p.ts_ns = ts;
    p.wire_len = wire_len;
    p.linktype = linktype::kRaw;
    PacketContext ctx(p, registry, limits, *fragments, out, stats, false);
    ctx.set_network(ip(src), ip(dst));
    TransportInfo* t = ctx.add_transport(proto);
    REQUIRE(t != nullptr);
    t->src_port = sport;
    t->dst_port = dport;
    t->tcp_flags = flags;
    t->seq = seq;
    t->ack = ack;
    t->window = 1024;
    t->payload = {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()};
    t->payload_length = static_cast<uint32_t>(payload.size());
    t->syn_signature = next_signature;
    table->on_transport(*t, ctx);
    next_signature.clear();
  }
};

}  // namespace

TEST_CASE("a complete TCP connection gives one SF connection with counts per direction") {
  Harness h;
  const char* c = "10.0.0.1";
  const char* s = "10.0.0.2";
  h.packet(c, 40000, s, 80, 6, SYN, 1 * kSecond, 100, 0, {}, 74);
  h.packet(s, 80, c, 40000, 6, SYN | ACK, 1 * kSecond + 1000, 500, 101, {}, 74);
  h.packet(c, 40000, s, 80, 6, ACK, 1 * kSecond + 2000, 101, 501, {}, 66);
  h.packet(c, 40000, s, 80, 6, ACK | PSH, 1 * kSecond + 3000, 101, 501, "GET / HTTP/1.0\r\n\r\n",
           84);
  h.packet(s, 80, c, 40000, 6, ACK | PSH, 1 * kSecond + 4000, 501, 119, "HTTP/1.0 200 OK\r\n\r\n",
           85);
  h.packet(s, 80, c, 40000, 6, FIN | ACK, 1 * kSecond + 5000, 520, 119, {}, 66);
  h.packet(c, 40000, s, 80, 6, FIN | ACK, 1 * kSecond + 6000, 119, 521, {}, 66);
  h.packet(s, 80, c, 40000, 6, ACK, 1 * kSecond + 7000, 521, 120, {}, 66);
  REQUIRE(h.out.connections().empty());  // still lingering for trailing packets
  h.table->close_all(2 * kSecond);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 1);
  const Connection& k = *conns[0];
  CHECK(k.srcip() == c);
  CHECK(k.srcport() == 40000);
  CHECK(k.dstip() == s);
  CHECK(k.dstport() == 80);
  CHECK(k.transportproto() == "tcp");
  CHECK(k.networkproto() == "ipv4");
  CHECK(k.connstate() == "SF");
  CHECK(k.history() == "ShADdfFa");
  CHECK(k.packetsclienttoserver() == 4);
  CHECK(k.packetsservertoclient() == 4);
  CHECK(k.bytesclienttoserver() == 74 + 66 + 84 + 66);
  CHECK(k.bytesservertoclient() == 74 + 85 + 66 + 66);
  CHECK(k.payloadclienttoserver() == 18);
  CHECK(k.payloadservertoclient() == 19);
  CHECK(k.numsyn() == 2);
  CHECK(k.numfin() == 2);
  CHECK(k.numack() == 7);
  CHECK(k.duration() == 7000);
  CHECK(k.firstframe() == 1);
  CHECK(k.endreason() == "fin");
  CHECK(k.communityid().rfind("1:", 0) == 0);
  CHECK(k.uid().size() == 17);
  CHECK(k.missedbytes() == 0);
}

TEST_CASE("a connection first seen at its SYN-ACK is flipped to the real originator") {
  Harness h;
  h.packet("10.0.0.2", 80, "10.0.0.1", 40000, 6, SYN | ACK, kSecond, 500, 101);
  h.packet("10.0.0.1", 40000, "10.0.0.2", 80, 6, ACK, kSecond + 10, 101, 501);
  h.table->close_all(2 * kSecond);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 1);
  CHECK(conns[0]->srcip() == "10.0.0.1");
  CHECK(conns[0]->dstport() == 80);
  CHECK(conns[0]->history().front() == '^');
  CHECK(conns[0]->connstate() == "S1");
}

TEST_CASE("SYN answered by RST is REJ; unanswered SYN is S0; midstream is OTH") {
  Harness h;
  h.packet("10.0.0.1", 1000, "10.0.0.2", 23, 6, SYN, kSecond, 1);
  h.packet("10.0.0.2", 23, "10.0.0.1", 1000, 6, RST | ACK, kSecond + 5, 0, 2);
  h.packet("10.0.0.1", 1001, "10.0.0.2", 25, 6, SYN, kSecond, 1);
  h.packet("10.0.0.1", 1002, "10.0.0.2", 443, 6, ACK | PSH, kSecond, 1, 1, "x");
  h.table->close_all(2 * kSecond);
  std::map<int, std::string> state;
  for (const Connection* c : h.out.connections()) state[c->dstport()] = c->connstate();
  CHECK(state[23] == "REJ");
  CHECK(state[25] == "S0");
  CHECK(state[443] == "OTH");
}

TEST_CASE("UDP: one-way is S0, two-way is SF, and an idle gap splits the flow") {
  Harness h;
  h.packet("10.0.0.1", 5353, "10.0.0.9", 53, 17, 0, kSecond, 0, 0, "q");
  h.packet("10.0.0.9", 53, "10.0.0.1", 5353, 17, 0, kSecond + 100, 0, 0, "answer");
  h.packet("10.0.0.3", 999, "10.0.0.4", 514, 17, 0, kSecond, 0, 0, "log");
  // 10 minutes later, far beyond the UDP idle timeout: a new flow.
  h.packet("10.0.0.1", 5353, "10.0.0.9", 53, 17, 0, 601 * kSecond, 0, 0, "q2");
  h.table->close_all(700 * kSecond);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 3);
  int sf = 0, s0 = 0;
  for (const Connection* c : conns) {
    if (c->connstate() == "SF") sf++;
    if (c->connstate() == "S0") s0++;
  }
  CHECK(sf == 1);
  CHECK(s0 == 2);
  bool idle_seen = false;
  for (const Connection* c : conns) idle_seen |= c->endreason() == "idle";
  CHECK(idle_seen);
}

TEST_CASE("sweep closes idle flows by packet time, not wall clock") {
  Harness h;
  h.packet("10.0.0.1", 1, "10.0.0.2", 2, 17, 0, kSecond, 0, 0, "a");
  h.table->sweep(30 * kSecond);
  CHECK(h.out.connections().empty());
  h.table->sweep(kSecond + h.limits.udp_idle_timeout_ns + 1);
  CHECK(h.out.connections().size() == 1);
  CHECK(h.table->size() == 0);
}

TEST_CASE("a new SYN after a closed connection on the same ports starts a new connection") {
  Harness h;
  h.packet("10.0.0.1", 4000, "10.0.0.2", 80, 6, SYN, kSecond, 10);
  h.packet("10.0.0.2", 80, "10.0.0.1", 4000, 6, SYN | ACK, kSecond + 1, 50, 11);
  h.packet("10.0.0.1", 4000, "10.0.0.2", 80, 6, RST, kSecond + 2, 11);
  h.packet("10.0.0.1", 4000, "10.0.0.2", 80, 6, SYN, kSecond + 3, 90000);
  h.table->close_all(2 * kSecond);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 2);
  CHECK(conns[0]->connstate() == "RSTO");
  CHECK(conns[0]->endreason() == "rst");
  CHECK(conns[1]->connstate() == "S0");
}

TEST_CASE("a full flow table evicts the least recently active flow and records it") {
  Limits l;
  l.max_flows_per_shard = 2;
  Harness h(l);
  h.packet("10.0.0.1", 1, "10.0.0.2", 2, 17, 0, 1 * kSecond, 0, 0, "a");
  h.packet("10.0.0.1", 3, "10.0.0.2", 4, 17, 0, 2 * kSecond, 0, 0, "b");
  h.packet("10.0.0.1", 1, "10.0.0.2", 2, 17, 0, 3 * kSecond, 0, 0, "c");  // refreshes flow 1
  h.packet("10.0.0.1", 5, "10.0.0.2", 6, 17, 0, 4 * kSecond, 0, 0, "d");  // evicts flow 2
  CHECK(h.table->size() == 2);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 1);
  CHECK(conns[0]->srcport() == 3);
  CHECK(conns[0]->endreason() == "evicted");
  auto anomalies = h.out.anomalies();
  REQUIRE(anomalies.size() == 1);
  CHECK(anomalies[0]->name() == "flow.table_full");
  CHECK(h.table->stats().flows_evicted == 1);
}

TEST_CASE("ICMP echo request and reply are one flow with type and code") {
  Harness h;
  h.packet("10.0.0.1", 8, "10.0.0.2", 0, 1, 0, kSecond, 0, 0, "ping");
  h.packet("10.0.0.2", 0, "10.0.0.1", 0, 1, 0, kSecond + 5, 0, 0, "ping");
  h.table->close_all(2 * kSecond);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 1);
  CHECK(conns[0]->transportproto() == "icmp");
  CHECK(conns[0]->icmptype() == 8);
  CHECK(conns[0]->numpackets() == 2);
  CHECK(conns[0]->connstate() == "SF");
}

TEST_CASE("a SYN retransmitted with the same sequence number after a RST stays one connection") {
  Harness h;
  for (int i = 0; i < 3; ++i) {
    h.packet("10.0.0.1", 26242, "10.0.0.2", 110, 6, SYN, kSecond + i * 1000, 777);
    h.packet("10.0.0.2", 110, "10.0.0.1", 26242, 6, RST | ACK, kSecond + i * 1000 + 10, 0, 778);
  }
  h.table->close_all(2 * kSecond);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 1);
  CHECK(conns[0]->numpackets() == 6);
  CHECK(conns[0]->connstate() == "REJ");
}

TEST_CASE("the first SYN's and SYN-ACK's p0f signatures go to the Connection record") {
  Harness h;
  h.next_signature = "4:64:0:1460:64240,7:mss,sok,ts,nop,ws:df,id+:0";
  h.packet("10.0.0.1", 40000, "10.0.0.2", 80, 6, SYN, 1 * kSecond, 100);
  h.next_signature = "4:63:0:1460:64240,7:retransmitted:0";  // a second SYN: not kept
  h.packet("10.0.0.1", 40000, "10.0.0.2", 80, 6, SYN, 2 * kSecond, 100);
  h.next_signature = "4:128:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0";
  h.packet("10.0.0.2", 80, "10.0.0.1", 40000, 6, SYN | ACK, 3 * kSecond, 500, 101);
  h.packet("10.0.0.1", 40000, "10.0.0.2", 80, 6, ACK, 4 * kSecond, 101, 501);
  h.table->close_all(5 * kSecond);
  auto conns = h.out.connections();
  REQUIRE(conns.size() == 1);
  CHECK(conns[0]->clienttcpsignature() == "4:64:0:1460:64240,7:mss,sok,ts,nop,ws:df,id+:0");
  CHECK(conns[0]->servertcpsignature() == "4:128:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");

  // A connection seen from its SYN-ACK: the responder's signature is the server's.
  Harness flipped;
  flipped.next_signature = "4:60:0:1460:65535,6:mss,nop,ws:df:0";
  flipped.packet("10.0.0.9", 443, "10.0.0.1", 40001, 6, SYN | ACK, 1 * kSecond, 7, 8);
  flipped.table->close_all(2 * kSecond);
  auto f = flipped.out.connections();
  REQUIRE(f.size() == 1);
  CHECK(f[0]->srcip() == "10.0.0.1");
  CHECK(f[0]->clienttcpsignature().empty());
  CHECK(f[0]->servertcpsignature() == "4:60:0:1460:65535,6:mss,nop,ws:df:0");
}
