#include "forensics/profiles/nmap_probes.h"

#include <fstream>

namespace netcap::profiles {

namespace {

// Index of each version-info letter in Line::templates.
int template_index(char letter) {
  switch (letter) {
    case 'p':
      return 0;
    case 'v':
      return 1;
    case 'i':
      return 2;
    case 'h':
      return 3;
    case 'o':
      return 4;
    case 'd':
      return 5;
    default:
      return -1;
  }
}

// "<d>text<d>" starting at `pos` (the delimiter): the text, and `pos` moved past the closing
// delimiter. False when it is not closed.
bool delimited(std::string_view line, size_t* pos, std::string* out) {
  if (*pos >= line.size()) return false;
  char d = line[*pos];
  size_t end = line.find(d, *pos + 1);
  if (end == std::string_view::npos) return false;
  *out = std::string(line.substr(*pos + 1, end - *pos - 1));
  *pos = end + 1;
  return true;
}

// Number after "$P(" or "$SUBST(" etc.; the group index, or -1.
int group_at(std::string_view s, size_t pos) {
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') return s[pos] - '0';
  return -1;
}

std::string group(const Captures& captures, int index) {
  if (index < 0 || static_cast<size_t>(index) >= captures.size()) return "";
  return std::string(captures[static_cast<size_t>(index)]);
}

// Quoted argument at `pos` ("...") for $SUBST; moves `pos` past it.
std::string quoted(std::string_view s, size_t* pos) {
  if (*pos >= s.size() || s[*pos] != '"') return "";
  size_t end = s.find('"', *pos + 1);
  if (end == std::string_view::npos) return "";
  std::string out(s.substr(*pos + 1, end - *pos - 1));
  *pos = end + 1;
  return out;
}

}  // namespace

std::string fill_nmap_template(std::string_view templ, const Captures& captures) {
  std::string out;
  for (size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] != '$' || i + 1 >= templ.size()) {
      out.push_back(templ[i]);
      continue;
    }
    std::string_view rest = templ.substr(i + 1);
    if (rest[0] >= '1' && rest[0] <= '9') {
      out += group(captures, rest[0] - '0');
      ++i;
    } else if (rest.starts_with("P(")) {
      // $P(n): the group with unprintable characters dropped.
      for (char c : group(captures, group_at(rest, 2))) {
        if (c >= 0x20 && c < 0x7f) out.push_back(c);
      }
      size_t close = rest.find(')');
      i += close == std::string_view::npos ? rest.size() : close + 1;
    } else if (rest.starts_with("SUBST(")) {
      // $SUBST(n,"from","to"): every "from" in the group replaced by "to".
      std::string value = group(captures, group_at(rest, 6));
      size_t p = 7;
      if (p < rest.size() && rest[p] == ',') ++p;
      std::string from = quoted(rest, &p);
      if (p < rest.size() && rest[p] == ',') ++p;
      std::string to = quoted(rest, &p);
      if (!from.empty()) {
        for (size_t at = value.find(from); at != std::string::npos;
             at = value.find(from, at + to.size())) {
          value.replace(at, from.size(), to);
        }
      }
      out += value;
      size_t close = rest.find(')', p);
      i += close == std::string_view::npos ? rest.size() : close + 1;
    } else if (rest.starts_with("I(")) {
      // $I(n,">"|"<"): the group's bytes as an unsigned integer, big or little endian.
      std::string value = group(captures, group_at(rest, 2));
      bool little = rest.find("\"<\"") != std::string_view::npos;
      uint64_t number = 0;
      if (value.size() <= 8) {
        for (size_t k = 0; k < value.size(); ++k) {
          uint8_t byte = static_cast<uint8_t>(little ? value[value.size() - 1 - k] : value[k]);
          number = (number << 8) | byte;
        }
        out += std::to_string(number);
      }
      size_t close = rest.find(')');
      i += close == std::string_view::npos ? rest.size() : close + 1;
    } else {
      out.push_back('$');
    }
  }
  return out;
}

