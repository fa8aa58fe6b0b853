#include "forensics/app/file_emit.h"

#include <cctype>

namespace netcap::app {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int h = hex_digit(s[i + 1]), l = hex_digit(s[i + 2]);
      if (h >= 0 && l >= 0) {
        out.push_back(static_cast<char>(h * 16 + l));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Splits `value` at ';' outside quotes and calls f(name, raw value) for each "name=value".
template <typename F>
void for_each_parameter(std::string_view value, F&& f) {
  size_t i = 0;
  while (i < value.size()) {
    // Parameter start.
    while (i < value.size() && (value[i] == ';' || value[i] == ' ' || value[i] == '\t')) ++i;
    const size_t name_start = i;
    while (i < value.size() && value[i] != '=' && value[i] != ';') ++i;
    std::string_view name = value.substr(name_start, i - name_start);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (i >= value.size() || value[i] == ';') continue;
    ++i;  // '='
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    std::string v;
    if (i < value.size() && value[i] == '"') {
      ++i;
      while (i < value.size() && value[i] != '"') {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        v.push_back(value[i]);
        ++i;
      }
      if (i < value.size()) ++i;  // closing quote
      while (i < value.size() && value[i] != ';') ++i;
    } else {
      const size_t s = i;
      while (i < value.size() && value[i] != ';') ++i;
      std::string_view raw = value.substr(s, i - s);
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
      v.assign(raw);
    }
    if (!f(name, v)) return;
  }
}

}  // namespace

std::string header_parameter(std::string_view value, std::string_view name) {
  std::string out;
  for_each_parameter(value, [&](std::string_view n, const std::string& v) {
    if (!iequal(n, name)) return true;
    out = v;
    return false;
  });
  return out;
}

std::string disposition_filename(std::string_view value) {
  std::string plain, extended;
  for_each_parameter(value, [&](std::string_view n, const std::string& v) {
    if (iequal(n, "filename*")) {
      // charset'language'percent-encoded (RFC 5987 §3.2).
      const size_t q = v.find('\'');
      const size_t q2 = q == std::string::npos ? q : v.find('\'', q + 1);
      extended = percent_decode(q2 == std::string::npos ? v : v.substr(q2 + 1));
    } else if (iequal(n, "filename") && plain.empty()) {
      plain = v;
    }
    return true;
  });
  return extended.empty() ? plain : extended;
}

}  // namespace netcap::app
