// Engine: routing is direction-symmetric, queues bound and drain, and a whole run gives the same
// records whatever the number of shards.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "core/engine/bounded_queue.h"
#include "core/engine/engine.h"
#include "core/engine/shard_key.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"
#include "proto/distribution.pb.h"

using namespace netcap;

namespace {

// Ethernet + IPv4 + TCP/UDP frame builder (checksums are not checked by the decoders).
std::vector<uint8_t> frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t proto,
                           uint8_t flags = 0x10, uint16_t vlan = 0, size_t payload = 10) {
  std::vector<uint8_t> f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  if (vlan) {
    f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(vlan >> 8), static_cast<uint8_t>(vlan)});
  }
  f.insert(f.end(), {0x08, 0x00});
  const size_t l4 = proto == 6 ? 20 : 8;
  const uint16_t total = static_cast<uint16_t>(20 + l4 + payload);
  auto be32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) f.push_back(static_cast<uint8_t>(v >> s));
  };
  f.insert(f.end(), {0x45, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0, 1,
                     0, 0, 64, proto, 0, 0});
  be32(src);
  be32(dst);
  f.insert(f.end(), {static_cast<uint8_t>(sport >> 8), static_cast<uint8_t>(sport),
                     static_cast<uint8_t>(dport >> 8), static_cast<uint8_t>(dport)});
  if (proto == 6) {
    be32(1000);
    be32(2000);
    f.insert(f.end(), {0x50, flags, 0x10, 0x00, 0, 0, 0, 0});
  } else {
    const uint16_t len = static_cast<uint16_t>(8 + payload);
    f.insert(f.end(), {static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0, 0});
  }
  f.insert(f.end(), payload, 'x');
  return f;
}

RawPacket packet(std::vector<uint8_t> bytes, int64_t ts) {
  RawPacket p;
  p.ts_ns = ts;
  p.linktype = linktype::kEthernet;
  p.wire_len = static_cast<uint32_t>(bytes.size());
  p.data = std::move(bytes);
  return p;
}

class VectorSource final : public PacketSource {
 public:
  explicit VectorSource(std::vector<RawPacket> packets) : packets_(std::move(packets)) {}
  Expected<bool> next(RawPacket& out) override {
    if (i_ >= packets_.size()) return false;
    out = packets_[i_++];
    out.frame = i_;
    return true;
  }
  SourceProgress progress() const override { return {i_, packets_.size()}; }
  std::vector<SourceIssue> issues() const override { return {}; }
  std::string description() const override { return "test packets"; }
  std::vector<std::string> inputs() const override { return {"test"}; }
  void request_stop() override {}

 private:
  std::vector<RawPacket> packets_;
  size_t i_ = 0;
};

class CollectingSink final : public RecordSink {
 public:
  std::string_view name() const override { return "collect"; }
  Status write(const google::protobuf::Message& record) override {
    if (record.GetDescriptor() == Connection::descriptor()) {
      const auto& c = static_cast<const Connection&>(record);
      rows.push_back(c.uid() + " " + c.srcip() + ":" + std::to_string(c.srcport()) + " " +
                     c.dstip() + ":" + std::to_string(c.dstport()) + " " +
                     std::to_string(c.numpackets()) + " " + c.connstate() + " " + c.endreason());
    } else if (record.GetDescriptor() == ValueDistribution::descriptor()) {
      const auto& v = static_cast<const ValueDistribution&>(record);
      rows.push_back("ValueDistribution " + v.kind() + " " + std::to_string(v.value()) + " " +
                     v.name() + " " + std::to_string(v.count()));
    } else {
      rows.push_back(record.GetDescriptor()->name());
    }
    return Status::ok();
  }
  Status flush() override { return Status::ok(); }
  Status close() override { return Status::ok(); }
  std::vector<std::string> rows;
};

