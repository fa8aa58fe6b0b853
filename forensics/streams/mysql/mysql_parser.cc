#include "forensics/streams/mysql/mysql_parser.h"

#include <algorithm>

#include "core/util/byte_cursor.h"

namespace netcap::app::mysql {

namespace {

// A NUL-terminated string (the NUL consumed); fails the cursor when there is no NUL or the
// string is longer than `max`.
std::string c_string(ByteCursor& c, size_t max) {
  const Bytes rest = c.rest();
  const auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
  if (nul == rest.end() || static_cast<size_t>(nul - rest.begin()) > max) {
    c.fail();
    return {};
  }
  std::string_view s = c.chars(static_cast<size_t>(nul - rest.begin()));
  c.skip(1);
  return std::string(s);
}

// A NUL-terminated string that may also end at the end of the packet (some servers and clients
// omit the NUL after the last field).
std::string c_string_or_rest(ByteCursor& c, size_t max) {
  const Bytes rest = c.rest();
  const auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
  const size_t n = std::min(static_cast<size_t>(nul - rest.begin()), max);
  std::string s(c.chars(n));
  if (nul != rest.end() && static_cast<size_t>(nul - rest.begin()) == n) c.skip(1);
  return s;
}

// Protocol::LengthEncodedInteger; fails on 0xfb (NULL) and 0xff (not an integer).
uint64_t lenenc_int(ByteCursor& c) {
  const uint8_t first = c.u8();
  if (first < 0xfb) return first;
  switch (first) {
    case 0xfc:
      return c.u16le();
    case 0xfd: {
      const uint32_t lo = c.u16le();
      return lo | (uint32_t{c.u8()} << 16);
    }
    case 0xfe:
      return c.u64le();
    default:
      c.fail();
      return 0;
  }
}

std::string lenenc_string(ByteCursor& c, size_t max) {
  const uint64_t n = lenenc_int(c);
  if (!c.ok() || n > max || n > c.remaining()) {
    c.fail();
    return {};
  }
  return std::string(c.chars(static_cast<size_t>(n)));
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f; });
}

}  // namespace

std::vector<Packet> split_packets(Bytes buffer, size_t max_payload, size_t& consumed,
                                  bool& too_large) {
  std::vector<Packet> out;
  consumed = 0;
  too_large = false;
  while (buffer.size() - consumed >= 4) {
    ByteCursor c(buffer.subspan(consumed));
    const uint32_t length = c.u16le() | (uint32_t{c.u8()} << 16);
    const uint8_t sequence = c.u8();
    if (length > max_payload) {
      too_large = true;
      break;
    }
    if (c.remaining() < length) break;
    out.push_back({sequence, c.bytes(length)});
    consumed += 4 + length;
  }
  return out;
}

std::optional<Greeting> parse_greeting(Bytes payload) {
  ByteCursor c(payload);
  Greeting g;
  g.protocol_version = c.u8();
  if (g.protocol_version != 10 && g.protocol_version != 9) return std::nullopt;
  g.server_version = c_string(c, kMaxNameBytes);
  if (!c.ok() || g.server_version.empty() || !printable(g.server_version)) return std::nullopt;
  g.connection_id = c.u32le();
  if (g.protocol_version == 9) {
    // HandshakeV9: the scramble follows, NUL-terminated.
    g.salt = c_string_or_rest(c, kMaxNameBytes);
    return c.ok() ? std::optional<Greeting>(g) : std::nullopt;
  }
  g.salt = std::string(c.chars(8));
  c.skip(1);  // filler
  g.capabilities = c.u16le();
  if (!c.ok()) return std::nullopt;
  if (c.empty()) return g;  // pre-4.1 servers end here
  g.character_set = c.u8();
  c.skip(2);  // status flags
  g.capabilities |= uint32_t{c.u16le()} << 16;
  const uint8_t auth_data_length = c.u8();
  c.skip(10);  // reserved
  if (!c.ok()) return std::nullopt;
  if (g.capabilities & kClientSecureConnection) {
    // auth-plugin-data-part-2: max(13, length - 8) bytes, the last one a NUL.
    const size_t part2 = std::max<size_t>(13, auth_data_length > 8 ? auth_data_length - 8 : 0);
    std::string_view more = c.chars(std::min(part2, c.remaining()));
    if (!more.empty() && more.back() == '\0') more.remove_suffix(1);
    g.salt.append(more);
  }
  if (g.capabilities & kClientPluginAuth) g.auth_plugin = c_string_or_rest(c, kMaxNameBytes);
  return g;
}

