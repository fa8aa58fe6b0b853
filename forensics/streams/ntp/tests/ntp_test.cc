// NTP decoder, probe, session and a real capture.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/streams/ntp/ntp_parser.h"
#include "proto/anomaly.pb.h"
#include "proto/ntp.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace netcap::app {
Status register_app_ntp(AppRegistry& registry);
}

namespace {

using Buf = std::vector<uint8_t>;
void u16(Buf& b, uint16_t v) { b.push_back(uint8_t(v >> 8)), b.push_back(uint8_t(v)); }
void u32(Buf& b, uint32_t v) { u16(b, uint16_t(v >> 16)), u16(b, uint16_t(v)); }
// Appends n copies of v (push_back: GCC 12 -Warray-bounds false positive on insert).
void fill(Buf& b, size_t n, uint8_t v) {
  for (size_t i = 0; i < n; ++i) b.push_back(v);
}

// A v4 server reply: stratum, refid, transmit timestamp seconds + half a second.
Buf header(uint8_t first, uint8_t stratum, uint32_t refid, uint32_t tx_seconds) {
  Buf b{first, stratum, 6, 0xe9};  // poll 6, precision -23
  u32(b, 0x00018000);              // root delay 1.5 s
  u32(b, 0x00004000);              // root dispersion 0.25 s
  u32(b, refid);
  u32(b, 0), u32(b, 0);           // reference: zero
  u32(b, 0), u32(b, 0);           // origin: zero
  u32(b, tx_seconds), u32(b, 0);  // receive
  u32(b, tx_seconds), u32(b, 0x80000000);
  return b;
}
bool has(const std::vector<ntp::Finding>& f, std::string_view name) {
  for (const auto& x : f) {
    if (x.name == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("ntp: timestamps convert to Unix ns") {
  CHECK(ntp::ntp_to_unix_ns(0) == 0);
  CHECK(ntp::ntp_to_unix_ns(uint64_t{2208988800ULL} << 32) == 0);
  CHECK(ntp::ntp_to_unix_ns((uint64_t{2208988801ULL} << 32) | 0x80000000ULL) == 1'500'000'000);
  // Era 1: 2036-02-07T06:28:16Z is 2085978496 Unix seconds.
  CHECK(ntp::ntp_to_unix_ns(uint64_t{1} << 32) == (2085978496LL + 1) * 1'000'000'000LL);
}

TEST_CASE("ntp: a server reply is decoded") {
  Buf m = header(0x24, 2, 0xc0a80101, 3768235414u);
  NTP r;
  std::vector<ntp::Finding> f;
  REQUIRE(ntp::decode_ntp(m, r, f));
  CHECK(f.empty());
  CHECK(r.leapindicator() == 0);
  CHECK(r.version() == 4);
  CHECK(r.mode() == 4);
  CHECK(r.modename() == "server");
  CHECK(r.stratum() == 2);
  CHECK(r.poll() == 6);
  CHECK(r.precision() == -23);
  CHECK(r.rootdelay() == 1.5);
  CHECK(r.rootdispersion() == 0.25);
  CHECK(r.referenceid() == "192.168.1.1");
  CHECK(r.referenceidraw() == 0xc0a80101u);
  CHECK(r.referencetimestamp() == 0);
  CHECK(r.origintimestamp() == 0);
  CHECK(r.receivetimestamp() == 1559246614LL * 1'000'000'000LL);
  CHECK(r.transmittimestamp() == 1559246614LL * 1'000'000'000LL + 500'000'000LL);
  CHECK(r.extensionfields() == 0);
  CHECK(r.keyid() == 0);
  CHECK(r.length() == 48);
  CHECK_FALSE(r.malformed());
}

TEST_CASE("ntp: reference IDs by stratum") {
  std::vector<ntp::Finding> f;
  NTP s1, s0, s0bin, leap;
  REQUIRE(ntp::decode_ntp(header(0x24, 1, 0x47505300, 1), s1, f));  // "GPS\0"
  CHECK(s1.referenceid() == "GPS");
  REQUIRE(ntp::decode_ntp(header(0xe4, 0, 0x52415445, 1), s0, f));  // kiss code "RATE"
  CHECK(s0.referenceid() == "RATE");
  CHECK(s0.leapindicator() == 3);
  REQUIRE(ntp::decode_ntp(header(0x23, 0, 0x00000001, 1), s0bin, f));
  CHECK(s0bin.referenceid() == "0x00000001");
  CHECK(f.empty());
}

TEST_CASE("ntp: extension fields and MACs (RFC 7822)") {
  std::vector<ntp::Finding> f;
  Buf ext = header(0x23, 3, 1, 1);
  u16(ext, 0x0104), u16(ext, 16);
  fill(ext, 12, 0xaa);
  u16(ext, 0x0204), u16(ext, 28);
  fill(ext, 24, 0xbb);
  u32(ext, 42);
  fill(ext, 20, 0x11);  // SHA-1 MAC
  NTP r;
  REQUIRE(ntp::decode_ntp(ext, r, f));
  CHECK(f.empty());
  CHECK(r.extensionfields() == 2);
  CHECK(r.keyid() == 42);
  CHECK(r.maclength() == 20);

  Buf md5 = header(0x1b, 3, 1, 1);
  u32(md5, 7);
  fill(md5, 16, 0x22);
  NTP m;
  REQUIRE(ntp::decode_ntp(md5, m, f));
  CHECK(m.keyid() == 7);
  CHECK(m.maclength() == 16);
  CHECK(m.extensionfields() == 0);

  Buf bad = header(0x23, 3, 1, 1);
  u16(bad, 1), u16(bad, 9);  // length not a multiple of 4
  fill(bad, 28, 0);
  NTP b;
  REQUIRE(ntp::decode_ntp(bad, b, f));
  CHECK(has(f, "ntp.bad_extension"));
  CHECK(b.malformed());

  f.clear();
  Buf odd = header(0x23, 3, 1, 1);
  fill(odd, 7, 0);
  NTP o;
  REQUIRE(ntp::decode_ntp(odd, o, f));
  CHECK(has(f, "ntp.bad_trailer"));
}

TEST_CASE("ntp: control (mode 6) and private (mode 7) messages") {
  std::vector<ntp::Finding> f;
  const std::string data = "version=\"ntpd 4.2.8\"";
  Buf ctl{0x16, 0x82};
  u16(ctl, 5), u16(ctl, 0x0615), u16(ctl, 0), u16(ctl, 0), u16(ctl, uint16_t(data.size()));
  for (char ch : data) ctl.push_back(uint8_t(ch));
  NTP c;
  REQUIRE(ntp::decode_ntp(ctl, c, f));
  CHECK(f.empty());
  CHECK(c.mode() == 6);
  CHECK(c.modename() == "control");
  CHECK(c.version() == 2);
  CHECK(c.response());
  CHECK_FALSE(c.error());
  CHECK(c.opcode() == 2);
  CHECK(c.sequence() == 5);
  CHECK(c.status() == 0x0615);
  CHECK(c.count() == int(data.size()));
  CHECK(c.controldata() == data);

  Buf lying{0x16, 0x02};
  u16(lying, 1), u16(lying, 0), u16(lying, 0), u16(lying, 0), u16(lying, 400);
  NTP l;
  REQUIRE(ntp::decode_ntp(lying, l, f));
  CHECK(has(f, "ntp.bad_count"));

  // ntpd monlist request: mode 7, implementation 3 (XNTPD), request code 42.
  Buf priv{0x17, 0x00, 0x03, 0x2a, 0x00, 0x00, 0x00, 0x00};
  fill(priv, 40, 0);
  NTP p;
  f.clear();
  REQUIRE(ntp::decode_ntp(priv, p, f));
  CHECK(f.empty());
  CHECK(p.mode() == 7);
  CHECK(p.modename() == "private");
  CHECK_FALSE(p.response());
  CHECK(p.implementation() == 3);
  CHECK(p.opcode() == 42);
  Buf reply{0x97, 0x00, 0x03, 0x2a, 0x00, 0x06, 0x00, 0x48};
  NTP q;
  REQUIRE(ntp::decode_ntp(reply, q, f));
  CHECK(q.response());
  CHECK(q.count() == 6);
  CHECK(q.itemsize() == 72);
}

TEST_CASE("ntp: truncated and odd headers") {
  std::vector<ntp::Finding> f;
  NTP r;
  Buf short_one = header(0x23, 2, 1, 1);
  short_one.resize(30);
  CHECK_FALSE(ntp::decode_ntp(short_one, r, f));
  CHECK(has(f, "ntp.truncated"));
  f.clear();
  CHECK_FALSE(ntp::decode_ntp(Buf{}, r, f));
  CHECK(has(f, "ntp.truncated"));
  f.clear();
  NTP v7;
  REQUIRE(ntp::decode_ntp(header(0x3b, 2, 1, 1), v7, f));  // version 7
  CHECK(has(f, "ntp.bad_version"));
  CHECK(v7.malformed());
}

TEST_CASE("ntp: probe") {
  ProbeInput in;
  Buf good = header(0x23, 2, 1, 1);
  in.client = good;
  CHECK(ntp::probe_ntp(in) == ProbeResult::kYes);
  Buf v0 = header(0x03, 2, 1, 1);
  in.client = v0;
  CHECK(ntp::probe_ntp(in) == ProbeResult::kNo);
  Buf shorter(20, 0x23);
  in.client = shorter;
  CHECK(ntp::probe_ntp(in) == ProbeResult::kNo);
  Buf ctl{0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  in.client = ctl;
  CHECK(ntp::probe_ntp(in) == ProbeResult::kYes);
}

namespace {
struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
};
}  // namespace

TEST_CASE("ntp: session records each datagram and only on port 123") {
  AppRegistry registry;
  REQUIRE(register_app_ntp(registry).is_ok());
  Limits limits;
  Emitted emitted;
  AppLayer layer(registry, limits, emitted);
  FlowInfo flow;
  flow.flow_id = "Untp";
  flow.ip_protocol = 17;
  IpAddress::parse("10.0.0.1", flow.client);
  IpAddress::parse("10.0.0.2", flow.server);
  flow.client_port = 40000;
  flow.server_port = 123;
  Buf q = header(0x23, 0, 0, 1);
  Buf a = header(0x24, 2, 0x0a000003, 2);
  auto c = layer.create(flow);
  c->on_datagram(StreamDirection::kClientToServer, q, uint32_t(q.size()), 100, 1);
  c->on_datagram(StreamDirection::kServerToClient, a, uint32_t(a.size() + 10), 200, 2);
  c->on_end(StreamEndReason::kIdle, 300);
  std::vector<const NTP*> recs;
  std::vector<const Anomaly*> anomalies;
  for (const auto& r : emitted.records) {
    if (auto* n = dynamic_cast<const NTP*>(r.get())) recs.push_back(n);
    if (auto* x = dynamic_cast<const Anomaly*>(r.get())) anomalies.push_back(x);
  }
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]->modename() == "client");
  CHECK(recs[0]->srcport() == 40000);
  CHECK(recs[1]->modename() == "server");
  CHECK(recs[1]->srcip() == "10.0.0.2");
  CHECK(recs[1]->frame() == 2);
  CHECK(recs[1]->malformed());
  REQUIRE(anomalies.size() == 1);
  CHECK(anomalies[0]->name() == "ntp.truncated");

  flow.server_port = 124;
  emitted.records.clear();
  auto other = layer.create(flow);
  other->on_datagram(StreamDirection::kClientToServer, q, uint32_t(q.size()), 100, 1);
  other->on_end(StreamEndReason::kIdle, 300);
  CHECK(emitted.records.empty());
}

TEST_CASE("ntp: client/server capture") {
  auto run = testing::run_capture(testing::sample_capture("ntp-client-server.pcap"));
  REQUIRE(run.has_value());
  auto recs = run.value().of<NTP>();
  REQUIRE(recs.size() == 32);
  for (size_t i = 0; i < recs.size(); ++i) CHECK(recs[i]->frame() == i + 1);
  const NTP& q = *recs[0];
  CHECK(q.srcip() == "192.168.43.118");
  CHECK(q.dstip() == "80.211.52.109");
  CHECK(q.version() == 4);
  CHECK(q.modename() == "client");
  CHECK(q.stratum() == 2);
  CHECK(q.poll() == 6);
  CHECK(q.precision() == -22);
  CHECK(q.rootdelay() == Approx(0.046279).margin(1e-5));
  CHECK(q.rootdispersion() == Approx(0.024169).margin(1e-5));
  CHECK(q.referenceid() == "85.199.214.99");
  // tcpdump: transmit 3768235414.027420739 (NTP era 0).
  CHECK(std::llabs(q.transmittimestamp() - (1559246614LL * 1'000'000'000LL + 27'420'739LL)) <= 1);
  CHECK(std::llabs(q.referencetimestamp() - (1559246556LL * 1'000'000'000LL + 73'681'418LL)) <= 1);
  const NTP& a = *recs[1];
  CHECK(a.modename() == "server");
  CHECK(a.stratum() == 4);
  CHECK(a.precision() == -24);
  CHECK(a.referenceid() == "105.237.207.28");
  CHECK(a.origintimestamp() == q.transmittimestamp());
  size_t v3 = 0, primary = 0;
  for (const NTP* r : recs) {
    if (r->version() == 3) ++v3;
    if (r->stratum() == 1) {
      ++primary;
      CHECK(r->referenceid() == "GPS");
    }
    CHECK_FALSE(r->malformed());
  }
  CHECK(v3 == 2);
  CHECK(primary >= 1);
}
