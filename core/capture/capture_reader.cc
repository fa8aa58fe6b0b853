// Format detection by magic number and the issue bookkeeping shared by both readers.
#include "core/capture/capture_reader.h"

#include <cstdio>

#include "core/capture/format_readers.h"

namespace netcap {

void CaptureFileReader::issue(uint64_t offset, std::string reason, bool fatal) {
  if (fatal) {
    done_ = true;
  } else {
    size_t listed = 0;
    for (const SourceIssue& i : issues_) listed += i.fatal_for_file ? 0 : 1;
    if (listed > kMaxListedIssues) return;
    if (listed == kMaxListedIssues) {
      reason = "more than " + std::to_string(kMaxListedIssues) +
               " problems in this file; the rest are not listed";
    }
  }
  issues_.push_back(SourceIssue{name_, offset, packets_, std::move(reason), fatal});
}

std::string CaptureFileReader::end_reason(const std::string& what, size_t needed,
                                          size_t left) const {
  std::string reason = "file ends inside " + what + " (needs " + std::to_string(needed) +
                       " bytes, " + std::to_string(left) + " left)";
  std::string gz = reader_.input().corruption();
  if (!gz.empty()) reason += " (" + gz + ")";
  return reason;
}

Expected<std::unique_ptr<CaptureFileReader>> open_capture_reader(std::unique_ptr<InputStream> input,
                                                                 const std::string& name,
                                                                 uint32_t max_packet_bytes) {
  BufferedReader reader(std::move(input), size_t{max_packet_bytes} + kMaxBlockOverhead);
  Expected<size_t> got = reader.fill(4);
  if (!got) return Status(got.status()).with_context(name);
  if (*got < 4) {
    return Status::error(name + ": not a pcap or pcapng file (only " + std::to_string(*got) +
                         " bytes)");
  }
  ByteCursor c(reader.view(4));
  uint32_t magic = c.u32be();
  switch (magic) {
    // pcap (draft-ietf-opsawg-pcap section 4): microsecond and nanosecond magics, as written
    // by a big-endian or (byte-swapped) a little-endian host.
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
      return make_pcap_reader(name, std::move(reader), max_packet_bytes);
    // pcapng (draft-ietf-opsawg-pcapng section 4.1): the Section Header Block type is a
    // palindrome, so it reads the same in both byte orders.
    case 0x0a0d0d0a:
      return make_pcapng_reader(name, std::move(reader), max_packet_bytes);
    default:
      break;
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", magic);
  std::string gz = reader.input().corruption();
  return Status::error(name + ": not a pcap or pcapng file (magic " + hex + ")" +
                       (gz.empty() ? "" : " (" + gz + ")"));
}

}  // namespace netcap
