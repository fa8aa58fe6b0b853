// Raw IP link types (LINKTYPE_RAW 101, the BSD DLT_RAW values 12 and 14, LINKTYPE_IPV4 228,
// LINKTYPE_IPV6 229): no link header; the IP version nibble picks the EtherType to dispatch.
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

// 0x0800 for version 4, 0x86DD for version 6, 0 otherwise (also for empty input).
uint32_t raw_ip_ethertype(Bytes bytes);

Status register_raw_ip(LayerRegistry& registry);

}  // namespace netcap
