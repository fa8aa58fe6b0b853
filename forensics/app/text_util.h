// Small text and digest helpers shared by the application-protocol parsers. All functions are
// pure and take borrowed views; none keeps a reference.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app {

std::string_view as_text(std::span<const uint8_t> bytes);
std::span<const uint8_t> as_bytes(std::string_view text);

// ASCII-only case handling (protocol keywords are ASCII).
char ascii_lower(char c);
std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view text, std::string_view prefix);
// Position of `needle` in `text` ignoring ASCII case, npos when absent.
size_t ifind(std::string_view text, std::string_view needle);

// Without leading/trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view text);
// Splits at every `sep`; empty pieces are kept.
std::vector<std::string_view> split(std::string_view text, char sep);

// RFC 4648 §4 base64 (whitespace ignored, padding optional). Nothing on invalid input.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::span<const uint8_t> bytes);

// Lower-case hex of bytes.
std::string hex(std::span<const uint8_t> bytes);

// Digests as lower-case hex (OpenSSL EVP).
std::string md5_hex(std::string_view data);
std::string sha1_hex(std::span<const uint8_t> data);
std::string sha256_hex(std::span<const uint8_t> data);

// RFC 3986 §2.1 percent-decoding; '+' becomes a space when `plus_is_space` (form encoding).
std::string percent_decode(std::string_view text, bool plus_is_space);

// Parses a non-negative decimal that fits in uint64; nothing for anything else.
std::optional<uint64_t> parse_decimal(std::string_view text);

// Splits a byte stream into lines for text protocols (SMTP, FTP, POP3, IMAP, HTTP heads, SIP).
// A line ends at LF (a CR before it is dropped). A line longer than `max_line` is delivered cut
// to `max_line` bytes with `truncated` set, and the rest up to the next LF is skipped.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}
  // Appends `data`; `on_line(std::string_view line, bool truncated)` is called per complete
  // line. Returns the number of bytes of `data` consumed (always all of them).
  template <typename F>
  size_t feed(std::span<const uint8_t> data, F&& on_line) {
    for (size_t i = 0; i < data.size(); ++i) {
      const char c = static_cast<char>(data[i]);
      if (c == '\n') {
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        on_line(std::string_view(line_), truncated_);
        line_.clear();
        truncated_ = false;
        continue;
      }
      if (line_.size() < max_line_) {
        line_.push_back(c);
      } else {
        truncated_ = true;
      }
    }
    return data.size();
  }
  // Bytes of the unfinished line.
  const std::string& pending() const { return line_; }
  void reset() {
    line_.clear();
    truncated_ = false;
  }

 private:
  size_t max_line_;
  std::string line_;
  bool truncated_ = false;
};

}  // namespace netcap::app
