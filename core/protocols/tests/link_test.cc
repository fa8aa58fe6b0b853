// Link-layer decoders: Ethernet, VLAN/QinQ, Linux SLL/SLL2, null/loopback, raw IP, MPLS, ARP.
#include <catch2/catch.hpp>

#include "core/packet/packet.h"
#include "core/protocols/tests/decode_harness.h"
#include "proto/link.pb.h"
#include "proto/network.pb.h"
#include "proto/transport.pb.h"

using namespace netcap;
using namespace netcap::testing;

namespace {
ByteVec small_tcp_ipv4() { return ipv4({}, tcp(1234, 80, 1000, 0, 0x02)); }
}  // namespace

TEST_CASE("registry binds every decoder without conflicts", "[link]") {
  DecodeHarness h;
  REQUIRE(h.registry_ok());
  LayerRegistry r;
  REQUIRE(register_all_protocols(r).is_ok());
  CHECK(r.find(DispatchSpace::kLinkType, 1) != nullptr);
  CHECK(r.find(DispatchSpace::kEtherType, 0x6558) != nullptr);
  CHECK(r.find(DispatchSpace::kUdpPort, 4789) != nullptr);
  CHECK(r.find(DispatchSpace::kUdpPort, 53) == nullptr);
  // A second registration must fail: every key is taken.
  CHECK_FALSE(register_all_protocols(r).is_ok());
}

TEST_CASE("ethernet: fields, link addresses and dispatch", "[link]") {
  DecodeHarness h;
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), small_tcp_ipv4()}));
  CHECK(r.record_types() == "Ethernet,IPv4,TCP");
  const Ethernet* e = r.first<Ethernet>();
  REQUIRE(e != nullptr);
  CHECK(e->srcmac() == "02:00:00:00:00:01");
  CHECK(e->dstmac() == "02:00:00:00:00:02");
  CHECK(e->ethernettype() == 0x0800);
  CHECK(e->payloadsize() == 40);
  CHECK(e->frame() == 1);
  CHECK(e->timestamp() == 1'000'000'000);
  CHECK(r.anomalies.empty());
  CHECK(r.layer_path == "ethernet:ipv4:tcp");
}

TEST_CASE("ethernet: truncated at every offset of the header", "[link]") {
  DecodeHarness h;
  ByteVec frame = cat({eth(0x0800), small_tcp_ipv4()});
  for (size_t n = 0; n < 14; ++n) {
    auto r = h.decode(linktype::kEthernet, ByteVec(frame.begin(), frame.begin() + n));
    INFO("length " << n);
    CHECK(r.records.empty());
    CHECK(r.anomalies == std::vector<std::string>{"ethernet.truncated"});
  }
}

TEST_CASE("ethernet: 802.3 length frame is recorded, not dispatched", "[link]") {
  DecodeHarness h;
  auto r = h.decode(linktype::kEthernet, cat({eth(38), from_hex("aaaa03 000000 0800")}));
  CHECK(r.record_types() == "Ethernet");
  CHECK(r.first<Ethernet>()->length() == 38);
  CHECK(r.first<Ethernet>()->ethernettype() == 0);
  CHECK(r.anomalies.empty());
}

TEST_CASE("vlan: single tag and QinQ (802.1ad outer, 802.1Q inner)", "[link]") {
  DecodeHarness h;
  auto r = h.decode(linktype::kEthernet, cat({eth(0x88a8), vlan_tag(0xb076, 0x8100),
                                              vlan_tag(0x000a, 0x0800), small_tcp_ipv4()}));
  CHECK(r.record_types() == "Ethernet,Dot1Q,Dot1Q,IPv4,TCP");
  auto tags = r.all<Dot1Q>();
  REQUIRE(tags.size() == 2);
  CHECK(tags[0]->vlanidentifier() == 118);
  CHECK(tags[0]->priority() == 5);
  CHECK(tags[0]->dropeligible());
  CHECK(tags[0]->tpid() == 0x88a8);
  CHECK(tags[0]->type() == 0x8100);
  CHECK(tags[1]->vlanidentifier() == 10);
  CHECK(tags[1]->tpid() == 0x8100);
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.vlan == 10);  // innermost tag
}

TEST_CASE("vlan: truncated tag keeps the Ethernet record", "[link]") {
  DecodeHarness h;
  for (size_t n = 0; n < 4; ++n) {
    ByteVec tag = vlan_tag(0x0064, 0x0800);
    auto r =
        h.decode(linktype::kEthernet, cat({eth(0x8100), ByteVec(tag.begin(), tag.begin() + n)}));
    CHECK(r.record_types() == "Ethernet");
    CHECK(r.anomalies == std::vector<std::string>{"vlan.truncated"});
  }
}

TEST_CASE("linux sll v1 and v2", "[link]") {
  DecodeHarness h;
  // SLL: packet type 4 (outgoing), ARPHRD 1, address length 6, address, protocol 0x0800.
  ByteVec sll = from_hex("0004 0001 0006 001122334455 0000 0800");
  auto r = h.decode(linktype::kLinuxSll, cat({sll, small_tcp_ipv4()}));
  CHECK(r.record_types() == "LinuxSLL,IPv4,TCP");
  const LinuxSLL* s = r.first<LinuxSLL>();
  CHECK(s->version() == 1);
  CHECK(s->packettype() == 4);
  CHECK(s->addrtype() == 1);
  CHECK(s->addr() == "00:11:22:33:44:55");
  CHECK(s->ethernettype() == 0x0800);
  // SLL2: protocol 0x86dd, reserved, ifindex 3, ARPHRD 772, type 0, address length 0.
  ByteVec sll2 = from_hex("86dd 0000 00000003 0304 00 00 0000000000000000");
  r = h.decode(linktype::kLinuxSll2, cat({sll2, ipv6(17, udp(5353, 5353, from_hex("00")))}));
  CHECK(r.record_types() == "LinuxSLL,IPv6,UDP");
  s = r.first<LinuxSLL>();
  CHECK(s->version() == 2);
  CHECK(s->interfaceindex() == 3);
  CHECK(s->addrtype() == 772);
  CHECK(s->addr().empty());
  for (size_t n = 0; n < 20; ++n) {
    auto t = h.decode(linktype::kLinuxSll2, ByteVec(sll2.begin(), sll2.begin() + n));
    CHECK(t.anomalies == std::vector<std::string>{"sll2.truncated"});
  }
}

