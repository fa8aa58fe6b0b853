// TCP header (RFC 9293 section 3.1), IP protocol 6, with options: MSS (2), window scale (3,
// RFC 7323), SACK permitted (4) and SACK blocks (5, RFC 2018), timestamps (8, RFC 7323); other
// kinds are kept raw.
//
// Adds a transport with the header fields, the captured payload and the payload length per the
// IP header. When the snap length cut the header, the transport is still added (with
// header_truncated) if the first 14 bytes (ports, seq, ack, offset, flags) were captured.
#pragma once

#include <cstdint>
#include <vector>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

inline constexpr size_t kMaxTcpOptions = 40;  // 40 option bytes at most, one byte each

struct TcpOption {
  uint8_t kind = 0;
  uint8_t length = 0;  // 1 for EOL/NOP
  Bytes data;
};

struct TcpHeader {
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t data_offset = 0;  // 32-bit words
  bool ns = false;
  uint8_t flags = 0;
  uint16_t window = 0, checksum = 0, urgent = 0;
  std::vector<TcpOption> options;
  Bytes padding;
  uint8_t window_scale = 0xff;  // 0xff when absent
  Bytes payload;
  bool header_cut = false;  // fewer bytes than data_offset * 4 (options incomplete)
  bool bad_option = false;
};

enum class TcpParseResult {
  kOk,
  kTruncated,      // fewer than 14 bytes: not even ports, numbers and flags
  kBadDataOffset,  // data offset < 5 (fixed fields are valid)
};

// Pure parse; fills as much as the bytes allow.
TcpParseResult parse_tcp(Bytes bytes, TcpHeader& out);

Status register_tcp(LayerRegistry& registry);

}  // namespace netcap
