// FragmentReassembler (core/packet/ip_fragments.h): order, duplicates, overlaps, limits.
#include "core/packet/ip_fragments.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <string>

using namespace netcap;
using Result = FragmentReassembler::Result;

namespace {

FragmentKey key(uint32_t id) {
  const uint8_t a[4] = {10, 0, 0, 1};
  const uint8_t b[4] = {10, 0, 0, 2};
  FragmentKey k;
  k.src = IpAddress::v4(a);
  k.dst = IpAddress::v4(b);
  k.id = id;
  k.protocol = 17;
  return k;
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + 3);
  return v;
}

std::span<const uint8_t> part(const std::vector<uint8_t>& v, size_t off, size_t len) {
  return {v.data() + off, len};
}

bool has(const FragmentReassembler::Outcome& o, const std::string& name) {
  return std::find(o.anomalies.begin(), o.anomalies.end(), name) != o.anomalies.end();
}

}  // namespace

TEST_CASE("ip_fragments: in-order fragments complete the datagram") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(100);
  auto o1 = r.add(key(1), 0, true, part(data, 0, 48), 0);
  CHECK(o1.result == Result::kIncomplete);
  auto o2 = r.add(key(1), 48, true, part(data, 48, 40), 1);
  CHECK(o2.result == Result::kIncomplete);
  CHECK(r.pending() == 1);
  auto o3 = r.add(key(1), 88, false, part(data, 88, 12), 2);
  REQUIRE(o3.result == Result::kComplete);
  CHECK(o3.datagram == data);
  CHECK(o3.fragment_count == 3);
  CHECK(o3.anomalies.empty());
  CHECK(r.pending() == 0);
}

TEST_CASE("ip_fragments: reverse order completes on the first fragment") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(75);
  CHECK(r.add(key(2), 64, false, part(data, 64, 11), 0, {0, 1000}).result == Result::kIncomplete);
  CHECK(r.add(key(2), 32, true, part(data, 32, 32), 0, {1, 24}).result == Result::kIncomplete);
  auto o = r.add(key(2), 0, true, part(data, 0, 32), 0, {1, 500});
  REQUIRE(o.result == Result::kComplete);
  CHECK(o.datagram == data);
  // Every fragment's packet, in arrival order (pcap slices list the datagram's packets).
  CHECK(o.origins == std::vector<FragmentOrigin>{{0, 1000}, {1, 24}, {1, 500}});
}

TEST_CASE("ip_fragments: duplicates and same-byte overlaps are quiet") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(64);
  r.add(key(3), 0, true, part(data, 0, 32), 0);
  auto dup = r.add(key(3), 0, true, part(data, 0, 32), 0);
  CHECK(dup.anomalies.empty());
  auto ov = r.add(key(3), 16, true, part(data, 16, 32), 0);  // overlaps 16..31, adds 32..47
  CHECK(ov.anomalies.empty());
  auto o = r.add(key(3), 40, false, part(data, 40, 24), 0);
  REQUIRE(o.result == Result::kComplete);
  CHECK(o.datagram == data);
  CHECK(o.fragment_count == 4);
}

TEST_CASE("ip_fragments: overlap with different bytes, first copy wins") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(48);
  auto evil = data;
  evil[20] ^= 0xff;
  r.add(key(4), 0, true, part(data, 0, 24), 0);
  auto o1 = r.add(key(4), 16, true, part(evil, 16, 16), 0);
  CHECK(o1.anomalies == std::vector<std::string>{"ip.fragment_overlap_mismatch"});
  auto o = r.add(key(4), 32, false, part(data, 32, 16), 0);
  REQUIRE(o.result == Result::kComplete);
  CHECK(o.datagram == data);  // byte 20 from the first copy
}

