#include "forensics/streams/ftp/ftp_parser.h"

#include "core/net/address.h"
#include "forensics/app/text_util.h"

namespace netcap::app::ftp {

Command parse_command(std::string_view line) {
  Command c;
  const size_t space = line.find(' ');
  c.verb = to_lower(line.substr(0, space));
  for (char& ch : c.verb) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
  if (space != std::string_view::npos) c.argument = std::string(line.substr(space + 1));
  return c;
}

bool is_transfer_command(std::string_view verb) { return !transfer_direction(verb).empty(); }

std::string_view transfer_direction(std::string_view verb) {
  if (verb == "RETR") return "download";
  if (verb == "STOR" || verb == "STOU" || verb == "APPE") return "upload";
  if (verb == "LIST" || verb == "NLST" || verb == "MLSD") return "listing";
  return "";
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The code of a reply line "ddd" + sep, 0 when the line does not start like one.
int line_code(std::string_view line, char& sep) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) return 0;
  if (line[0] < '1' || line[0] > '5') return 0;
  sep = line.size() > 3 ? line[3] : ' ';
  if (sep != ' ' && sep != '-') return 0;
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

std::string_view after_code(std::string_view line) { return line.size() > 4 ? line.substr(4) : ""; }

// n comma-separated decimals 0..255 starting at `text` (spaces allowed around them).
std::optional<std::vector<int>> numbers(std::string_view text, size_t n) {
  std::vector<int> out;
  for (std::string_view part : split(text, ',')) {
    part = trim(part);
    auto v = parse_decimal(part);
    if (!v || *v > 255 || part.empty() || part.size() > 3) return std::nullopt;
    out.push_back(static_cast<int>(*v));
  }
  if (out.size() != n) return std::nullopt;
  return out;
}

std::optional<Endpoint> six_numbers(std::string_view text) {
  auto v = numbers(text, 6);
  if (!v) return std::nullopt;
  const auto& n = *v;
  Endpoint e;
  e.ip = std::to_string(n[0]) + "." + std::to_string(n[1]) + "." + std::to_string(n[2]) + "." +
         std::to_string(n[3]);
  e.port = static_cast<uint16_t>(n[4] * 256 + n[5]);
  return e;
}

}  // namespace

ReplyAssembler::Result ReplyAssembler::line(std::string_view line, Reply& out) {
  char sep = 0;
  const int code = line_code(line, sep);
  auto append = [&](std::string_view text) {
    if (!text_.empty() || code_ != 0) {
      if (text_.size() < max_) text_.push_back('\n');
    }
    const size_t room = text_.size() < max_ ? max_ - text_.size() : 0;
    if (text.size() > room) truncated_ = true;
    text_.append(text.substr(0, room));
  };
  if (code_ == 0) {
    if (code == 0) return Result::kBadLine;
    text_.clear();
    truncated_ = false;
    if (sep == '-') {
      code_ = code;
      text_.assign(after_code(line).substr(0, max_));
      return Result::kNone;
    }
    out.code = code;
    out.text = std::string(after_code(line).substr(0, max_));
    truncated_ = after_code(line).size() > max_;
    return Result::kReply;
  }
  // Inside a multi-line reply: it ends at "ddd " with the same code; other lines are text.
  if (code == code_ && sep == ' ') {
    append(after_code(line));
    out.code = code_;
    out.text = std::move(text_);
    text_.clear();
    code_ = 0;
    return Result::kReply;
  }
  append(line);
  return Result::kNone;
}

std::optional<Endpoint> parse_port(std::string_view argument) {
  return six_numbers(trim(argument));
}

std::optional<Endpoint> parse_pasv_reply(std::string_view text) {
  // The numbers start at the first digit after "(" when present, else at the first digit
  // that begins a run of six comma-separated numbers.
  size_t open = text.find('(');
  if (open != std::string_view::npos) {
    size_t close = text.find(')', open);
    if (close != std::string_view::npos)
      return six_numbers(text.substr(open + 1, close - open - 1));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) continue;
    size_t end = i;
    while (end < text.size() && (is_digit(text[end]) || text[end] == ',' || text[end] == ' '))
      ++end;
    if (auto e = six_numbers(text.substr(i, end - i))) return e;
  }
  return std::nullopt;
}

std::optional<Endpoint> parse_eprt(std::string_view argument) {
  argument = trim(argument);
  if (argument.size() < 6) return std::nullopt;
  const char d = argument[0];
  // RFC 2428 §2: the delimiter is a printable ASCII character other than digits.
  if (d < 33 || d > 126 || is_digit(d)) return std::nullopt;
  std::vector<std::string_view> parts = split(argument, d);
  // "", proto, address, port, ""
  if (parts.size() != 5 || !parts[0].empty() || !parts[4].empty()) return std::nullopt;
  if (parts[1] != "1" && parts[1] != "2") return std::nullopt;
  IpAddress ip;
  if (!IpAddress::parse(std::string(parts[2]), ip)) return std::nullopt;
  if ((parts[1] == "1") != ip.is_v4()) return std::nullopt;
  auto port = parse_decimal(parts[3]);
  if (!port || *port == 0 || *port > 65535) return std::nullopt;
  return Endpoint{ip.to_string(), static_cast<uint16_t>(*port)};
}

std::optional<Endpoint> parse_epsv_reply(std::string_view text) {
  const size_t open = text.find('(');
  if (open == std::string_view::npos || open + 5 >= text.size()) return std::nullopt;
  const char d = text[open + 1];
  if (text[open + 2] != d || text[open + 3] != d) return std::nullopt;
  const size_t end = text.find(d, open + 4);
  if (end == std::string_view::npos) return std::nullopt;
  auto port = parse_decimal(text.substr(open + 4, end - open - 4));
  if (!port || *port == 0 || *port > 65535) return std::nullopt;
  return Endpoint{"", static_cast<uint16_t>(*port)};
}

}  // namespace netcap::app::ftp
