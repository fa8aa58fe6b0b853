// DHCPv6 decoder, probe, session and a real capture.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/streams/dhcpv6/dhcpv6_parser.h"
#include "proto/anomaly.pb.h"
#include "proto/dhcp.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace netcap::app {
Status register_app_dhcpv6(AppRegistry& registry);
}

namespace {

using Buf = std::vector<uint8_t>;

void u16(Buf& b, uint16_t v) { b.push_back(uint8_t(v >> 8)), b.push_back(uint8_t(v)); }
void u32(Buf& b, uint32_t v) { u16(b, uint16_t(v >> 16)), u16(b, uint16_t(v)); }
void append(Buf& b, const Buf& x) {
  for (uint8_t v : x)
    b.push_back(v);  // (push_back: GCC 12 -Warray-bounds false positive on insert)
}
Buf opt(uint16_t code, const Buf& value) {
  Buf o;
  u16(o, code);
  u16(o, uint16_t(value.size()));
  append(o, value);
  return o;
}
Buf addr(std::initializer_list<uint8_t> head, uint8_t last) {
  Buf a(16, 0);
  std::copy(head.begin(), head.end(), a.begin());
  a[15] = last;
  return a;
}
Buf msg(uint8_t type, uint32_t xid, std::initializer_list<Buf> options) {
  Buf m{type, uint8_t(xid >> 16), uint8_t(xid >> 8), uint8_t(xid)};
  for (const Buf& o : options) append(m, o);
  return m;
}
Buf duid_llt() {
  Buf d;
  u16(d, 1);
  u16(d, 1);
  u32(d, 0x1def69bd);
  append(d, {0x00, 0x0c, 0x29, 0x5e, 0x77, 0x44});
  return d;
}
bool has(const std::vector<dhcpv6::Finding>& f, std::string_view name) {
  for (const auto& x : f) {
    if (x.name == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("dhcpv6: a REQUEST with IA_NA, IA_PD, FQDN, vendor class and ORO") {
  Buf ia_na;
  u32(ia_na, 7), u32(ia_na, 3600), u32(ia_na, 5400);
  Buf iaaddr = addr({0x20, 0x01, 0x0d, 0xb8}, 0x42);
  u32(iaaddr, 7200), u32(iaaddr, 7500);
  append(ia_na, opt(5, iaaddr));
  Buf ia_pd;
  u32(ia_pd, 9), u32(ia_pd, 100), u32(ia_pd, 200);
  Buf iaprefix;
  u32(iaprefix, 300), u32(iaprefix, 400);
  iaprefix.push_back(56);
  append(iaprefix, addr({0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34}, 0));
  append(ia_pd, opt(26, iaprefix));
  Buf status;
  u16(status, 6);
  append(status, {'n', 'o', 'p', 'e'});
  append(ia_pd, opt(13, status));
  Buf fqdn{0x01, 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  Buf vendor;
  u32(vendor, 311);
  u16(vendor, 8);
  append(vendor, {'M', 'S', 'F', 'T', ' ', '5', '.', '0'});
  Buf oro;
  u16(oro, 23), u16(oro, 24), u16(oro, 39);
  Buf elapsed;
  u16(elapsed, 250);
  Buf m = msg(3, 0x2d1603,
              {opt(1, duid_llt()), opt(3, ia_na), opt(25, ia_pd), opt(39, fqdn), opt(16, vendor),
               opt(6, oro), opt(8, elapsed)});
  DHCPv6 r;
  std::vector<dhcpv6::Finding> f;
  REQUIRE(dhcpv6::decode_dhcpv6(m, 64, r, f));
  CHECK(f.empty());
  CHECK(r.msgtype() == 3);
  CHECK(r.msgtypename() == "REQUEST");
  CHECK(r.transactionid() == "0x2d1603");
  CHECK(r.clientduid() == "00:01:00:01:1d:ef:69:bd:00:0c:29:5e:77:44");
  CHECK(r.clientduidtype() == 1);
  CHECK(r.clientlinkaddr() == "00:0c:29:5e:77:44");
  REQUIRE(r.ias_size() == 2);
  CHECK(r.ias(0).typename_() == "IA_NA");
  CHECK(r.ias(0).iaid() == 7);
  CHECK(r.ias(0).t1() == 3600);
  CHECK(r.ias(0).t2() == 5400);
  REQUIRE(r.ias(0).addresses_size() == 1);
  CHECK(r.ias(0).addresses(0).address() == "2001:db8::42");
  CHECK(r.ias(0).addresses(0).preferredlifetime() == 7200);
  CHECK(r.ias(0).addresses(0).validlifetime() == 7500);
  CHECK(r.ias(0).statuscode() == -1);
  CHECK(r.ias(1).typename_() == "IA_PD");
  REQUIRE(r.ias(1).prefixes_size() == 1);
  CHECK(r.ias(1).prefixes(0).prefix() == "2001:db8:1234::/56");
  CHECK(r.ias(1).prefixes(0).prefixlength() == 56);
  CHECK(r.ias(1).statuscode() == 6);
  CHECK(r.ias(1).statusmessage() == "nope");
  CHECK(r.clientfqdn() == "host.example");
  CHECK(r.clientfqdnflags() == 1);
  CHECK(r.vendorclassenterprise() == 311);
  REQUIRE(r.vendorclass_size() == 1);
  CHECK(r.vendorclass(0) == "MSFT 5.0");
  CHECK(r.fingerprint() == "23,24,39");
  CHECK(r.optionrequestlist_size() == 3);
  CHECK(r.elapsedtime() == 250);
  CHECK(r.statuscode() == -1);
  REQUIRE(r.options_size() == 7);
  CHECK(r.options(0).name() == "CLIENTID");
  CHECK(r.options(0).length() == 14);
  CHECK(r.options(0).value() == "000100011def69bd000c295e7744");
  CHECK_FALSE(r.malformed());
}

TEST_CASE("dhcpv6: relayed messages are unwrapped") {
  Buf inner = msg(1, 0xabcdef, {opt(1, Buf{0, 3, 0, 1, 1, 2, 3, 4, 5, 6})});
  Buf relay1{12, 1};
  append(relay1, addr({0x20, 0x01, 0x0d, 0xb8}, 1));
  append(relay1, addr({0xfe, 0x80}, 2));
  append(relay1, opt(18, Buf{'e', 't', 'h', '0'}));
  append(relay1, opt(9, inner));
  Buf relay2{12, 2};
  append(relay2, Buf(16, 0));
  append(relay2, addr({0xfe, 0x80}, 3));
  append(relay2, opt(9, relay1));
  DHCPv6 r;
  std::vector<dhcpv6::Finding> f;
  REQUIRE(dhcpv6::decode_dhcpv6(relay2, 64, r, f));
  CHECK(f.empty());
  REQUIRE(r.relays_size() == 2);
  CHECK(r.relays(0).hopcount() == 2);
  CHECK(r.relays(0).peeraddr() == "fe80::3");
  CHECK(r.relays(1).msgtype() == 12);
  CHECK(r.relays(1).linkaddr() == "2001:db8::1");
  REQUIRE(r.relays(1).options_size() == 1);
  CHECK(r.relays(1).options(0).name() == "INTERFACE_ID");
  CHECK(r.msgtypename() == "SOLICIT");
  CHECK(r.transactionid() == "0xabcdef");
  CHECK(r.clientduidtype() == 3);
  CHECK(r.clientlinkaddr() == "01:02:03:04:05:06");
}

TEST_CASE("dhcpv6: malformed input") {
  DHCPv6 r;
  std::vector<dhcpv6::Finding> f;
  CHECK_FALSE(dhcpv6::decode_dhcpv6(Buf{1, 2}, 64, r, f));
  CHECK(has(f, "dhcpv6.truncated"));

  // An option claiming more bytes than remain; the first option is still decoded.
  f.clear();
  DHCPv6 b;
  Buf m = msg(1, 1, {opt(8, Buf{0, 5})});
  append(m, Buf{0, 1, 0, 50, 1, 2});
  REQUIRE(dhcpv6::decode_dhcpv6(m, 64, b, f));
  CHECK(has(f, "dhcpv6.bad_option"));
  CHECK(b.elapsedtime() == 5);
  CHECK(b.malformed());

  // A bad DUID, a short IA_NA, an unknown type.
  f.clear();
  DHCPv6 c;
  REQUIRE(dhcpv6::decode_dhcpv6(msg(200, 1, {opt(1, Buf{0}), opt(3, Buf{0, 0, 0, 1})}), 64, c, f));
  CHECK(has(f, "dhcpv6.bad_duid"));
  CHECK(has(f, "dhcpv6.bad_option"));
  CHECK(has(f, "dhcpv6.unknown_message_type"));
  CHECK(c.msgtypename() == "UNKNOWN(200)");

  // Relays nested past the bound.
  Buf nested = msg(1, 1, {});
  for (int i = 0; i < dhcpv6::kMaxRelayDepth + 2; ++i) {
    Buf relay{12, uint8_t(i)};
    append(relay, Buf(32, 0));
    append(relay, opt(9, nested));
    nested = relay;
  }
  f.clear();
  DHCPv6 d;
  REQUIRE(dhcpv6::decode_dhcpv6(nested, 64, d, f));
  CHECK(has(f, "dhcpv6.relay_too_deep"));
  CHECK(d.relays_size() == dhcpv6::kMaxRelayDepth);

  // Too many options.
  f.clear();
  DHCPv6 e;
  REQUIRE(dhcpv6::decode_dhcpv6(
      msg(1, 1, {opt(8, Buf{0, 1}), opt(8, Buf{0, 1}), opt(8, Buf{0, 1})}), 2, e, f));
  CHECK(has(f, "dhcpv6.too_many_options"));
  CHECK(e.options_size() == 2);
}

TEST_CASE("dhcpv6: probe") {
  ProbeInput in;
  Buf good = msg(1, 5, {opt(8, Buf{0, 0})});
  in.client = good;
  CHECK(dhcpv6::probe_dhcpv6(in) == ProbeResult::kYes);
  Buf ragged = good;
  ragged.push_back(0);
  in.client = ragged;
  CHECK(dhcpv6::probe_dhcpv6(in) == ProbeResult::kNo);
  Buf unknown = msg(0, 5, {});
  in.client = unknown;
  CHECK(dhcpv6::probe_dhcpv6(in) == ProbeResult::kNo);
  Buf short_relay{12, 0, 0};
  in.client = short_relay;
  CHECK(dhcpv6::probe_dhcpv6(in) == ProbeResult::kNo);
}

namespace {
struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
};
}  // namespace

TEST_CASE("dhcpv6: session on port 547 only") {
  AppRegistry registry;
  REQUIRE(register_app_dhcpv6(registry).is_ok());
  Limits limits;
  Emitted emitted;
  AppLayer layer(registry, limits, emitted);
  FlowInfo flow;
  flow.flow_id = "U6";
  flow.ip_protocol = 17;
  IpAddress::parse("fe80::1", flow.client);
  IpAddress::parse("ff02::1:2", flow.server);
  flow.client_port = 546;
  flow.server_port = 547;
  Buf m = msg(11, 0x123456, {opt(8, Buf{0, 0})});
  auto c = layer.create(flow);
  c->on_datagram(StreamDirection::kClientToServer, m, uint32_t(m.size()), 10, 3);
  c->on_end(StreamEndReason::kIdle, 20);
  REQUIRE(emitted.records.size() == 1);
  auto* r = dynamic_cast<const DHCPv6*>(emitted.records[0].get());
  REQUIRE(r != nullptr);
  CHECK(r->msgtypename() == "INFORMATION-REQUEST");
  CHECK(r->frame() == 3);
  CHECK(r->srcip() == "fe80::1");
  CHECK(r->dstport() == 547);

  // The same bytes on other ports are not claimed.
  flow.client_port = 5000;
  flow.server_port = 6000;
  emitted.records.clear();
  auto other = layer.create(flow);
  other->on_datagram(StreamDirection::kClientToServer, m, uint32_t(m.size()), 10, 3);
  other->on_end(StreamEndReason::kIdle, 20);
  CHECK(emitted.records.empty());
  CHECK(other->application_protocol().empty());
}

TEST_CASE("dhcpv6: SOLICIT/ADVERTISE/REQUEST/REPLY capture (shared)") {
  const std::string path = testing::shared_capture("dhcpv6-solicit-reply.pcapng");
  if (path.empty()) return;
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  auto recs = run.value().of<DHCPv6>();
  REQUIRE(recs.size() == 4);
  const std::vector<std::string> names{"SOLICIT", "ADVERTISE", "REQUEST", "REPLY"};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(recs[i]->frame() == i + 1);
    CHECK(recs[i]->msgtypename() == names[i]);
    CHECK(recs[i]->clientduid() == "00:01:00:01:1d:ef:69:bd:00:0c:29:5e:77:44");
    CHECK(recs[i]->clientlinkaddr() == "00:0c:29:5e:77:44");
    REQUIRE(recs[i]->ias_size() == 1);
    CHECK(recs[i]->ias(0).iaid() == 694056772);
  }
  CHECK(recs[0]->transactionid() == "0x9de03f");
  CHECK(recs[0]->fingerprint() == "23,24,39,31");
  CHECK(recs[0]->elapsedtime() == 0);
  CHECK(recs[0]->ias(0).t1() == 3600);
  CHECK(recs[0]->ias(0).addresses_size() == 0);
  CHECK(recs[1]->serverlinkaddr() == "00:0c:29:1f:a7:55");
  CHECK(recs[1]->srcport() == 57236);
  REQUIRE(recs[1]->ias(0).addresses_size() == 1);
  CHECK(recs[1]->ias(0).addresses(0).address() == "2001:db8:1:2::1002");
  CHECK(recs[1]->ias(0).addresses(0).validlifetime() == 3600);
  CHECK(recs[2]->transactionid() == "0x2d1603");
  CHECK(recs[2]->ias(0).addresses(0).preferredlifetime() == 7200);
  CHECK(recs[3]->ias(0).t2() == 2880);
}
