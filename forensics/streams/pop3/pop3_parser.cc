#include "forensics/streams/pop3/pop3_parser.h"

#include "forensics/app/text_util.h"

namespace netcap::app::pop3 {

namespace {
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

// Commands a client opens a session with (RFC 1939 §4, RFC 2449, RFC 5034, RFC 2595).
constexpr std::string_view kFirstCommands[] = {"USER ", "APOP ", "CAPA", "AUTH", "STLS", "QUIT"};
}  // namespace

Command parse_command(std::string_view line) {
  Command c;
  const size_t sp = line.find(' ');
  std::string_view kw = line.substr(0, sp);
  c.keyword = upper(kw);
  if (sp != std::string_view::npos) c.argument = line.substr(sp + 1);
  c.well_formed = kw.size() >= 3 && kw.size() <= 8;
  for (char ch : kw) c.well_formed = c.well_formed && (is_alpha(ch) || ch == '-');
  return c;
}

std::optional<Status> parse_status(std::string_view line) {
  Status s;
  if (line.starts_with("+OK")) {
    s.indicator = "+OK";
    line.remove_prefix(3);
  } else if (line.starts_with("-ERR")) {
    s.indicator = "-ERR";
    line.remove_prefix(4);
  } else if (line.starts_with("+ ") || line == "+") {
    s.indicator = "+";
    line.remove_prefix(1);
  } else {
    return std::nullopt;
  }
  if (!line.empty() && line.front() != ' ') return std::nullopt;
  if (!line.empty()) line.remove_prefix(1);
  s.text = line;
  return s;
}

bool has_multiline_response(std::string_view keyword, std::string_view argument) {
  const bool no_arg = trim(argument).empty();
  return keyword == "RETR" || keyword == "TOP" || keyword == "CAPA" ||
         ((keyword == "LIST" || keyword == "UIDL" || keyword == "AUTH") && no_arg);
}

ProbeResult probe(const ProbeInput& in) {
  const std::string_view server = as_text(in.server);
  const std::string_view client = as_text(in.client);
  if (!server.empty()) {
    const std::string_view want = "+OK";
    const size_t n = std::min(server.size(), want.size());
    if (server.substr(0, n) != want.substr(0, n)) return ProbeResult::kNo;
    if (n < want.size()) return in.server_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  }
  if (client.empty()) return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  bool partial = false;
  for (std::string_view cmd : kFirstCommands) {
    const size_t n = std::min(client.size(), cmd.size());
    if (!iequals(client.substr(0, n), cmd.substr(0, n))) continue;
    // A POP3 command after a "+OK" greeting. Without the greeting the client alone is not
    // distinctive enough (USER/QUIT/AUTH are shared with FTP and SMTP): wait for the server.
    if (n == cmd.size() && !server.empty()) return ProbeResult::kYes;
    partial = true;
  }
  if (partial && !in.client_final) return ProbeResult::kNeedMore;
  return ProbeResult::kNo;
}

}  // namespace netcap::app::pop3
