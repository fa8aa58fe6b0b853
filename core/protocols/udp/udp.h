// UDP (RFC 768), IP protocol 17. Adds a transport; then, if a decoder is bound under the
// destination port (else the source port) in DispatchSpace::kUdpPort, hands it the payload
// (tunnels such as VXLAN 4789 and Geneve 6081). Unbound ports are not dispatched (so they are
// not counted as unknown: most UDP payloads are parsed later from the flow, not here).
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct UdpHeader {
  uint16_t src_port = 0, dst_port = 0;
  uint16_t length = 0, checksum = 0;
  Bytes payload;  // after the header, cut to the length field when it fits
};

// Pure parse; false when fewer than 8 bytes.
bool parse_udp(Bytes bytes, UdpHeader& out);

Status register_udp(LayerRegistry& registry);

}  // namespace netcap
