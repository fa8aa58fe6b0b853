// IMAP4rev1 (RFC 3501) line parsing: tags, literals ({n} and LITERAL+ {n+}, §4.3 / RFC 7888),
// FETCH data items that carry a message, LOGIN arguments, the content probe. Pure functions;
// the session (imap_session.h) keeps the state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "forensics/app/app_protocol.h"

namespace netcap::app::imap {

// A literal announced at the end of a line: "... {123}" or "... {123+}".
struct LiteralSuffix {
  bool present = false;  // the line ends with "{...}"
  bool valid = false;    // and the count is a decimal that fits
  uint64_t size = 0;
  size_t brace = 0;  // position of '{' in the line
};
LiteralSuffix literal_suffix(std::string_view line);

// "tag rest": the first word and the rest (without the blank). Tag "*" = untagged, "+" =
// continuation request.
struct Tagged {
  std::string_view tag;
  std::string_view rest;
};
Tagged split_tag(std::string_view line);

// Command name of the rest of a tagged client line: "FETCH", "UID FETCH", ...; upper-cased.
// `args` receives what follows it.
std::string command_name(std::string_view rest, std::string_view* args);

// Status of a tagged or greeting response ("OK", "NO", "BAD", "PREAUTH", "BYE") and its text;
// nothing when the line has no such word.
struct StatusResponse {
  std::string status;
  std::string_view text;
};
std::optional<StatusResponse> parse_status(std::string_view rest);

// The FETCH data item a server literal belongs to, from the text before the '{':
// "* 12 FETCH (UID 5 BODY[] " -> "BODY[]"; "... RFC822 " -> "RFC822". Upper-cased; the partial
// suffix "<0>" is dropped.
std::string fetch_item_before_literal(std::string_view text);
// Whether that item is a whole message or its header (RFC822, RFC822.HEADER, BODY[],
// BODY[HEADER], BODY[HEADER.FIELDS ...], BINARY[]): these are parsed as mail.
bool item_is_message(std::string_view item);

// IMAP strings of an argument list: atoms, "quoted" (with \\ and \" escapes); stops at the
// first list, literal or malformed item. At most `max_items`.
std::vector<std::string> parse_strings(std::string_view args, size_t max_items);

// Content probe: a "* OK"/"* PREAUTH" greeting and/or a tagged client command.
ProbeResult probe(const ProbeInput& in);

}  // namespace netcap::app::imap
