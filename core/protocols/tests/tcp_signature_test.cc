// p0f v3 signatures of TCP SYN and SYN+ACK packets (tcp_signature.h): hand-built IPv4 and
// IPv6 packets through the real decoders, and the quirks one by one.
#include "core/protocols/tcp/tcp_signature.h"

#include <catch2/catch.hpp>

#include "core/packet/packet.h"
#include "core/protocols/tests/decode_harness.h"

using namespace netcap;
using namespace netcap::testing;

namespace {

constexpr uint8_t kSyn = 0x02, kAck = 0x10, kSynAck = 0x12;

struct TcpSpec {
  uint32_t seq = 0x11223344;
  uint32_t ack = 0;
  uint8_t flags = kSyn;
  uint16_t window = 64240;
  uint16_t urgent = 0;
  bool ns = false;
  ByteVec options;  // multiple of 4
  ByteVec payload;
};

ByteVec tcp_segment(const TcpSpec& s) {
  ByteVec h;
  put16(h, 40000);
  put16(h, 80);
  put32(h, s.seq);
  put32(h, s.ack);
  h.push_back(static_cast<uint8_t>(((20 + s.options.size()) / 4) << 4 | (s.ns ? 1 : 0)));
  h.push_back(s.flags);
  put16(h, s.window);
  put16(h, 0);
  put16(h, s.urgent);
  h.insert(h.end(), s.options.begin(), s.options.end());
  h.insert(h.end(), s.payload.begin(), s.payload.end());
  return h;
}

// Linux's SYN options: MSS 1460, SACK permitted, timestamps (TSval 0x01020304, TSecr 0), NOP,
// window scale 7.
ByteVec linux_options() { return from_hex("020405b4 0402 080a0102030400000000 01 030307"); }
// Windows 7+: MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted.
ByteVec windows_options() { return from_hex("020405b4 01 030308 01 01 0402"); }

IpFingerprintFields v4(uint8_t ttl = 64, bool df = true, uint16_t id = 0x1234) {
  IpFingerprintFields ip;
  ip.version = 4;
  ip.ttl = ttl;
  ip.dont_fragment = df;
  ip.id = id;
  return ip;
}

std::string sig(const IpFingerprintFields& ip, const TcpSpec& s) {
  ByteVec seg = tcp_segment(s);
  return tcp_syn_signature(ip, Bytes(seg).subspan(0, 20 + s.options.size()),
                           static_cast<uint32_t>(s.payload.size()));
}

// The quirks field of a signature.
std::string quirks_of(const std::string& signature) {
  // ver:ttl:olen:mss:wsize,scale:olayout:quirks:pclass
  size_t pos = 0;
  for (int i = 0; i < 6; ++i) pos = signature.find(':', pos) + 1;
  return signature.substr(pos, signature.find(':', pos) - pos);
}

// One decoded Ethernet frame's first transport.
SeenTransport decode_one(DecodeHarness& h, uint16_t ether_type, const ByteVec& ip_packet) {
  auto r = h.decode(linktype::kEthernet, cat({eth(ether_type), ip_packet}));
  REQUIRE(r.transports.size() == 1);
  return r.transports[0];
}

}  // namespace

TEST_CASE("tcp signature: a Linux SYN over IPv4 through the decoders", "[tcp_signature]") {
  DecodeHarness h;
  Ipv4Spec ip;
  ip.ttl = 57;
  ip.flags_frag = 0x4000;  // DF
  TcpSpec s;
  s.options = linux_options();
  SeenTransport t = decode_one(h, 0x0800, ipv4(ip, tcp_segment(s)));
  CHECK(t.syn_signature == "4:57:0:1460:64240,7:mss,sok,ts,nop,ws:df,id+:0");
}

TEST_CASE("tcp signature: a Windows SYN and IPv4 options", "[tcp_signature]") {
  DecodeHarness h;
  Ipv4Spec ip;
  ip.ttl = 121;
  ip.flags_frag = 0x4000;
  ip.options = from_hex("01010100");  // NOP NOP NOP EOL: 4 option bytes
  TcpSpec s;
  s.window = 8192;
  s.options = windows_options();
  SeenTransport t = decode_one(h, 0x0800, ipv4(ip, tcp_segment(s)));
  CHECK(t.syn_signature == "4:121:4:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");
}

