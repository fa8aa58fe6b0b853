// Network-layer decoders: IPv4, IPv6, ICMPv4, ICMPv6, IGMP.
#include <catch2/catch.hpp>

#include "core/packet/packet.h"
#include "core/protocols/tests/decode_harness.h"
#include "proto/link.pb.h"
#include "proto/network.pb.h"
#include "proto/transport.pb.h"

using namespace netcap;
using namespace netcap::testing;

TEST_CASE("ipv4: header fields and options", "[network]") {
  DecodeHarness h;
  Ipv4Spec s;
  s.protocol = 17;
  s.ttl = 7;
  s.flags_frag = 0x4000;  // DF
  // NOP, router alert (RFC 2113: type 148 length 4 value 0), EOL, padding.
  s.options = from_hex("01 94040000 00 0000");
  auto r =
      h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4(s, udp(1000, 53, from_hex("abcd")))}));
  CHECK(r.record_types() == "Ethernet,IPv4,UDP");
  const IPv4* ip = r.first<IPv4>();
  REQUIRE(ip != nullptr);
  CHECK(ip->version() == 4);
  CHECK(ip->ihl() == 7);
  CHECK(ip->length() == 28 + 10);
  CHECK(ip->id() == 0x1234);
  CHECK(ip->flags() == 2);
  CHECK(ip->fragoffset() == 0);
  CHECK(ip->ttl() == 7);
  CHECK(ip->protocol() == 17);
  CHECK(ip->checksum() == 0xbeef);
  CHECK(ip->srcip() == "10.0.0.1");
  CHECK(ip->dstip() == "10.0.0.2");
  CHECK(ip->payloadsize() == 10);
  REQUIRE(ip->options_size() == 3);
  CHECK(ip->options(0).optiontype() == 1);
  CHECK(ip->options(1).optiontype() == 148);
  CHECK(ip->options(1).optionlength() == 4);
  CHECK(ip->options(1).optiondata() == std::string("\0\0", 2));
  CHECK(ip->options(2).optiontype() == 0);
  CHECK(ip->padding().size() == 2);
  CHECK(r.anomalies.empty());
}

TEST_CASE("ipv4: Ethernet padding is trimmed by the total length", "[network]") {
  DecodeHarness h;
  // 20 + 8 byte UDP datagram with 2 payload bytes, padded to the 60-byte Ethernet minimum.
  ByteVec frame = cat({eth(0x0800), ipv4({.protocol = 17}, udp(1, 2, from_hex("0102")))});
  frame.resize(60, 0xee);
  auto r = h.decode(linktype::kEthernet, frame);
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].payload == from_hex("0102"));
  CHECK(r.transports[0].info.payload_length == 2);
  CHECK(r.first<UDP>()->payloadsize() == 2);
  CHECK(r.anomalies.empty());
}

TEST_CASE("ipv4: bad version, bad header length, truncation", "[network]") {
  DecodeHarness h;
  ByteVec good = ipv4({}, tcp(1, 2, 3, 4, 0x10));
  ByteVec v5 = good;
  v5[0] = 0x55;
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), v5}));
  CHECK(r.record_types() == "Ethernet");
  CHECK(r.anomalies == std::vector<std::string>{"ipv4.bad_version"});
  ByteVec ihl3 = good;
  ihl3[0] = 0x43;
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ihl3}));
  CHECK(r.record_types() == "Ethernet");
  CHECK(r.anomalies == std::vector<std::string>{"ipv4.bad_header_length"});
  for (size_t n = 0; n < 20; ++n) {
    INFO("length " << n);
    r = h.decode(linktype::kEthernet, cat({eth(0x0800), ByteVec(good.begin(), good.begin() + n)}));
    CHECK(r.record_types() == "Ethernet");
    CHECK(r.anomalies == std::vector<std::string>{"ipv4.truncated_header"});
  }
  // Options announced by IHL but cut.
  Ipv4Spec s;
  s.options = from_hex("01010101");
  ByteVec with_opts = ipv4(s, {});
  r = h.decode(linktype::kEthernet,
               cat({eth(0x0800), ByteVec(with_opts.begin(), with_opts.begin() + 22)}));
  CHECK(r.anomalies == std::vector<std::string>{"ipv4.truncated_header"});
  // Option length running past the header.
  s.options = from_hex("44 08 0000");
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4(s, {})}));
  CHECK(r.has_anomaly("ipv4.bad_option"));
  CHECK(r.record_types() == "Ethernet,IPv4");
}

