// Linux cooked capture header v2 (LINKTYPE_LINUX_SLL2 = 276,
// https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html): 20 bytes, then the payload.
// The protocol field is dispatched in the EtherType space (values <= 1500 are not decoded).
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct LinuxSll2Header {
  uint16_t protocol = 0;
  uint32_t interface_index = 0;
  uint16_t arphrd_type = 0;
  uint8_t packet_type = 0;
  uint8_t address_length = 0;
  Bytes address;  // cut to address_length (max 8)
  Bytes payload;
};

// Pure parse; false when fewer than 20 bytes.
bool parse_linux_sll2(Bytes bytes, LinuxSll2Header& out);

Status register_linux_sll2(LayerRegistry& registry);

}  // namespace netcap
