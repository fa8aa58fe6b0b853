#include "forensics/profiles/user_agents.h"

#include <yaml-cpp/yaml.h>

namespace netcap::profiles {

namespace {

// Field names of each parser kind, in the order of Entry::replacements.
const std::vector<std::string> kAgentFields = {"family_replacement", "v1_replacement",
                                               "v2_replacement", "v3_replacement"};
const std::vector<std::string> kOsFields = {"os_replacement", "os_v1_replacement",
                                            "os_v2_replacement", "os_v3_replacement"};
const std::vector<std::string> kDeviceFields = {"device_replacement", "brand_replacement",
                                                "model_replacement"};

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string group(const Captures& captures, size_t index) {
  return index < captures.size() ? std::string(captures[index]) : std::string();
}

// A field: its replacement template filled from the captures when given, else capture group
// `default_group` (0: none). Empty results become "" (uap-core: null).
std::string field(const Captures& captures, const std::string& templ, bool has_templ,
                  size_t default_group) {
  if (has_templ) return trim(substitute_groups(templ, captures));
  return default_group == 0 ? std::string() : trim(group(captures, default_group));
}

std::string join_version(const std::string& a, const std::string& b, const std::string& c) {
  std::string out = a;
  for (const std::string* part : {&b, &c}) {
    if (part->empty()) break;
    out += "." + *part;
  }
  return out;
}

}  // namespace

std::string UserAgentInfo::version() const { return join_version(major, minor, patch); }
std::string UserAgentInfo::os_version() const { return join_version(os_major, os_minor, os_patch); }

Expected<UserAgentParser> UserAgentParser::load(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    return Status::error("uap-core user agent regexes (Debian uap-core): " + path + ": " +
                         e.what());
  }
  UserAgentParser parser;
  struct Kind {
    const char* key;
    const std::vector<std::string>* fields;
    std::vector<Entry>* out;
  };
  for (const Kind& kind : {Kind{"user_agent_parsers", &kAgentFields, &parser.agents_},
                           Kind{"os_parsers", &kOsFields, &parser.oses_},
                           Kind{"device_parsers", &kDeviceFields, &parser.devices_}}) {
    try {
      YAML::Node list = root[kind.key];
      if (!list || !list.IsSequence()) {
        return Status::error("uap-core user agent regexes: " + path + " has no " + kind.key);
      }
      for (const YAML::Node& item : list) {
        if (!item["regex"]) {
          ++parser.skipped_;
          continue;
        }
        uint32_t options = 0;
        if (item["regex_flag"] && item["regex_flag"].as<std::string>() == "i") {
          options |= PCRE2_CASELESS;
        }
        auto regex = Regex::compile(item["regex"].as<std::string>(), options);
        if (!regex) {
          ++parser.skipped_;
          continue;
        }
        Entry entry;
        entry.regex = std::move(regex.value());
        for (const std::string& name : *kind.fields) {
          bool has = static_cast<bool>(item[name]);
          entry.has_replacement.push_back(has);
          entry.replacements.push_back(has ? item[name].as<std::string>() : std::string());
        }
        kind.out->push_back(std::move(entry));
      }
    } catch (const std::exception& e) {
      return Status::error("uap-core user agent regexes: " + path + ": " + e.what());
    }
  }
  if (parser.agents_.empty()) {
    return Status::error("uap-core user agent regexes: no user agent parsers in " + path);
  }
  return parser;
}

UserAgentInfo UserAgentParser::parse(std::string_view user_agent, MatchScratch& scratch) const {
  UserAgentInfo info;
  // Each list is tried in file order; the first match wins (uap-core specification).
  for (const Entry& e : agents_) {
    auto c = e.regex.search(user_agent, scratch);
    if (!c) continue;
    info.family = field(*c, e.replacements[0], e.has_replacement[0], 1);
    info.major = field(*c, e.replacements[1], e.has_replacement[1], 2);
    info.minor = field(*c, e.replacements[2], e.has_replacement[2], 3);
    info.patch = field(*c, e.replacements[3], e.has_replacement[3], 4);
    if (info.family.empty()) info.family = "Other";
    break;
  }
  for (const Entry& e : oses_) {
    auto c = e.regex.search(user_agent, scratch);
    if (!c) continue;
    info.os = field(*c, e.replacements[0], e.has_replacement[0], 1);
    info.os_major = field(*c, e.replacements[1], e.has_replacement[1], 2);
    info.os_minor = field(*c, e.replacements[2], e.has_replacement[2], 3);
    info.os_patch = field(*c, e.replacements[3], e.has_replacement[3], 4);
    if (info.os.empty()) info.os = "Other";
    break;
  }
  for (const Entry& e : devices_) {
    auto c = e.regex.search(user_agent, scratch);
    if (!c) continue;
    info.device = field(*c, e.replacements[0], e.has_replacement[0], 1);
    info.brand = field(*c, e.replacements[1], e.has_replacement[1], 0);
    info.model = field(*c, e.replacements[2], e.has_replacement[2], 1);
    if (info.device.empty()) info.device = "Other";
    break;
  }
  return info;
}

}  // namespace netcap::profiles