TEST_CASE("ipv4: total length beyond the frame, snapped or not", "[network]") {
  DecodeHarness h;
  ByteVec packet =
      ipv4({.total_length_delta = 100}, tcp(1, 2, 3, 4, 0x18, {}, from_hex("41424344")));
  // Not snapped: anomaly, and what is there is decoded.
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), packet}));
  CHECK(r.anomalies == std::vector<std::string>{"ipv4.bad_total_length"});
  CHECK(r.record_types() == "Ethernet,IPv4,TCP");
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.payload_length == 4);
  // Snapped (wire length larger than captured): no anomaly, payload length per the header.
  ByteVec frame = cat({eth(0x0800), packet});
  r = h.decode(linktype::kEthernet, frame, static_cast<uint32_t>(frame.size() + 100));
  CHECK(r.anomalies.empty());
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.payload_length == 104);
  CHECK(r.transports[0].payload == from_hex("41424344"));
  // Total length smaller than the header.
  ByteVec small = ipv4({}, {});
  small[2] = 0;
  small[3] = 10;
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), small}));
  CHECK(r.anomalies == std::vector<std::string>{"ipv4.bad_total_length"});
  CHECK(r.record_types() == "Ethernet,IPv4");
}

TEST_CASE("ipv4: a fragment is not dispatched before the datagram completes", "[network]") {
  DecodeHarness h;
  Ipv4Spec s;
  s.protocol = 17;
  s.flags_frag = 0x2000;  // MF, offset 0
  auto r =
      h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4(s, udp(1, 2, ByteVec(16, 0x61), 16))}));
  CHECK(r.record_types() == "Ethernet,IPv4");
  CHECK(r.transports.empty());
  CHECK(r.first<IPv4>()->flags() == 1);
}

TEST_CASE("ip-in-ip: inner header decoded, transport from the inner addresses", "[network]") {
  DecodeHarness h;
  Ipv4Spec outer;
  outer.protocol = 4;
  Ipv4Spec inner;
  inner.a[0] = 192;
  inner.b[0] = 172;
  auto r = h.decode(linktype::kEthernet,
                    cat({eth(0x0800), ipv4(outer, ipv4(inner, tcp(5, 6, 7, 8, 0x02)))}));
  CHECK(r.record_types() == "Ethernet,IPv4,IPv4,TCP");
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.src.to_string() == "192.0.0.1");
}

TEST_CASE("ipv6: extension header chain then TCP", "[network]") {
  DecodeHarness h;
  // hop-by-hop (next 43, len 0, PadN 4), routing (next 60, len 0? type 0 segs 0 -> 8 bytes),
  // destination options (next 6, 8 bytes), then TCP.
  ByteVec ext = from_hex("2b00 0104 00000000  3c00 0000 00000000  0600 0104 00000000");
  ByteVec t = tcp(4000, 443, 1, 2, 0x12);
  auto r = h.decode(linktype::kEthernet, cat({eth(0x86dd), ipv6(0, cat({ext, t}))}));
  CHECK(r.record_types() == "Ethernet,IPv6,TCP");
  const IPv6* ip = r.first<IPv6>();
  CHECK(ip->srcip() == "2001:db8::1");
  CHECK(ip->dstip() == "2001:db8::2");
  CHECK(ip->nextheader() == 0);
  CHECK(ip->hoplimit() == 64);
  REQUIRE(ip->extensionheaders_size() == 3);
  CHECK(ip->extensionheaders(0).type() == 0);
  CHECK(ip->extensionheaders(1).type() == 43);
  CHECK(ip->extensionheaders(2).type() == 60);
  CHECK(ip->upperprotocol() == 6);
  CHECK(ip->payloadsize() == 20);
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.dst_port == 443);
  CHECK(r.transports[0].info.payload_length == 0);
  CHECK(r.anomalies.empty());
  // An extension header that runs past the payload.
  r = h.decode(linktype::kEthernet, cat({eth(0x86dd), ipv6(0, from_hex("2b05 0104 00000000"))}));
  CHECK(r.record_types() == "Ethernet,IPv6");
  CHECK(r.anomalies == std::vector<std::string>{"ipv6.bad_extension_header"});
  // A long chain of destination options headers hits the limit.
  ByteVec many;
  for (int i = 0; i < 20; ++i) {
    ByteVec one = from_hex("3c00 0104 00000000");
    many.insert(many.end(), one.begin(), one.end());
  }
  r = h.decode(linktype::kEthernet, cat({eth(0x86dd), ipv6(60, many)}));
  CHECK(r.has_anomaly("ipv6.too_many_extension_headers"));
  CHECK(r.transports.empty());
  // Truncated fixed header at every offset keeps the Ethernet record.
  ByteVec full = ipv6(59, {});
  for (size_t n = 0; n < 40; ++n) {
    r = h.decode(linktype::kEthernet, cat({eth(0x86dd), ByteVec(full.begin(), full.begin() + n)}));
    CHECK(r.record_types() == "Ethernet");
    CHECK(r.anomalies == std::vector<std::string>{"ipv6.truncated_header"});
  }
}

