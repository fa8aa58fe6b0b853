#include "core/flow/packet_map.h"

namespace netcap {

namespace {

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads one varint at `at`; false when it is cut short or does not fit 64 bits.
bool get_varint(std::string_view bytes, size_t& at, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && at < bytes.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(bytes[at++]);
    const uint64_t part = byte & 0x7fu;
    if (shift == 63 && part > 1) return false;  // bits beyond 64
    value |= part << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

size_t PacketMapWriter::add(uint32_t file, uint64_t offset) {
  if (packets_ > 0 && file == last_file_ && offset == last_offset_) return 0;
  const size_t before = bytes_.size();
  // Offsets only grow within a file read front to back; a smaller one (another pass over the
  // same file) is written absolute like a file change.
  if (packets_ == 0 || file != last_file_ || offset < last_offset_) {
    put_varint(bytes_, (uint64_t{file} << 1) | 1);
    put_varint(bytes_, offset);
  } else {
    put_varint(bytes_, (offset - last_offset_) << 1);
  }
  last_file_ = file;
  last_offset_ = offset;
  ++packets_;
  return bytes_.size() - before;
}

std::string PacketMapWriter::take() {
  std::string out = std::move(bytes_);
  *this = PacketMapWriter{};
  return out;
}

std::optional<std::vector<PacketLocation>> decode_packet_map(std::string_view bytes,
                                                             size_t file_count,
                                                             size_t max_packets) {
  std::vector<PacketLocation> out;
  size_t at = 0;
  bool have_file = false;
  PacketLocation current;
  while (at < bytes.size()) {
    uint64_t entry = 0;
    if (!get_varint(bytes, at, entry)) return std::nullopt;
    if ((entry & 1) != 0) {
      const uint64_t file = entry >> 1;
      if (file >= file_count) return std::nullopt;
      current.file = static_cast<uint32_t>(file);
      if (!get_varint(bytes, at, current.offset)) return std::nullopt;
      have_file = true;
    } else {
      if (!have_file) return std::nullopt;
      const uint64_t delta = entry >> 1;
      if (current.offset + delta < current.offset) return std::nullopt;  // wraps
      current.offset += delta;
    }
    if (out.size() >= max_packets) return std::nullopt;
    out.push_back(current);
  }
  return out;
}

}  // namespace netcap