TEST_CASE("ip_fragments: holes stay incomplete and expire after the timeout") {
  Limits limits;
  limits.fragment_timeout_ns = 1000;
  FragmentReassembler r(limits);
  const auto data = pattern(64);
  r.add(key(5), 0, true, part(data, 0, 16), 100);
  r.add(key(5), 32, false, part(data, 32, 32), 200);  // hole 16..31
  r.add(key(6), 0, true, part(data, 0, 16), 900);
  CHECK(r.pending() == 2);
  CHECK(r.expire(1100).empty());  // 1000 ns old is not older than the timeout
  auto gone = r.expire(1101);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0] == key(5));
  CHECK(r.pending() == 1);
  // A fragment for a stale set restarts it and says so.
  auto o = r.add(key(6), 16, false, part(data, 16, 8), 5000);
  CHECK(o.anomalies == std::vector<std::string>{"ip.fragment_timeout"});
  CHECK(o.result == Result::kIncomplete);
  CHECK(r.pending() == 1);
}

TEST_CASE("ip_fragments: non-last fragment length not a multiple of 8") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(30);
  auto o = r.add(key(7), 0, true, part(data, 0, 30), 0);
  CHECK(o.result == Result::kDropped);
  CHECK(o.anomalies == std::vector<std::string>{"ip.fragment_bad_length"});
  CHECK(r.pending() == 0);
}

TEST_CASE("ip_fragments: datagram larger than 65535 is dropped") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(1480);
  r.add(key(8), 0, true, part(data, 0, 1480), 0);
  auto o = r.add(key(8), 65528, false, part(data, 0, 100), 0);
  CHECK(o.result == Result::kDropped);
  CHECK(has(o, "ip.fragment_too_large"));
  CHECK(r.pending() == 0);
}

TEST_CASE("ip_fragments: too many fragments drops the set") {
  Limits limits;
  limits.max_fragments_per_set = 3;
  FragmentReassembler r(limits);
  const auto data = pattern(64);
  for (int i = 0; i < 3; ++i) {
    CHECK(r.add(key(9), i * 8, true, part(data, i * 8, 8), 0).result == Result::kIncomplete);
  }
  auto o = r.add(key(9), 24, true, part(data, 24, 8), 0);
  CHECK(o.result == Result::kDropped);
  CHECK(o.anomalies == std::vector<std::string>{"ip.too_many_fragments"});
  CHECK(r.pending() == 0);
}

TEST_CASE("ip_fragments: table full drops the oldest set") {
  Limits limits;
  limits.max_fragment_sets = 2;
  FragmentReassembler r(limits);
  const auto data = pattern(64);
  r.add(key(20), 0, true, part(data, 0, 8), 300);
  r.add(key(21), 0, true, part(data, 0, 8), 100);  // the oldest
  auto o = r.add(key(22), 0, true, part(data, 0, 8), 400);
  CHECK(o.anomalies == std::vector<std::string>{"ip.fragment_table_full"});
  CHECK(o.result == Result::kIncomplete);
  CHECK(r.pending() == 2);
  // key 20 survived and completes; key 21 is gone: its last fragment alone does not complete it.
  auto done = r.add(key(20), 8, false, part(data, 8, 8), 500);
  CHECK(done.result == Result::kComplete);
  CHECK(done.datagram == std::vector<uint8_t>(data.begin(), data.begin() + 16));
  CHECK(r.add(key(21), 8, false, part(data, 8, 8), 500).result == Result::kIncomplete);
}

TEST_CASE("ip_fragments: inconsistent last fragments are dropped") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(64);
  r.add(key(30), 32, false, part(data, 32, 32), 0);          // total 64
  auto o = r.add(key(30), 40, false, part(data, 40, 8), 0);  // says total 48
  CHECK(o.result == Result::kDropped);
  CHECK(o.anomalies == std::vector<std::string>{"ip.fragment_inconsistent_length"});
  auto beyond = r.add(key(30), 64, true, part(data, 0, 8), 0);
  CHECK(beyond.result == Result::kDropped);
  auto done = r.add(key(30), 0, true, part(data, 0, 32), 0);
  REQUIRE(done.result == Result::kComplete);
  CHECK(done.datagram == data);
}

TEST_CASE("ip_fragments: keys differ by id and protocol") {
  Limits limits;
  FragmentReassembler r(limits);
  const auto data = pattern(16);
  r.add(key(40), 0, true, part(data, 0, 8), 0);
  FragmentKey other = key(40);
  other.protocol = 6;
  CHECK(r.add(other, 8, false, part(data, 8, 8), 0).result == Result::kIncomplete);
  CHECK(r.pending() == 2);
}
