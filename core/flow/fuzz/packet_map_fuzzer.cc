// Fuzz target: PacketMap offsets as read back from a case index (which a user may hand us).
// Decoding must never crash or read out of bounds; what decodes must encode back to a map that
// decodes to the same packets.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/flow/packet_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t file_count = data[0] % 8;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  auto decoded = netcap::decode_packet_map(bytes, file_count, 4096);
  if (!decoded) return 0;
  netcap::PacketMapWriter writer;
  for (const auto& location : *decoded) writer.add(location.file, location.offset);
  auto again = netcap::decode_packet_map(writer.bytes(), file_count, 4096);
  if (!again) __builtin_trap();
  // Repeats of the same packet are dropped by the writer; everything else survives.
  if (again->size() > decoded->size()) __builtin_trap();
  return 0;
}
