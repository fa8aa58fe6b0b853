// DHCPv4 decoder, probe, session and real captures.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/streams/dhcp/dhcp_parser.h"
#include "proto/anomaly.pb.h"
#include "proto/dhcp.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace netcap::app {
Status register_app_dhcp(AppRegistry& registry);
}

namespace {

// A BOOTP header (op, htype 1, hlen 6, xid, ciaddr 10.0.0.5, chaddr 02:00:00:00:00:01) with
// `sname`/`file` bytes, optionally the cookie, then `options` as given.
std::vector<uint8_t> message(uint8_t op, const std::vector<uint8_t>& options, bool cookie = true,
                             std::vector<uint8_t> sname = {}, std::vector<uint8_t> file = {}) {
  std::vector<uint8_t> m(236, 0);
  m[0] = op;
  m[1] = 1;
  m[2] = 6;
  m[3] = 0;
  m[4] = 0xde, m[5] = 0xad, m[6] = 0xbe, m[7] = 0xef;  // xid
  m[8] = 0, m[9] = 3;                                  // secs
  m[10] = 0x80;                                        // broadcast
  m[12] = 10, m[13] = 0, m[14] = 0, m[15] = 5;         // ciaddr
  m[16] = 10, m[17] = 0, m[18] = 0, m[19] = 9;         // yiaddr
  m[28] = 0x02, m[33] = 0x01;                          // chaddr
  std::copy(sname.begin(), sname.end(), m.begin() + 44);
  std::copy(file.begin(), file.end(), m.begin() + 108);
  if (cookie) {
    for (uint8_t b : {0x63, 0x82, 0x53, 0x63}) m.push_back(b);
  }
  for (uint8_t b : options)
    m.push_back(b);  // (push_back: GCC 12 -Warray-bounds false positive on insert)
  return m;
}

std::vector<uint8_t> opt(uint8_t code, std::string_view value) {
  std::vector<uint8_t> o{code, static_cast<uint8_t>(value.size())};
  for (char ch : value) o.push_back(static_cast<uint8_t>(ch));
  return o;
}
std::vector<uint8_t> opt(uint8_t code, std::vector<uint8_t> value) {
  std::vector<uint8_t> o{code, static_cast<uint8_t>(value.size())};
  for (uint8_t b : value) o.push_back(b);
  return o;
}
std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) {
    for (uint8_t b : p) out.push_back(b);
  }
  return out;
}

