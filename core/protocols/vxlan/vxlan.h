// VXLAN (RFC 7348 section 5), UDP port 4789, with the group-based policy extension bits
// (draft-smith-vxlan-group-policy). The payload is an Ethernet frame: dispatched as EtherType
// 0x6558 (Transparent Ethernet Bridging).
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct VxlanHeader {
  bool valid_vni = false;  // I flag
  bool gbp = false, dont_learn = false, policy_applied = false;
  uint16_t group_policy_id = 0;
  uint32_t vni = 0;
  Bytes payload;
};

// Pure parse; false when fewer than 8 bytes.
bool parse_vxlan(Bytes bytes, VxlanHeader& out);

Status register_vxlan(LayerRegistry& registry);

}  // namespace netcap
