// GeoIp over a MaxMind DB file written here byte by byte (format: MaxMind DB File Format
// Specification 2.0): an IPv4 tree with one /8 network carrying country, city and AS fields.
// Debian ships no .mmdb file, and the enrichment must be tested through the real libmaxminddb.
#include "forensics/profiles/geoip.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "forensics/profiles/profile_builder.h"
#include "proto/connection.pb.h"

using namespace netcap::profiles;

namespace {

// Data section encoders (spec "Output Data Section"): control byte = type << 5 | size.
std::string control(int type, size_t size) {
  // Sizes of 29 and more take an extra byte (29 + n); the test never needs more than 284.
  const int size_bits = size < 29 ? static_cast<int>(size) : 29;
  std::string out;
  if (type <= 7) {
    out.push_back(static_cast<char>((type << 5) | size_bits));
  } else {  // extended type: type 0 in the control byte, type - 7 in the next
    out.push_back(static_cast<char>(size_bits));
    out.push_back(static_cast<char>(type - 7));
  }
  if (size >= 29) out.push_back(static_cast<char>(size - 29));
  return out;
}
std::string str(const std::string& s) { return control(2, s.size()) + s; }
std::string uint(int type, uint64_t v, size_t bytes) {
  std::string out = control(type, bytes);
  for (size_t i = bytes; i > 0; --i) out.push_back(static_cast<char>((v >> (8 * (i - 1))) & 0xff));
  return out;
}
std::string map(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out = control(7, entries.size());
  for (const auto& [k, v] : entries) out += str(k) + v;
  return out;
}

// A database where 10.0.0.0/8 has the record and nothing else does.
std::string tiny_database() {
  const uint32_t kNodes = 8;  // one node per bit of the /8 prefix
  const std::string data = map({{"country", map({{"iso_code", str("DE")}})},
                                {"city", map({{"names", map({{"en", str("Berlin")}})}})},
                                {"autonomous_system_number", uint(6, 3320, 2)},
                                {"autonomous_system_organization", str("Deutsche Telekom AG")}});
  std::string tree;
  const uint8_t prefix = 10;  // 00001010
  for (uint32_t node = 0; node < kNodes; ++node) {
    int bit = (prefix >> (7 - node)) & 1;
    // Following the bit: the next node, or at the last bit the data (node_count + 16 + offset).
    uint32_t follow = node + 1 < kNodes ? node + 1 : kNodes + 16 + 0;
    uint32_t records[2];
    records[bit] = follow;
    records[1 - bit] = kNodes;  // "no data"
    for (uint32_t r : records) {
      tree.push_back(static_cast<char>((r >> 16) & 0xff));
      tree.push_back(static_cast<char>((r >> 8) & 0xff));
      tree.push_back(static_cast<char>(r & 0xff));
    }
  }
  std::string metadata = map({{"node_count", uint(6, kNodes, 4)},
                              {"record_size", uint(5, 24, 2)},
                              {"ip_version", uint(5, 4, 2)},
                              {"database_type", str("netcap-test")},
                              {"languages", control(11, 1) + str("en")},
                              {"binary_format_major_version", uint(5, 2, 2)},
                              {"binary_format_minor_version", uint(5, 0, 2)},
                              {"build_epoch", uint(9, 1700000000, 8)},
                              {"description", map({{"en", str("netcap test database")}})}});
  return tree + std::string(16, '\0') + data + "\xAB\xCD\xEFMaxMind.com" + metadata;
}

}  // namespace

TEST_CASE("GeoIP: country, city and AS from a MaxMind DB through libmaxminddb") {
  namespace fs = std::filesystem;
  fs::path path = fs::temp_directory_path() / "netcap-geoip-test.mmdb";
  {
    std::ofstream out(path, std::ios::binary);
    out << tiny_database();
  }
  auto geo = GeoIp::open({path.string()});
  REQUIRE(geo);
  CHECK_FALSE(geo->empty());
  GeoInfo hit = geo->lookup("10.1.2.3");
  CHECK(hit.country == "DE");
  CHECK(hit.city == "Berlin");
  CHECK(hit.asn == 3320);
  CHECK(hit.as_organization == "Deutsche Telekom AG");
  GeoInfo miss = geo->lookup("192.168.1.1");
  CHECK(miss.country.empty());
  CHECK(miss.asn == 0);
  CHECK(geo->lookup("not an address").country.empty());
  CHECK(geo->lookup("2001:db8::1").country.empty());  // IPv6 in an IPv4 database: no fields

  // The builder puts the fields on host profiles.
  FieldData data;
  data.geoip = std::move(geo.value());
  netcap::profiles::ProfileBuilder builder(&data);
  netcap::Connection c;
  c.set_transportproto("tcp");
  c.set_srcip("192.168.1.1");
  c.set_dstip("10.1.2.3");
  c.set_dstport(443);
  builder.observe(c);
  int checked = 0;
  for (const auto& record : builder.snapshot()) {
    const auto* host = dynamic_cast<const netcap::HostProfile*>(record.get());
    if (host == nullptr) continue;
    ++checked;
    if (host->ip() == "10.1.2.3") {
      CHECK(host->country() == "DE");
      CHECK(host->city() == "Berlin");
      CHECK(host->asn() == 3320);
    } else {
      CHECK(host->country().empty());
    }
  }
  CHECK(checked == 2);
  fs::remove(path);
}
