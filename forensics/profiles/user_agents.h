// uap-core's user agent regexes (Debian uap-core: regexes.yaml): the browser/client family and
// version, the operating system and the device of an HTTP User-Agent, with uap-core's
// replacement templates ($1..$9). Spec: https://github.com/ua-parser/uap-core/blob/master/docs/
// specification.md
//
// Loaded once; read-only afterwards, so it may be shared by threads (each caller brings its own
// MatchScratch).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"
#include "forensics/profiles/regex.h"

namespace netcap::profiles {

inline constexpr std::string_view kDefaultUapRegexesFile = "/usr/share/uap-core/regexes.yaml";

struct UserAgentInfo {
  std::string family = "Other";  // "Firefox"; "Other" when no parser matched
  std::string major, minor, patch;
  std::string os = "Other";  // "Windows", "Ubuntu"
  std::string os_major, os_minor, os_patch;
  std::string device = "Other";  // device family ("iPhone", "Spider")
  std::string brand, model;

  // "115.0.1": the non-empty version parts joined with dots.
  std::string version() const;
  std::string os_version() const;
};

class UserAgentParser {
 public:
  // Entries whose regex PCRE2 refuses are skipped and counted; a missing or malformed file is
  // an error.
  static Expected<UserAgentParser> load(
      const std::string& path = std::string(kDefaultUapRegexesFile));

  UserAgentInfo parse(std::string_view user_agent, MatchScratch& scratch) const;

  size_t size() const { return agents_.size() + oses_.size() + devices_.size(); }
  size_t skipped_entries() const { return skipped_; }

 private:
  struct Entry {
    Regex regex;
    // Replacement templates in the order of the parser kind's fields (empty: not given).
    std::vector<std::string> replacements;
    std::vector<bool> has_replacement;
  };
  std::vector<Entry> agents_, oses_, devices_;
  size_t skipped_ = 0;
};

}  // namespace netcap::profiles
