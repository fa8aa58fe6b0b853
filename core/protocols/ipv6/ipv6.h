// IPv6 (RFC 8200), EtherType 0x86DD and IP protocol 41 (IPv6-in-IP, RFC 4213).
//
// Extension headers are walked (RFC 8200 section 4): hop-by-hop (0), routing (43), fragment (44),
// destination options (60) and AH (51, RFC 4302: length in 4-byte units), at most
// kMaxIpv6ExtensionHeaders. ESP (50) and No Next Header (59) end the walk. Fragments go to the
// shard's FragmentReassembler (an "atomic" fragment, offset 0 and M = 0 (RFC 6946), is passed on
// directly). The payload is cut to the payload length; a payload length beyond the captured
// bytes is an anomaly unless the snap length cut the frame.
#pragma once

#include <cstdint>
#include <vector>

#include "core/net/address.h"
#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

inline constexpr size_t kMaxIpv6ExtensionHeaders = 16;

struct Ipv6ExtensionHeader {
  uint8_t type = 0;
  uint8_t next_header = 0;
  uint32_t length = 0;  // bytes
  Bytes data;           // after next-header and length octets (empty for fragment headers)
  // fragment header
  uint16_t fragment_offset = 0;  // 8-byte units
  bool more_fragments = false;
  uint32_t identification = 0;
  // routing header
  uint8_t routing_type = 0;
  uint8_t segments_left = 0;
};

struct Ipv6Header {
  uint8_t version = 0;
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;
  uint16_t payload_length = 0;
  uint8_t next_header = 0;
  uint8_t hop_limit = 0;
  IpAddress src, dst;
  std::vector<Ipv6ExtensionHeader> extensions;
  uint8_t upper_protocol = 0;  // after the extension headers
  Bytes payload;               // upper-layer bytes (after the extension headers)
  uint32_t extension_bytes = 0;
  bool payload_beyond_capture = false;  // payload length > captured bytes
  bool bad_extension = false;           // an extension header runs past the payload
  bool too_many_extensions = false;
  int fragment_index = -1;  // index of the fragment header in `extensions`, -1 if none
};

enum class Ipv6ParseResult { kOk, kTruncated, kBadVersion };

// Pure parse of the fixed header and the extension header chain.
Ipv6ParseResult parse_ipv6(Bytes bytes, Ipv6Header& out);

Status register_ipv6(LayerRegistry& registry);

}  // namespace netcap
