// IpAddress and MacAddress: small value types with canonical text forms
// (dotted quad; RFC 5952 IPv6; lower-case colon-separated MAC).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>

namespace netcap {

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress v4(std::span<const uint8_t> four);
  static IpAddress v6(std::span<const uint8_t> sixteen);
  // Parses "1.2.3.4" or an IPv6 text form; returns false on bad input.
  static bool parse(const std::string& text, IpAddress& out);
  // The address and port of a sockaddr_in or sockaddr_in6 (`sa` points to one, as getpeername
  // and accept fill it); false for other families.
  static bool from_sockaddr(const void* sa, IpAddress& out, uint16_t* port = nullptr);

  bool valid() const { return family_ != 0; }
  bool is_v4() const { return family_ == 4; }
  bool is_v6() const { return family_ == 6; }
  int family() const { return family_; }
  // Network-order bytes: 4 for IPv4, 16 for IPv6.
  std::span<const uint8_t> bytes() const { return {bytes_.data(), is_v4() ? 4u : 16u}; }
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;
  bool operator==(const IpAddress&) const = default;

 private:
  uint8_t family_ = 0;
  std::array<uint8_t, 16> bytes_{};
};

struct MacAddress {
  std::array<uint8_t, 6> bytes{};
  static MacAddress from(std::span<const uint8_t> six);
  std::string to_string() const;
  auto operator<=>(const MacAddress&) const = default;
  bool operator==(const MacAddress&) const = default;
};

}  // namespace netcap
