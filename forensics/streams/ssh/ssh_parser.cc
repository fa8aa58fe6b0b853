#include "forensics/streams/ssh/ssh_parser.h"

#include "core/util/byte_cursor.h"
#include "forensics/app/text_util.h"

namespace netcap::app::ssh {

Banner parse_banner(std::string_view line) {
  Banner b;
  b.line = std::string(line);
  if (line.substr(0, 4) != "SSH-") return b;
  std::string_view rest = line.substr(4);
  const size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return b;
  b.proto = std::string(rest.substr(0, dash));
  rest = rest.substr(dash + 1);
  // RFC 4253 §4.2: softwareversion, then optionally SP and comments.
  const size_t space = rest.find(' ');
  b.software = std::string(rest.substr(0, space));
  if (space != std::string_view::npos) b.comments = std::string(rest.substr(space + 1));
  b.valid = !b.proto.empty() && !b.software.empty();
  return b;
}

namespace {

// RFC 4251 §5: name-list = uint32 length + comma-separated US-ASCII names.
bool name_list(ByteCursor& c, std::string& out) {
  const uint32_t n = c.u32be();
  std::string_view s = c.chars(n);
  if (!c.ok()) return false;
  out.assign(s);
  return true;
}

}  // namespace

std::optional<KexInit> parse_kexinit(Bytes payload) {
  ByteCursor c(payload);
  if (c.u8() != kMsgKexInit) return std::nullopt;
  KexInit k;
  Bytes cookie = c.bytes(16);
  if (!c.ok()) return std::nullopt;
  k.cookie_hex = hex(cookie);
  std::string* lists[] = {&k.kex,           &k.host_key,     &k.ciphers_c2s,     &k.ciphers_s2c,
                          &k.macs_c2s,      &k.macs_s2c,     &k.compression_c2s, &k.compression_s2c,
                          &k.languages_c2s, &k.languages_s2c};
  for (std::string* l : lists) {
    if (!name_list(c, *l)) return std::nullopt;
  }
  k.first_kex_follows = c.u8() != 0;
  c.u32be();  // reserved
  if (!c.ok()) return std::nullopt;
  return k;
}

std::string hassh_client_string(const KexInit& k) {
  return k.kex + ";" + k.ciphers_c2s + ";" + k.macs_c2s + ";" + k.compression_c2s;
}

std::string hassh_server_string(const KexInit& k) {
  return k.kex + ";" + k.ciphers_s2c + ";" + k.macs_s2c + ";" + k.compression_s2c;
}

std::string negotiate(std::string_view client_list, std::string_view server_list) {
  if (client_list.empty() || server_list.empty()) return {};
  const std::vector<std::string_view> server = split(server_list, ',');
  for (std::string_view c : split(client_list, ',')) {
    for (std::string_view s : server) {
      if (c == s && !c.empty()) return std::string(c);
    }
  }
  return {};
}

// ------------------------------------------------------------------ DirectionParser

void DirectionParser::feed(Bytes data) {
  size_t i = 0;
  while (state_ == State::kBanner && i < data.size()) {
    const char ch = static_cast<char>(data[i++]);
    if (ch == '\n') {
      std::string line = std::move(line_);
      line_.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      banner_line(line);
      continue;
    }
    if (line_.size() >= kMaxLine) {
      events_.on_anomaly("bad_banner", "identification line longer than " +
                                           std::to_string(kMaxLine) + " bytes without LF");
      state_ = State::kDone;
      line_.clear();
      return;
    }
    line_.push_back(ch);
  }
  if (state_ == State::kPackets && i < data.size()) {
    Bytes rest = data.subspan(i);
    if (buffer_.empty()) {
      // Fast path: parse straight from the segment, keep only an incomplete tail.
      size_t used = packets(rest);
      if (state_ == State::kPackets)
        buffer_.assign(rest.begin() + static_cast<long>(used), rest.end());
    } else {
      buffer_.insert(buffer_.end(), rest.begin(), rest.end());
      size_t used = packets(buffer_);
      if (state_ == State::kPackets) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(used));
      }
    }
    if (state_ != State::kPackets) buffer_.clear();
  }
}

void DirectionParser::banner_line(std::string_view line) {
  if (line.substr(0, 4) != "SSH-") {
    // RFC 4253 §4.2: only the server may send other lines before its version string.
    if (server_side_ && ++pre_banner_lines_ <= kMaxPreBannerLines) {
      if (events_.on_pre_banner_line) events_.on_pre_banner_line(line);
      return;
    }
    events_.on_anomaly("bad_banner", std::string(server_side_ ? "server" : "client") +
                                         " sent a line that is not an identification string: \"" +
                                         std::string(line.substr(0, 64)) + "\"");
    state_ = State::kDone;
    return;
  }
  Banner b = parse_banner(line);
  if (!b.valid) {
    events_.on_anomaly("bad_banner", "malformed identification string \"" +
                                         std::string(line.substr(0, 128)) + "\"");
  } else if (line.size() + 2 > 255) {
    events_.on_anomaly("bad_banner", "identification string of " + std::to_string(line.size() + 2) +
                                         " bytes, RFC 4253 allows 255");
  }
  events_.on_banner(b);
  // SSH-1 ("1.5") uses another packet format; "1.99" means SSH-2 compatible (RFC 4253 §5.1).
  if (b.valid && b.proto != "2.0" && b.proto != "1.99") {
    state_ = State::kDone;
    return;
  }
  state_ = b.valid ? State::kPackets : State::kDone;
}

size_t DirectionParser::packets(Bytes data) {
  size_t pos = 0;
  while (state_ == State::kPackets) {
    ByteCursor c(data.subspan(pos));
    if (!c.has(6)) return pos;
    const uint32_t length = c.u32be();
    const uint8_t padding = c.u8();
    const uint8_t type = c.peek_u8();
    // RFC 4253 §6: packet_length counts padding_length, payload and padding; the payload
    // holds at least the message number.
    if (length < 2u + padding || length < 5) {
      events_.on_anomaly("bad_packet", "packet_length " + std::to_string(length) +
                                           " with padding_length " + std::to_string(padding));
      state_ = State::kDone;
      return pos;
    }
    if (length > max_packet_) {
      if (type == kMsgKexInit) {
        events_.on_anomaly("kexinit_too_large", "KEXINIT packet of " + std::to_string(length) +
                                                    " bytes, limit " + std::to_string(max_packet_));
      } else {
        events_.on_anomaly("bad_packet", "packet_length " + std::to_string(length) + " (message " +
                                             std::to_string(type) + ") exceeds the limit " +
                                             std::to_string(max_packet_));
      }
      state_ = State::kDone;
      return pos;
    }
    if (!c.has(length - 1)) return pos;
    Bytes payload = c.bytes(length - 1 - padding);
    pos += 4 + length;
    ++packets_;
    events_.on_packet(payload);
    if (type == kMsgNewKeys) {
      // RFC 4253 §7.3: everything after NEWKEYS uses the new keys.
      newkeys_ = true;
      state_ = State::kDone;
    }
  }
  return pos;
}

}  // namespace netcap::app::ssh
