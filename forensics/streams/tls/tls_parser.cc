#include "forensics/streams/tls/tls_parser.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/util/byte_cursor.h"
#include "forensics/app/text_util.h"

namespace netcap::app::tls {

namespace {

using netcap::ByteCursor;

// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is
// SHA-256("HelloRetryRequest").
constexpr uint8_t kHelloRetryRequestRandom[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

std::string hex4(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04x", v);
  return buf;
}

std::string ext_name(uint16_t type) { return "extension " + std::to_string(type); }

// Reads a list of u16 values of `len` bytes (len must be even); keeps at most `max_items`.
bool read_u16_list(ByteCursor& c, size_t len, size_t max_items, std::vector<uint16_t>& out) {
  if (len % 2 != 0) return false;
  ByteCursor list = c.sub(len);
  if (!list.ok()) return false;
  while (list.remaining() >= 2) {
    uint16_t v = list.u16be();
    if (out.size() < max_items) out.push_back(v);
  }
  return true;
}

bool read_u8_list(ByteCursor& c, size_t len, size_t max_items, std::vector<uint8_t>& out) {
  Bytes b = c.bytes(len);
  if (!c.ok()) return false;
  for (size_t i = 0; i < b.size() && out.size() < max_items; ++i) out.push_back(b[i]);
  return true;
}

// RFC 7301 §3.1: ProtocolNameList, u16 length then u8-length-prefixed names.
bool read_alpn_list(ByteCursor& c, size_t max_items, std::vector<std::string>& out) {
  uint16_t len = c.u16be();
  ByteCursor list = c.sub(len);
  if (!c.ok() || !list.ok()) return false;
  while (!list.empty()) {
    uint8_t n = list.u8();
    std::string_view name = list.chars(n);
    if (!list.ok()) return false;
    if (out.size() < max_items) out.emplace_back(name);
  }
  return true;
}

// Parses one ClientHello extension's data; false when it is malformed.
bool client_extension(uint16_t type, Bytes data, ClientHello& h, size_t max_items) {
  ByteCursor c(data);
  switch (type) {
    case kExtServerName: {  // RFC 6066 §3
      if (data.empty()) return true;
      uint16_t len = c.u16be();
      ByteCursor list = c.sub(len);
      if (!c.ok()) return false;
      while (!list.empty()) {
        uint8_t name_type = list.u8();
        uint16_t n = list.u16be();
        std::string_view name = list.chars(n);
        if (!list.ok()) return false;
        if (name_type == 0 && h.sni.empty()) h.sni = std::string(name);
      }
      return c.empty();
    }
    case kExtAlpn:
      return read_alpn_list(c, max_items, h.alpns) && c.empty();
    case kExtSupportedGroups: {  // RFC 8446 §4.2.7
      uint16_t len = c.u16be();
      return c.ok() && read_u16_list(c, len, max_items, h.supported_groups) && c.empty();
    }
    case kExtEcPointFormats: {  // RFC 8422 §5.1.2
      uint8_t len = c.u8();
      return c.ok() && read_u8_list(c, len, max_items, h.ec_point_formats) && c.empty();
    }
    case kExtSignatureAlgorithms: {  // RFC 8446 §4.2.3
      uint16_t len = c.u16be();
      return c.ok() && read_u16_list(c, len, max_items, h.signature_algorithms) && c.empty();
    }
    case kExtSupportedVersions: {  // RFC 8446 §4.2.1, ClientHello form
      uint8_t len = c.u8();
      return c.ok() && read_u16_list(c, len, max_items, h.supported_versions) && c.empty();
    }
    case kExtPskKeyExchangeModes: {  // RFC 8446 §4.2.9
      uint8_t len = c.u8();
      return c.ok() && read_u8_list(c, len, max_items, h.psk_key_exchange_modes) && c.empty();
    }
    case kExtKeyShare: {  // RFC 8446 §4.2.8, ClientHello form
      uint16_t len = c.u16be();
      ByteCursor list = c.sub(len);
      if (!c.ok()) return false;
      while (!list.empty()) {
        uint16_t group = list.u16be();
        uint16_t n = list.u16be();
        list.skip(n);
        if (!list.ok()) return false;
        if (h.key_share_groups.size() < max_items) h.key_share_groups.push_back(group);
      }
      return c.empty();
    }
    case kExtSessionTicket:  // RFC 5077 §3.2
      h.session_ticket = true;
      h.session_ticket_length = data.size();
      return true;
    case kExtStatusRequest:
      h.status_request = true;
      return true;
    case kExtEncryptedClientHello:
      h.ech = true;
      return true;
    default:
      return true;
  }
}

bool server_extension(uint16_t type, Bytes data, ServerHello& h) {
  ByteCursor c(data);
  switch (type) {
    case kExtSupportedVersions:  // RFC 8446 §4.2.1, ServerHello form: the selected version
      h.selected_version = c.u16be();
      return c.ok() && c.empty();
    case kExtAlpn: {  // RFC 7301 §3.1: a ProtocolNameList with exactly one name
      uint16_t len = c.u16be();
      ByteCursor list = c.sub(len);
      uint8_t n = list.u8();
      std::string_view name = list.chars(n);
      if (!c.ok() || !list.ok() || !list.empty() || !c.empty()) return false;
      h.alpn = std::string(name);
      return true;
    }
    case kExtKeyShare:  // RFC 8446 §4.2.8: ServerHello: KeyShareEntry; HRR: selected_group
      h.selected_group = c.u16be();
      return c.ok();
    case kExtSessionTicket:
      h.session_ticket = true;
      return true;
    case kExtExtendedMasterSecret:
      h.extended_master_secret = true;
      return true;
    case kExtRenegotiationInfo:
      h.renegotiation_info = true;
      return true;
    default:
      return true;
  }
}

// Walks the extensions block (RFC 8446 §4.1.2); `on_ext(type, data)` returns false for a
// malformed extension. Problems go to `problems.extensions`; parsing continues where possible.
template <typename F>
void walk_extensions(ByteCursor& c, std::vector<uint16_t>& types, ParseProblems& problems,
                     F&& on_ext) {
  if (c.empty()) return;  // no extensions block (allowed before TLS 1.3)
  uint16_t total = c.u16be();
  if (!c.ok()) {
    problems.extensions.push_back("extensions length cut");
    return;
  }
  Bytes block_bytes;
  if (c.remaining() < total) {
    problems.extensions.push_back("extensions length " + std::to_string(total) + " > " +
                                  std::to_string(c.remaining()) + " bytes left");
    block_bytes = c.take_rest();
  } else {
    block_bytes = c.bytes(total);
    if (!c.empty()) {
      problems.extensions.push_back(std::to_string(c.remaining()) + " bytes after the extensions");
    }
  }
  ByteCursor block(block_bytes);
  while (block.remaining() >= 4) {
    uint16_t type = block.u16be();
    uint16_t len = block.u16be();
    Bytes data = block.bytes(len);
    if (!block.ok()) {
      problems.extensions.push_back(ext_name(type) + " length " + std::to_string(len) +
                                    " exceeds the extensions block");
      return;
    }
    if (types.size() < problems.max_items) types.push_back(type);
    if (!on_ext(type, data)) {
      problems.extensions.push_back(ext_name(type) + " malformed (" + std::to_string(len) +
                                    " bytes)");
    }
  }
  if (block.remaining() != 0) {
    problems.extensions.push_back(std::to_string(block.remaining()) +
                                  " stray bytes at the end of the extensions");
  }
}

std::string join_dec(const std::vector<uint16_t>& values, bool drop_grease) {
  std::string out;
  for (uint16_t v : values) {
    if (drop_grease && is_grease(v)) continue;
    if (!out.empty()) out += '-';
    out += std::to_string(v);
  }
  return out;
}

std::string join_hex(const std::vector<uint16_t>& values) {
  std::string out;
  for (uint16_t v : values) {
    if (!out.empty()) out += ',';
    out += hex4(v);
  }
  return out;
}

std::string sha256_12(const std::string& text) {
  if (text.empty()) return "000000000000";
  return sha256_hex(as_bytes(text)).substr(0, 12);
}

bool ascii_alnum(uint8_t b) {
  return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

std::string ja4_version(const ClientHello& h) {
  uint16_t v = 0;
  for (uint16_t s : h.supported_versions) {
    if (!is_grease(s)) v = std::max(v, s);
  }
  if (v == 0) v = h.version;
  switch (v) {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0002:
      return "s2";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
  }
}

// JA4.md "ALPN Extension Value": first and last character of the first ALPN value, or of its
// hex form when either end is not ASCII alphanumeric; "00" when there is none.
std::string ja4_alpn(const ClientHello& h) {
  if (h.alpns.empty() || h.alpns[0].empty()) return "00";
  const std::string& v = h.alpns[0];
  uint8_t first = static_cast<uint8_t>(v.front());
  uint8_t last = static_cast<uint8_t>(v.back());
  if (ascii_alnum(first) && ascii_alnum(last))
    return {static_cast<char>(first), static_cast<char>(last)};
  static constexpr char kHex[] = "0123456789abcdef";
  return {kHex[first >> 4], kHex[last & 0x0f]};
}

}  // namespace

bool plausible_record_header(Bytes header) {
  if (header.size() < kRecordHeaderLength) return false;
  uint8_t type = header[0];
  if (type < kChangeCipherSpec || type > kHeartbeat) return false;
  if (header[1] != 3 || header[2] > 4) return false;
  size_t len = (size_t{header[3]} << 8) | header[4];
  return len <= kMaxRecordLength;
}

bool parse_client_hello(Bytes body, ClientHello& out, ParseProblems& problems) {
  ByteCursor c(body);
  out.version = c.u16be();
  Bytes random = c.bytes(32);
  uint8_t sid_len = c.u8();
  Bytes sid = c.bytes(sid_len);
  uint16_t cs_len = c.u16be();
  if (!c.ok()) {
    problems.fatal =
        "ClientHello cut before the cipher suites (" + std::to_string(body.size()) + " bytes)";
    return false;
  }
  if (sid_len > 32) {  // RFC 8446 §4.1.2: legacy_session_id<0..32>
    problems.fatal = "session id length " + std::to_string(sid_len) + " > 32";
    return false;
  }
  if (cs_len % 2 != 0 || cs_len > c.remaining()) {
    problems.fatal = "cipher suites length " + std::to_string(cs_len) + " invalid (" +
                     std::to_string(c.remaining()) + " bytes left)";
    return false;
  }
  read_u16_list(c, cs_len, problems.max_items, out.cipher_suites);
  uint8_t comp_len = c.u8();
  read_u8_list(c, comp_len, problems.max_items, out.compression_methods);
  if (!c.ok()) {
    problems.fatal = "ClientHello cut in the compression methods";
    return false;
  }
  out.random.assign(random.begin(), random.end());
  out.session_id.assign(sid.begin(), sid.end());
  const size_t max_items = problems.max_items;
  walk_extensions(c, out.extensions, problems, [&](uint16_t type, Bytes data) {
    return client_extension(type, data, out, max_items);
  });
  return true;
}

bool parse_server_hello(Bytes body, ServerHello& out, ParseProblems& problems) {
  ByteCursor c(body);
  out.version = c.u16be();
  Bytes random = c.bytes(32);
  uint8_t sid_len = c.u8();
  Bytes sid = c.bytes(sid_len);
  out.cipher_suite = c.u16be();
  out.compression_method = c.u8();
  if (!c.ok()) {
    problems.fatal =
        "ServerHello cut before the extensions (" + std::to_string(body.size()) + " bytes)";
    return false;
  }
  if (sid_len > 32) {
    problems.fatal = "session id length " + std::to_string(sid_len) + " > 32";
    return false;
  }
  out.random.assign(random.begin(), random.end());
  out.session_id.assign(sid.begin(), sid.end());
  out.is_hello_retry_request =
      std::memcmp(random.data(), kHelloRetryRequestRandom, sizeof kHelloRetryRequestRandom) == 0;
  walk_extensions(c, out.extensions, problems,
                  [&](uint16_t type, Bytes data) { return server_extension(type, data, out); });
  return true;
}

bool parse_certificate_list(Bytes body, size_t max_items, std::vector<Bytes>& out, bool& truncated,
                            std::string& error) {
  truncated = false;
  ByteCursor c(body);
  uint32_t total = c.u24be();
  if (!c.ok() || total != c.remaining()) {
    error = "certificate list length " + std::to_string(total) +
            " != " + std::to_string(c.remaining()) + " bytes in the message";
    return false;
  }
  while (!c.empty()) {
    uint32_t len = c.u24be();
    Bytes der = c.bytes(len);
    if (!c.ok()) {
      error = "certificate " + std::to_string(out.size()) + " length " + std::to_string(len) +
              " exceeds the list";
      return false;
    }
    if (out.size() < max_items) {
      out.push_back(der);
    } else {
      truncated = true;
    }
  }
  return true;
}

std::string ja3_string(const ClientHello& h) {
  std::string out = std::to_string(h.version);
  out += ',';
  out += join_dec(h.cipher_suites, true);
  out += ',';
  out += join_dec(h.extensions, true);
  out += ',';
  out += join_dec(h.supported_groups, true);
  out += ',';
  for (size_t i = 0; i < h.ec_point_formats.size(); ++i) {
    if (i != 0) out += '-';
    out += std::to_string(h.ec_point_formats[i]);
  }
  return out;
}

std::string ja3s_string(const ServerHello& h) {
  return std::to_string(h.version) + ',' + std::to_string(h.cipher_suite) + ',' +
         join_dec(h.extensions, true);
}

Ja4 ja4(const ClientHello& h) {
  std::vector<uint16_t> ciphers, exts, sigs;
  bool has_sni = false;
  size_t ext_count = 0;
  for (uint16_t v : h.cipher_suites) {
    if (!is_grease(v)) ciphers.push_back(v);
  }
  for (uint16_t v : h.extensions) {
    if (is_grease(v)) continue;
    ++ext_count;
    if (v == kExtServerName) has_sni = true;
    // JA4.md "Extension hash": SNI and ALPN are already in part a.
    if (v != kExtServerName && v != kExtAlpn) exts.push_back(v);
  }
  for (uint16_t v : h.signature_algorithms) {
    if (!is_grease(v)) sigs.push_back(v);
  }
  std::sort(ciphers.begin(), ciphers.end());
  std::sort(exts.begin(), exts.end());
  char counts[8];
  std::snprintf(counts, sizeof counts, "%02zu%02zu", std::min<size_t>(ciphers.size(), 99),
                std::min<size_t>(ext_count, 99));
  std::string a = "t" + ja4_version(h) + (has_sni ? "d" : "i") + counts + ja4_alpn(h);
  std::string b = join_hex(ciphers);
  std::string c = join_hex(exts);
  if (!sigs.empty()) c += "_" + join_hex(sigs);
  Ja4 out;
  out.fingerprint = a + "_" + sha256_12(b) + "_" + (exts.empty() ? "000000000000" : sha256_12(c));
  out.raw = a + "_" + b + "_" + c;
  return out;
}

void HandshakeAssembler::fail(Sink& sink, std::string_view anomaly, std::string detail) {
  state_ = State::kFailed;
  message_.clear();
  message_.shrink_to_fit();
  message_start_ = 0;
  sink.on_problem(anomaly, std::move(detail));
}

void HandshakeAssembler::feed(Bytes data, Sink& sink) {
  size_t i = 0;
  while (i < data.size() && state_ == State::kActive) {
    if (!in_record_) {
      size_t take = std::min(kRecordHeaderLength - header_have_, data.size() - i);
      std::memcpy(header_ + header_have_, data.data() + i, take);
      header_have_ += take;
      i += take;
      if (header_have_ < kRecordHeaderLength) break;
      header_have_ = 0;
      if (!plausible_record_header(Bytes(header_, kRecordHeaderLength))) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "record header %02x %02x%02x %02x%02x after %llu records",
                      header_[0], header_[1], header_[2], header_[3], header_[4],
                      static_cast<unsigned long long>(records_));
        fail(sink, "tls.bad_record", buf);
        return;
      }
      record_type_ = header_[0];
      record_version_ = static_cast<uint16_t>((header_[1] << 8) | header_[2]);
      record_left_ = (size_t{header_[3]} << 8) | header_[4];
      ++records_;
      in_record_ = true;
      if (record_type_ == kApplicationData || (record_type_ == kChangeCipherSpec && !tls13_)) {
        // RFC 5246 §7.1: what follows ChangeCipherSpec is encrypted; RFC 8446 §5: every
        // encrypted TLS 1.3 record is application_data on the outside.
        state_ = State::kEncrypted;
        message_.clear();
        message_.shrink_to_fit();
        message_start_ = 0;
        return;
      }
      if (record_left_ == 0) {
        in_record_ = false;
        // RFC 8446 §5.1: zero-length handshake fragments must not be sent.
        if (record_type_ == kHandshake) {
          sink.on_problem("tls.bad_record", "zero-length handshake record");
        }
        continue;
      }
    }
    size_t take = std::min(record_left_, data.size() - i);
    if (record_type_ == kHandshake) handshake_bytes(data.subspan(i, take), sink);
    i += take;
    record_left_ -= take;
    if (record_left_ == 0) in_record_ = false;
  }
}

void HandshakeAssembler::handshake_bytes(Bytes data, Sink& sink) {
  if (message_start_ == message_.size()) {
    message_.clear();
    message_start_ = 0;
    message_record_version_ = record_version_;
  }
  message_.insert(message_.end(), data.begin(), data.end());
  while (state_ == State::kActive) {
    size_t avail = message_.size() - message_start_;
    if (avail < 4) break;
    const uint8_t* p = message_.data() + message_start_;
    uint8_t type = p[0];
    size_t len = (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
    if (len > max_message_) {
      fail(sink, "tls.handshake_too_large",
           "handshake message type " + std::to_string(type) + " of " + std::to_string(len) +
               " bytes > limit " + std::to_string(max_message_));
      return;
    }
    if (avail < 4 + len) break;
    // The body points into message_: the sink may change settings (set_tls13) but must not
    // feed this assembler.
    sink.on_handshake(type, Bytes(p + 4, len), message_record_version_);
    message_start_ += 4 + len;
    message_record_version_ = record_version_;
  }
  if (state_ != State::kActive) return;
  if (message_start_ == message_.size()) {
    message_.clear();
    message_start_ = 0;
  } else if (message_start_ > 0) {
    message_.erase(message_.begin(),
                   message_.begin() + static_cast<std::ptrdiff_t>(message_start_));
    message_start_ = 0;
  }
}

void HandshakeAssembler::gap(uint64_t length, Sink& sink) {
  if (state_ != State::kActive) return;
  fail(sink, "tls.gap_in_handshake",
       std::to_string(length) + " bytes missing after " + std::to_string(records_) +
           " records: the handshake cannot be resynchronised");
}

}  // namespace netcap::app::tls
