// Transport decoders: TCP, UDP, SCTP.
#include <catch2/catch.hpp>

#include "core/packet/packet.h"
#include "core/protocols/tests/decode_harness.h"
#include "proto/network.pb.h"
#include "proto/transport.pb.h"

using namespace netcap;
using namespace netcap::testing;

namespace {
// MSS 1460, SACK permitted, timestamps 0x01020304/0, NOP, window scale 7 (20 bytes).
ByteVec syn_options() { return from_hex("020405b4 0402 080a0102030400000000 01 030307"); }
}  // namespace

TEST_CASE("tcp: header fields, flags and options", "[transport]") {
  DecodeHarness h;
  ByteVec t = tcp(49152, 80, 0xfffffff0, 0x11223344, 0xc2, syn_options());
  t[12] |= 0x01;  // NS bit
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({}, t)}));
  CHECK(r.record_types() == "Ethernet,IPv4,TCP");
  const TCP* p = r.first<TCP>();
  REQUIRE(p != nullptr);
  CHECK(p->srcport() == 49152);
  CHECK(p->dstport() == 80);
  CHECK(p->seqnum() == 0xfffffff0u);
  CHECK(p->acknum() == 0x11223344u);
  CHECK(p->dataoffset() == 10);
  CHECK(p->syn());
  CHECK(p->ece());
  CHECK(p->cwr());
  CHECK_FALSE(p->ack());
  CHECK_FALSE(p->fin());
  CHECK(p->ns());
  CHECK(p->window() == 65535);
  CHECK(p->checksum() == 0xabcd);
  REQUIRE(p->options_size() == 5);
  CHECK(p->options(0).mss() == 1460);
  CHECK(p->options(1).optiontype() == 4);
  CHECK(p->options(2).tsval() == 0x01020304u);
  CHECK(p->options(3).optiontype() == 1);
  CHECK(p->options(4).windowscale() == 7);
  CHECK(p->srcip() == "10.0.0.1");
  REQUIRE(r.transports.size() == 1);
  const TransportInfo& ti = r.transports[0].info;
  CHECK(ti.ip_protocol == 6);
  CHECK(ti.tcp_flags == 0xc2);
  CHECK(ti.seq == 0xfffffff0u);
  CHECK(ti.ack == 0x11223344u);
  CHECK(ti.window_scale == 7);
  CHECK_FALSE(ti.header_truncated);
  CHECK(ti.payload_length == 0);
  CHECK(r.anomalies.empty());
}

TEST_CASE("tcp: payload, SACK blocks, window scale absent", "[transport]") {
  DecodeHarness h;
  ByteVec opts = from_hex("0101 050a 00000010 00000020");
  auto r =
      h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({}, tcp(1, 2, 3, 4, 0x18, opts, from_hex("68656c6c6f")))}));
  const TCP* p = r.first<TCP>();
  REQUIRE(p->options_size() == 3);
  REQUIRE(p->options(2).sackblocks_size() == 2);
  CHECK(p->options(2).sackblocks(0) == 0x10);
  CHECK(p->options(2).sackblocks(1) == 0x20);
  CHECK(p->payloadsize() == 5);
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].payload == from_hex("68656c6c6f"));
  CHECK(r.transports[0].info.window_scale == 0xff);
}

TEST_CASE("tcp: header cut by the snap length still gives a transport", "[transport]") {
  DecodeHarness h;
  ByteVec frame = cat({eth(0x0800), ipv4({}, tcp(60827, 25, 1041724894, 0, 0xc2, syn_options()))});
  // Snap length 68 as in snaplen68-truncated-tcp.pcap: 14 + 20 + 34 of the 40-byte TCP header.
  const uint32_t wire = static_cast<uint32_t>(frame.size());
  frame.resize(68);
  auto r = h.decode(linktype::kEthernet, frame, wire);
  CHECK(r.anomalies.empty());
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.header_truncated);
  CHECK(r.transports[0].info.tcp_flags == 0xc2);
  CHECK(r.transports[0].info.src_port == 60827);
  CHECK(r.first<TCP>()->headertruncated());
  // Cut inside the first 14 bytes: no transport.
  for (size_t cut = 34; cut < 34 + 14; ++cut) {
    ByteVec f(frame.begin(), frame.begin() + cut);
    r = h.decode(linktype::kEthernet, f, wire);
    CHECK(r.transports.empty());
    CHECK(r.anomalies == std::vector<std::string>{"tcp.truncated_header"});
    CHECK(r.record_types() == "Ethernet,IPv4");
  }
  // Cut at 14..39 bytes: always a (truncated) transport.
  for (size_t cut = 34 + 14; cut < 34 + 40; ++cut) {
    r = h.decode(linktype::kEthernet, ByteVec(frame.begin(), frame.begin() + cut), wire);
    INFO("cut " << cut);
    REQUIRE(r.transports.size() == 1);
    CHECK(r.transports[0].info.header_truncated);
  }
}