std::vector<RawPacket> traffic() {
  std::vector<RawPacket> out;
  int64_t ts = 1'700'000'000'000'000'000;
  for (uint32_t host = 1; host <= 40; ++host) {
    const uint32_t client = 0x0a000000 + host, server = 0xc0a80001 + host % 3;
    const uint16_t port = static_cast<uint16_t>(40000 + host);
    out.push_back(packet(frame(client, server, port, 80, 6, 0x02, 0, 0), ts += 1000));
    out.push_back(packet(frame(server, client, 80, port, 6, 0x12, 0, 0), ts += 1000));
    out.push_back(packet(frame(client, server, port, 80, 6, 0x18, 0, 20), ts += 1000));
    out.push_back(packet(frame(client, server, 5353, 53, 17, 0, host % 2 ? 7 : 0), ts += 1000));
    out.push_back(packet(frame(server, client, 53, 5353, 17, 0, host % 2 ? 7 : 0), ts += 1000));
  }
  // A malformed packet: IPv4 header length 4 words.
  auto bad = frame(1, 2, 3, 4, 17);
  bad[14] = 0x44;
  out.push_back(packet(bad, ts += 1000));
  return out;
}

std::vector<std::string> run_engine(int workers) {
  LayerRegistry registry;
  REQUIRE(register_all_protocols(registry).is_ok());
  EngineOptions options;
  options.workers = workers;
  CollectingSink sink;
  Engine engine(registry, options, {&sink});
  VectorSource source(traffic());
  auto summary = engine.run(source);
  REQUIRE(summary.has_value());
  CHECK(summary->packets == 201);
  CHECK(summary->shards == workers);
  CHECK(summary->records["Connection"] == 80);
  CHECK(summary->records["Anomaly"] == 1);
  CHECK(summary->records["ValueDistribution"] == 7);
  std::sort(sink.rows.begin(), sink.rows.end());
  return sink.rows;
}

}  // namespace

TEST_CASE("routing hash is direction-symmetric and sees through VLAN tags") {
  RawPacket a = packet(frame(0x0a000001, 0x0a000002, 1000, 80, 6), 0);
  RawPacket b = packet(frame(0x0a000002, 0x0a000001, 80, 1000, 6), 0);
  RawPacket c = packet(frame(0x0a000001, 0x0a000002, 1000, 80, 6, 0x10, 42), 0);
  RawPacket d = packet(frame(0x0a000001, 0x0a000003, 1000, 80, 6), 0);
  CHECK(routing_hash(a) != 0);
  CHECK(routing_hash(a) == routing_hash(b));
  CHECK(routing_hash(a) == routing_hash(c));  // same address pair inside a VLAN
  CHECK(routing_hash(a) != routing_hash(d));
  RawPacket junk;
  junk.linktype = linktype::kEthernet;
  junk.data = {1, 2, 3};
  CHECK(routing_hash(junk) == 0);  // too short: shard 0 decodes and reports it
}

TEST_CASE("bounded queue applies back-pressure and drains after close") {
  BoundedQueue<int> q(2);
  REQUIRE(q.push(1));
  REQUIRE(q.push(2));
  int item = 0;
  CHECK_FALSE(q.try_push(item));  // full
  std::thread consumer([&] {
    int v = 0, sum = 0;
    while (q.pop(v)) sum += v;
    CHECK(sum == 1 + 2 + 3);
  });
  REQUIRE(q.push(3));  // blocks until the consumer made room
  q.close();
  consumer.join();
  CHECK_FALSE(q.push(4));
  CHECK(q.high_water() <= 2);
}

TEST_CASE("the same input gives the same records with 1, 2 and 5 shards") {
  auto one = run_engine(1);
  CHECK(one.size() == 88);
  // Header value counts, merged over the shards: 40 TCP handshakes (SYN, SYN ACK, PSH ACK) and
  // 40 UDP exchanges, half of them tagged with VLAN 7 (counted as Dot1Q at the outer EtherType).
  const std::vector<std::string> distributions = {
      "ValueDistribution ethernet.type 2048 IPv4 161",
      "ValueDistribution ethernet.type 33024 Dot1Q 40",
      "ValueDistribution ipv4.protocol 17 UDP 80",
      "ValueDistribution ipv4.protocol 6 TCP 120",
      "ValueDistribution tcp.flags 18 SYN ACK 40",
      "ValueDistribution tcp.flags 2 SYN 40",
      "ValueDistribution tcp.flags 24 PSH ACK 40",
  };
  for (const std::string& row : distributions) {
    CHECK(std::find(one.begin(), one.end(), row) != one.end());
  }
  CHECK(run_engine(2) == one);
  CHECK(run_engine(5) == one);
}
