// The field data the profiles use, loaded once per capture and shared read-only: IEEE MAC
// vendors, nmap service probes, uap-core user agents, the Public Suffix List, p0f's TCP
// signatures, and optional MaxMind databases. A file that is missing turns its feature off
// (recorded in `status`, which goes into the case meta table); it is never fatal.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "forensics/profiles/geoip.h"
#include "forensics/profiles/mac_vendors.h"
#include "forensics/profiles/nmap_probes.h"
#include "forensics/profiles/p0f.h"
#include "forensics/profiles/public_suffix.h"
#include "forensics/profiles/user_agents.h"

namespace netcap::profiles {

struct FieldDataPaths {
  std::string ieee_data_dir = std::string(kDefaultIeeeDataDir);
  std::string nmap_probes = std::string(kDefaultNmapProbesFile);
  std::string uap_regexes = std::string(kDefaultUapRegexesFile);
  std::string public_suffix_list = std::string(kDefaultPublicSuffixFile);
  std::string p0f_signatures = std::string(kDefaultP0fFile);
  std::vector<std::string> geoip_databases;  // none: no enrichment, no error
};

struct FieldData {
  std::optional<MacVendors> mac_vendors;
  std::optional<NmapServiceProbes> nmap;
  std::optional<UserAgentParser> user_agents;
  std::optional<PublicSuffixList> public_suffixes;
  std::optional<P0fDatabase> p0f;
  std::optional<GeoIp> geoip;
  // One entry per feature, in a fixed order: ("profiles.mac_vendors", "loaded 38000 entries
  // from ..." or the error). Written to the case meta table.
  std::vector<std::pair<std::string, std::string>> status;

  static FieldData load(const FieldDataPaths& paths);
};

}  // namespace netcap::profiles
