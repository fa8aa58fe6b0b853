// Maltego v2 transform request (what a TDS/iTDS POSTs): data model and secure parser
// (spec /work/shared/reference/maltego.md §2.2-§2.5, §2.7 input side, §2.8).
// All types are plain values; parse_request is pure and thread-safe (no global state, never
// writes to stdout/stderr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/status.h"

namespace netcap::maltego {

// Spec §2.5: the effective limit when a request carries no positive limit.
inline constexpr int kRemoteDefaultLimit = 12;
// Spec §1.7: local mode default for --limit.
inline constexpr int kLocalDefaultLimit = 10000;
// Spec §2.2: weight when absent or invalid.
inline constexpr int kDefaultWeight = 100;

struct GenealogyType {
  std::string name;
  std::optional<std::string> old_name;
};

// One AdditionalFields/Field of the input entity, as received.
struct RequestProperty {
  std::string name;                          // never empty (nameless fields are dropped)
  std::optional<std::string> display_name;   // attribute absent -> nullopt
  std::optional<std::string> matching_rule;  // attribute absent -> nullopt
  std::string value;                         // concatenated text + CDATA, verbatim
};

struct TransformRequest {
  std::string type;   // Entity@Type as sent ("" if absent), may be a legacy short name
  std::string value;  // text of Value, verbatim
  int weight = kDefaultWeight;
  std::vector<GenealogyType> genealogy;
  std::vector<RequestProperty> properties;  // document order, duplicates kept
  // Spec §2.4: v3 names added for legacy v2 names, [v3 name, value], in order of addition.
  std::vector<std::pair<std::string, std::string>> legacy_aliases_added;
  std::vector<std::pair<std::string, std::string>> transform_fields;  // [name, text]
  std::optional<int> soft_limit;  // digits only, clamped to INT32_MAX; 0 is kept here
  std::optional<int> hard_limit;
  size_t entity_count = 0;  // how many Entities/Entity there were (only the first is used)

  // Property lookup by name: the last received property of that name wins, else a legacy
  // alias. nullptr if neither exists. The pointer is valid while *this is unchanged.
  const std::string* property(std::string_view name) const;
  // Spec §2.3: first Genealogy Name, else Entity@Type; prefixed with "maltego." if dot-less.
  std::string effective_type() const;
  // Spec §2.3: true if `declared_type` is the effective type or any Genealogy name (or the
  // maltego.-prefixed Entity@Type).
  bool is_of_type(std::string_view declared_type) const;
  // Spec §2.5: the smaller positive of soft/hard limit, else `fallback`.
  int effective_limit(int fallback = kRemoteDefaultLimit) const;
  // Transform setting lookup (last wins); nullptr if absent.
  const std::string* transform_field(std::string_view name) const;
};

struct ParseLimits {
  size_t max_body_bytes = 16 * 1024 * 1024;  // spec §2.1: default 16 MiB, else HTTP 413
  int max_depth = 64;                        // spec §2.2: deeper nesting -> malformed_xml
};

// Why a request was refused. What the server answers (spec §2.1, §2.8):
//   kEmptyBody      -> HTTP 200 text/plain probe answer, not a transform run
//   kTooLarge       -> HTTP 413 text/plain
//   everything else -> HTTP 200 + exception document whose text is the Status message
enum class RequestError {
  kNone,
  kEmptyBody,
  kTooLarge,
  kMalformedXml,
  kDoctypeForbidden,
  kNotARequest,
  kNoEntity,
};

// The error-class names used by the vectors: "empty_body", "too_large", "malformed_xml",
// "doctype_forbidden", "not_a_request", "no_entity" ("" for kNone).
std::string_view request_error_name(RequestError error);

// Parses a MaltegoMessage/MaltegoTransformRequestMessage (or a bare
// MaltegoTransformRequestMessage root). On failure the Status message is the exact exception
// text of spec §2.8 ("Malformed request: invalid XML: <detail>", "Malformed request: DOCTYPE is
// not allowed", "Malformed request: not a MaltegoTransformRequestMessage", "Malformed request: no
// input entity"); for kEmptyBody/kTooLarge it is a description for the log. If `error` is given
// it receives the class (kNone on success).
// Security: a DOCTYPE is refused before any parsing; no DTD, entity expansion, file or network
// access; only the five predefined entities and character references to XML Chars are accepted.
// Input: UTF-8 with or without BOM/declaration, or a declared ISO-8859-1 body (transcoded);
// invalid UTF-8, raw control bytes and references to non-XML characters are malformed_xml.
Expected<TransformRequest> parse_request(std::string_view body, const ParseLimits& limits,
                                         RequestError* error = nullptr);

}  // namespace netcap::maltego
