// ICMP for IPv4 (RFC 792; RFC 1191 next-hop MTU), IP protocol 1.
//
// Adds a transport (protocol 1, src_port = type, dst_port = code, payload = body after the
// 4-byte header). Error messages (3 unreachable, 4 source quench, 5 redirect, 11 time exceeded,
// 12 parameter problem) quote the offending IP header and 8 bytes of its payload: these are
// decoded into the record only and never dispatched or added as transports, so flow accounting
// does not count them (tshark does the same).
#pragma once

#include <cstdint>

#include "core/net/address.h"
#include "core/packet/layer_registry.h"
#include "core/packet/packet_context.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct QuotedIpHeader {
  bool present = false;  // an IP header with both addresses was quoted
  IpAddress src, dst;
  uint8_t protocol = 0;
  bool has_ports = false;  // TCP/UDP/SCTP ports were quoted too
  uint16_t src_port = 0, dst_port = 0;
};

struct Icmpv4Message {
  uint8_t type = 0;
  uint8_t code = 0;
  uint16_t checksum = 0;
  uint16_t id = 0, seq = 0;  // echo, timestamp, information, address mask
  IpAddress gateway;         // redirect
  uint16_t mtu = 0;          // type 3 code 4
  QuotedIpHeader quoted;     // error messages
  Bytes body;                // after the 4-byte header
  bool truncated = false;    // the type's fixed fields are cut
};

bool icmpv4_is_error(uint8_t type);

// Adds the flow-accounting transport of an ICMP/ICMPv6 message (`ip_protocol` 1 or 58): type and
// code stand in the port fields (Community ID convention), the body after the 4-byte header is
// the payload. Shared by the ICMPv4 and ICMPv6 decoders.
void add_icmp_transport(PacketContext& ctx, uint8_t ip_protocol, uint8_t type, uint8_t code,
                        Bytes body);

// Copies a quoted header into the Quoted* fields every ICMP record message has.
template <typename Record>
void set_quoted_fields(const QuotedIpHeader& quoted, Record& r) {
  if (!quoted.present) return;
  r.set_quotedsrcip(quoted.src.to_string());
  r.set_quoteddstip(quoted.dst.to_string());
  r.set_quotedprotocol(quoted.protocol);
  r.set_quotedsrcport(quoted.src_port);
  r.set_quoteddstport(quoted.dst_port);
}

// Parses an IPv4 header quoted in an ICMP error and the first transport bytes after it.
QuotedIpHeader parse_quoted_ipv4(Bytes bytes);

// Pure parse; false when fewer than 4 bytes.
bool parse_icmpv4(Bytes bytes, Icmpv4Message& out);

Status register_icmpv4(LayerRegistry& registry);

}  // namespace netcap
