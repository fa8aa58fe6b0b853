// IpAddress and MacAddress text forms: our formatter must give exactly what glibc's inet_ntop
// gives (the form every record and golden file has used), for edge cases and random addresses.
#include "core/net/address.h"

#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>

using netcap::IpAddress;
using netcap::MacAddress;

namespace {

std::string ntop(int family, const uint8_t* bytes) {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(family, bytes, buf, sizeof buf);
  return buf;
}

void check_v6(const std::array<uint8_t, 16>& b) {
  const IpAddress a = IpAddress::v6(b);
  CAPTURE(ntop(AF_INET6, b.data()));
  CHECK(a.to_string() == ntop(AF_INET6, b.data()));
}

}  // namespace

TEST_CASE("IPv4 text form equals inet_ntop") {
  CHECK(IpAddress::v4(std::array<uint8_t, 4>{0, 0, 0, 0}).to_string() == "0.0.0.0");
  CHECK(IpAddress::v4(std::array<uint8_t, 4>{255, 255, 255, 255}).to_string() == "255.255.255.255");
  CHECK(IpAddress::v4(std::array<uint8_t, 4>{10, 0, 100, 9}).to_string() == "10.0.100.9");
  std::mt19937 rng(1);
  for (int i = 0; i < 10000; ++i) {
    std::array<uint8_t, 4> b;
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    CHECK(IpAddress::v4(b).to_string() == ntop(AF_INET, b.data()));
  }
  CHECK(IpAddress().to_string().empty());
}

TEST_CASE("IPv6 text form equals inet_ntop (RFC 5952, glibc's dotted tails)") {
  const char* cases[] = {"::",
                         "::1",
                         "1::",
                         "::ffff:1.2.3.4",
                         "::1.2.3.4",
                         "::fffe:1.2.3.4",
                         "0:0:0:0:0:1:0:0",
                         "1:0:0:1:0:0:1:1",
                         "1:0:0:0:1:0:0:0",
                         "2001:db8::1",
                         "2001:db8:0:1:1:1:1:1",
                         "fe80::1:2:3:4",
                         "ff02::fb",
                         "64:ff9b::102:304",
                         "1:2:3:4:5:6:7:8",
                         "0:1:0:1:0:1:0:1"};
  for (const char* text : cases) {
    std::array<uint8_t, 16> b{};
    REQUIRE(inet_pton(AF_INET6, text, b.data()) == 1);
    check_v6(b);
  }
  // Random addresses, with many zero groups so that every run shape occurs.
  std::mt19937 rng(2);
  for (int i = 0; i < 20000; ++i) {
    std::array<uint8_t, 16> b{};
    for (int w = 0; w < 8; ++w) {
      const unsigned kind = rng() % 4;
      const unsigned v = kind == 0 ? rng() & 0xffff : kind == 1 ? rng() & 0xff : 0;
      b[2 * w] = static_cast<uint8_t>(v >> 8);
      b[2 * w + 1] = static_cast<uint8_t>(v);
    }
    check_v6(b);
  }
}

TEST_CASE("MAC text form: lower-case, colon-separated") {
  CHECK(MacAddress::from(std::array<uint8_t, 6>{0x00, 0x1b, 0x21, 0xab, 0xcd, 0xef}).to_string() ==
        "00:1b:21:ab:cd:ef");
  CHECK(MacAddress{}.to_string() == "00:00:00:00:00:00");
}
