// Telnet parsing (RFC 854 commands, RFC 855 option negotiation): strips IAC sequences from one
// direction's byte stream and rebuilds the typed/printed lines. Pure: bytes in, events out.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::telnet {

using Bytes = std::span<const uint8_t>;

// RFC 854 command codes.
inline constexpr uint8_t kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251, kSb = 250,
                         kGa = 249, kEl = 248, kEc = 247, kSe = 240;

// "WILL", "WONT", "DO", "DONT" for 251..254, "" otherwise.
std::string_view verb_name(uint8_t verb);
// IANA Telnet option name ("TERMINAL-TYPE"), "OPTION-<n>" when unknown.
std::string option_name(uint8_t code);
// A readable summary of a subnegotiation's parameter bytes (after the option code), e.g.
// "IS xterm", "SEND", "80x24"; printable bytes kept, others as <hex>.
std::string subnegotiation_summary(uint8_t option, Bytes params);

// Splits one direction into data bytes, option commands and subnegotiations.
class Decoder {
 public:
  struct Events {
    std::function<void(Bytes data)> on_data;                      // data bytes, IAC IAC undoubled
    std::function<void(uint8_t verb, uint8_t option)> on_option;  // WILL/WONT/DO/DONT
    std::function<void(uint8_t option, Bytes params)> on_subnegotiation;
    std::function<void(uint8_t command)> on_command;  // NOP, EC, EL, GA, ...
    std::function<void(std::string_view problem, std::string detail)> on_anomaly;
  };
  // `max_subnegotiation`: parameter bytes kept for one SB ... SE.
  Decoder(size_t max_subnegotiation, Events events)
      : max_sb_(max_subnegotiation), events_(std::move(events)) {}
  void feed(Bytes data);
  // Bytes missing: back to plain data.
  void reset() {
    state_ = State::kData;
    sb_.clear();
  }

 private:
  enum class State : uint8_t { kData, kIac, kOption, kSbOption, kSb, kSbIac };
  void flush_data(Bytes data, size_t from, size_t to);
  State state_ = State::kData;
  uint8_t verb_ = 0;
  uint8_t sb_option_ = 0;
  bool sb_overflow_ = false;
  size_t max_sb_;
  std::vector<uint8_t> sb_;
  std::vector<uint8_t> literal_;  // one IAC IAC byte handed out as data
  Events events_;
};

// Rebuilds lines from data bytes as a terminal would: CR LF, CR NUL, lone CR or LF end a line
// (RFC 854 "NVT"), BS and DEL erase the last character, EC/EL (via erase_char / erase_line)
// edit, ANSI escape sequences and other control characters are dropped. Lines longer than
// `max_line` are cut (`truncated`).
class LineEditor {
 public:
  explicit LineEditor(size_t max_line) : max_(max_line) {}
  // `on_line(std::string_view line, bool truncated)` per finished line.
  template <typename F>
  void feed(Bytes data, F&& on_line) {
    for (uint8_t b : data) {
      if (escape_ > 0) {
        // ESC [ params final: the final byte is 0x40..0x7e; ESC x: one byte.
        if (escape_ == 1) {
          escape_ = b == '[' ? 2 : 0;
        } else if (b >= 0x40 && b <= 0x7e) {
          escape_ = 0;
        }
        continue;
      }
      if (after_cr_) {
        after_cr_ = false;
        if (b == '\n' || b == 0) continue;  // CR LF / CR NUL already ended the line
      }
      if (b == '\r' || b == '\n') {
        after_cr_ = b == '\r';
        on_line(std::string_view(line_), truncated_);
        line_.clear();
        truncated_ = false;
        continue;
      }
      if (b == 0x08 || b == 0x7f) {
        erase_char();
        continue;
      }
      if (b == 0x1b) {
        escape_ = 1;
        continue;
      }
      if (b == 0x15) {  // ^U: kill line (common line discipline)
        erase_line();
        continue;
      }
      if (b < 0x20 && b != '\t') continue;
      if (line_.size() < max_) {
        line_.push_back(static_cast<char>(b));
      } else {
        truncated_ = true;
      }
    }
  }
  void erase_char() {
    if (!line_.empty()) line_.pop_back();
  }
  void erase_line() { line_.clear(); }
  const std::string& pending() const { return line_; }
  void reset() {
    line_.clear();
    truncated_ = after_cr_ = false;
    escape_ = 0;
  }

 private:
  size_t max_;
  std::string line_;
  bool truncated_ = false;
  bool after_cr_ = false;
  int escape_ = 0;  // 0 none, 1 after ESC, 2 inside CSI
};

// Prompts that ask for a user name / password (case-insensitive, trailing spaces ignored).
bool is_login_prompt(std::string_view text);
bool is_password_prompt(std::string_view text);

}  // namespace netcap::app::telnet
