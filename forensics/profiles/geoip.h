// Optional enrichment from MaxMind-format databases (GeoLite2/GeoIP2 City, Country, ASN, or
// compatible DB-IP files) through libmaxminddb: country, city and autonomous system of an
// address. Nothing is bundled: the user points at files (--geoip, NETCAP_GEOIP).
//
// Opened once; lookups only read the memory-mapped files, but MMDB_s is not documented as
// thread-safe for lookups, so one GeoIp is used by one thread.
#pragma once

#include <maxminddb.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace netcap::profiles {

struct GeoInfo {
  std::string country;  // ISO 3166-1 alpha-2 ("DE")
  std::string city;     // English name
  uint32_t asn = 0;
  std::string as_organization;
};

class GeoIp {
 public:
  // `paths`: database files, each of any MaxMind type (the fields a database has are used). An
  // empty list gives an empty GeoIp (no fields, no error); a file that cannot be opened is an
  // error naming it.
  static Expected<GeoIp> open(const std::vector<std::string>& paths);
  // Paths from a comma-separated list ("" -> none).
  static std::vector<std::string> split_paths(std::string_view list);

  bool empty() const { return dbs_.empty(); }
  // Fields found in any database for `ip` (text form); empty fields when none.
  GeoInfo lookup(const std::string& ip) const;

 private:
  struct Close {
    void operator()(MMDB_s* db) const {
      MMDB_close(db);
      delete db;
    }
  };
  std::vector<std::shared_ptr<MMDB_s>> dbs_;
};

}  // namespace netcap::profiles
