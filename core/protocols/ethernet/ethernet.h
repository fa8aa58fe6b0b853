// Ethernet II / IEEE 802.3 frame header (IEEE 802.3 clause 3.2). Binds LINKTYPE_ETHERNET and
// EtherType 0x6558 (Transparent Ethernet Bridging, the payload of GRE/VXLAN/Geneve).
// 802.3 length frames (type/length <= 1500) carry LLC, which is out of scope: their record is
// emitted and nothing is dispatched.
#pragma once

#include <cstdint>

#include "core/net/address.h"
#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct EthernetHeader {
  MacAddress dst;
  MacAddress src;
  uint16_t type_or_length = 0;
  Bytes payload;  // bytes after the 14-byte header (borrowed)
};

// Pure parse; false when fewer than 14 bytes.
bool parse_ethernet(Bytes bytes, EthernetHeader& out);

Status register_ethernet(LayerRegistry& registry);

}  // namespace netcap
