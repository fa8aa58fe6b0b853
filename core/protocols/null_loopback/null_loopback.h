// BSD loopback link headers: LINKTYPE_NULL (0), a 4-byte AF_ value in the *capturing host's*
// byte order, and LINKTYPE_LOOP (108), the same value in network byte order
// (https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html). AF_INET is 2 everywhere; AF_INET6 is
// 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). A header whose AF value is
// unknown but whose last two bytes are the EtherType 0x0800/0x86DD is accepted (seen in real
// captures; Wireshark does the same).
#pragma once

#include <cstdint>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct LoopbackHeader {
  uint32_t family = 0;
  bool big_endian = false;
  Bytes payload;
};

// Pure parse. `network_order` is true for LINKTYPE_LOOP; for LINKTYPE_NULL the byte order is
// detected (AF values are < 65536, so a value with two zero leading bytes is big-endian).
bool parse_loopback(Bytes bytes, bool network_order, LoopbackHeader& out);

// The EtherType that corresponds to an AF_ value (0x0800 / 0x86DD), 0 if none.
uint32_t loopback_family_ethertype(uint32_t family);

Status register_null_loopback(LayerRegistry& registry);

}  // namespace netcap
