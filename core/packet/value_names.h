// Names of the header values counted in DecodeStats::values (ValueKind): the Kind strings of
// ValueDistribution records and readable names of the values (IANA registries; RFC sections at
// the tables). Pure functions over constant tables: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/packet/packet_context.h"

namespace netcap {

// "ethernet.type", "ipv4.protocol", "ipv6.traffic_class", "tcp.flags", "icmpv4.type_code",
// "icmpv6.type_code", "igmp.type", "igmp.group_record_type", "arp.hardware_type".
std::string_view value_kind_name(ValueKind kind);

// A readable name of `value` for `kind`: "IPv4", "TCP", "SYN ACK", "EchoRequest",
// "DestinationUnreachable/PortUnreachable", "CS1 ECT(0)"; the number (decimal, or 0x-hex for
// EtherTypes) when the registry has no name for it.
std::string value_name(ValueKind kind, uint16_t value);

}  // namespace netcap