TEST_CASE("tcp signature: IPv6 SYN+ACK with flow label and ECN", "[tcp_signature]") {
  DecodeHarness h;
  TcpSpec s;
  s.flags = kSynAck;
  s.ack = 0x11223345;
  s.window = 28560;
  s.options = from_hex("020405a0 0402 080a0a0b0c0d01020304 01 030307");
  ByteVec seg = tcp_segment(s);
  ByteVec ip6 = ipv6(6, seg);
  // Version 6, traffic class 0x01 (ECT(1)), flow label 0x12345.
  ip6[0] = 0x60;
  ip6[1] = 0x11;
  ip6[2] = 0x23;
  ip6[3] = 0x45;
  SeenTransport t = decode_one(h, 0x86dd, ip6);
  // TSecr is non-zero, but on a SYN+ACK that is no quirk (ts2+ is for SYNs).
  CHECK(t.syn_signature == "6:64:0:1440:28560,7:mss,sok,ts,nop,ws:ecn,flow:0");
}

TEST_CASE("tcp signature: IPv6 without flow label has no IP quirks", "[tcp_signature]") {
  DecodeHarness h;
  TcpSpec s;
  s.options = linux_options();
  SeenTransport t = decode_one(h, 0x86dd, ipv6(6, tcp_segment(s)));
  CHECK(t.syn_signature == "6:64:0:1460:64240,7:mss,sok,ts,nop,ws::0");
}

TEST_CASE("tcp signature: only SYN and SYN+ACK are fingerprinted", "[tcp_signature]") {
  DecodeHarness h;
  for (uint8_t flags :
       {uint8_t{kAck}, uint8_t{0x18}, uint8_t{0x03}, uint8_t{0x06}, uint8_t{0x11}}) {
    TcpSpec s;
    s.flags = flags;
    s.ack = 1;
    s.options = linux_options();
    SeenTransport t = decode_one(h, 0x0800, ipv4({}, tcp_segment(s)));
    CAPTURE(flags);
    CHECK(t.syn_signature.empty());
    CHECK(sig(v4(), s).empty());
  }
  // Without an IP layer there is no signature either.
  TcpSpec s;
  CHECK(tcp_syn_signature(IpFingerprintFields{}, tcp_segment(s), 0).empty());
}

TEST_CASE("tcp signature: IP quirks", "[tcp_signature]") {
  TcpSpec s;
  CHECK(quirks_of(sig(v4(64, true, 7), s)) == "df,id+");
  CHECK(quirks_of(sig(v4(64, true, 0), s)) == "df");
  CHECK(quirks_of(sig(v4(64, false, 0), s)) == "id-");
  CHECK(quirks_of(sig(v4(64, false, 9), s)).empty());
  IpFingerprintFields ip = v4(64, false, 9);
  ip.reserved_flag = true;
  CHECK(quirks_of(sig(ip, s)) == "0+");
  ip = v4(64, false, 9);
  ip.ecn = 2;
  CHECK(quirks_of(sig(ip, s)) == "ecn");
  // IPv4-only quirks are never set for IPv6, IPv6's flow never for IPv4.
  IpFingerprintFields ip6;
  ip6.version = 6;
  ip6.ttl = 64;
  ip6.flow_label = 1;
  CHECK(quirks_of(sig(ip6, s)) == "flow");
  ip = v4(64, false, 9);
  ip.flow_label = 1;  // not read for IPv4
  CHECK(quirks_of(sig(ip, s)).empty());
}

TEST_CASE("tcp signature: TCP header quirks", "[tcp_signature]") {
  const IpFingerprintFields ip = v4(64, false, 9);
  TcpSpec s;
  s.seq = 0;
  CHECK(quirks_of(sig(ip, s)) == "seq-");
  s = {};
  s.ack = 5;  // ACK number without the ACK flag
  CHECK(quirks_of(sig(ip, s)) == "ack+");
  s = {};
  s.flags = kSynAck;
  s.ack = 0;
  CHECK(quirks_of(sig(ip, s)) == "ack-");
  s = {};
  s.urgent = 1;
  CHECK(quirks_of(sig(ip, s)) == "uptr+");
  s = {};
  s.flags = kSyn | 0x20;
  s.urgent = 1;
  CHECK(quirks_of(sig(ip, s)) == "urgf+");
  s = {};
  s.flags = kSyn | 0x08;
  CHECK(quirks_of(sig(ip, s)) == "pushf+");
  s = {};
  s.flags = kSyn | 0x40 | 0x80;  // ECE, CWR: an ECN-setup SYN (RFC 3168 6.1.1)
  CHECK(quirks_of(sig(ip, s)) == "ecn");
  s = {};
  s.ns = true;
  CHECK(quirks_of(sig(ip, s)) == "ecn");
  // All at once, in p0f's order.
  s = {};
  s.seq = 0;
  s.ack = 1;
  s.urgent = 3;
  s.flags = kSyn | 0x08 | 0x40;
  IpFingerprintFields all = v4(64, true, 1);
  all.reserved_flag = true;
  CHECK(quirks_of(sig(all, s)) == "df,id+,ecn,0+,seq-,ack+,uptr+,pushf+");
}

