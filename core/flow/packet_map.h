// The encoding of PacketMap.Offsets (proto/connection.proto): where a connection's packets are
// in the capture files, as unsigned LEB128 varints in capture order. A packet in another file
// than the one before (always the first) is (file << 1 | 1) followed by its absolute offset;
// otherwise (offset - previous offset) << 1. Written by the flow table, read by the pcap-slice
// transforms; defined here once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netcap {

class PacketMapWriter {
 public:
  // Bytes one add() appends at most (two 64-bit varints).
  static constexpr size_t kMaxEntryBytes = 20;

  // Appends a packet; the same (file, offset) as the previous packet is not repeated.
  // Returns the bytes appended.
  size_t add(uint32_t file, uint64_t offset);
  const std::string& bytes() const { return bytes_; }
  std::string take();  // the encoding; the writer is empty afterwards
  uint64_t packets() const { return packets_; }

 private:
  std::string bytes_;
  uint64_t packets_ = 0;
  uint64_t last_offset_ = 0;
  uint32_t last_file_ = UINT32_MAX;
};

struct PacketLocation {
  uint32_t file = 0;
  uint64_t offset = 0;
};

// Decodes `bytes`; nullopt when they are malformed (a truncated varint, a varint longer than
// 64 bits, a delta before any file, a file index >= file_count, or more than max_packets).
std::optional<std::vector<PacketLocation>> decode_packet_map(std::string_view bytes,
                                                             size_t file_count, size_t max_packets);

}  // namespace netcap
