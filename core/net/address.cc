#include "core/net/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
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

bool IpAddress::from_sockaddr(const void* sa, IpAddress& out, uint16_t* port) {
  sa_family_t family;
  std::memcpy(&family, static_cast<const char*>(sa) + offsetof(sockaddr, sa_family), sizeof family);
  if (family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, sa, sizeof in);
    out = v4({reinterpret_cast<const uint8_t*>(&in.sin_addr), 4});
    if (port != nullptr) *port = ntohs(in.sin_port);
    return true;
  }
  if (family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, sa, sizeof in6);
    out = v6({reinterpret_cast<const uint8_t*>(&in6.sin6_addr), 16});
    if (port != nullptr) *port = ntohs(in6.sin6_port);
    return true;
  }
  return false;
}

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Decimal 0-255 without a leading zero.
char* put_octet(char* out, unsigned v) {
  if (v >= 100) *out++ = static_cast<char>('0' + v / 100);
  if (v >= 10) *out++ = static_cast<char>('0' + v / 10 % 10);
  *out++ = static_cast<char>('0' + v % 10);
  return out;
}

char* put_dotted_quad(char* out, const uint8_t* b) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) *out++ = '.';
    out = put_octet(out, b[i]);
  }
  return out;
}

// Lower-case hex without leading zeros ("0" for zero).
char* put_hex16(char* out, unsigned v) {
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned digit = (v >> shift) & 15;
    if (digit != 0 || started || shift == 0) {
      *out++ = kHexDigits[digit];
      started = true;
    }
  }
  return out;
}

}  // namespace

// Formatted here rather than with inet_ntop: glibc's inet_ntop formats through sprintf, and
// addresses are turned into text for every record, which made it a visible cost of a capture.
// The output is byte-for-byte what glibc's inet_ntop gives (tested against it): dotted quad for
// IPv4; for IPv6 RFC 5952 (lower case, no leading zeros, the longest run of two or more zero
// groups as "::", the first of equal runs) with glibc's dotted tail for IPv4-compatible and
// IPv4-mapped addresses ("::1.2.3.4", "::ffff:1.2.3.4").
std::string IpAddress::to_string() const {
  char buf[48];
  char* out = buf;
  if (is_v4()) {
    out = put_dotted_quad(out, bytes_.data());
  } else if (is_v6()) {
    unsigned words[8];
    for (int i = 0; i < 8; ++i) words[i] = (unsigned{bytes_[2 * i]} << 8) | bytes_[2 * i + 1];
    int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
    for (int i = 0; i < 8; ++i) {
      if (words[i] == 0) {
        if (cur_base == -1) cur_base = i, cur_len = 0;
        ++cur_len;
        if (cur_len > best_len) best_base = cur_base, best_len = cur_len;
      } else {
        cur_base = -1;
      }
    }
    if (best_len < 2) best_base = -1;
    for (int i = 0; i < 8; ++i) {
      if (best_base != -1 && i >= best_base && i < best_base + best_len) {
        if (i == best_base) *out++ = ':';
        continue;
      }
      if (i != 0) *out++ = ':';
      if (i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
        out = put_dotted_quad(out, bytes_.data() + 12);
        break;
      }
      out = put_hex16(out, words[i]);
    }
    if (best_base != -1 && best_base + best_len == 8) *out++ = ':';
  }
  return std::string(buf, out);
}

MacAddress MacAddress::from(std::span<const uint8_t> six) {
  MacAddress m;
  std::memcpy(m.bytes.data(), six.data(), six.size() < 6 ? six.size() : 6);
  return m;
}

std::string MacAddress::to_string() const {
  std::string out(17, ':');
  for (int i = 0; i < 6; ++i) {
    out[3 * i] = kHexDigits[bytes[i] >> 4];
    out[3 * i + 1] = kHexDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace netcap
