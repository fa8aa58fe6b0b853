// Arguments of a Maltego LOCAL transform run (spec /work/shared/reference/maltego.md §1.1-§1.3).
// Pure functions, thread-safe, never print anything.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/status.h"

namespace netcap::maltego {

struct LocalArguments {
  std::string value;  // argv after the fixed parameters, [0]: verbatim (after UTF-8 decoding)
  // Spec §1.3: [name, value] pairs in order, duplicates kept.
  std::vector<std::pair<std::string, std::string>> properties;
  size_t ignored_arguments = 0;  // arguments after the property string (spec §1.1: log them)
  size_t dropped_segments = 0;   // orphan segments without '=' and pairs with empty names

  // The last occurrence of `name`, or nullptr.
  const std::string* property(std::string_view name) const;
  // Last occurrence wins.
  std::map<std::string, std::string> property_map() const;
};

// Spec §1.3 normative algorithm on one (raw byte) property string. *dropped (if given) is
// incremented for each orphan segment and each pair with an empty name.
std::vector<std::pair<std::string, std::string>> parse_property_string(std::string_view bytes,
                                                                       size_t* dropped = nullptr);

// `args` are the arguments after the fixed words of transform.local.parameters:
// args[0] = entity value, args[1] = property string (absent or empty = no properties),
// further arguments are counted in ignored_arguments. Bytes are decoded as UTF-8 with U+FFFD
// substitution (spec §1.2). No args -> Status "Malformed request: no input value" (answer it
// with an exception document and exit 0, spec §1.1).
Expected<LocalArguments> parse_local_arguments(const std::vector<std::string_view>& args);

}  // namespace netcap::maltego
