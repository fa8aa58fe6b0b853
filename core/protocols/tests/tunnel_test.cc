// Tunnels: VXLAN, Geneve and GRE carrying Ethernet + IPv4 + TCP.
#include <catch2/catch.hpp>

#include "core/packet/packet.h"
#include "core/protocols/tests/decode_harness.h"
#include "proto/link.pb.h"
#include "proto/network.pb.h"
#include "proto/transport.pb.h"

using namespace netcap;
using namespace netcap::testing;

namespace {
ByteVec inner_frame() {
  Ipv4Spec s;
  s.a[0] = 192;
  s.a[1] = 168;
  s.b[0] = 192;
  s.b[1] = 168;
  return cat({eth(0x0800), ipv4(s, tcp(40000, 8080, 100, 200, 0x18, {}, from_hex("474554")))});
}

void check_inner_tcp(const DecodeResult& r, uint8_t outer_protocol) {
  REQUIRE(r.transports.size() == (outer_protocol == 17 ? 2u : 1u));
  const TransportInfo& inner = r.transports.back().info;
  CHECK(inner.ip_protocol == 6);
  CHECK(inner.src_port == 40000);
  CHECK(inner.dst_port == 8080);
  CHECK(inner.src.to_string() == "192.168.0.1");
  CHECK(r.transports.back().payload == from_hex("474554"));
  if (outer_protocol == 17) {
    CHECK(r.transports[0].info.ip_protocol == 17);
    CHECK(r.transports[0].info.src.to_string() == "10.0.0.1");
  }
  CHECK(r.anomalies.empty());
}
}  // namespace

TEST_CASE("vxlan carrying Ethernet/IPv4/TCP", "[tunnel]") {
  DecodeHarness h;
  ByteVec vx = from_hex("08000000 00123400");
  auto r = h.decode(
      linktype::kEthernet,
      cat({eth(0x0800), ipv4({.protocol = 17}, udp(55555, 4789, cat({vx, inner_frame()})))}));
  CHECK(r.record_types() == "Ethernet,IPv4,UDP,VXLAN,Ethernet,IPv4,TCP");
  const VXLAN* v = r.first<VXLAN>();
  CHECK(v->valididflag());
  CHECK(v->vni() == 0x1234);
  CHECK(v->srcip() == "10.0.0.1");
  check_inner_tcp(r, 17);
  CHECK(r.layer_path == "ethernet:ipv4:udp:vxlan:ethernet:ipv4:tcp");
  for (size_t n = 0; n < 8; ++n) {
    r = h.decode(linktype::kEthernet,
                 cat({eth(0x0800),
                      ipv4({.protocol = 17}, udp(1, 4789, ByteVec(vx.begin(), vx.begin() + n)))}));
    CHECK(r.record_types() == "Ethernet,IPv4,UDP");
    CHECK(r.anomalies == std::vector<std::string>{"vxlan.truncated"});
  }
}

TEST_CASE("geneve with an option carrying Ethernet/IPv4/TCP", "[tunnel]") {
  DecodeHarness h;
  // Version 0, options length 2 words, O=0 C=1, protocol 0x6558, VNI 0xabcdef; option class
  // 0x0102 type 0x80 length 1 word.
  ByteVec gn = from_hex("02 40 6558 abcdef00 0102 80 01 deadbeef");
  auto r =
      h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({.protocol = 17}, udp(1, 6081, cat({gn, inner_frame()})))}));
  CHECK(r.record_types() == "Ethernet,IPv4,UDP,Geneve,Ethernet,IPv4,TCP");
  const Geneve* g = r.first<Geneve>();
  CHECK(g->version() == 0);
  CHECK(g->optionslength() == 8);
  CHECK(g->criticaloption());
  CHECK_FALSE(g->oampacket());
  CHECK(g->protocol() == 0x6558);
  CHECK(g->vni() == 0xabcdef);
  REQUIRE(g->options_size() == 1);
  CHECK(g->options(0).class_() == 0x0102);
  CHECK(g->options(0).type() == 0x80);
  CHECK(g->options(0).data() == std::string("\xde\xad\xbe\xef", 4));
  check_inner_tcp(r, 17);
  // Options length beyond the packet.
  r = h.decode(
      linktype::kEthernet,
      cat({eth(0x0800), ipv4({.protocol = 17}, udp(1, 6081, from_hex("3f 00 6558 00000000")))}));
  CHECK(r.anomalies == std::vector<std::string>{"geneve.truncated"});
}

TEST_CASE("gre with key and sequence carrying Ethernet/IPv4/TCP", "[tunnel]") {
  DecodeHarness h;
  ByteVec gre = from_hex("3000 6558 00000042 00000007");
  auto r = h.decode(linktype::kEthernet,
                    cat({eth(0x0800), ipv4({.protocol = 47}, cat({gre, inner_frame()}))}));
  CHECK(r.record_types() == "Ethernet,IPv4,GRE,Ethernet,IPv4,TCP");
  const GRE* g = r.first<GRE>();
  CHECK(g->keypresent());
  CHECK(g->seqpresent());
  CHECK_FALSE(g->checksumpresent());
  CHECK(g->key() == 0x42);
  CHECK(g->seq() == 7);
  CHECK(g->protocol() == 0x6558);
  CHECK(g->version() == 0);
  check_inner_tcp(r, 47);
  // The inner Ethernet does not replace the outer link addresses.
  for (size_t n = 0; n < gre.size(); ++n) {
    r = h.decode(linktype::kEthernet,
                 cat({eth(0x0800), ipv4({.protocol = 47}, ByteVec(gre.begin(), gre.begin() + n))}));
    CHECK(r.record_types() == "Ethernet,IPv4");
    CHECK(r.anomalies == std::vector<std::string>{"gre.truncated"});
  }
  // GRE carrying IPv4 directly (protocol 0x0800) with a checksum.
  r = h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({.protocol = 47}, cat({from_hex("8000 0800 1234 0000"),
                                                             ipv4({}, tcp(1, 2, 3, 4, 0x02))}))}));
  CHECK(r.record_types() == "Ethernet,IPv4,GRE,IPv4,TCP");
  CHECK(r.first<GRE>()->checksum() == 0x1234);
  // Enhanced GRE (PPTP, version 1) is recorded but its PPP payload is not decoded.
  r = h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({.protocol = 47},
                                      from_hex("3081 880b 00040001 00000001 00000000 ff03"))}));
  CHECK(r.record_types() == "Ethernet,IPv4,GRE");
  CHECK(r.first<GRE>()->version() == 1);
  CHECK(r.first<GRE>()->ack() == 0);
  CHECK(r.anomalies.empty());
}

TEST_CASE("nested tunnels stop at the layer depth limit", "[tunnel]") {
  DecodeHarness h;
  ByteVec packet = ipv4({}, tcp(1, 2, 3, 4, 0x02));
  for (int i = 0; i < 20; ++i) packet = ipv4({.protocol = 4}, packet);
  auto r = h.decode(linktype::kRaw, packet);
  CHECK(r.has_anomaly("packet.too_many_layers"));
  CHECK(r.transports.empty());
  // raw + 15 IPv4 layers reach max_layer_depth (16).
  CHECK(r.all<IPv4>().size() == 15);
}
