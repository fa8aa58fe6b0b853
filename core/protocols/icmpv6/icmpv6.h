// ICMPv6 (RFC 4443), IP protocol 58, with Neighbor Discovery (RFC 4861: router solicitation 133,
// router advertisement 134, neighbor solicitation 135, neighbor advertisement 136, redirect 137
// and their options: source/target link-layer address, prefix information, MTU) and MLD
// (RFC 2710: 130-132; RFC 3810: v2 query, v2 report 143) recorded by type/code plus the
// multicast address / record count.
//
// Adds a transport (protocol 58, src_port = type, dst_port = code, payload = body after the
// 4-byte header). Errors (1-4) quote an IPv6 header: decoded into the record only, never
// dispatched, never added as a transport.
#pragma once

#include <cstdint>
#include <vector>

#include "core/net/address.h"
#include "core/packet/layer_registry.h"
#include "core/protocols/icmpv4/icmpv4.h"
#include "core/util/byte_cursor.h"

namespace netcap {

inline constexpr size_t kMaxNdOptions = 64;

struct NdOption {
  uint8_t type = 0;
  uint32_t length = 0;        // bytes
  Bytes data;                 // after type and length
  Bytes link_layer_address;   // types 1, 2
  uint8_t prefix_length = 0;  // type 3
  bool on_link = false, autonomous = false;
  uint32_t valid_lifetime = 0, preferred_lifetime = 0;
  IpAddress prefix;
  uint32_t mtu = 0;  // type 5
};

struct Icmpv6Message {
  uint8_t type = 0;
  uint8_t code = 0;
  uint16_t checksum = 0;
  uint16_t identifier = 0, seq = 0;  // echo
  IpAddress target;                  // NS, NA, redirect
  uint8_t flags = 0;                 // NA / RA flags octet
  uint8_t hop_limit = 0;             // RA
  uint16_t router_lifetime = 0;
  uint32_t reachable_time = 0, retrans_timer = 0;
  std::vector<NdOption> options;
  IpAddress multicast;         // MLD
  uint16_t group_records = 0;  // MLDv2 report
  uint32_t mtu = 0;            // packet too big (also parameter problem pointer)
  QuotedIpHeader quoted;       // errors
  Bytes body;
  bool truncated = false;   // the type's fixed fields are cut
  bool bad_option = false;  // an option with length 0 or past the end
  bool too_many_options = false;
};

// Parses an IPv6 header quoted in an ICMPv6 error and the first transport bytes after it
// (extension headers in the quote are not walked).
QuotedIpHeader parse_quoted_ipv6(Bytes bytes);

// Pure parse; false when fewer than 4 bytes.
bool parse_icmpv6(Bytes bytes, Icmpv6Message& out);

Status register_icmpv6(LayerRegistry& registry);

}  // namespace netcap
