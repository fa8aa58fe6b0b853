// RawPacket: one captured frame as it leaves a capture source.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace netcap {

// LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) used by sources and decoders.
namespace linktype {
inline constexpr uint32_t kNull = 0;  // BSD loopback, host-order AF_ value
inline constexpr uint32_t kEthernet = 1;
inline constexpr uint32_t kRawBsd12 = 12;  // DLT_RAW as numbered on some BSDs
inline constexpr uint32_t kRawBsd14 = 14;
inline constexpr uint32_t kRaw = 101;
inline constexpr uint32_t kLoop = 108;  // OpenBSD loopback, network-order AF_ value
inline constexpr uint32_t kLinuxSll = 113;
inline constexpr uint32_t kIpv4 = 228;
inline constexpr uint32_t kIpv6 = 229;
inline constexpr uint32_t kLinuxSll2 = 276;
}  // namespace linktype

// A captured frame. `data` holds caplen bytes; wire_len is the length on the wire (>= caplen when
// the snap length cut the frame). Owned so it can cross from the reader thread to a shard.
struct RawPacket {
  uint64_t frame = 0;  // 1-based position in the merged input, as tshark numbers frames
  int64_t ts_ns = 0;   // capture time, nanoseconds since the Unix epoch (UTC)
  uint32_t wire_len = 0;
  uint32_t linktype = 0;      // LINKTYPE_* of the interface that captured it
  uint32_t interface = 0;     // pcapng interface index; 0 for pcap files and live capture
  uint32_t source_index = 0;  // which input file (index into the source's file list)
  // Byte offset of the packet's record (pcap) or block (pcapng) in its file; 0 when unknown
  // (live capture). For a .gz file, the offset in the decompressed stream.
  uint64_t file_offset = 0;
  std::vector<uint8_t> data;

  std::span<const uint8_t> bytes() const { return {data.data(), data.size()}; }
  uint32_t cap_len() const { return static_cast<uint32_t>(data.size()); }
};

}  // namespace netcap
