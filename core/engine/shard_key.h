// shard_of(): which shard owns a packet. Packets are routed by a direction-symmetric hash of the
// outermost IP address pair (MAC pair for non-IP), so both directions of a flow, all fragments
// of a datagram and every flow inside a tunnel land on the same shard without locks.
//
// This is routing, not decoding: it walks only the few encapsulations needed to find the first
// IP header (Ethernet, VLAN tags, MPLS, Linux SLL/SLL2, BSD loopback, raw IP) and produces no
// records. Anything it cannot walk goes to shard 0, where the real decoders handle it.
#pragma once

#include <cstdint>

#include "core/packet/packet.h"

namespace netcap {

uint64_t routing_hash(const RawPacket& packet);

}  // namespace netcap
