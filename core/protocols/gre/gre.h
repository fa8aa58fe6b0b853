// GRE (IP protocol 47): RFC 2784 / RFC 1701 header with the optional checksum+offset, key and
// sequence number (RFC 2890), RFC 1701 source routing entries (walked and skipped, at most
// kMaxGreSres), and the enhanced GRE of PPTP (version 1, RFC 2637: key = payload length + call
// id, optional acknowledgment number). For version 0 the protocol type is dispatched in the
// EtherType space (0x6558 bridged Ethernet, 0x0800, 0x86DD, ...); version 1 carries PPP, which
// is not decoded.
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

inline constexpr size_t kMaxGreSres = 16;

struct GreHeader {
  bool checksum_present = false, routing_present = false, key_present = false;
  bool seq_present = false, strict_source_route = false, ack_present = false;
  uint8_t recursion = 0, flags = 0, version = 0;
  uint16_t protocol = 0;
  uint16_t checksum = 0, offset = 0;
  uint32_t key = 0, seq = 0, ack = 0;
  Bytes payload;
};

enum class GreParseResult { kOk, kTruncated, kBadRouting };

// Pure parse.
GreParseResult parse_gre(Bytes bytes, GreHeader& out);

Status register_gre(LayerRegistry& registry);

}  // namespace netcap
