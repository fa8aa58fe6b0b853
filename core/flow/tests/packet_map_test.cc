// PacketMap offsets: what the flow table writes decodes to the packets it was given, and
// malformed encodings are refused rather than misread.
#include "core/flow/packet_map.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using netcap::decode_packet_map;
using netcap::PacketLocation;
using netcap::PacketMapWriter;

namespace {

std::vector<std::pair<uint32_t, uint64_t>> pairs(const std::vector<PacketLocation>& locations) {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  for (const PacketLocation& l : locations) out.emplace_back(l.file, l.offset);
  return out;
}

}  // namespace

TEST_CASE("packet map: round trip across files, large offsets and a second pass") {
  const std::vector<std::pair<uint32_t, uint64_t>> packets = {
      {0, 24},        {0, 100}, {0, 1ull << 40}, {2, 24}, {2, 5000}, {0, (1ull << 40) + 7},
      {0, 30},  // back in an earlier file, then a smaller offset
      {1, UINT64_MAX}};
  PacketMapWriter writer;
  size_t written = 0;
  for (const auto& [file, offset] : packets) written += writer.add(file, offset);
  CHECK(written == writer.bytes().size());
  CHECK(writer.add(1, UINT64_MAX) == 0);  // the same packet again is not repeated
  CHECK(writer.packets() == packets.size());
  const std::string bytes = writer.take();
  CHECK(writer.packets() == 0);
  auto decoded = decode_packet_map(bytes, 3, 100);
  REQUIRE(decoded);
  CHECK(pairs(*decoded) == packets);
  // Adjacent packets cost a byte or two each.
  PacketMapWriter dense;
  for (uint64_t i = 0; i < 1000; ++i) dense.add(0, 24 + i * 100);
  CHECK(dense.bytes().size() < 2100);
}

TEST_CASE("packet map: malformed encodings are refused") {
  PacketMapWriter writer;
  writer.add(1, 1000);
  writer.add(1, 2000);
  const std::string good = writer.take();
  REQUIRE(decode_packet_map(good, 2, 10));
  CHECK_FALSE(decode_packet_map(good, 1, 10));  // file 1 of 1 file
  CHECK_FALSE(decode_packet_map(good, 2, 1));   // more packets than allowed
  CHECK_FALSE(decode_packet_map(good.substr(0, good.size() - 1) + "\x80", 2, 10));  // cut varint
  CHECK_FALSE(decode_packet_map(std::string("\x04", 1), 2, 10));   // a delta before any file
  CHECK_FALSE(decode_packet_map(std::string(11, '\xff'), 2, 10));  // longer than 64 bits
  // A delta that would wrap past 2^64.
  PacketMapWriter high;
  high.add(0, UINT64_MAX - 1);
  std::string wrap = high.take();
  wrap += '\x04';  // delta 2
  CHECK_FALSE(decode_packet_map(wrap, 1, 10));
  CHECK(decode_packet_map("", 1, 10)->empty());
}
