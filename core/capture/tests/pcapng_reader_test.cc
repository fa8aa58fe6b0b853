// pcapng reader on synthetic files: sections of both byte orders, interfaces with their own
// link type and timestamp resolution/offset, every packet block kind, damage of every sort.
#include <catch2/catch.hpp>
#include <climits>

#include "core/capture/format_readers.h"
#include "core/capture/tests/capture_test_util.h"

namespace netcap::test {
namespace {

const std::vector<uint8_t> kA = {0xaa, 1, 2, 3, 4};
const std::vector<uint8_t> kB = {0xbb, 1, 2, 3, 4, 5, 6};
const std::vector<uint8_t> kC = {0xcc, 9};

// Two sections (little-, then big-endian), four interfaces, EPB/SPB/PB, skipped blocks.
// Returns the builder; *last_block receives the offset of the final EPB.
PcapNgBuilder rich_file(size_t* last_block = nullptr) {
  PcapNgBuilder b;
  b.shb(false)
      .idb(1, 6)                                      // 0: Ethernet, µs (default), snaplen 6
      .idb(113, 0, uint8_t{9})                        // 1: Linux SLL, ns
      .idb(101, 0, uint8_t{0x80 | 20}, int64_t{100})  // 2: raw IP, 2^-20 s, +100 s
      .block(4, {1, 0, 4, 0, 10, 0, 0, 1, 'h', 0, 0, 0, 0, 0, 0, 0})  // NRB: skipped
      .block(0x00000bad, {0x12, 0x34, 0x56, 0x78, 1, 2, 3})           // custom: skipped
      .epb(0, 1'500'000, kA)                                          // 1.5 s
      .epb(1, 5, kB, 200)                                             // 5 ns, wire 200
      .epb(2, (uint64_t{3} << 20) + (uint64_t{1} << 19), kC)          // 3.5 s + 100 s
      .spb(std::vector<uint8_t>(10, 0x5b))             // interface 0, snaplen 6 cuts it
      .pb(1, 42, kA)                                   // obsolete PB on interface 1
      .block(0x12345678, std::vector<uint8_t>(33, 7))  // unknown: skipped by length
      .shb(true)
      .idb(228, 0, uint8_t{3});  // file interface 3: raw IPv4, ms
  if (last_block) *last_block = b.size();
  b.epb(0, 7, kB);
  return b;
}

}  // namespace

TEST_CASE("pcapng: sections, interfaces, resolutions and block kinds") {
  ReadResult r = read_memory(rich_file().bytes());
  INFO((r.issues.empty() ? "" : r.issues[0].reason));
  REQUIRE(r.issues.empty());
  REQUIRE(r.packets.size() == 6);
  const auto& p = r.packets;
  CHECK(p[0].ts_ns == 1'500'000'000);
  CHECK(p[0].linktype == 1);
  CHECK(p[0].interface == 0);
  CHECK(p[0].data == kA);

  CHECK(p[1].ts_ns == 5);
  CHECK(p[1].linktype == 113);
  CHECK(p[1].interface == 1);
  CHECK(p[1].wire_len == 200);
  CHECK(p[1].data == kB);

  CHECK(p[2].ts_ns == 103'500'000'000);
  CHECK(p[2].linktype == 101);
  CHECK(p[2].interface == 2);

  // SPB: no timestamp (previous packet's is kept), captured length cut to IDB 0's snaplen.
  CHECK(p[3].ts_ns == 103'500'000'000);
  CHECK(p[3].cap_len() == 6);
  CHECK(p[3].wire_len == 10);
  CHECK(p[3].interface == 0);
  CHECK(p[3].linktype == 1);

  CHECK(p[4].ts_ns == 42);
  CHECK(p[4].interface == 1);
  CHECK(p[4].data == kA);

  // Second section, big-endian: interface ids restart; numbered across the file.
  CHECK(p[5].ts_ns == 7'000'000);
  CHECK(p[5].linktype == 228);
  CHECK(p[5].interface == 3);
  CHECK(p[5].data == kB);
}

TEST_CASE("pcapng: truncated at every byte of the last block") {
  size_t last = 0;
  std::vector<uint8_t> whole = rich_file(&last).bytes();
  for (size_t cut = last; cut < whole.size(); ++cut) {
    CAPTURE(cut);
    std::vector<uint8_t> part(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
    ReadResult r = read_memory(part);
    REQUIRE(r.packets.size() == 5);
    CHECK(r.packets[4].data == kA);
    if (cut == last) {
      CHECK(r.issues.empty());
      continue;
    }
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].fatal_for_file);
    CHECK(r.issues[0].byte_offset == last);
    CHECK(r.issues[0].packets_before == 5);
    CHECK(r.issues[0].reason.find("file ends inside a block") == 0);
  }
}

TEST_CASE("pcapng: bad block lengths stop the file, earlier packets intact") {
  size_t last = 0;
  std::vector<uint8_t> whole = rich_file(&last).bytes();
  auto set_be32 = [](std::vector<uint8_t>& f, size_t at, uint32_t v) {
    f[at] = static_cast<uint8_t>(v >> 24);
    f[at + 1] = static_cast<uint8_t>(v >> 16);
    f[at + 2] = static_cast<uint8_t>(v >> 8);
    f[at + 3] = static_cast<uint8_t>(v);
  };
  SECTION("not a multiple of 4") {
    set_be32(whole, last + 4, 45);
    ReadResult r = read_memory(whole);
    CHECK(r.packets.size() == 5);
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason == "block length 45 is not a multiple of 4");
    CHECK(r.issues[0].byte_offset == last);
  }
  SECTION("smaller than the block type's minimum") {
    set_be32(whole, last + 4, 12);
    ReadResult r = read_memory(whole);
    CHECK(r.packets.size() == 5);
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason == "block type 0x00000006 has length 12 (< minimum 32)");
  }
  SECTION("trailer differs from header") {
    set_be32(whole, whole.size() - 4, 1000);
    ReadResult r = read_memory(whole);
    CHECK(r.packets.size() == 5);
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason.find("block trailer length 1000 differs") == 0);
    CHECK(r.issues[0].fatal_for_file);
  }
  SECTION("captured length larger than the block") {
    set_be32(whole, last + 20, 64);  // EPB captured length
    ReadResult r = read_memory(whole);
    CHECK(r.packets.size() == 5);
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason.find("packet block claims 64 bytes but holds") == 0);
  }
}

