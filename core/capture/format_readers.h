// Internal: constructors of the two capture-format readers (see capture_reader.h).
#pragma once

#include <algorithm>
#include <memory>
#include <string>

#include "core/capture/capture_reader.h"

namespace netcap {

// `reader` is positioned at the start of the file; the format was recognised by its magic.
std::unique_ptr<CaptureFileReader> make_pcap_reader(std::string name, BufferedReader reader,
                                                    uint32_t max_packet_bytes);
std::unique_ptr<CaptureFileReader> make_pcapng_reader(std::string name, BufferedReader reader,
                                                      uint32_t max_packet_bytes);

// Copies a record's bytes into `out`, which is usually a recycled buffer of an earlier packet.
// A buffer that is too small grows straight to at least a full Ethernet frame (not just to this
// packet's size), so each recycled buffer is reallocated about once instead of every time a
// larger packet than any before comes along.
inline void copy_packet_bytes(Bytes data, std::vector<uint8_t>& out) {
  constexpr size_t kTypicalFrameBytes = 2048;
  if (out.capacity() < data.size()) out.reserve(std::max(data.size(), kTypicalFrameBytes));
  out.assign(data.begin(), data.end());
}

// Bytes a block may add to a packet (headers, options): the reader's window is
// max_packet_bytes + this.
inline constexpr size_t kMaxBlockOverhead = 64 * 1024;
// Non-fatal issues listed per file; more are counted in one closing note (bounded memory even
// for a file with millions of bad records).
inline constexpr size_t kMaxListedIssues = 100;

}  // namespace netcap
