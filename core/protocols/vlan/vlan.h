// IEEE 802.1Q VLAN tag and its stacked forms: 802.1ad service tag (0x88a8) and the pre-standard
// QinQ TPID 0x9100. The 4 bytes after the TPID: TCI (PCP 3 bits, DEI 1 bit, VID 12 bits) and the
// inner EtherType, which is dispatched (another tag for QinQ).
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct VlanTag {
  uint8_t priority = 0;
  bool drop_eligible = false;
  uint16_t id = 0;
  uint16_t type = 0;
  Bytes payload;
};

// Pure parse; false when fewer than 4 bytes.
bool parse_vlan(Bytes bytes, VlanTag& out);

Status register_vlan(LayerRegistry& registry);

}  // namespace netcap
