// SMTP (RFC 5321) line parsing: commands, reply lines, envelope paths, the content probe. Pure
// functions over one line; the session (smtp_session.h) keeps the state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "forensics/app/app_protocol.h"

namespace netcap::app::smtp {

struct Command {
  std::string verb;           // upper-cased first word
  std::string_view argument;  // the rest, without the separating blanks
  bool well_formed = true;    // the verb is 1-16 ASCII letters/digits (RFC 5321 §4.1.1)
};
Command parse_command(std::string_view line);

// One reply line (RFC 5321 §4.2): "250-text" (more == true) or "250 text" / "250".
struct ReplyLine {
  int code = 0;
  bool more = false;
  std::string_view text;
};
std::optional<ReplyLine> parse_reply_line(std::string_view line);

// The path of "FROM:<a@b> SIZE=10" / "TO:<a@b>" after `keyword` ("FROM:" / "TO:"), without
// angle brackets and parameters; empty when the keyword is missing.
std::string parse_path(std::string_view argument, std::string_view keyword);

// "BDAT <size> [LAST]" (RFC 3030 §2).
struct Bdat {
  uint64_t size = 0;
  bool last = false;
};
std::optional<Bdat> parse_bdat(std::string_view argument);

// Content probe: a "220" server greeting and/or an EHLO/HELO from the client.
ProbeResult probe(const ProbeInput& in);

}  // namespace netcap::app::smtp
