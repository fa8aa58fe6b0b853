// Small helpers shared by the packet-layer decoders of core/protocols (header-only).
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/net/address.h"
#include "core/packet/packet_context.h"
#include "core/util/byte_cursor.h"

namespace netcap {

// A new layer record stamped with the packet's time and frame (every record message of
// link/network/transport.proto has Timestamp = 1 and Frame = 2).
template <typename Record>
std::unique_ptr<Record> new_layer_record(const PacketContext& ctx) {
  auto record = std::make_unique<Record>();
  record->set_timestamp(ctx.ts_ns());
  record->set_frame(ctx.frame());
  return record;
}

// True when the capture's snap length cut this frame: then a length field larger than the
// captured bytes is expected, not malformed.
inline bool frame_snapped(const PacketContext& ctx) {
  return ctx.packet().cap_len() < ctx.packet().wire_len;
}

// Colon-separated lower-case hex ("00:1b:d4:1b:a4:d8"); MAC form for 6 bytes.
inline std::string colon_hex(Bytes bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0f];
  }
  return out;
}

inline std::string to_bytes(Bytes bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Reads a 4- or 16-byte address; an invalid IpAddress when the cursor runs out.
inline IpAddress read_ipv4(ByteCursor& c) {
  Bytes b = c.bytes(4);
  return b.size() == 4 ? IpAddress::v4(b) : IpAddress();
}
inline IpAddress read_ipv6(ByteCursor& c) {
  Bytes b = c.bytes(16);
  return b.size() == 16 ? IpAddress::v6(b) : IpAddress();
}
inline std::string ip_text(const IpAddress& ip) {
  return ip.valid() ? ip.to_string() : std::string();
}

// Well-known keys shared by several decoders.
inline constexpr uint32_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint32_t kEtherTypeIpv6 = 0x86DD;
inline constexpr uint32_t kEtherTypeTransparentBridging = 0x6558;
// Largest value of the 802.3 length field; larger values are EtherTypes (IEEE 802.3 3.2.6).
inline constexpr uint16_t kMax8023Length = 1500;
// Pseudo ethertype dispatched when a payload cannot be identified (MPLS without an IP version
// nibble): nothing binds it, so it is counted in DecodeStats::unknown.
inline constexpr uint32_t kEtherTypeUnidentified = 0;

}  // namespace netcap
