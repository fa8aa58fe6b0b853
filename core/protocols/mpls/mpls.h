// MPLS label stack (RFC 3032 section 2.1), EtherTypes 0x8847 (unicast) and 0x8848 (multicast).
// Entries are read until the bottom-of-stack bit (at most kMaxMplsLabels). MPLS does not say
// what it carries, so the payload is guessed from its first nibble (4 IPv4, 6 IPv6, as
// Wireshark and Zeek do); anything else is counted as unknown (pseudo EtherType 0).
#pragma once

#include <cstdint>
#include <vector>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

inline constexpr size_t kMaxMplsLabels = 16;

struct MplsEntry {
  uint32_t label = 0;
  uint8_t traffic_class = 0;
  bool bottom = false;
  uint8_t ttl = 0;
};

struct MplsStack {
  std::vector<MplsEntry> entries;
  Bytes payload;
  bool truncated = false;        // ran out of bytes before the bottom of the stack
  bool too_many_labels = false;  // more than kMaxMplsLabels entries
};

// Pure parse; always fills what it could read.
void parse_mpls(Bytes bytes, MplsStack& out);

Status register_mpls(LayerRegistry& registry);

}  // namespace netcap
