#include "forensics/profiles/mac_vendors.h"

#include <fstream>
#include <vector>

namespace netcap::profiles {

namespace {

// One CSV line into fields (RFC 4180 quotes; ieee-data quotes organisation and address fields
// that contain commas).
std::vector<std::string> split_csv(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back().push_back(c);
    }
  }
  return fields;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Reads one registry file into `table`: assignments of `digits` hex digits.
Status read_registry(const std::string& path, size_t digits,
                     std::unordered_map<uint64_t, std::string>* table) {
  std::ifstream in(path);
  if (!in) return Status::error("cannot open " + path);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {  // "Registry,Assignment,Organization Name,Organization Address"
      header = false;
      continue;
    }
    std::vector<std::string> fields = split_csv(line);
    if (fields.size() < 3 || fields[1].size() != digits) continue;
    uint64_t prefix = 0;
    bool ok = true;
    for (char c : fields[1]) {
      int v = hex_value(c);
      if (v < 0) ok = false;
      prefix = (prefix << 4) | static_cast<uint64_t>(v < 0 ? 0 : v);
    }
    if (ok) table->emplace(prefix, trim(fields[2]));
  }
  return Status::ok();
}

}  // namespace

bool MacVendors::parse_mac(std::string_view text, uint64_t* out) {
  uint64_t value = 0;
  int digits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ':' || c == '-' || c == '.') continue;
    int v = hex_value(c);
    if (v < 0 || ++digits > 12) return false;
    value = (value << 4) | static_cast<uint64_t>(v);
  }
  if (digits != 12) return false;
  *out = value;
  return true;
}

Expected<MacVendors> MacVendors::load(const std::string& dir) {
  MacVendors vendors;
  if (Status s = read_registry(dir + "/oui.csv", 6, &vendors.ma_l_); !s) {
    return std::move(s).with_context("MAC vendor registry (Debian ieee-data)");
  }
  if (vendors.ma_l_.empty()) {
    return Status::error("MAC vendor registry: no MA-L assignments in " + dir + "/oui.csv");
  }
  // MA-M and MA-S refine the OUI for some prefixes; without them lookups fall back to MA-L.
  (void)read_registry(dir + "/mam.csv", 7, &vendors.ma_m_);
  (void)read_registry(dir + "/oui36.csv", 9, &vendors.ma_s_);
  return vendors;
}

std::string_view MacVendors::lookup(std::string_view mac) const {
  uint64_t value = 0;
  if (!parse_mac(mac, &value)) return {};
  if (auto it = ma_s_.find(value >> 12); it != ma_s_.end()) return it->second;
  if (auto it = ma_m_.find(value >> 20); it != ma_m_.end()) return it->second;
  if (auto it = ma_l_.find(value >> 24); it != ma_l_.end()) return it->second;
  return {};
}

}  // namespace netcap::profiles
