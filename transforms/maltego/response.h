// Maltego v2 transform response: data model and canonical serializer
// (spec /work/shared/reference/maltego.md §2.5, §2.6, §2.7 output side, §2.8, §1.4, §1.7).
// Plain value types; the serializers are pure and thread-safe. Every string in the model may
// hold arbitrary bytes (e.g. from packets): the serializer decodes them as UTF-8 with U+FFFD
// substitution and replaces characters XML cannot carry by '?' (spec §2.7).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transforms/maltego/text.h"

namespace netcap::maltego {

inline constexpr std::string_view kDefaultEntityType = "maltego.Phrase";

// Pseudo-property names (spec §2.6), written as ordinary fields.
inline constexpr std::string_view kLinkLabel = "link#maltego.link.label";
inline constexpr std::string_view kLinkColor = "link#maltego.link.color";
inline constexpr std::string_view kLinkStyle = "link#maltego.link.style";
inline constexpr std::string_view kLinkThickness = "link#maltego.link.thickness";
inline constexpr std::string_view kLinkShowLabel = "link#maltego.link.show-label";
inline constexpr std::string_view kLinkDirection = "link#maltego.link.direction";
inline constexpr std::string_view kBookmark = "bookmark#";
inline constexpr std::string_view kNotes = "notes#";

enum class MatchingRule { kLoose, kStrict };  // spec §2.6: default loose

struct ResponseProperty {
  std::string name;                         // empty -> the field is not written (§2.6 rule 7)
  std::optional<std::string> display_name;  // nullopt -> Name
  MatchingRule matching_rule = MatchingRule::kLoose;
  std::string value;
};

// DisplayInformation/Label: HTML shown in the Detail View, written escaped as text.
struct DisplayLabel {
  std::string name;
  std::string content;
  std::string type = "text/html";
};

// Overlay type/position values (spec §2.6): type "text" | "colour" | "image";
// position "N" | "S" | "W" | "NW" | "SW" | "C".
struct Overlay {
  std::string property_name;  // a property name or a literal (colour, icon name)
  std::string position;
  std::string type;
};

struct ResponseEntity {
  std::string type;  // empty -> maltego.Phrase (§2.6 rule 7)
  std::string value;
  int weight = 100;
  std::vector<DisplayLabel> labels;
  std::vector<ResponseProperty> properties;  // written in this order
  std::vector<Overlay> overlays;
  std::string icon_url;  // empty -> no IconURL element

  // Convenience: appends a property. Returns *this for chaining.
  ResponseEntity& add_property(std::string name, std::string value,
                               std::optional<std::string> display_name = std::nullopt,
                               MatchingRule rule = MatchingRule::kLoose);
  // Link pseudo-properties with the display names maltego-trx uses.
  ResponseEntity& set_link_label(std::string label);
  ResponseEntity& set_link_color(std::string rgb);    // "#RRGGBB"
  ResponseEntity& set_link_style(int style);          // 0 normal, 1 dashed, 2 dotted, 3 dash-dot
  ResponseEntity& set_link_thickness(int thickness);  // 1..5
  ResponseEntity& set_note(std::string note);
  ResponseEntity& set_bookmark(int colour);  // -1 none, 0 blue .. 4 red
  ResponseEntity& reverse_link();            // direction output-to-input
};

// UIMessage@MessageType values (spec §1.7, §2.6). The type is kept as a string because the
// client and maltego-trx's snapshots also use other spellings (e.g. "inform").
inline constexpr std::string_view kFatalError = "FatalError";
inline constexpr std::string_view kPartialError = "PartialError";
inline constexpr std::string_view kInform = "Inform";
inline constexpr std::string_view kDebug = "Debug";

struct UiMessage {
  std::string type = std::string(kInform);
  std::string text;
};

struct TransformResponse {
  std::vector<ResponseEntity> entities;
  std::vector<UiMessage> messages;

  ResponseEntity& add_entity(std::string type, std::string value);
  void add_message(std::string_view type, std::string text);
};

// One Exception element of a MaltegoTransformExceptionMessage (spec §2.8).
struct TransformException {
  std::string text;
  std::optional<std::string> code;  // optional attribute `code`
};

// Spec §2.5: keeps the first `limit` entities; if there were more, appends exactly one Inform
// message "Returned <limit> of <total> results (limit <limit>)." A limit <= 0 means "no limit"
// (callers pass TransformRequest::effective_limit, which is always positive). Returns true if
// it truncated.
bool truncate_to_limit(TransformResponse* response, int limit);

// Canonical serialization (spec §2.6): no declaration, no whitespace between elements,
// attributes sorted by name, empty elements as <X></X>, no CDATA. No trailing newline (local
// stdout adds one, spec §1.4).
std::string serialize_response(const TransformResponse& response,
                               OutputEncoding encoding = OutputEncoding::kUtf8);

// MaltegoMessage/MaltegoTransformExceptionMessage/Exceptions/Exception* (spec §2.8).
std::string serialize_exception(const std::vector<TransformException>& exceptions,
                                OutputEncoding encoding = OutputEncoding::kUtf8);
std::string serialize_exception(std::string_view text,
                                OutputEncoding encoding = OutputEncoding::kUtf8);

}  // namespace netcap::maltego