TEST_CASE("ipv6: fragment header; atomic fragment passes through", "[network]") {
  DecodeHarness h;
  // Fragment header: next 17, offset 0, M=1, id 0x01020304.
  auto r = h.decode(
      linktype::kEthernet,
      cat({eth(0x86dd),
           ipv6(44, cat({from_hex("1100 0001 01020304"), udp(1, 2, ByteVec(8, 0), 100)}))}));
  CHECK(r.record_types() == "Ethernet,IPv6");
  const IPv6* ip = r.first<IPv6>();
  REQUIRE(ip->extensionheaders_size() == 1);
  CHECK(ip->extensionheaders(0).morefragments());
  CHECK(ip->extensionheaders(0).identification() == 0x01020304);
  CHECK(r.transports.empty());
  // Atomic fragment (offset 0, M 0, RFC 6946).
  r = h.decode(linktype::kEthernet,
               cat({eth(0x86dd), ipv6(44, cat({from_hex("1100 0000 01020305"), udp(1, 2, {})}))}));
  CHECK(r.record_types() == "Ethernet,IPv6,UDP");
}

TEST_CASE("icmpv4: echo request adds a transport with type/code", "[network]") {
  DecodeHarness h;
  ByteVec icmp = from_hex("0800 f7ff 0001 0002 6162636465");
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 1}, icmp)}));
  CHECK(r.record_types() == "Ethernet,IPv4,ICMPv4");
  const ICMPv4* m = r.first<ICMPv4>();
  CHECK(m->type() == 8);
  CHECK(m->code() == 0);
  CHECK(m->typecode() == 0x0800);
  CHECK(m->id() == 1);
  CHECK(m->seq() == 2);
  CHECK(m->srcip() == "10.0.0.1");
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.ip_protocol == 1);
  CHECK(r.transports[0].info.src_port == 8);
  CHECK(r.transports[0].info.dst_port == 0);
  CHECK(r.transports[0].info.payload_length == 9);
  CHECK(r.transports[0].payload.size() == 9);
  for (size_t n = 0; n < 4; ++n) {
    r = h.decode(
        linktype::kEthernet,
        cat({eth(0x0800), ipv4({.protocol = 1}, ByteVec(icmp.begin(), icmp.begin() + n))}));
    CHECK(r.record_types() == "Ethernet,IPv4");
    CHECK(r.anomalies == std::vector<std::string>{"icmp.truncated"});
  }
}

TEST_CASE("icmpv4: an error quoting TCP is decoded but never dispatched", "[network]") {
  DecodeHarness h;
  Ipv4Spec quoted;
  quoted.a[3] = 7;
  quoted.b[3] = 9;
  ByteVec q = ipv4(quoted, tcp(33000, 22, 5, 6, 0x02));
  q.resize(28);  // header + 8 bytes, as RFC 792 quotes
  ByteVec icmp = cat({from_hex("0303 0000 00000000"), q});
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 1}, icmp)}));
  CHECK(r.record_types() == "Ethernet,IPv4,ICMPv4");
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.ip_protocol == 1);
  CHECK(r.transports[0].info.src_port == 3);
  CHECK(r.transports[0].info.dst_port == 3);
  const ICMPv4* m = r.first<ICMPv4>();
  CHECK(m->quotedsrcip() == "10.0.0.7");
  CHECK(m->quoteddstip() == "10.0.0.9");
  CHECK(m->quotedprotocol() == 6);
  CHECK(m->quotedsrcport() == 33000);
  CHECK(m->quoteddstport() == 22);
  CHECK(r.anomalies.empty());
}