TEST_CASE("null/loopback: host byte order detected, LOOP in network order", "[link]") {
  DecodeHarness h;
  auto r = h.decode(linktype::kNull, cat({from_hex("02000000"), small_tcp_ipv4()}));
  CHECK(r.record_types() == "Loopback,IPv4,TCP");
  CHECK(r.first<Loopback>()->family() == 2);
  CHECK_FALSE(r.first<Loopback>()->bigendian());
  r = h.decode(linktype::kNull, cat({from_hex("0000001e"), ipv6(59, {})}));  // macOS AF_INET6
  CHECK(r.record_types() == "Loopback,IPv6");
  CHECK(r.first<Loopback>()->bigendian());
  for (const char* af : {"18000000", "1c000000", "0a000000"}) {
    r = h.decode(linktype::kNull, cat({from_hex(af), ipv6(59, {})}));
    CHECK(r.record_types() == "Loopback,IPv6");
  }
  r = h.decode(linktype::kLoop, cat({from_hex("00000002"), small_tcp_ipv4()}));
  CHECK(r.record_types() == "Loopback,IPv4,TCP");
  // Unknown AF value but an IPv4 EtherType in the last two bytes (null-loopback.pcap frame 3).
  r = h.decode(linktype::kNull, cat({from_hex("0f000800"), small_tcp_ipv4()}));
  CHECK(r.record_types() == "Loopback,IPv4,TCP");
  r = h.decode(linktype::kNull, cat({from_hex("07000000"), small_tcp_ipv4()}));
  CHECK(r.record_types() == "Loopback");
  CHECK(r.anomalies == std::vector<std::string>{"loopback.unknown_family"});
}

TEST_CASE("raw IP link types dispatch by version nibble", "[link]") {
  DecodeHarness h;
  for (uint32_t lt : {101u, 12u, 14u, 228u}) {
    auto r = h.decode(lt, small_tcp_ipv4());
    CHECK(r.record_types() == "IPv4,TCP");
  }
  auto r = h.decode(229, ipv6(6, tcp(1, 2, 3, 4, 0x10)));
  CHECK(r.record_types() == "IPv6,TCP");
  r = h.decode(101, from_hex("55 00 00 14"));
  CHECK(r.anomalies == std::vector<std::string>{"raw.bad_ip_version"});
  r = h.decode(101, {});
  CHECK(r.anomalies == std::vector<std::string>{"raw.bad_ip_version"});
}

TEST_CASE("mpls: label stack then IPv4 guessed from the nibble", "[link]") {
  DecodeHarness h;
  // Two entries: label 16 TC 0 not bottom TTL 64; label 17 bottom TTL 63.
  auto r = h.decode(linktype::kEthernet,
                    cat({eth(0x8847), from_hex("00010040 0001113f"), small_tcp_ipv4()}));
  CHECK(r.record_types() == "Ethernet,MPLS,MPLS,IPv4,TCP");
  auto labels = r.all<MPLS>();
  CHECK(labels[0]->label() == 16);
  CHECK_FALSE(labels[0]->stackbottom());
  CHECK(labels[1]->label() == 17);
  CHECK(labels[1]->stackbottom());
  CHECK(labels[1]->ttl() == 63);
  // Unknown payload: counted as unknown, nothing dispatched.
  r = h.decode(linktype::kEthernet, cat({eth(0x8847), from_hex("0001113f 00 11 22")}));
  CHECK(r.record_types() == "Ethernet,MPLS");
  CHECK(h.stats().unknown.count({DispatchSpace::kEtherType, 0}) == 1);
  r = h.decode(linktype::kEthernet, cat({eth(0x8847), from_hex("00010040 0001")}));
  CHECK(r.anomalies == std::vector<std::string>{"mpls.truncated"});
}

TEST_CASE("arp request fields", "[link]") {
  DecodeHarness h;
  ByteVec arp = from_hex("0001 0800 06 04 0001 001122334455 c0a80001 000000000000 c0a80002");
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0806), arp}));
  CHECK(r.record_types() == "Ethernet,ARP");
  const ARP* a = r.first<ARP>();
  CHECK(a->operation() == 1);
  CHECK(a->srchwaddress() == "00:11:22:33:44:55");
  CHECK(a->srcprotocoladdress() == "192.168.0.1");
  CHECK(a->dstprotocoladdress() == "192.168.0.2");
  CHECK(a->hwaddresssize() == 6);
  for (size_t n = 0; n < arp.size(); ++n) {
    auto t =
        h.decode(linktype::kEthernet, cat({eth(0x0806), ByteVec(arp.begin(), arp.begin() + n)}));
    CHECK(t.record_types() == "Ethernet");
    CHECK(t.anomalies == std::vector<std::string>{"arp.truncated"});
  }
}
