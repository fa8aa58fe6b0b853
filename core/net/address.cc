#include "core/net/address.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace netcap {

IpAddress IpAddress::v4(std::span<const uint8_t> four) {
  IpAddress a;
  a.family_ = 4;
  std::memcpy(a.bytes_.data(), four.data(), four.size() < 4 ? four.size() : 4);
  return a;
}

IpAddress IpAddress::v6(std::span<const uint8_t> sixteen) {
  IpAddress a;
  a.family_ = 6;
  std::memcpy(a.bytes_.data(), sixteen.data(), sixteen.size() < 16 ? sixteen.size() : 16);
  return a;
}

bool IpAddress::parse(const std::string& text, IpAddress& out) {
  uint8_t buf[16];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) {
    out = v4({buf, 4});
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
    out = v6({buf, 16});
    return true;
  }
  return false;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes_.data(), buf, sizeof buf);
  } else if (is_v6()) {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);  // glibc follows RFC 5952
  }
  return buf;
}

MacAddress MacAddress::from(std::span<const uint8_t> six) {
  MacAddress m;
  std::memcpy(m.bytes.data(), six.data(), six.size() < 6 ? six.size() : 6);
  return m;
}

std::string MacAddress::to_string() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5]);
  return buf;
}

}  // namespace netcap
