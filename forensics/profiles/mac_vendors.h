// IEEE's MAC address registry (Debian ieee-data): organisation of a MAC by longest prefix over
// MA-S (36 bits), MA-M (28 bits) and MA-L (24 bits, the OUI).
//
// Loaded once; read-only afterwards, so it may be shared by threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/util/status.h"

namespace netcap::profiles {

inline constexpr std::string_view kDefaultIeeeDataDir = "/usr/share/ieee-data";

class MacVendors {
 public:
  // Reads <dir>/oui.csv (required: an error names it when missing or empty) and, when present,
  // <dir>/mam.csv and <dir>/oui36.csv. CSV rows: Registry,Assignment,Organization Name,Address.
  static Expected<MacVendors> load(const std::string& dir = std::string(kDefaultIeeeDataDir));

  // Organisation for "aa:bb:cc:dd:ee:ff" (also '-' separators, any case); "" when unknown or
  // the text is not a MAC address.
  std::string_view lookup(std::string_view mac) const;
  size_t size() const { return ma_l_.size() + ma_m_.size() + ma_s_.size(); }

  // Parses "aa:bb:cc:dd:ee:ff" into 48 bits; false when it is not a MAC address.
  static bool parse_mac(std::string_view text, uint64_t* out);

 private:
  std::unordered_map<uint64_t, std::string> ma_l_, ma_m_, ma_s_;  // keyed by the prefix bits
};

}  // namespace netcap::profiles
