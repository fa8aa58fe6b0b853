#include "core/flow/community_id.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace netcap {

namespace {
bool has_ports(uint8_t protocol) {
  return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 1 || protocol == 58;
}
}  // namespace

std::string community_id_v1(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                            uint16_t src_port, uint16_t dst_port, bool one_way, uint16_t seed) {
  const IpAddress* a = &src;
  const IpAddress* b = &dst;
  uint16_t pa = src_port, pb = dst_port;
  // Spec: order so the smaller (address, port) comes first, unless the flow is one-way.
  if (!one_way && (*b < *a || (*a == *b && pb < pa))) {
    std::swap(a, b);
    std::swap(pa, pb);
  }
  std::vector<uint8_t> buf;
  buf.reserve(40);
  buf.push_back(static_cast<uint8_t>(seed >> 8));
  buf.push_back(static_cast<uint8_t>(seed & 0xff));
  for (uint8_t x : a->bytes()) buf.push_back(x);
  for (uint8_t x : b->bytes()) buf.push_back(x);
  buf.push_back(protocol);
  buf.push_back(0);
  if (has_ports(protocol)) {
    buf.push_back(static_cast<uint8_t>(pa >> 8));
    buf.push_back(static_cast<uint8_t>(pa & 0xff));
    buf.push_back(static_cast<uint8_t>(pb >> 8));
    buf.push_back(static_cast<uint8_t>(pb & 0xff));
  }
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(buf.data(), buf.size(), digest);
  unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  return "1:" + std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

}  // namespace netcap