Expected<NmapServiceProbes> NmapServiceProbes::load(const std::string& path,
                                                    const std::set<std::string>& probes) {
  std::ifstream in(path);
  if (!in) return Status::error("nmap service probes (Debian nmap-common): cannot open " + path);
  NmapServiceProbes result;
  std::string text;
  std::string probe;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    std::string_view line(text);
    if (line.starts_with("Probe ")) {
      // "Probe TCP NULL q||"
      size_t a = line.find(' ', 6);
      size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
      probe = a == std::string_view::npos ? "" : std::string(line.substr(a + 1, b - a - 1));
      continue;
    }
    bool soft = line.starts_with("softmatch ");
    if (!soft && !line.starts_with("match ")) continue;
    if (!probes.contains(probe)) continue;
    size_t pos = soft ? 10 : 6;
    size_t space = line.find(' ', pos);
    if (space == std::string_view::npos || space + 1 >= line.size() || line[space + 1] != 'm') {
      ++result.skipped_;
      continue;
    }
    Line entry;
    entry.probe = probe;
    entry.service = std::string(line.substr(pos, space - pos));
    entry.soft = soft;
    entry.line = number;
    pos = space + 2;
    std::string pattern;
    if (!delimited(line, &pos, &pattern)) {
      ++result.skipped_;
      continue;
    }
    uint32_t options = 0;
    while (pos < line.size() && (line[pos] == 'i' || line[pos] == 's')) {
      options |= line[pos] == 'i' ? PCRE2_CASELESS : PCRE2_DOTALL;
      ++pos;
    }
    // Version info: " p/.../ v/.../ cpe:/.../a"
    while (pos < line.size()) {
      while (pos < line.size() && line[pos] == ' ') ++pos;
      if (pos >= line.size()) break;
      std::string value;
      if (line.substr(pos).starts_with("cpe:")) {
        pos += 4;
        if (!delimited(line, &pos, &value)) break;
        entry.cpes.push_back("cpe:/" + value);
        if (pos < line.size() && line[pos] == 'a') ++pos;  // "a": the CPE is of an application
        continue;
      }
      int index = template_index(line[pos]);
      ++pos;
      if (!delimited(line, &pos, &value)) break;
      if (index >= 0) entry.templates[index] = std::move(value);
    }
    auto regex = Regex::compile(pattern, options, /*jit=*/false);
    if (!regex) {
      ++result.skipped_;
      continue;
    }
    entry.regex = std::move(regex.value());
    result.lines_.push_back(std::move(entry));
  }
  if (result.lines_.empty()) {
    return Status::error("nmap service probes: no match lines for the wanted probes in " + path);
  }
  return result;
}

std::optional<ServiceMatch> NmapServiceProbes::match(std::string_view probe,
                                                     std::string_view response,
                                                     MatchScratch& scratch) const {
  const Line* soft = nullptr;
  for (const Line& line : lines_) {
    if (line.probe != probe) continue;
    if (line.soft && soft != nullptr) continue;
    auto captures = line.regex.search(response, scratch);
    if (!captures) continue;
    if (line.soft) {
      soft = &line;
      continue;
    }
    ServiceMatch m;
    m.service = line.service;
    m.line = line.line;
    std::string* fields[6] = {&m.product, &m.version, &m.info, &m.hostname, &m.os, &m.device_type};
    for (int i = 0; i < 6; ++i) *fields[i] = fill_nmap_template(line.templates[i], *captures);
    for (const std::string& cpe : line.cpes) m.cpes.push_back(fill_nmap_template(cpe, *captures));
    return m;
  }
  if (soft == nullptr) return std::nullopt;
  ServiceMatch m;
  m.service = soft->service;
  m.soft = true;
  m.line = soft->line;
  return m;
}

}  // namespace netcap::profiles
