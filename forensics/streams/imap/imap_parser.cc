#include "forensics/streams/imap/imap_parser.h"

#include "forensics/app/text_util.h"

namespace netcap::app::imap {

namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

bool is_tag_char(char c) {
  // RFC 3501 §9: tag = 1*<any ASTRING-CHAR except "+">; kept to printable ASCII without
  // specials here.
  return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
         c != '"' && c != '\\' && c != '+';
}
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
}  // namespace

LiteralSuffix literal_suffix(std::string_view line) {
  LiteralSuffix s;
  if (line.empty() || line.back() != '}') return s;
  const size_t open = line.rfind('{');
  if (open == std::string_view::npos) return s;
  s.present = true;
  s.brace = open;
  std::string_view num = line.substr(open + 1, line.size() - open - 2);
  if (!num.empty() && num.back() == '+') num.remove_suffix(1);
  if (num.empty() || num.size() > 19) return s;
  auto n = parse_decimal(num);
  if (!n) return s;
  s.valid = true;
  s.size = *n;
  return s;
}

Tagged split_tag(std::string_view line) {
  Tagged t;
  const size_t sp = line.find(' ');
  t.tag = line.substr(0, sp);
  if (sp != std::string_view::npos) t.rest = line.substr(sp + 1);
  return t;
}

std::string command_name(std::string_view rest, std::string_view* args) {
  size_t sp = rest.find(' ');
  std::string name = upper(rest.substr(0, sp));
  std::string_view after = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  if (name == "UID" && !after.empty()) {
    // RFC 3501 §6.4.8: "UID FETCH|STORE|COPY|SEARCH|EXPUNGE".
    sp = after.find(' ');
    name += " " + upper(after.substr(0, sp));
    after = sp == std::string_view::npos ? std::string_view() : after.substr(sp + 1);
  }
  if (args != nullptr) *args = after;
  return name;
}

std::optional<StatusResponse> parse_status(std::string_view rest) {
  const size_t sp = rest.find(' ');
  std::string word = upper(rest.substr(0, sp));
  if (word != "OK" && word != "NO" && word != "BAD" && word != "PREAUTH" && word != "BYE") {
    return std::nullopt;
  }
  StatusResponse s;
  s.status = word;
  if (sp != std::string_view::npos) s.text = rest.substr(sp + 1);
  return s;
}

std::string fetch_item_before_literal(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  // Partial fetch "<origin>" (§6.4.5).
  if (!text.empty() && text.back() == '>') {
    const size_t lt = text.rfind('<');
    if (lt == std::string_view::npos) return {};
    text = text.substr(0, lt);
  }
  size_t start = text.size();
  if (!text.empty() && text.back() == ']') {
    // The section may contain blanks and parentheses: find the matching '['.
    int depth = 0;
    size_t i = text.size();
    while (i > 0) {
      --i;
      if (text[i] == ']') ++depth;
      if (text[i] == '[' && --depth == 0) break;
    }
    if (depth != 0) return {};
    start = i;
  }
  while (start > 0 && text[start - 1] != ' ' && text[start - 1] != '(') --start;
  return upper(text.substr(start));
}

bool item_is_message(std::string_view item) {
  if (item == "RFC822" || item == "RFC822.HEADER") return true;
  std::string_view section;
  if (item.starts_with("BODY[")) {
    section = item.substr(5);
  } else if (item.starts_with("BINARY[")) {
    section = item.substr(7);
  } else {
    return false;
  }
  if (section.empty() || section.back() != ']') return false;
  section.remove_suffix(1);
  return section.empty() || section == "HEADER" || section.starts_with("HEADER.FIELDS");
}

std::vector<std::string> parse_strings(std::string_view args, size_t max_items) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < args.size() && out.size() < max_items) {
    while (i < args.size() && args[i] == ' ') ++i;
    if (i >= args.size()) break;
    if (args[i] == '"') {
      std::string s;
      ++i;
      bool closed = false;
      while (i < args.size()) {
        char c = args[i++];
        if (c == '\\' && i < args.size()) {
          s += args[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          s += c;
        }
      }
      if (!closed) break;
      out.push_back(std::move(s));
    } else if (args[i] == '(' || args[i] == '{') {
      break;
    } else {
      const size_t sp = args.find(' ', i);
      out.emplace_back(
          args.substr(i, sp == std::string_view::npos ? std::string_view::npos : sp - i));
      i = sp == std::string_view::npos ? args.size() : sp;
    }
  }
  return out;
}

ProbeResult probe(const ProbeInput& in) {
  const std::string_view server = as_text(in.server);
  const std::string_view client = as_text(in.client);
  if (!server.empty()) {
    // RFC 3501 §7.1: the greeting is "* OK", "* PREAUTH" or "* BYE".
    bool any = false, full = false;
    for (std::string_view g : {"* OK", "* PREAUTH", "* BYE"}) {
      const size_t n = std::min(server.size(), g.size());
      if (!iequals(server.substr(0, n), g.substr(0, n))) continue;
      any = true;
      full = full || n == g.size();
    }
    if (!any) return ProbeResult::kNo;
    if (!full) return in.server_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  }
  if (client.empty()) return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  // A tagged command: tag SP command-word.
  size_t i = 0;
  while (i < client.size() && is_tag_char(client[i])) ++i;
  if (i == client.size()) return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  if (i == 0 || client[i] != ' ') return ProbeResult::kNo;
  size_t j = i + 1;
  while (j < client.size() && is_alpha(client[j])) ++j;
  if (j == client.size()) return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  if (j == i + 1 || (client[j] != ' ' && client[j] != '\r' && client[j] != '\n')) {
    return ProbeResult::kNo;
  }
  // Without the greeting a tagged word is too weak alone (many text protocols look alike).
  return server.empty() ? (in.server_final ? ProbeResult::kNo : ProbeResult::kNeedMore)
                        : ProbeResult::kYes;
}

}  // namespace netcap::app::imap
