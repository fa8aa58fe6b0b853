// nmap's service fingerprints (Debian nmap-common: nmap-service-probes): the `match` and
// `softmatch` lines of selected probes, compiled with PCRE2, matched against what a server sent,
// with nmap's version-info templates (p/ v/ i/ h/ o/ d/ cpe:) filled from the captures ($1,
// $P(1), $SUBST(1,"a","b"), $I(1,">")). Format: https://nmap.org/book/vscan-fileformat.html
//
// Loaded once; read-only afterwards, so it may be shared by threads (each caller brings its own
// MatchScratch).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"
#include "forensics/profiles/regex.h"

namespace netcap::profiles {

inline constexpr std::string_view kDefaultNmapProbesFile = "/usr/share/nmap/nmap-service-probes";

// What a match line says about the service.
struct ServiceMatch {
  std::string service;  // nmap's service name ("ssh", "http", "ftp")
  std::string product, version, info, hostname, os, device_type;
  std::vector<std::string> cpes;
  bool soft = false;  // a softmatch line: service known, no version info
  int line = 0;       // line of nmap-service-probes that matched
};

class NmapServiceProbes {
 public:
  // The probes whose match lines are kept: NULL (what a server says first: SSH, FTP, SMTP,
  // POP3, IMAP greetings) and GetRequest (HTTP responses). Others need the probe sent, which a
  // passive tool never sees.
  static std::set<std::string> default_probes() { return {"NULL", "GetRequest"}; }

  // Lines whose pattern PCRE2 refuses are skipped and counted (skipped_lines()); a missing
  // file or one without match lines is an error.
  static Expected<NmapServiceProbes> load(
      const std::string& path = std::string(kDefaultNmapProbesFile),
      const std::set<std::string>& probes = default_probes());

  // The first `match` of `probe`'s lines (file order) on `response`; failing that the first
  // `softmatch`. nullopt when nothing matched or the probe was not loaded.
  std::optional<ServiceMatch> match(std::string_view probe, std::string_view response,
                                    MatchScratch& scratch) const;

  size_t size() const { return lines_.size(); }
  size_t skipped_lines() const { return skipped_; }

 private:
  struct Line {
    std::string probe;
    std::string service;
    Regex regex;
    bool soft = false;
    int line = 0;
    // Templates: p v i h o d, then cpe: entries.
    std::string templates[6];
    std::vector<std::string> cpes;
  };
  std::vector<Line> lines_;
  size_t skipped_ = 0;
};

// Fills one nmap version-info template from the captures (exposed for tests).
std::string fill_nmap_template(std::string_view templ, const Captures& captures);

}  // namespace netcap::profiles
