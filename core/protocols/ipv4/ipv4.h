// IPv4 (RFC 791 section 3.1), EtherType 0x0800 and IP protocol 4 (IP-in-IP, RFC 2003).
//
// The payload is cut to the total length, so Ethernet padding never becomes payload. When the
// snap length cut the frame, a total length beyond the captured bytes is expected and what was
// captured is decoded; otherwise it is the anomaly ipv4.bad_total_length (and what is there is
// decoded). A total length of 0 is taken as "unknown" (TCP segmentation offload captures, as
// Wireshark's ip.tso_support) and the captured bytes are used. Fragments go to the shard's
// FragmentReassembler; the protocol is dispatched only for unfragmented packets or when a
// datagram completes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/net/address.h"
#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct Ipv4Option {
  uint8_t type = 0;
  uint8_t length = 0;  // 1 for EOL/NOP
  Bytes data;
};

struct Ipv4Header {
  uint8_t version = 0;
  uint8_t ihl = 0;
  uint8_t tos = 0;
  uint16_t total_length = 0;
  uint16_t id = 0;
  uint8_t flags = 0;         // 3 bits: reserved, DF (2), MF (1)
  uint16_t frag_offset = 0;  // in 8-byte units
  uint8_t ttl = 0;
  uint8_t protocol = 0;
  uint16_t checksum = 0;
  IpAddress src, dst;
  std::vector<Ipv4Option> options;
  Bytes padding;  // after an EOL option
  bool bad_option = false;
  Bytes payload;  // after the header, cut to the total length (when it fits)
};

enum class Ipv4ParseResult {
  kOk,
  kTruncated,        // fewer than 20 bytes, or fewer than IHL*4
  kBadVersion,       // version != 4
  kBadHeaderLength,  // IHL < 5
};

// Pure parse of the header and options; `payload` = bytes after the header up to the total
// length (or all captured bytes if the total length is 0 or beyond them).
Ipv4ParseResult parse_ipv4(Bytes bytes, Ipv4Header& out);

Status register_ipv4(LayerRegistry& registry);

}  // namespace netcap