TEST_CASE("tcp signature: option quirks and layouts", "[tcp_signature]") {
  const IpFingerprintFields ip = v4(64, false, 9);
  TcpSpec s;
  // TSval zero, TSecr non-zero on a SYN.
  s.options = from_hex("080a0000000000000001 0101");
  CHECK(sig(ip, s) == "4:64:0:0:64240,0:ts,nop,nop:ts1-,ts2+:0");
  // End of list with zero padding, then with non-zero padding.
  s.options = from_hex("020405b4 00000000");
  CHECK(sig(ip, s) == "4:64:0:1460:64240,0:mss,eol+3::0");
  s.options = from_hex("020405b4 00000001");  // the last byte non-zero (p0f 3.09b misses it)
  CHECK(sig(ip, s) == "4:64:0:1460:64240,0:mss,eol+3:opt+:0");
  // Window scale beyond RFC 7323's 14.
  s.options = from_hex("03030f00");
  CHECK(sig(ip, s) == "4:64:0:0:64240,15:ws,eol+0:exws:0");
  // MSS with a wrong length octet: read at its fixed size anyway, and "bad".
  s.options = from_hex("020505b4");
  CHECK(sig(ip, s) == "4:64:0:1460:64240,0:mss:bad:0");
  // An unknown kind (TCP Fast Open cookie, 34) and SACK blocks (which a SYN should not carry).
  s.options = from_hex("2206aabbccdd 050a0000000100000002 0101 0000");
  CHECK(sig(ip, s) == "4:64:0:0:64240,0:?34,sack,nop,nop,eol+1::0");
  // An option running past the header, and an unknown option with length 0.
  s.options = from_hex("01 020405b4 080a0102");
  CHECK(sig(ip, s) == "4:64:0:1460:64240,0:nop,mss,ts:bad:0");
  s.options = from_hex("fe000000");
  CHECK(quirks_of(sig(ip, s)) == "bad");
  // More options than p0f reads (24): the rest is "bad".
  s.options = ByteVec(28, 0x01);
  std::string nops = "nop";
  for (int i = 1; i < 24; ++i) nops += ",nop";
  CHECK(sig(ip, s) == "4:64:0:0:64240,0:" + nops + ":bad:0");
  // Payload on a SYN.
  s = {};
  s.payload = from_hex("474554");
  CHECK(sig(ip, s) == "4:64:0:0:64240,0:::+");
}

TEST_CASE("tcp signature: truncated and fragmented segments give none", "[tcp_signature]") {
  TcpSpec s;
  s.options = linux_options();
  ByteVec seg = tcp_segment(s);
  for (size_t n = 0; n < seg.size(); ++n) {
    CAPTURE(n);
    CHECK(tcp_syn_signature(v4(), Bytes(seg).subspan(0, n), 0).empty());
  }
  // A SYN cut by the snap length: the transport is there, the signature is not.
  DecodeHarness h;
  ByteVec frame = cat({eth(0x0800), ipv4({}, seg)});
  ByteVec cut(frame.begin(), frame.begin() + 14 + 20 + 24);
  auto r = h.decode(linktype::kEthernet, cut, static_cast<uint32_t>(frame.size()));
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.header_truncated);
  CHECK(r.transports[0].syn_signature.empty());
  // A SYN reassembled from IP fragments (p0f does not fingerprint those).
  ByteVec whole = tcp_segment(s);
  Ipv4Spec first;
  first.flags_frag = 0x2000;  // MF, offset 0
  first.id = 77;
  Ipv4Spec second;
  second.flags_frag = 2;  // offset 16 bytes
  second.id = 77;
  ByteVec part1(whole.begin(), whole.begin() + 16), part2(whole.begin() + 16, whole.end());
  auto r1 = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4(first, part1)}));
  CHECK(r1.transports.empty());
  auto r2 = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4(second, part2)}));
  REQUIRE(r2.transports.size() == 1);
  CHECK(r2.transports[0].info.from_reassembled_fragments);
  CHECK(r2.transports[0].syn_signature.empty());
}