bool has_finding(const std::vector<dhcp::Finding>& f, std::string_view name) {
  for (const auto& x : f) {
    if (x.name == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("dhcp: a DISCOVER with the common client options is decoded") {
  auto m = message(1, cat({opt(53, {1}),
                           opt(61, {1, 0x02, 0, 0, 0, 0, 0x01}),
                           opt(50, {192, 168, 1, 50}),
                           opt(12, "laptop"),
                           // Client FQDN with the E bit: laptop.example.com in wire format.
                           opt(81, {0x05, 0,   0,   6,   'l', 'a', 'p', 't', 'o', 'p', 7, 'e',
                                    'x',  'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0}),
                           opt(60, "MSFT 5.0"),
                           opt(55, {1, 121, 3, 6, 15, 119, 252}),
                           opt(57, {0x05, 0xdc}),
                           opt(82, {1, 2, 'a', 'b'}),
                           {255}}));
  DHCPv4 r;
  std::vector<dhcp::Finding> f;
  REQUIRE(dhcp::decode_dhcpv4(m, 64, r, f));
  CHECK(f.empty());
  CHECK(r.operation() == 1);
  CHECK(r.hardwaretype() == 1);
  CHECK(r.hardwarelen() == 6);
  CHECK(r.xid() == "0xdeadbeef");
  CHECK(r.secs() == 3);
  CHECK(r.broadcast());
  CHECK(r.clientip() == "10.0.0.5");
  CHECK(r.yourclientip() == "10.0.0.9");
  CHECK(r.nextserverip() == "0.0.0.0");
  CHECK(r.clienthwaddr() == "02:00:00:00:00:01");
  CHECK(r.hasmagiccookie());
  CHECK(r.messagetype() == 1);
  CHECK(r.messagetypename() == "DISCOVER");
  CHECK(r.clientid() == "01:02:00:00:00:00:01");
  CHECK(r.clientidmac() == "02:00:00:00:00:01");
  CHECK(r.requestedip() == "192.168.1.50");
  CHECK(r.hostname() == "laptop");
  CHECK(r.clientfqdn() == "laptop.example.com");
  CHECK(r.clientfqdnflags() == 5);
  CHECK(r.vendorclassid() == "MSFT 5.0");
  CHECK(r.fingerprint() == "1,121,3,6,15,119,252");
  REQUIRE(r.parameterrequestlist_size() == 7);
  CHECK(r.parameterrequestlist(1) == 121);
  CHECK(r.maxmessagesize() == 1500);
  CHECK(r.relayagentinfo() == "01026162");
  REQUIRE(r.options_size() == 9);
  CHECK(r.options(0).code() == 53);
  CHECK(r.options(0).name() == "DHCP Msg Type");
  CHECK(r.options(0).value() == "01");
  CHECK(r.options(3).field() == "options");
  CHECK_FALSE(r.malformed());
}

TEST_CASE("dhcp: an ACK's server options are decoded") {
  auto m = message(2, cat({opt(53, {5}),
                           opt(54, {10, 0, 0, 1}),
                           opt(51, {0, 0, 0x0e, 0x10}),
                           opt(58, {0, 0, 0x07, 0x08}),
                           opt(59, {0, 0, 0x0c, 0x4e}),
                           opt(1, {255, 255, 255, 0}),
                           opt(3, {10, 0, 0, 1, 10, 0, 0, 2}),
                           opt(6, {8, 8, 8, 8, 1, 1, 1, 1}),
                           opt(15, std::string("corp\0", 5)),
                           {0, 0, 255, 0, 0}}));
  DHCPv4 r;
  std::vector<dhcp::Finding> f;
  REQUIRE(dhcp::decode_dhcpv4(m, 64, r, f));
  CHECK(f.empty());
  CHECK(r.messagetypename() == "ACK");
  CHECK(r.serverid() == "10.0.0.1");
  CHECK(r.leasetime() == 3600);
  CHECK(r.renewaltime() == 1800);
  CHECK(r.rebindingtime() == 3150);
  CHECK(r.subnetmask() == "255.255.255.0");
  CHECK(r.routers_size() == 2);
  CHECK(r.routers(1) == "10.0.0.2");
  CHECK(r.dnsservers(0) == "8.8.8.8");
  CHECK(r.dnsservers(1) == "1.1.1.1");
  CHECK(r.domainname() == "corp");  // trailing NUL dropped
  CHECK(r.fingerprint().empty());
}

TEST_CASE("dhcp: option overload moves options into file and sname") {
  std::vector<uint8_t> file = cat({opt(12, "from-file"), {255}});
  std::vector<uint8_t> sname = cat({opt(15, "from.sname"), {255}});
  auto m = message(1, cat({opt(53, {3}), opt(52, {3}), {255}}), true, sname, file);
  DHCPv4 r;
  std::vector<dhcp::Finding> f;
  REQUIRE(dhcp::decode_dhcpv4(m, 64, r, f));
  CHECK(f.empty());
  CHECK(r.optionoverload() == 3);
  CHECK(r.hostname() == "from-file");
  CHECK(r.domainname() == "from.sname");
  CHECK(r.file().empty());
  CHECK(r.servername().empty());
  REQUIRE(r.options_size() == 4);
  CHECK(r.options(2).field() == "file");
  CHECK(r.options(3).field() == "sname");

  // Without overload the same bytes are plain text fields.
  auto plain = message(1, cat({opt(53, {3}), {255}}), true, std::vector<uint8_t>{'s', 'r', 'v', 0},
                       std::vector<uint8_t>{'p', 'x', 'e', 0});
  DHCPv4 p;
  REQUIRE(dhcp::decode_dhcpv4(plain, 64, p, f));
  CHECK(p.servername() == "srv");
  CHECK(p.file() == "pxe");
}

TEST_CASE("dhcp: split options are concatenated (RFC 3396)") {
  auto m = message(1, cat({opt(53, {1}), opt(55, {1, 3}), opt(55, {6, 15}), {255}}));
  DHCPv4 r;
  std::vector<dhcp::Finding> f;
  REQUIRE(dhcp::decode_dhcpv4(m, 64, r, f));
  CHECK(r.fingerprint() == "1,3,6,15");
  CHECK(r.options_size() == 3);
}

TEST_CASE("dhcp: bad options are reported and what came before is kept") {
  DHCPv4 r;
  std::vector<dhcp::Finding> f;
  // Hostname claims 40 bytes, 3 remain.
  auto m = message(1, cat({opt(53, {3}), opt(50, {10, 1, 1, 1}), {12, 40, 'a', 'b', 'c'}}));
  REQUIRE(dhcp::decode_dhcpv4(m, 64, r, f));
  CHECK(has_finding(f, "dhcp.bad_option"));
  CHECK(r.malformed());
  CHECK(r.messagetypename() == "REQUEST");
  CHECK(r.requestedip() == "10.1.1.1");
  CHECK(r.hostname().empty());

  // Wrong fixed lengths.
  DHCPv4 w;
  f.clear();
  REQUIRE(
      dhcp::decode_dhcpv4(message(1, cat({opt(53, {1, 2}), opt(54, {1, 2, 3}), {255}})), 64, w, f));
  CHECK(f.size() == 2);
  CHECK(w.messagetype() == 0);
  CHECK(w.serverid().empty());

  // Unterminated options, an unknown message type and too many options.
  DHCPv4 u;
  f.clear();
  REQUIRE(
      dhcp::decode_dhcpv4(message(1, cat({opt(53, {99}), opt(12, "a"), opt(12, "b")})), 2, u, f));
  CHECK(has_finding(f, "dhcp.missing_end"));
  CHECK(has_finding(f, "dhcp.unknown_message_type"));
  CHECK(has_finding(f, "dhcp.too_many_options"));
  CHECK(u.messagetypename() == "UNKNOWN(99)");
  CHECK(u.options_size() == 2);
}

TEST_CASE("dhcp: short datagrams and plain BOOTP") {
  DHCPv4 r;
  std::vector<dhcp::Finding> f;
  std::vector<uint8_t> short_one(100, 0);
  CHECK_FALSE(dhcp::decode_dhcpv4(short_one, 64, r, f));
  CHECK(has_finding(f, "dhcp.truncated"));

  f.clear();
  auto bootp = message(1, std::vector<uint8_t>(64, 0), false, std::vector<uint8_t>{'h', 0},
                       std::vector<uint8_t>{'b', 'o', 'o', 't', 0});
  REQUIRE(dhcp::decode_dhcpv4(bootp, 64, r, f));
  CHECK(f.empty());
  CHECK_FALSE(r.hasmagiccookie());
  CHECK(r.messagetype() == 0);
  CHECK(r.servername() == "h");
  CHECK(r.file() == "boot");
  CHECK(r.options_size() == 0);
}

TEST_CASE("dhcp: probe") {
  auto dhcp_msg = message(1, cat({opt(53, {1}), {255}}));
  auto bootp = message(1, std::vector<uint8_t>(64, 0), false);
  ProbeInput in;
  in.client = dhcp_msg;
  in.client_port = 40000;
  in.server_port = 5000;
  CHECK(dhcp::probe_dhcpv4(in) == ProbeResult::kYes);  // the cookie is enough on any port
  in.client = bootp;
  CHECK(dhcp::probe_dhcpv4(in) == ProbeResult::kNo);
  in.client_port = 68;
  in.server_port = 67;
  CHECK(dhcp::probe_dhcpv4(in) == ProbeResult::kYes);  // plain BOOTP on its ports
  auto bad_op = dhcp_msg;
  bad_op[0] = 3;
  in.client = bad_op;
  CHECK(dhcp::probe_dhcpv4(in) == ProbeResult::kNo);
  auto bad_hlen = dhcp_msg;
  bad_hlen[2] = 17;
  in.client = bad_hlen;
  CHECK(dhcp::probe_dhcpv4(in) == ProbeResult::kNo);
  std::vector<uint8_t> tiny(50, 1);
  in.client = tiny;
  CHECK(dhcp::probe_dhcpv4(in) == ProbeResult::kNo);
}

namespace {
struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
};
}  // namespace

TEST_CASE("dhcp: session stamps the flow, keeps ciaddr as ClientIP and reports cut datagrams") {
  AppRegistry registry;
  REQUIRE(register_app_dhcp(registry).is_ok());
  Limits limits;
  Emitted emitted;
  AppLayer layer(registry, limits, emitted);
  FlowInfo flow;
  flow.flow_id = "Udhcp";
  flow.ip_protocol = 17;
  IpAddress::parse("0.0.0.0", flow.client);
  IpAddress::parse("255.255.255.255", flow.server);
  flow.client_port = 68;
  flow.server_port = 67;
  auto consumer = layer.create(flow);
  auto m = message(1, cat({opt(53, {3}), opt(12, "host"), {255}}));
  consumer->on_datagram(StreamDirection::kClientToServer, m, static_cast<uint32_t>(m.size()), 1000,
                        7);
  consumer->on_datagram(StreamDirection::kClientToServer, m, static_cast<uint32_t>(m.size() + 20),
                        2000, 8);
  consumer->on_end(StreamEndReason::kIdle, 3000);
  CHECK(consumer->application_protocol() == "dhcp");
  std::vector<const DHCPv4*> recs;
  std::vector<const Anomaly*> anomalies;
  for (const auto& r : emitted.records) {
    if (auto* d = dynamic_cast<const DHCPv4*>(r.get())) recs.push_back(d);
    if (auto* a = dynamic_cast<const Anomaly*>(r.get())) anomalies.push_back(a);
  }
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]->timestamp() == 1000);
  CHECK(recs[0]->frame() == 7);
  CHECK(recs[0]->flowid() == "Udhcp");
  CHECK(recs[0]->srcip() == "0.0.0.0");
  CHECK(recs[0]->dstip() == "255.255.255.255");
  CHECK(recs[0]->srcport() == 68);
  CHECK(recs[0]->dstport() == 67);
  CHECK(recs[0]->clientip() == "10.0.0.5");  // ciaddr, not the flow's client
  CHECK(recs[0]->hostname() == "host");
  CHECK_FALSE(recs[0]->malformed());
  CHECK(recs[1]->malformed());
  REQUIRE(anomalies.size() == 1);
  CHECK(anomalies[0]->name() == "dhcp.truncated");
}

TEST_CASE("dhcp: DORA, NAK, DECLINE, RELEASE, INFORM capture") {
  auto run = testing::run_capture(testing::sample_capture("dhcp-dora-renew-release.pcap"));
  REQUIRE(run.has_value());
  auto recs = run.value().of<DHCPv4>();
  REQUIRE(recs.size() == 9);
  const std::vector<int> types{1, 2, 3, 6, 3, 5, 4, 7, 8};
  for (size_t i = 0; i < recs.size(); ++i) {
    CHECK(recs[i]->frame() == i + 1);
    CHECK(recs[i]->messagetype() == types[i]);
    CHECK(recs[i]->clienthwaddr() == "90:b1:1c:99:49:29");
    CHECK_FALSE(recs[i]->malformed());
  }
  CHECK(recs[0]->xid() == "0x000007c0");
  CHECK(recs[0]->hostname() == "btest.is.cool");
  CHECK(recs[0]->requestedip() == "192.168.211.194");
  CHECK(recs[0]->srcip() == "0.0.0.0");
  CHECK(recs[0]->dstport() == 67);
  const DHCPv4& offer = *recs[1];
  CHECK(offer.messagetypename() == "OFFER");
  CHECK(offer.yourclientip() == "128.2.6.97");
  CHECK(offer.nextserverip() == "172.19.230.7");
  CHECK(offer.serverid() == "128.2.6.152");
  CHECK(offer.leasetime() == 900);
  CHECK(offer.subnetmask() == "255.255.255.0");
  REQUIRE(offer.routers_size() == 1);
  CHECK(offer.routers(0) == "128.2.6.1");
  REQUIRE(offer.dnsservers_size() == 2);
  CHECK(offer.dnsservers(1) == "128.2.1.10");
  CHECK(offer.vendorclassid() == "ArubaAP");
  CHECK(offer.domainname() == "cmu.edu");
  CHECK(offer.srcip() == "128.2.6.152");
  CHECK(offer.srcport() == 67);
  CHECK(recs[3]->messagetypename() == "NAK");
  CHECK(recs[3]->broadcast());
  CHECK(recs[3]->message() == "requested address not available");
  CHECK(recs[7]->xid() == "0x0000079c");
  CHECK(recs[8]->messagetypename() == "INFORM");
}

TEST_CASE("dhcp: REQUEST with vendor class, client FQDN and parameter list (shared capture)") {
  const std::string path = testing::shared_capture("dhcp-request-vendor-class.pcap");
  if (path.empty()) return;
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  auto recs = run.value().of<DHCPv4>();
  REQUIRE(recs.size() == 1);
  const DHCPv4& r = *recs[0];
  CHECK(r.messagetypename() == "REQUEST");
  CHECK(r.xid() == "0xe01cc718");
  CHECK(r.clienthwaddr() == "28:cf:da:dc:8d:76");
  CHECK(r.clientidmac() == "28:cf:da:dc:8d:76");
  CHECK(r.hostname() == "NicksMacBook");
  CHECK(r.clientfqdn() == "NicksMacBook");
  CHECK(r.vendorclassid() == "MSFT 5.0");
  CHECK(r.requestedip() == "192.168.1.111");
  CHECK(r.fingerprint() == "1,15,3,6,44,46,47,31,33,121,249,43");
  CHECK(r.parameterrequestlist_size() == 12);
}
