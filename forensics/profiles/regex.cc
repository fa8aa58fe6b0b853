#include "forensics/profiles/regex.h"

namespace netcap::profiles {

namespace {
// Backtracking steps per match: far above what the nmap and uap-core patterns need on real
// banners, low enough that a crafted banner cannot stall the writer thread.
constexpr uint32_t kMatchLimit = 200'000;

}  // namespace

MatchScratch::MatchScratch()
    : data_(pcre2_match_data_create(kMaxGroups, nullptr)),
      context_(pcre2_match_context_create(nullptr)) {
  if (context_) pcre2_set_match_limit(context_.get(), kMatchLimit);
}

Expected<Regex> Regex::compile(std::string_view pattern, uint32_t options, bool jit) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   options, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    return Status::error("regex at offset " + std::to_string(offset) + ": " +
                         reinterpret_cast<const char*>(message));
  }
  // JIT is an optimisation: when it is unavailable the interpreter gives the same results.
  if (jit) (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  Regex regex;
  regex.code_ = std::shared_ptr<pcre2_code>(code, CodeFree{});
  return regex;
}

std::optional<Captures> Regex::search(std::string_view subject, MatchScratch& scratch) const {
  if (!code_ || scratch.data() == nullptr) return std::nullopt;
  int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                       0, scratch.data(), scratch.context());
  // rc == 0: matched, more groups than the ovector holds. Below 0: no match, the match limit,
  // or an error: all "no match".
  if (rc < 0) return std::nullopt;
  uint32_t pairs = rc == 0 ? pcre2_get_ovector_count(scratch.data()) : static_cast<uint32_t>(rc);
  PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(scratch.data());
  Captures captures(pairs);
  for (uint32_t i = 0; i < pairs; ++i) {
    PCRE2_SIZE start = ovector[2 * i], end = ovector[2 * i + 1];
    if (start == PCRE2_UNSET || end < start || end > subject.size()) continue;
    captures[i] = subject.substr(start, end - start);
  }
  return captures;
}

std::string substitute_groups(std::string_view templ, const Captures& captures) {
  std::string out;
  out.reserve(templ.size());
  for (size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] == '$' && i + 1 < templ.size() && templ[i + 1] >= '1' && templ[i + 1] <= '9') {
      size_t group = static_cast<size_t>(templ[i + 1] - '0');
      if (group < captures.size()) out.append(captures[group]);
      ++i;
      continue;
    }
    out.push_back(templ[i]);
  }
  return out;
}

}  // namespace netcap::profiles
