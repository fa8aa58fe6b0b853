#include "forensics/streams/smtp/smtp_parser.h"

#include "forensics/app/text_util.h"

namespace netcap::app::smtp {

namespace {
bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Compares the start of `text` with `word` ignoring case: kYes when it starts with it, kNeedMore
// when `text` is a shorter prefix of it, kNo otherwise.
ProbeResult prefix_match(std::string_view text, std::string_view word) {
  const size_t n = std::min(text.size(), word.size());
  if (!iequals(text.substr(0, n), word.substr(0, n))) return ProbeResult::kNo;
  return n == word.size() ? ProbeResult::kYes : ProbeResult::kNeedMore;
}
}  // namespace

Command parse_command(std::string_view line) {
  Command c;
  size_t sp = line.find(' ');
  std::string_view verb = line.substr(0, sp);
  c.verb = to_lower(verb);
  for (char& ch : c.verb) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
  if (sp != std::string_view::npos) {
    std::string_view rest = line.substr(sp + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    c.argument = rest;
  }
  c.well_formed = !verb.empty() && verb.size() <= 16;
  for (char ch : verb) c.well_formed = c.well_formed && is_alnum(ch);
  return c;
}

std::optional<ReplyLine> parse_reply_line(std::string_view line) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
    return std::nullopt;
  }
  ReplyLine r;
  r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) return r;
  if (line[3] == '-') {
    r.more = true;
  } else if (line[3] != ' ') {
    return std::nullopt;
  }
  r.text = line.substr(4);
  return r;
}

std::string parse_path(std::string_view argument, std::string_view keyword) {
  argument = trim(argument);
  if (!istarts_with(argument, keyword)) return {};
  std::string_view rest = trim(argument.substr(keyword.size()));
  if (!rest.empty() && rest.front() == '<') {
    const size_t close = rest.find('>');
    return std::string(
        rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  return std::string(rest.substr(0, rest.find(' ')));
}

std::optional<Bdat> parse_bdat(std::string_view argument) {
  auto words = split(trim(argument), ' ');
  if (words.empty() || words.size() > 2) return std::nullopt;
  auto size = parse_decimal(words[0]);
  if (!size) return std::nullopt;
  Bdat b;
  b.size = *size;
  if (words.size() == 2) {
    if (!iequals(words[1], "LAST")) return std::nullopt;
    b.last = true;
  }
  return b;
}

ProbeResult probe(const ProbeInput& in) {
  const std::string_view server = as_text(in.server);
  const std::string_view client = as_text(in.client);
  if (!server.empty()) {
    // RFC 5321 §4.3.1: the greeting is 220 (or 554 when refusing) "220 " / "220-".
    if (server.size() < 4) {
      ProbeResult a = prefix_match(server, "220");
      ProbeResult b = prefix_match(server, "554");
      if (a == ProbeResult::kNo && b == ProbeResult::kNo) return ProbeResult::kNo;
      if (server.size() == 3 && in.server_final) return ProbeResult::kNo;
    } else if (!(server.starts_with("220") || server.starts_with("554")) ||
               (server[3] != ' ' && server[3] != '-')) {
      return ProbeResult::kNo;
    }
  }
  if (client.empty()) {
    return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  }
  // The client speaks first after the greeting: EHLO or HELO (FTP, which shares the "220"
  // greeting, sends USER/AUTH/FEAT instead).
  ProbeResult e = prefix_match(client, "EHLO ");
  ProbeResult h = prefix_match(client, "HELO ");
  if (e == ProbeResult::kYes || h == ProbeResult::kYes) return ProbeResult::kYes;
  if (e == ProbeResult::kNeedMore || h == ProbeResult::kNeedMore) {
    return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  }
  return ProbeResult::kNo;
}

}  // namespace netcap::app::smtp
