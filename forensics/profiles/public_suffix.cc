#include "forensics/profiles/public_suffix.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace netcap::profiles {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string join(const std::vector<std::string_view>& labels, size_t from) {
  std::string out;
  for (size_t i = from; i < labels.size(); ++i) {
    if (i > from) out.push_back('.');
    out.append(labels[i]);
  }
  return out;
}

bool looks_like_ip(std::string_view name) {
  if (name.find(':') != std::string_view::npos) return true;  // IPv6 literal
  for (char c : name) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  return true;
}

}  // namespace

PublicSuffixList PublicSuffixList::parse(std::string_view text) {
  PublicSuffixList list;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    // A rule is the first whitespace-delimited word; "//" starts a comment.
    size_t end = line.find_first_of(" \t\r");
    std::string rule = lower(line.substr(0, end));
    if (rule.empty() || rule.starts_with("//")) continue;
    if (rule.starts_with("!")) {
      list.exceptions_.insert(rule.substr(1));
    } else if (rule.starts_with("*.")) {
      list.wildcards_.insert(rule.substr(2));
    } else {
      list.rules_.insert(rule);
    }
  }
  return list;
}

Expected<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::error("Public Suffix List (Debian publicsuffix): cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  PublicSuffixList list = parse(text.str());
  if (list.size() == 0) return Status::error("Public Suffix List: no rules in " + path);
  return list;
}

size_t PublicSuffixList::suffix_start(const std::vector<std::string_view>& labels) const {
  // Exception rules win over everything: the public suffix is the rule minus its first label.
  for (size_t i = 0; i < labels.size(); ++i) {
    if (exceptions_.contains(join(labels, i))) return i + 1;
  }
  // Otherwise the longest matching rule; with none, the implicit "*" (the last label).
  for (size_t i = 0; i < labels.size(); ++i) {
    if (rules_.contains(join(labels, i))) return i;
    if (i + 1 < labels.size() && wildcards_.contains(join(labels, i + 1))) return i;
  }
  return labels.size() - 1;
}

std::string PublicSuffixList::public_suffix(std::string_view name) const {
  std::string host = lower(name);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return "";
  std::vector<std::string_view> labels;
  std::string_view rest(host);
  while (true) {
    size_t dot = rest.find('.');
    labels.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return join(labels, suffix_start(labels));
}

std::string PublicSuffixList::registered_domain(std::string_view name) const {
  std::string host = lower(name);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty() || looks_like_ip(host)) return "";
  std::vector<std::string_view> labels;
  std::string_view rest(host);
  while (true) {
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    if (label.empty()) return "";
    labels.push_back(label);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  size_t start = suffix_start(labels);
  if (start == 0) return "";
  return join(labels, start - 1);
}

}  // namespace netcap::profiles
