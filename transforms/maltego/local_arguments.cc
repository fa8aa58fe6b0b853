#include "transforms/maltego/local_arguments.h"

#include "transforms/maltego/text.h"

namespace netcap::maltego {
namespace {

// A character of the property string and whether it came from a backslash escape.
struct Token {
  char byte;
  bool escaped;
};

bool is_separator(const Token& t, char c) { return !t.escaped && t.byte == c; }

bool has_unescaped(const std::vector<Token>& segment, char c) {
  for (const Token& t : segment) {
    if (is_separator(t, c)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_property_string(std::string_view bytes,
                                                                       size_t* dropped) {
  std::vector<std::pair<std::string, std::string>> out;
  // Step 1: decode (spec §1.2). The special characters are ASCII, so scanning the UTF-8 bytes
  // is equivalent to scanning code points.
  const std::string text = decode_utf8_lossy(bytes);
  if (text.empty()) return out;
  // Step 2: tokens; "\\", "\#", "\=" are escapes, any other backslash is literal.
  std::vector<Token> tokens;
  tokens.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() &&
        (text[i + 1] == '\\' || text[i + 1] == '#' || text[i + 1] == '=')) {
      tokens.push_back({text[i + 1], true});
      ++i;
    } else {
      tokens.push_back({text[i], false});
    }
  }
  // Step 3: split at unescaped '#', dropping empty segments.
  std::vector<std::vector<Token>> segments(1);
  for (const Token& t : tokens) {
    if (is_separator(t, '#')) {
      segments.emplace_back();
    } else {
      segments.back().push_back(t);
    }
  }
  // Step 4: a segment without unescaped '=' is glued with a literal '#' to the next one
  // (rebuilds names such as link#maltego.link.label, notes#, bookmark#).
  std::vector<Token> held;
  bool holding = false;
  for (std::vector<Token>& segment : segments) {
    if (segment.empty()) continue;
    if (holding) {
      held.push_back({'#', true});
      held.insert(held.end(), segment.begin(), segment.end());
    } else {
      held = std::move(segment);
      holding = true;
    }
    if (!has_unescaped(held, '=')) continue;
    // Step 5: split at the first unescaped '='.
    std::string name;
    std::string value;
    bool in_value = false;
    for (const Token& t : held) {
      if (!in_value && is_separator(t, '=')) {
        in_value = true;
      } else {
        (in_value ? value : name).push_back(t.byte);
      }
    }
    holding = false;
    held.clear();
    // Step 6: drop pairs with an empty name.
    if (name.empty()) {
      if (dropped != nullptr) ++*dropped;
      continue;
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  if (holding && dropped != nullptr) ++*dropped;  // orphan segment at the end
  return out;
}

const std::string* LocalArguments::property(std::string_view name) const {
  for (auto it = properties.rbegin(); it != properties.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

std::map<std::string, std::string> LocalArguments::property_map() const {
  std::map<std::string, std::string> map;
  for (const auto& [name, value] : properties) map[name] = value;
  return map;
}

Expected<LocalArguments> parse_local_arguments(const std::vector<std::string_view>& args) {
  if (args.empty()) return Status::error("Malformed request: no input value");
  LocalArguments result;
  result.value = decode_utf8_lossy(args[0]);  // verbatim: no unescaping (spec §1.2)
  if (args.size() > 1) result.properties = parse_property_string(args[1], &result.dropped_segments);
  if (args.size() > 2) result.ignored_arguments = args.size() - 2;
  return result;
}

}  // namespace netcap::maltego
