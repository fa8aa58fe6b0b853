// Linux cooked capture header v1 (LINKTYPE_LINUX_SLL = 113,
// https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html): 16 bytes, then the protocol's
// payload. The protocol field is an EtherType for most ARPHRD types and is dispatched in the
// EtherType space; values <= 1500 (802.2 LLC, CAN, ...) are not decoded.
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct LinuxSllHeader {
  uint16_t packet_type = 0;
  uint16_t arphrd_type = 0;
  uint16_t address_length = 0;
  Bytes address;  // the 8-byte address field cut to address_length (max 8)
  uint16_t protocol = 0;
  Bytes payload;
};

// Pure parse; false when fewer than 16 bytes.
bool parse_linux_sll(Bytes bytes, LinuxSllHeader& out);

Status register_linux_sll(LayerRegistry& registry);

}  // namespace netcap