TEST_CASE("pcapng: bad byte-order magic in a later section") {
  PcapNgBuilder b;
  b.shb(false).idb(1, 0).epb(0, 1, kA);
  size_t second = b.size();
  b.shb(true).idb(1, 0).epb(0, 2, kB);
  std::vector<uint8_t> f = b.bytes();
  f[second + 8] = 0x00;
  ReadResult r = read_memory(f);
  CHECK(r.packets.size() == 1);
  REQUIRE(r.issues.size() == 1);
  CHECK(r.issues[0].byte_offset == second);
  CHECK(r.issues[0].reason == "section header has a bad byte-order magic");
}

TEST_CASE("pcapng: packet on an undefined interface is skipped with an issue") {
  PcapNgBuilder b;
  b.shb(false).idb(1, 0).epb(0, 1, kA);
  size_t bad = b.size();
  b.epb(7, 2, kB).spb(kC);
  ReadResult r = read_memory(b.bytes());
  REQUIRE(r.packets.size() == 2);
  CHECK(r.packets[0].data == kA);
  CHECK(r.packets[1].data == kC);
  REQUIRE(r.issues.size() == 1);
  CHECK_FALSE(r.issues[0].fatal_for_file);
  CHECK(r.issues[0].byte_offset == bad);
  CHECK(r.issues[0].packets_before == 1);
  CHECK(r.issues[0].reason == "packet on undefined interface 7 (section has 1), skipped");
}

TEST_CASE("pcapng: SPB before any interface, and the issue list is bounded") {
  PcapNgBuilder b;
  b.shb(false);
  for (int i = 0; i < 500; ++i) b.spb(kA);
  b.idb(1, 0).spb(kB);
  ReadResult r = read_memory(b.bytes());
  REQUIRE(r.packets.size() == 1);
  CHECK(r.packets[0].data == kB);
  REQUIRE(r.issues.size() == kMaxListedIssues + 1);
  CHECK(r.issues[0].reason == "packet on undefined interface 0 (section has 0), skipped");
  CHECK(r.issues.back().reason.find("more than 100 problems") == 0);
}

TEST_CASE("pcapng: large unknown blocks are streamed past, large packets stop the file") {
  PcapNgBuilder b;
  b.shb(false).idb(1, 0).block(0x0000beef, std::vector<uint8_t>(200000, 1)).epb(0, 1, kA);
  size_t big = b.size();
  b.epb(0, 2, std::vector<uint8_t>(2000, 2));
  ReadResult r = read_memory(b.bytes(), 1000);
  REQUIRE(r.packets.size() == 1);
  CHECK(r.packets[0].data == kA);
  REQUIRE(r.issues.size() == 1);
  CHECK(r.issues[0].byte_offset == big);
  CHECK(r.issues[0].reason == "packet block claims 2000 bytes (> 1000)");
}

TEST_CASE("pcapng: timestamps that do not fit int64 saturate") {
  PcapNgBuilder b;
  b.shb(false)
      .idb(1, 0, uint8_t{0})                // seconds
      .idb(1, 0, uint8_t{0x80 | 127})       // 2^-127 s: everything rounds to 0 ns
      .idb(1, 0, uint8_t{30}, int64_t{-5})  // 10^-30 s, offset -5 s
      .epb(0, uint64_t{1} << 62, kA)
      .epb(1, ~uint64_t{0}, kA)
      .epb(2, ~uint64_t{0}, kA);
  ReadResult r = read_memory(b.bytes());
  REQUIRE(r.packets.size() == 3);
  CHECK(r.packets[0].ts_ns == INT64_MAX);
  CHECK(r.packets[1].ts_ns == 0);
  CHECK(r.packets[2].ts_ns == -5'000'000'000);
  REQUIRE(r.issues.size() == 1);  // noted once per file
  CHECK_FALSE(r.issues[0].fatal_for_file);
  CHECK(r.issues[0].reason.find("timestamp outside the int64") == 0);
}

TEST_CASE("pcapng: only a section header is an empty capture") {
  PcapNgBuilder b;
  b.shb(true);
  ReadResult r = read_memory(b.bytes());
  CHECK(r.packets.empty());
  CHECK(r.issues.empty());
}

}  // namespace netcap::test
