// Internal: constructors of the two capture-format readers (see capture_reader.h).
#pragma once

#include <memory>
#include <string>

#include "core/capture/capture_reader.h"

namespace netcap {

// `reader` is positioned at the start of the file; the format was recognised by its magic.
std::unique_ptr<CaptureFileReader> make_pcap_reader(std::string name, BufferedReader reader,
                                                    uint32_t max_packet_bytes);
std::unique_ptr<CaptureFileReader> make_pcapng_reader(std::string name, BufferedReader reader,
                                                      uint32_t max_packet_bytes);

// Bytes a block may add to a packet (headers, options): the reader's window is
// max_packet_bytes + this.
inline constexpr size_t kMaxBlockOverhead = 64 * 1024;
// Non-fatal issues listed per file; more are counted in one closing note (bounded memory even
// for a file with millions of bad records).
inline constexpr size_t kMaxListedIssues = 100;

}  // namespace netcap
