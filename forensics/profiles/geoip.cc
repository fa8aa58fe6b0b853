#include "forensics/profiles/geoip.h"

namespace netcap::profiles {

namespace {

std::string string_at(MMDB_lookup_result_s& result, const char* const* path) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(&result.entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return "";
  }
  return std::string(data.utf8_string, data.data_size);
}

}  // namespace

std::vector<std::string> GeoIp::split_paths(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (comma > start) out.emplace_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Expected<GeoIp> GeoIp::open(const std::vector<std::string>& paths) {
  GeoIp geo;
  for (const std::string& path : paths) {
    auto* db = new MMDB_s{};
    int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db);
    if (rc != MMDB_SUCCESS) {
      delete db;
      return Status::error("MaxMind database " + path + ": " + MMDB_strerror(rc));
    }
    geo.dbs_.push_back(std::shared_ptr<MMDB_s>(db, Close{}));
  }
  return geo;
}

GeoInfo GeoIp::lookup(const std::string& ip) const {
  GeoInfo info;
  static const char* const kCountry[] = {"country", "iso_code", nullptr};
  static const char* const kCity[] = {"city", "names", "en", nullptr};
  static const char* const kAsOrg[] = {"autonomous_system_organization", nullptr};
  static const char* const kAsn[] = {"autonomous_system_number", nullptr};
  for (const auto& db : dbs_) {
    int gai_error = 0, mmdb_error = 0;
    MMDB_lookup_result_s result = MMDB_lookup_string(db.get(), ip.c_str(), &gai_error, &mmdb_error);
    if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !result.found_entry) continue;
    if (info.country.empty()) info.country = string_at(result, kCountry);
    if (info.city.empty()) info.city = string_at(result, kCity);
    if (info.as_organization.empty()) info.as_organization = string_at(result, kAsOrg);
    if (info.asn == 0) {
      MMDB_entry_data_s data;
      if (MMDB_aget_value(&result.entry, &data, kAsn) == MMDB_SUCCESS && data.has_data &&
          data.type == MMDB_DATA_TYPE_UINT32) {
        info.asn = data.uint32;
      }
    }
  }
  return info;
}

}  // namespace netcap::profiles
