// Geneve (RFC 8926 section 3), UDP port 6081: 8-byte header, option TLVs (at most 252 bytes:
// the 6-bit options length in 4-byte units), then a payload of the given protocol type, which
// is dispatched in the EtherType space (0x6558 Ethernet, 0x0800, 0x86DD). Only version 0 is
// defined; other versions are an anomaly and not dispatched.
#pragma once

#include <cstdint>
#include <vector>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

struct GeneveOptionTlv {
  uint16_t option_class = 0;
  uint8_t type = 0;
  uint8_t flags = 0;  // 3 reserved bits
  Bytes data;
};

struct GeneveHeader {
  uint8_t version = 0;
  uint8_t options_length = 0;  // bytes
  bool oam = false, critical = false;
  uint16_t protocol = 0;
  uint32_t vni = 0;
  std::vector<GeneveOptionTlv> options;
  bool bad_option = false;  // an option runs past the options length
  Bytes payload;
};

enum class GeneveParseResult { kOk, kTruncated };

// Pure parse.
GeneveParseResult parse_geneve(Bytes bytes, GeneveHeader& out);

Status register_geneve(LayerRegistry& registry);

}  // namespace netcap