TEST_CASE("icmpv6: neighbour solicitation and router advertisement options", "[network]") {
  DecodeHarness h;
  ByteVec ns = from_hex("8700 0000 00000000 fe800000000000000000000000000001 0101 001122334455");
  auto r = h.decode(linktype::kEthernet, cat({eth(0x86dd), ipv6(58, ns)}));
  CHECK(r.record_types() == "Ethernet,IPv6,ICMPv6");
  const ICMPv6* m = r.first<ICMPv6>();
  CHECK(m->type() == 135);
  CHECK(m->targetaddress() == "fe80::1");
  REQUIRE(m->options_size() == 1);
  CHECK(m->options(0).type() == 1);
  CHECK(m->options(0).length() == 8);
  CHECK(m->options(0).linklayeraddress() == "00:11:22:33:44:55");
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.ip_protocol == 58);
  CHECK(r.transports[0].info.src_port == 135);
  // RA: hop limit 64, flags M, lifetime 1800, reachable 0, retrans 0; MTU 1500; prefix info.
  ByteVec ra = from_hex(
      "8600 0000 40 80 0708 00000000 00000000"
      "0501 0000 000005dc"
      "0304 40 c0 00278d00 00093a80 00000000 20010db8000000010000000000000000");
  r = h.decode(linktype::kEthernet, cat({eth(0x86dd), ipv6(58, ra)}));
  m = r.first<ICMPv6>();
  REQUIRE(m != nullptr);
  CHECK(m->hoplimit() == 64);
  CHECK(m->flags() == 0x80);
  CHECK(m->routerlifetime() == 1800);
  REQUIRE(m->options_size() == 2);
  CHECK(m->options(0).mtu() == 1500);
  CHECK(m->options(1).prefixlength() == 64);
  CHECK(m->options(1).onlink());
  CHECK(m->options(1).autonomous());
  CHECK(m->options(1).validlifetime() == 2592000);
  CHECK(m->options(1).preferredlifetime() == 604800);
  CHECK(m->options(1).prefix() == "2001:db8:0:1::");
  CHECK(r.anomalies.empty());
  // An option with length 0 is malformed (RFC 4861 4.6).
  r = h.decode(linktype::kEthernet,
               cat({eth(0x86dd), ipv6(58, from_hex("8500 0000 00000000 0100"))}));
  CHECK(r.anomalies == std::vector<std::string>{"icmpv6.bad_option"});
  CHECK(r.record_types() == "Ethernet,IPv6,ICMPv6");
}

TEST_CASE("icmpv6: packet too big quoting UDP adds only the ICMPv6 transport", "[network]") {
  DecodeHarness h;
  ByteVec quoted = ipv6(17, udp(5000, 53, ByteVec(4, 0)));
  ByteVec msg = cat({from_hex("0200 0000 00000500"), quoted});
  auto r = h.decode(linktype::kEthernet, cat({eth(0x86dd), ipv6(58, msg)}));
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.ip_protocol == 58);
  const ICMPv6* m = r.first<ICMPv6>();
  CHECK(m->mtu() == 1280);
  CHECK(m->quotedprotocol() == 17);
  CHECK(m->quotedsrcport() == 5000);
  CHECK(m->quoteddstport() == 53);
  CHECK(r.record_types() == "Ethernet,IPv6,ICMPv6");
}

TEST_CASE("igmp: v2 report and v3 report with group records", "[network]") {
  DecodeHarness h;
  auto r = h.decode(linktype::kEthernet,
                    cat({eth(0x0800), ipv4({.protocol = 2}, from_hex("1600 0000 e0000016"))}));
  const IGMP* g = r.first<IGMP>();
  REQUIRE(g != nullptr);
  CHECK(g->version() == 2);
  CHECK(g->groupaddress() == "224.0.0.22");
  CHECK(r.transports.empty());
  // v3 report: 2 records; first MODE_IS_EXCLUDE 239.1.1.1 no sources, second ALLOW 239.2.2.2
  // with one source.
  ByteVec v3 = from_hex("2200 0000 0000 0002  02 00 0000 ef010101  05 00 0001 ef020202 0a000005");
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 2}, v3)}));
  g = r.first<IGMP>();
  REQUIRE(g != nullptr);
  CHECK(g->version() == 3);
  CHECK(g->numberofgrouprecords() == 2);
  REQUIRE(g->grouprecords_size() == 2);
  CHECK(g->grouprecords(0).type() == 2);
  CHECK(g->grouprecords(0).multicastaddress() == "239.1.1.1");
  CHECK(g->grouprecords(1).sourceaddresses_size() == 1);
  CHECK(g->grouprecords(1).sourceaddresses(0) == "10.0.0.5");
  CHECK(r.anomalies.empty());
  // v3 query with one source, QRV 2, S flag.
  ByteVec q = from_hex("1164 0000 00000000 0a 7d 0001 0a000001");
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 2}, q)}));
  g = r.first<IGMP>();
  CHECK(g->version() == 3);
  CHECK(g->supressrouterprocessing());
  CHECK(g->robustnessvalue() == 2);
  CHECK(g->intervaltime() == 125);
  CHECK(g->sourceaddresses_size() == 1);
  // Truncated group record.
  r = h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({.protocol = 2}, ByteVec(v3.begin(), v3.begin() + 14))}));
  CHECK(r.anomalies == std::vector<std::string>{"igmp.truncated"});
}
