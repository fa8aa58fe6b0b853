// POP3 (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH, RFC 2595 STLS) line parsing and the content
// probe. Pure functions; the session (pop3_session.h) keeps the state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "forensics/app/app_protocol.h"

namespace netcap::app::pop3 {

struct Command {
  std::string keyword;        // upper-cased
  std::string_view argument;  // the rest
  bool well_formed = true;    // keyword of 3-4 letters (RFC 1939 §3), or a known extension
};
Command parse_command(std::string_view line);

// Status line: "+OK text", "-ERR text" or "+ challenge" (SASL continuation).
struct Status {
  std::string indicator;  // "+OK", "-ERR", "+"
  std::string_view text;
};
std::optional<Status> parse_status(std::string_view line);

// Whether a +OK to this command is followed by a dot-terminated multi-line block
// (RFC 1939 §5-7, RFC 2449 §5): RETR, TOP, CAPA, LIST/UIDL without argument, AUTH without
// argument (mechanism list).
bool has_multiline_response(std::string_view keyword, std::string_view argument);

// Content probe: a "+OK" greeting and/or a POP3 command from the client.
ProbeResult probe(const ProbeInput& in);

}  // namespace netcap::app::pop3
