// IGMP (IP protocol 2): v1 (RFC 1112), v2 (RFC 2236), v3 queries and reports (RFC 3376).
// The version is inferred as RFC 3376 section 7.1 says: a query of 8 bytes is v1 (max response
// 0) or v2, of 12 or more bytes v3; reports by type (0x12 v1, 0x16 v2, 0x22 v3), leave 0x17 v2.
// No transport is added (IGMP has no ports).
#pragma once

#include <cstdint>
#include <vector>

#include "core/net/address.h"
#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

inline constexpr size_t kMaxIgmpGroupRecords = 256;

struct IgmpGroupRecord {
  uint8_t type = 0;
  uint8_t aux_words = 0;
  uint16_t source_count = 0;
  IpAddress multicast;
  std::vector<IpAddress> sources;
};

struct IgmpMessage {
  uint8_t type = 0;
  uint8_t version = 0;
  uint8_t max_response_code = 0;
  uint64_t max_response_time = 0;  // tenths of a second
  uint16_t checksum = 0;
  IpAddress group;
  bool suppress_router_processing = false;
  uint8_t robustness = 0;
  uint64_t interval_seconds = 0;
  uint16_t source_count = 0;
  std::vector<IpAddress> sources;
  uint16_t group_record_count = 0;
  std::vector<IgmpGroupRecord> group_records;
  bool truncated = false;
  bool too_many_records = false;
};

// Pure parse; false when fewer than 8 bytes.
bool parse_igmp(Bytes bytes, IgmpMessage& out);

Status register_igmp(LayerRegistry& registry);

}  // namespace netcap
