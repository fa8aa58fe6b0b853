// A compiled PCRE2 pattern (8-bit, JIT-compiled when asked and available) and the captures of one
// match. Used by the field data loaders (nmap service probes, uap-core user agents).
//
// Thread-safety: a Regex is immutable after compile() and may be shared by threads; each match
// creates its own match data.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace netcap::profiles {

// Capture groups reported per match (nmap and uap-core use at most 9 in templates).
inline constexpr uint32_t kMaxGroups = 20;

// Captures of one match: [0] is the whole match, [i] group i ("" when the group did not take
// part). Views into the subject: valid while the subject lives.
using Captures = std::vector<std::string_view>;

// Match data and limits for searches, reused across patterns (creating them per search would
// dominate the cost of trying thousands of patterns). One per thread.
class MatchScratch {
 public:
  MatchScratch();
  pcre2_match_data* data() const { return data_.get(); }
  pcre2_match_context* context() const { return context_.get(); }

 private:
  struct DataFree {
    void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
  };
  struct ContextFree {
    void operator()(pcre2_match_context* c) const { pcre2_match_context_free(c); }
  };
  std::unique_ptr<pcre2_match_data, DataFree> data_;
  std::unique_ptr<pcre2_match_context, ContextFree> context_;
};

class Regex {
 public:
  // `options`: PCRE2_CASELESS, PCRE2_DOTALL, ... An error names PCRE2's message and offset.
  // `jit`: also JIT-compile. Pays off for unanchored patterns tried on every input (uap-core);
  // for nmap's anchored patterns the interpreter rejects a non-matching banner faster than the
  // JIT code and the JIT compile of ~9000 patterns costs ~0.4 s at start (measured, Debian 12
  // PCRE2 10.42).
  static Expected<Regex> compile(std::string_view pattern, uint32_t options, bool jit = true);

  // Searches anywhere in `subject` (anchor with ^ in the pattern). Bounded by PCRE2's match
  // limit (kMatchLimit) so a pathological pattern cannot hang the writer thread.
  // Captures past kMaxGroups are not reported.
  std::optional<Captures> search(std::string_view subject, MatchScratch& scratch) const;

 private:
  struct CodeFree {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
  };
  std::shared_ptr<pcre2_code> code_;
};

// Replaces $1..$9 in `templ` with the captures (missing groups: ""). Used by uap-core's
// *_replacement fields.
std::string substitute_groups(std::string_view templ, const Captures& captures);

}  // namespace netcap::profiles
