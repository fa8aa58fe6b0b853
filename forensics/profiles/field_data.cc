#include "forensics/profiles/field_data.h"

namespace netcap::profiles {

FieldData FieldData::load(const FieldDataPaths& paths) {
  FieldData data;
  auto note = [&](const char* key, const Status& status, const std::string& ok_text) {
    data.status.emplace_back(key, status.is_ok() ? ok_text : "off: " + status.message());
  };
  if (auto v = MacVendors::load(paths.ieee_data_dir)) {
    note("profiles.mac_vendors", Status::ok(),
         "loaded " + std::to_string(v->size()) + " assignments from " + paths.ieee_data_dir);
    data.mac_vendors = std::move(v.value());
  } else {
    note("profiles.mac_vendors", v.status(), "");
  }
  if (auto v = NmapServiceProbes::load(paths.nmap_probes)) {
    note("profiles.nmap_service_probes", Status::ok(),
         "loaded " + std::to_string(v->size()) + " match lines (" +
             std::to_string(v->skipped_lines()) + " skipped) from " + paths.nmap_probes);
    data.nmap = std::move(v.value());
  } else {
    note("profiles.nmap_service_probes", v.status(), "");
  }
  if (auto v = UserAgentParser::load(paths.uap_regexes)) {
    note("profiles.user_agents", Status::ok(),
         "loaded " + std::to_string(v->size()) + " regexes (" +
             std::to_string(v->skipped_entries()) + " skipped) from " + paths.uap_regexes);
    data.user_agents = std::move(v.value());
  } else {
    note("profiles.user_agents", v.status(), "");
  }
  if (auto v = PublicSuffixList::load(paths.public_suffix_list)) {
    note("profiles.public_suffix_list", Status::ok(),
         "loaded " + std::to_string(v->size()) + " rules from " + paths.public_suffix_list);
    data.public_suffixes = std::move(v.value());
  } else {
    note("profiles.public_suffix_list", v.status(), "");
  }
  if (auto v = P0fDatabase::load(paths.p0f_signatures)) {
    note("profiles.p0f", Status::ok(),
         "loaded " + std::to_string(v->size()) + " TCP signatures (" +
             std::to_string(v->request_signatures()) + " SYN, " +
             std::to_string(v->response_signatures()) + " SYN+ACK; " +
             std::to_string(v->error_count()) + " lines skipped) from " + paths.p0f_signatures);
    data.p0f = std::move(v.value());
  } else {
    note("profiles.p0f", v.status(), "");
  }
  // GeoIP last: the capture command reports its status when the user asked for a database.
  if (paths.geoip_databases.empty()) {
    data.status.emplace_back("profiles.geoip", "off: no database given");
  } else if (auto v = GeoIp::open(paths.geoip_databases)) {
    note("profiles.geoip", Status::ok(),
         "opened " + std::to_string(paths.geoip_databases.size()) + " database(s)");
    data.geoip = std::move(v.value());
  } else {
    note("profiles.geoip", v.status(), "");
  }
  return data;
}

}  // namespace netcap::profiles
