// SCTP (RFC 9260), IP protocol 132: the 12-byte common header and the chunk list (type, flags,
// length; DATA chunks also TSN, stream id, stream sequence, payload protocol id), at most
// kMaxSctpChunks chunks. Adds a transport with the ports; its payload is the chunk bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/packet/layer_registry.h"
#include "core/util/byte_cursor.h"

namespace netcap {

inline constexpr size_t kMaxSctpChunks = 64;

struct SctpChunk {
  uint8_t type = 0, flags = 0;
  uint16_t length = 0;
  uint32_t tsn = 0;
  uint16_t stream_id = 0, stream_sequence = 0;
  uint32_t ppid = 0;
};

struct SctpPacket {
  uint16_t src_port = 0, dst_port = 0;
  uint32_t verification_tag = 0, checksum = 0;
  std::vector<SctpChunk> chunks;
  Bytes chunk_bytes;              // everything after the common header
  bool bad_chunk_length = false;  // length < 4, or past the end (not caused by the snap length)
  bool chunk_cut = false;         // the last chunk runs past the captured bytes
  bool too_many_chunks = false;
};

// Pure parse; false when fewer than 12 bytes.
bool parse_sctp(Bytes bytes, SctpPacket& out);

Status register_sctp(LayerRegistry& registry);

}  // namespace netcap
