#include "forensics/streams/postgres/postgres_parser.h"

#include <algorithm>
#include <limits>

#include "core/util/byte_cursor.h"

namespace netcap::app::postgres {

namespace {

// A NUL-terminated string; fails the cursor when there is no NUL. Longer than `max`: cut, and
// `cut` is set.
std::string c_string(ByteCursor& c, size_t max, bool* cut = nullptr) {
  const Bytes rest = c.rest();
  const auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
  if (nul == rest.end()) {
    c.fail();
    return {};
  }
  const size_t n = static_cast<size_t>(nul - rest.begin());
  std::string s(c.chars(n));
  c.skip(1);
  if (s.size() > max) {
    s.resize(max);
    if (cut != nullptr) *cut = true;
  }
  return s;
}

std::string hex(std::string_view raw) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : raw) {
    out.push_back(kDigits[ch >> 4]);
    out.push_back(kDigits[ch & 15]);
  }
  return out;
}

}  // namespace

std::optional<FirstMessage> parse_first_message(Bytes message) {
  ByteCursor c(message);
  const uint32_t length = c.u32be();
  FirstMessage m;
  m.code = c.u32be();
  if (!c.ok() || length != message.size()) return std::nullopt;
  switch (m.code) {
    case kSslRequestCode:
    case kGssEncRequestCode:
      return length == 8 ? std::optional<FirstMessage>(m) : std::nullopt;
    case kCancelRequestCode:
      return length == 16 ? std::optional<FirstMessage>(m) : std::nullopt;
    default:
      break;
  }
  if ((m.code >> 16) != 3) return std::nullopt;  // protocol 3.x only
  // Name/value pairs, then a terminating NUL.
  while (c.ok() && c.peek_u8() != 0) {
    std::string key = c_string(c, kMaxStringBytes, &m.parameters_cut);
    std::string value = c_string(c, kMaxStringBytes, &m.parameters_cut);
    if (!c.ok() || key.empty()) return std::nullopt;
    if (m.parameters.size() >= kMaxParameters) {
      m.parameters_cut = true;
      continue;
    }
    m.parameters.emplace_back(std::move(key), std::move(value));
  }
  if (!c.ok() || c.u8() != 0 || !c.empty()) return std::nullopt;
  return m;
}

size_t typed_message_size(Bytes buffer) {
  if (buffer.size() < 5) return 0;
  ByteCursor c(buffer.subspan(1));
  const uint32_t length = c.u32be();
  if (length < 4) return std::numeric_limits<size_t>::max();
  return 1 + static_cast<size_t>(length);
}

std::optional<AuthRequest> parse_auth_request(Bytes payload) {
  ByteCursor c(payload);
  AuthRequest r;
  r.code = c.u32be();
  if (!c.ok()) return std::nullopt;
  if (r.code == 5) {
    r.md5_salt = std::string(c.chars(4));
    if (!c.ok()) return std::nullopt;
  } else if (r.code == 10) {
    while (c.ok() && !c.empty() && c.peek_u8() != 0 && r.mechanisms.size() < 16) {
      r.mechanisms.push_back(c_string(c, kMaxStringBytes));
    }
    if (!c.ok()) return std::nullopt;
  }
  return r;
}

std::string auth_method_name(const AuthRequest& request) {
  switch (request.code) {
    case 0:
      return "trust";
    case 2:
      return "kerberos";
    case 3:
      return "cleartext";
    case 5:
      return "md5";
    case 7:
      return "gss";
    case 9:
      return "sspi";
    case 10: {
      std::string out = "sasl:";
      for (size_t i = 0; i < request.mechanisms.size(); ++i)
        out += (i ? "," : "") + request.mechanisms[i];
      return out;
    }
    default:
      return "auth-" + std::to_string(request.code);
  }
}

std::optional<ErrorFields> parse_error_fields(Bytes payload) {
  ByteCursor c(payload);
  ErrorFields e;
  std::string severity_s;
  while (c.ok() && !c.empty()) {
    const uint8_t field = c.u8();
    if (field == 0) break;
    std::string value = c_string(c, kMaxStringBytes);
    if (!c.ok()) return std::nullopt;
    if (field == 'V') e.severity = value;
    if (field == 'S') severity_s = value;
    if (field == 'C') e.code = value;
    if (field == 'M') e.message = value;
  }
  if (!c.ok()) return std::nullopt;
  if (e.severity.empty()) e.severity = severity_s;
  return e;
}

std::optional<std::pair<std::string, std::string>> parse_parameter_status(Bytes payload) {
  ByteCursor c(payload);
  std::string name = c_string(c, kMaxStringBytes);
  std::string value = c_string(c, kMaxStringBytes);
  if (!c.ok()) return std::nullopt;
  return std::make_pair(std::move(name), std::move(value));
}

std::optional<std::string> query_text(const Message& message, size_t max) {
  ByteCursor c(message.payload);
  if (message.type == 'P')
    c_string(c, kMaxStringBytes);  // the prepared statement's name
  else if (message.type != 'Q')
    return std::nullopt;
  if (!c.ok()) return std::nullopt;
  const Bytes rest = c.rest();
  const auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
  const size_t n = std::min(static_cast<size_t>(nul - rest.begin()), max);
  return std::string(c.chars(n));
}

int probe_first_message(Bytes client, bool final) {
  if (client.size() < 8) {
    // A prefix: the length field of any of the first messages starts with zero bytes.
    if (!client.empty() && client[0] != 0) return 0;
    return final ? 0 : 1;
  }
  ByteCursor c(client);
  const uint32_t length = c.u32be();
  const uint32_t code = c.u32be();
  if (code == kSslRequestCode || code == kGssEncRequestCode) return length == 8 ? 2 : 0;
  if ((code >> 16) != 3 || length < 9 || length > 10000) return 0;
  if (client.size() < length) return final ? 0 : 1;
  return parse_first_message(client.first(length)) ? 2 : 0;
}

std::string md5_hashcat(std::string_view user, std::string_view salt, std::string_view password) {
  if (salt.size() != 4 || password.size() != 35 || password.substr(0, 3) != "md5") return {};
  const std::string_view digest = password.substr(3);
  if (!std::all_of(digest.begin(), digest.end(),
                   [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); })) {
    return {};
  }
  if (user.find('*') != std::string_view::npos) return {};  // hashcat's separator
  return "$postgres$" + std::string(user) + "*" + hex(salt) + "*" + std::string(digest);
}

}  // namespace netcap::app::postgres
