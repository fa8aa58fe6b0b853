// The Public Suffix List (Debian publicsuffix): the registered domain of a name ("www.bbc.co.uk"
// -> "bbc.co.uk"), with wildcard ("*.ck") and exception ("!www.ck") rules and the implicit "*"
// rule (https://publicsuffix.org/list/ "Algorithm").
//
// Loaded once; read-only afterwards, so it may be shared by threads. Names are compared in
// lower case as given: internationalised names must be in the same form as the list (the list
// holds U-labels; DNS carries A-labels "xn--..."), so an A-label under an IDN suffix falls back
// to the "*" rule.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/util/status.h"

namespace netcap::profiles {

inline constexpr std::string_view kDefaultPublicSuffixFile =
    "/usr/share/publicsuffix/public_suffix_list.dat";

class PublicSuffixList {
 public:
  static Expected<PublicSuffixList> load(
      const std::string& path = std::string(kDefaultPublicSuffixFile));
  // From the text of a list (tests).
  static PublicSuffixList parse(std::string_view text);

  // The public suffix of `name` ("co.uk" for "www.bbc.co.uk"); "" for an empty name.
  std::string public_suffix(std::string_view name) const;
  // The public suffix plus one label; "" when the name is itself a public suffix, empty, or not
  // a host name (an IP address literal, a label that is empty).
  std::string registered_domain(std::string_view name) const;
  size_t size() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  // Index of the first label of the public suffix in `labels`.
  size_t suffix_start(const std::vector<std::string_view>& labels) const;
  std::unordered_set<std::string> rules_;       // "co.uk"
  std::unordered_set<std::string> wildcards_;   // "ck" for "*.ck"
  std::unordered_set<std::string> exceptions_;  // "www.ck" for "!www.ck"
};

}  // namespace netcap::profiles
