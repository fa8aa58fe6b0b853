// Address Resolution Protocol (RFC 826), EtherType 0x0806. Addresses have the lengths the
// header declares (hardware and protocol address sizes), so non-Ethernet/IPv4 ARP is parsed too.
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct ArpMessage {
  uint16_t hardware_type = 0;
  uint16_t protocol_type = 0;
  uint8_t hardware_size = 0;
  uint8_t protocol_size = 0;
  uint16_t operation = 0;
  Bytes sender_hw, sender_proto, target_hw, target_proto;
};

// Pure parse; false when the message is shorter than its declared address sizes need.
bool parse_arp(Bytes bytes, ArpMessage& out);

Status register_arp(LayerRegistry& registry);

}  // namespace netcap