std::optional<Login> parse_login(Bytes payload) {
  ByteCursor c(payload);
  Login l;
  l.capabilities = c.u16le();
  if (!c.ok()) return std::nullopt;
  if (!(l.capabilities & kClientProtocol41)) {
    // HandshakeResponse320: capabilities (2), max packet size (3), user, auth response.
    c.skip(3);
    l.user = c_string(c, kMaxNameBytes);
    if (!c.ok()) return std::nullopt;
    l.auth_response = c_string_or_rest(c, kMaxNameBytes);
    return l;
  }
  l.capabilities |= uint32_t{c.u16le()} << 16;
  c.skip(4 + 1 + 23);  // max packet size, character set, filler
  if (!c.ok()) return std::nullopt;
  if (c.empty()) {
    // SSLRequest: the response cut after the filler; TLS starts next.
    l.ssl_request = (l.capabilities & kClientSsl) != 0;
    if (!l.ssl_request) return std::nullopt;
    return l;
  }
  l.user = c_string(c, kMaxNameBytes);
  if (!c.ok()) return std::nullopt;
  if (l.capabilities & kClientPluginAuthLenencData) {
    l.auth_response = lenenc_string(c, kMaxNameBytes);
  } else if (l.capabilities & kClientSecureConnection) {
    l.auth_response = std::string(c.chars(c.u8()));
  } else {
    l.auth_response = c_string_or_rest(c, kMaxNameBytes);
  }
  if (!c.ok()) return std::nullopt;
  if ((l.capabilities & kClientConnectWithDb) && !c.empty())
    l.database = c_string_or_rest(c, kMaxNameBytes);
  if ((l.capabilities & kClientPluginAuth) && !c.empty())
    l.auth_plugin = c_string_or_rest(c, kMaxNameBytes);
  if ((l.capabilities & kClientConnectAttrs) && !c.empty()) {
    const uint64_t total = lenenc_int(c);
    if (!c.ok() || total > c.remaining()) {
      l.attributes_cut = true;
      return l;
    }
    ByteCursor attrs = c.sub(static_cast<size_t>(total));
    while (!attrs.empty()) {
      if (l.attributes.size() >= kMaxAttributes) {
        l.attributes_cut = true;
        break;
      }
      std::string key = lenenc_string(attrs, kMaxNameBytes);
      std::string value = lenenc_string(attrs, kMaxNameBytes);
      if (!attrs.ok()) {
        l.attributes_cut = true;
        break;
      }
      l.attributes.push_back(key + "=" + value);
    }
  }
  return l;
}

std::optional<Error> parse_error(Bytes payload) {
  ByteCursor c(payload);
  if (c.u8() != 0xff) return std::nullopt;
  Error e;
  e.code = c.u16le();
  if (!c.ok()) return std::nullopt;
  if (c.peek_u8() == '#' && c.remaining() >= 6) {
    c.skip(1);
    e.sql_state = std::string(c.chars(5));
  }
  e.message = std::string(c.chars(std::min(c.remaining(), size_t{1024})));
  return e;
}

std::optional<AuthSwitch> parse_auth_switch(Bytes payload) {
  ByteCursor c(payload);
  if (c.u8() != 0xfe || c.empty()) return std::nullopt;
  AuthSwitch a;
  a.plugin = c_string(c, kMaxNameBytes);
  if (!c.ok() || a.plugin.empty() || !printable(a.plugin)) return std::nullopt;
  a.salt = std::string(c.chars(std::min(c.remaining(), size_t{256})));
  if (!a.salt.empty() && a.salt.back() == '\0') a.salt.pop_back();
  return a;
}

std::optional<Command> parse_command(Bytes payload_prefix, bool query_attributes, size_t max_text) {
  if (payload_prefix.empty()) return std::nullopt;
  Command out;
  out.code = payload_prefix[0];
  ByteCursor c(payload_prefix.subspan(1));
  const auto rest = [&](std::string_view prefix) {
    out.has_text = true;
    out.text = std::string(prefix) + std::string(c.chars(std::min(c.remaining(), max_text)));
  };
  switch (out.code) {
    case kComQuery:
      if (query_attributes) {
        // COM_QUERY with CLIENT_QUERY_ATTRIBUTES: parameter_count, parameter_set_count (always
        // 1), then with parameters a null bitmap, types, names and values before the text.
        const uint64_t parameters = lenenc_int(c);
        (void)lenenc_int(c);
        if (!c.ok() || parameters > 0) return out;
      }
      rest("");
      break;
    case kComStmtPrepare:
      rest("");
      break;
    case kComInitDb:
      rest("USE ");
      break;
    default:
      break;
  }
  return out;
}

int probe_greeting(Bytes server, bool final) {
  if (server.size() < 5) return final ? 0 : 1;
  ByteCursor c(server);
  const uint32_t length = c.u16le() | (uint32_t{c.u8()} << 16);
  const uint8_t sequence = c.u8();
  if (sequence != 0 || length < 10 || length > 4096) return 0;
  // An ERR greeting ("Host is not allowed to connect") is MySQL too.
  const uint8_t first = c.peek_u8();
  if (first == 0xff) return c.remaining() >= 3 ? 2 : (final ? 0 : 1);
  if (first != 10) return 0;
  if (c.remaining() < length) {
    // The greeting so far must look like a version string.
    const Bytes rest = c.rest().subspan(1);
    for (uint8_t b : rest) {
      if (b == 0) return final ? 0 : 1;
      if (b < 0x20 || b == 0x7f) return 0;
    }
    return final ? 0 : 1;
  }
  return parse_greeting(c.bytes(length)) ? 2 : 0;
}

std::string native_password_hashcat(std::string_view salt, std::string_view response) {
  if (salt.size() != 20 || response.size() != 20) return {};
  static const char kDigits[] = "0123456789abcdef";
  std::string out = "$mysqlna$";
  for (unsigned char ch : salt) {
    out.push_back(kDigits[ch >> 4]);
    out.push_back(kDigits[ch & 15]);
  }
  out.push_back('*');
  for (unsigned char ch : response) {
    out.push_back(kDigits[ch >> 4]);
    out.push_back(kDigits[ch & 15]);
  }
  return out;
}

}  // namespace netcap::app::mysql