TEST_CASE("tcp: bad data offset and malformed options", "[transport]") {
  DecodeHarness h;
  ByteVec t = tcp(1, 2, 3, 4, 0x10);
  t[12] = 0x40;  // offset 4
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({}, t)}));
  CHECK(r.anomalies == std::vector<std::string>{"tcp.bad_data_offset"});
  CHECK(r.record_types() == "Ethernet,IPv4,TCP");
  t[12] = 0xf0;  // 60 bytes in a 20-byte segment
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({}, t)}));
  CHECK(r.anomalies == std::vector<std::string>{"tcp.bad_data_offset"});
  CHECK(r.transports.empty());
  r = h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({}, tcp(1, 2, 3, 4, 0x10, from_hex("0201 0000")))}));
  CHECK(r.anomalies == std::vector<std::string>{"tcp.bad_option"});
  CHECK(r.transports.size() == 1);
}

TEST_CASE("udp: fields, bad length, truncation", "[transport]") {
  DecodeHarness h;
  auto r = h.decode(linktype::kEthernet,
                    cat({eth(0x0800), ipv4({.protocol = 17}, udp(5353, 53, from_hex("010203")))}));
  const UDP* u = r.first<UDP>();
  REQUIRE(u != nullptr);
  CHECK(u->srcport() == 5353);
  CHECK(u->dstport() == 53);
  CHECK(u->length() == 11);
  CHECK(u->payloadsize() == 3);
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].payload == from_hex("010203"));
  CHECK(r.anomalies.empty());
  // Unbound ports are not dispatched and not counted as unknown.
  CHECK(h.stats().unknown.count({DispatchSpace::kUdpPort, 53}) == 0);
  // Length field larger than the IP payload.
  r = h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({.protocol = 17}, udp(1, 2, from_hex("0102"), 50))}));
  CHECK(r.anomalies == std::vector<std::string>{"udp.bad_length"});
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.payload_length == 2);
  // Length field smaller than 8.
  r = h.decode(linktype::kEthernet,
               cat({eth(0x0800), ipv4({.protocol = 17}, udp(1, 2, from_hex("0102"), -5))}));
  CHECK(r.anomalies == std::vector<std::string>{"udp.bad_length"});
  ByteVec d = udp(1, 2, {});
  for (size_t n = 0; n < 8; ++n) {
    r = h.decode(linktype::kEthernet,
                 cat({eth(0x0800), ipv4({.protocol = 17}, ByteVec(d.begin(), d.begin() + n))}));
    CHECK(r.anomalies == std::vector<std::string>{"udp.truncated_header"});
    CHECK(r.record_types() == "Ethernet,IPv4");
  }
}

TEST_CASE("sctp: common header and chunks", "[transport]") {
  DecodeHarness h;
  // Common header; DATA chunk (len 19 -> padded 20) TSN 7 stream 1 seq 2 PPID 46; SACK chunk.
  ByteVec s = from_hex(
      "0b59 0b59 01020304 aabbccdd"
      "00 03 0013 00000007 0001 0002 0000002e 616263 00"
      "03 00 0010 00000006 00010000 00000000");
  auto r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 132}, s)}));
  CHECK(r.record_types() == "Ethernet,IPv4,SCTP");
  const SCTP* p = r.first<SCTP>();
  CHECK(p->srcport() == 2905);
  CHECK(p->verificationtag() == 0x01020304u);
  CHECK(p->checksum() == 0xaabbccddu);
  REQUIRE(p->chunks_size() == 2);
  CHECK(p->chunks(0).type() == 0);
  CHECK(p->chunks(0).length() == 19);
  CHECK(p->chunks(0).tsn() == 7);
  CHECK(p->chunks(0).streamid() == 1);
  CHECK(p->chunks(0).streamsequence() == 2);
  CHECK(p->chunks(0).payloadprotocolid() == 46);
  CHECK(p->chunks(1).type() == 3);
  REQUIRE(r.transports.size() == 1);
  CHECK(r.transports[0].info.ip_protocol == 132);
  CHECK(r.anomalies.empty());
  // Chunk length 2 (< 4) and a chunk running past the packet.
  ByteVec bad = from_hex("0b59 0b59 01020304 aabbccdd 00 00 0002");
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 132}, bad)}));
  CHECK(r.anomalies == std::vector<std::string>{"sctp.bad_chunk_length"});
  bad = from_hex("0b59 0b59 01020304 aabbccdd 00 00 0100 0000");
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 132}, bad)}));
  CHECK(r.anomalies == std::vector<std::string>{"sctp.bad_chunk_length"});
  CHECK(r.transports.size() == 1);
  // Many tiny chunks hit the chunk limit.
  ByteVec many = from_hex("0b59 0b59 01020304 aabbccdd");
  for (int i = 0; i < 100; ++i) {
    ByteVec c = from_hex("0e000004");
    many.insert(many.end(), c.begin(), c.end());
  }
  r = h.decode(linktype::kEthernet, cat({eth(0x0800), ipv4({.protocol = 132}, many)}));
  CHECK(r.anomalies == std::vector<std::string>{"sctp.too_many_chunks"});
  CHECK(r.first<SCTP>()->chunks_size() == 64);
}
