// FTP control-connection parsing (RFC 959, RFC 2428): commands, (multi-line) replies and the
// data-channel announcements PORT, PASV (227), EPRT and EPSV (229). Pure: text in, structs out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::ftp {

// "RETR a b.txt" -> verb "RETR" (upper case), argument "a b.txt" (as sent).
struct Command {
  std::string verb;
  std::string argument;
};
Command parse_command(std::string_view line);

// Commands that use a data connection (RFC 959 §4.1.3, RFC 3659 MLSD).
bool is_transfer_command(std::string_view verb);
// "download", "upload" or "listing" for a transfer command, "" otherwise.
std::string_view transfer_direction(std::string_view verb);

struct Reply {
  int code = 0;
  std::string text;  // lines joined with "\n", the codes of the first and last line removed
};

// RFC 959 §4.2: a reply is "ddd text", or "ddd-text" ... "ddd text" over several lines.
class ReplyAssembler {
 public:
  // `max_bytes`: text kept per reply (more is dropped and `truncated` set).
  explicit ReplyAssembler(size_t max_bytes) : max_(max_bytes) {}
  enum class Result : uint8_t { kNone, kReply, kBadLine };
  // One line (no CR LF). kReply: `out` holds a complete reply. kBadLine: the line is not a
  // reply line (outside of a multi-line reply).
  Result line(std::string_view line, Reply& out);
  bool in_multiline() const { return code_ != 0; }
  bool truncated() const { return truncated_; }

 private:
  size_t max_;
  int code_ = 0;  // code of the open multi-line reply
  std::string text_;
  bool truncated_ = false;
};

struct Endpoint {
  std::string ip;  // dotted IPv4 or IPv6 text; empty for EPSV (same host as the control)
  uint16_t port = 0;
};
// PORT h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2).
std::optional<Endpoint> parse_port(std::string_view argument);
// 227 reply text: the six numbers, in parentheses or not (RFC 959 leaves the format open).
std::optional<Endpoint> parse_pasv_reply(std::string_view text);
// EPRT <d>proto<d>address<d>port<d> (RFC 2428 §2), proto 1 = IPv4, 2 = IPv6.
std::optional<Endpoint> parse_eprt(std::string_view argument);
// 229 reply text "... (<d><d><d>port<d>)" (RFC 2428 §3).
std::optional<Endpoint> parse_epsv_reply(std::string_view text);

}  // namespace netcap::app::ftp
