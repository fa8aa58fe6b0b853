#include "core/engine/shard_key.h"

#include "core/util/byte_cursor.h"

namespace netcap {

namespace {

uint64_t hash_bytes(Bytes b, uint64_t h) {
  for (uint8_t x : b) h = (h ^ x) * 0x100000001b3ULL;
  return h;
}

// Symmetric: hash(a, b) == hash(b, a).
uint64_t symmetric_hash(Bytes a, Bytes b) {
  uint64_t ha = hash_bytes(a, 0xcbf29ce484222325ULL);
  uint64_t hb = hash_bytes(b, 0xcbf29ce484222325ULL);
  uint64_t x = ha ^ hb;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  // Never 0 (0 means "not routable"). Only that one value is remapped: forcing a bit (x | 1)
  // would make every hash odd, so `hash % 2` would send all traffic to one of two shards.
  return x != 0 ? x : 1;
}

uint64_t hash_ip(Bytes ip) {
  ByteCursor c(ip);
  uint8_t version = c.peek_u8() >> 4;
  if (version == 4 && ip.size() >= 20) return symmetric_hash(ip.subspan(12, 4), ip.subspan(16, 4));
  if (version == 6 && ip.size() >= 40) return symmetric_hash(ip.subspan(8, 16), ip.subspan(24, 16));
  return 0;
}

uint64_t hash_ethertype(uint16_t type, Bytes rest, int depth);

uint64_t hash_mpls(Bytes rest, int depth) {
  ByteCursor c(rest);
  for (int i = 0; i < 8 && c.ok(); ++i) {
    uint32_t entry = c.u32be();
    if (!c.ok()) return 0;
    if (entry & 0x100) {  // bottom of stack
      uint8_t nibble = c.peek_u8() >> 4;
      if (nibble == 4) return hash_ethertype(0x0800, c.rest(), depth + 1);
      if (nibble == 6) return hash_ethertype(0x86DD, c.rest(), depth + 1);
      return 0;
    }
  }
  return 0;
}

uint64_t hash_ethertype(uint16_t type, Bytes rest, int depth) {
  if (depth > 8) return 0;
  switch (type) {
    case 0x0800:
    case 0x86DD: return hash_ip(rest);
    case 0x8100:
    case 0x88a8:
    case 0x9100: {
      if (rest.size() < 4) return 0;
      uint16_t inner = static_cast<uint16_t>((rest[2] << 8) | rest[3]);
      return hash_ethertype(inner, rest.subspan(4), depth + 1);
    }
    case 0x8847:
    case 0x8848: return hash_mpls(rest, depth);
    default: return 0;
  }
}

}  // namespace

uint64_t routing_hash(const RawPacket& packet) {
  Bytes b = packet.bytes();
  switch (packet.linktype) {
    case linktype::kEthernet: {
      if (b.size() < 14) return 0;
      uint16_t type = static_cast<uint16_t>((b[12] << 8) | b[13]);
      uint64_t h = hash_ethertype(type, b.subspan(14), 0);
      return h ? h : symmetric_hash(b.subspan(0, 6), b.subspan(6, 6));
    }
    case linktype::kLinuxSll:
      if (b.size() < 16) return 0;
      return hash_ethertype(static_cast<uint16_t>((b[14] << 8) | b[15]), b.subspan(16), 0);
    case linktype::kLinuxSll2:
      if (b.size() < 20) return 0;
      return hash_ethertype(static_cast<uint16_t>((b[0] << 8) | b[1]), b.subspan(20), 0);
    case linktype::kNull:
    case linktype::kLoop:
      if (b.size() < 4) return 0;
      return hash_ip(b.subspan(4));
    case linktype::kRaw:
    case linktype::kRawBsd12:
    case linktype::kRawBsd14:
    case linktype::kIpv4:
    case linktype::kIpv6: return hash_ip(b);
    default: return 0;
  }
}

}  // namespace netcap
