#include "forensics/streams/smb/smb_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/util/byte_cursor.h"
#include "forensics/app/text_util.h"

namespace netcap::app::smb {

namespace {

constexpr uint8_t kSmb2Magic[4] = {0xFE, 'S', 'M', 'B'};
constexpr uint8_t kSmb1Magic[4] = {0xFF, 'S', 'M', 'B'};
constexpr uint8_t kTransformMagic[4] = {0xFD, 'S', 'M', 'B'};
constexpr uint8_t kCompressedMagic[4] = {0xFC, 'S', 'M', 'B'};
constexpr uint8_t kNtlmsspSignature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

// DER encodings of the mechanism OIDs seen in SPNEGO (RFC 4178 §4.1).
constexpr uint8_t kOidKrb5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                0x12, 0x01, 0x02, 0x02};  // 1.2.840.113554.1.2.2
constexpr uint8_t kOidMsKrb5[] = {0x2a, 0x86, 0x48, 0x82, 0xf7,
                                  0x12, 0x01, 0x02, 0x02};  // 1.2.840.48018.1.2.2
constexpr uint8_t kOidNtlm[] = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                0x82, 0x37, 0x02, 0x02, 0x0a};  // 1.3.6.1.4.1.311.2.2.10

bool starts_with(Bytes b, const uint8_t* prefix, size_t n) {
  return b.size() >= n && std::memcmp(b.data(), prefix, n) == 0;
}

bool equals(Bytes b, const uint8_t* v, size_t n) {
  return b.size() == n && std::memcmp(b.data(), v, n) == 0;
}

// Checks the StructureSize of the body right after the header and returns a cursor at it.
bool body(Bytes msg, uint16_t structure_size, ByteCursor& c) {
  if (msg.size() < kHeaderSize + 2) return false;
  c = ByteCursor(msg);
  c.skip(kHeaderSize);
  // StructureSize counts one byte of the variable part for odd sizes; only the fixed value
  // matters here.
  return c.u16le() == structure_size;
}

// A buffer given by offset (from the header start) and length; an empty span when length is
// 0, nothing when it lies outside the message.
std::optional<Bytes> buffer_at(Bytes msg, size_t offset, size_t length) {
  if (length == 0) return Bytes{};
  if (offset > msg.size() || length > msg.size() - offset) return std::nullopt;
  return msg.subspan(offset, length);
}

FileId read_file_id(ByteCursor& c) {
  FileId f;
  f.persistent = c.u64le();
  f.volatile_id = c.u64le();
  return f;
}

}  // namespace

Magic magic_of(Bytes message) {
  if (starts_with(message, kSmb2Magic, 4)) return Magic::kSmb2;
  if (starts_with(message, kSmb1Magic, 4)) return Magic::kSmb1;
  if (starts_with(message, kTransformMagic, 4)) return Magic::kTransform;
  if (starts_with(message, kCompressedMagic, 4)) return Magic::kCompressed;
  return Magic::kOther;
}

std::optional<Header> parse_header(Bytes message) {
  ByteCursor c(message);
  if (!starts_with(message, kSmb2Magic, 4)) return std::nullopt;
  c.skip(4);
  if (c.u16le() != kHeaderSize) return std::nullopt;
  Header h;
  h.credit_charge = c.u16le();
  h.status = c.u32le();  // requests: ChannelSequence/Reserved
  h.command = c.u16le();
  h.credits = c.u16le();
  h.flags = c.u32le();
  h.next_command = c.u32le();
  h.message_id = c.u64le();
  if (h.is_async()) {
    h.async_id = c.u64le();
  } else {
    c.skip(4);  // Reserved (ProcessId)
    h.tree_id = c.u32le();
  }
  h.session_id = c.u64le();
  c.skip(16);  // Signature
  if (!c.ok()) return std::nullopt;
  return h;
}

std::string FileId::hex() const {
  uint8_t b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(persistent >> (8 * i));
    b[8 + i] = static_cast<uint8_t>(volatile_id >> (8 * i));
  }
  return app::hex(Bytes(b, 16));
}

bool parse_negotiate_request(Bytes msg, NegotiateRequest& out) {
  // [MS-SMB2] 2.2.3: StructureSize 36.
  ByteCursor c;
  if (!body(msg, 36, c)) return false;
  const uint16_t count = c.u16le();
  out.security_mode = c.u16le();
  c.skip(2);
  out.capabilities = c.u32le();
  out.client_guid = guid_string(c.bytes(16));
  c.skip(8);  // NegotiateContextOffset/Count/Reserved2 or ClientStartTime
  for (uint16_t i = 0; i < count && c.ok(); ++i) {
    const uint16_t d = c.u16le();
    if (c.ok()) out.dialects.push_back(d);
  }
  return c.ok();
}

bool parse_negotiate_response(Bytes msg, NegotiateResponse& out) {
  // 2.2.4: StructureSize 65.
  ByteCursor c;
  if (!body(msg, 65, c)) return false;
  out.security_mode = c.u16le();
  out.dialect = c.u16le();
  c.skip(2);  // NegotiateContextCount / Reserved
  out.server_guid = guid_string(c.bytes(16));
  out.capabilities = c.u32le();
  c.skip(4);  // MaxTransactSize
  out.max_read = c.u32le();
  out.max_write = c.u32le();
  c.skip(16);  // SystemTime, ServerStartTime
  const uint16_t blob_offset = c.u16le();
  const uint16_t blob_length = c.u16le();
  if (!c.ok()) return false;
  auto blob = buffer_at(msg, blob_offset, blob_length);
  if (!blob) return false;
  out.security_blob = *blob;
  return true;
}

bool parse_session_setup_request(Bytes msg, SessionSetupRequest& out) {
  // 2.2.5: StructureSize 25.
  ByteCursor c;
  if (!body(msg, 25, c)) return false;
  c.skip(1);  // Flags
  out.security_mode = c.u8();
  out.capabilities = c.u32le();
  c.skip(4);  // Channel
  const uint16_t blob_offset = c.u16le();
  const uint16_t blob_length = c.u16le();
  out.previous_session = c.u64le();
  if (!c.ok()) return false;
  auto blob = buffer_at(msg, blob_offset, blob_length);
  if (!blob) return false;
  out.security_blob = *blob;
  return true;
}

bool parse_session_setup_response(Bytes msg, SessionSetupResponse& out) {
  // 2.2.6: StructureSize 9.
  ByteCursor c;
  if (!body(msg, 9, c)) return false;
  out.session_flags = c.u16le();
  const uint16_t blob_offset = c.u16le();
  const uint16_t blob_length = c.u16le();
  if (!c.ok()) return false;
  auto blob = buffer_at(msg, blob_offset, blob_length);
  if (!blob) return false;
  out.security_blob = *blob;
  return true;
}

bool parse_tree_connect_request(Bytes msg, TreeConnectRequest& out) {
  // 2.2.9: StructureSize 9.
  ByteCursor c;
  if (!body(msg, 9, c)) return false;
  c.skip(2);  // Flags / Reserved
  const uint16_t offset = c.u16le();
  const uint16_t length = c.u16le();
  if (!c.ok()) return false;
  auto path = buffer_at(msg, offset, length);
  if (!path) return false;
  out.path = utf16le_to_utf8(*path);
  return true;
}

bool parse_tree_connect_response(Bytes msg, TreeConnectResponse& out) {
  // 2.2.10: StructureSize 16.
  ByteCursor c;
  if (!body(msg, 16, c)) return false;
  out.share_type = c.u8();
  c.skip(1);
  out.share_flags = c.u32le();
  out.capabilities = c.u32le();
  out.maximal_access = c.u32le();
  return c.ok();
}

bool parse_create_request(Bytes msg, CreateRequest& out) {
  // 2.2.13: StructureSize 57.
  ByteCursor c;
  if (!body(msg, 57, c)) return false;
  c.skip(1 + 1 + 4 + 8 +
         8);  // SecurityFlags, RequestedOplockLevel, ImpersonationLevel, SmbCreateFlags, Reserved
  out.desired_access = c.u32le();
  out.file_attributes = c.u32le();
  out.share_access = c.u32le();
  out.create_disposition = c.u32le();
  out.create_options = c.u32le();
  const uint16_t name_offset = c.u16le();
  const uint16_t name_length = c.u16le();
  if (!c.ok()) return false;
  auto name = buffer_at(msg, name_offset, name_length);
  if (!name) return false;
  out.name = utf16le_to_utf8(*name);
  return true;
}

bool parse_create_response(Bytes msg, CreateResponse& out) {
  // 2.2.14: StructureSize 89.
  ByteCursor c;
  if (!body(msg, 89, c)) return false;
  c.skip(2);  // OplockLevel, Flags
  out.create_action = c.u32le();
  c.skip(32);  // CreationTime, LastAccessTime, LastWriteTime, ChangeTime
  out.allocation_size = c.u64le();
  out.end_of_file = c.u64le();
  out.file_attributes = c.u32le();
  c.skip(4);
  out.file_id = read_file_id(c);
  return c.ok();
}

bool parse_close_request(Bytes msg, CloseRequest& out) {
  // 2.2.15: StructureSize 24.
  ByteCursor c;
  if (!body(msg, 24, c)) return false;
  out.flags = c.u16le();
  c.skip(4);
  out.file_id = read_file_id(c);
  return c.ok();
}

bool parse_close_response(Bytes msg, CloseResponse& out) {
  // 2.2.16: StructureSize 60.
  ByteCursor c;
  if (!body(msg, 60, c)) return false;
  out.flags = c.u16le();
  c.skip(4 + 32 + 8);  // Reserved, 4 times, AllocationSize
  out.end_of_file = c.u64le();
  return c.ok();
}

bool parse_read_request(Bytes msg, ReadRequest& out) {
  // 2.2.19: StructureSize 49.
  ByteCursor c;
  if (!body(msg, 49, c)) return false;
  c.skip(2);  // Padding, Flags
  out.length = c.u32le();
  out.offset = c.u64le();
  out.file_id = read_file_id(c);
  return c.ok();
}

bool parse_read_response(Bytes msg, ReadResponse& out) {
  // 2.2.20: StructureSize 17.
  ByteCursor c;
  if (!body(msg, 17, c)) return false;
  const uint8_t data_offset = c.u8();
  c.skip(1);
  out.data_length = c.u32le();
  if (!c.ok()) return false;
  if (out.data_length == 0) return true;
  auto data = buffer_at(msg, data_offset, out.data_length);
  if (!data) return false;
  out.data = *data;
  return true;
}

bool parse_write_request(Bytes msg, WriteRequest& out) {
  // 2.2.21: StructureSize 49.
  ByteCursor c;
  if (!body(msg, 49, c)) return false;
  const uint16_t data_offset = c.u16le();
  out.data_length = c.u32le();
  out.offset = c.u64le();
  out.file_id = read_file_id(c);
  if (!c.ok()) return false;
  auto data = buffer_at(msg, data_offset, out.data_length);
  if (!data) return false;
  out.data = *data;
  return true;
}

bool parse_write_response(Bytes msg, WriteResponse& out) {
  // 2.2.22: StructureSize 17.
  ByteCursor c;
  if (!body(msg, 17, c)) return false;
  c.skip(2);
  out.count = c.u32le();
  return c.ok();
}

bool parse_set_info_request(Bytes msg, SetInfoRequest& out) {
  // 2.2.39: StructureSize 33.
  ByteCursor c;
  if (!body(msg, 33, c)) return false;
  out.info_type = c.u8();
  out.file_info_class = c.u8();
  const uint32_t length = c.u32le();
  const uint16_t offset = c.u16le();
  c.skip(2 + 4);  // Reserved, AdditionalInformation
  out.file_id = read_file_id(c);
  if (!c.ok()) return false;
  auto buffer = buffer_at(msg, offset, length);
  if (!buffer) return false;
  out.buffer = *buffer;
  return true;
}

bool parse_query_info_request(Bytes msg, QueryInfoRequest& out) {
  // 2.2.37: StructureSize 41.
  ByteCursor c;
  if (!body(msg, 41, c)) return false;
  out.info_type = c.u8();
  out.file_info_class = c.u8();
  c.skip(4 + 2 + 2 + 4 + 4 + 4);  // OutputBufferLength .. Flags
  out.file_id = read_file_id(c);
  return c.ok();
}

bool parse_query_info_response(Bytes msg, QueryInfoResponse& out) {
  // 2.2.38: StructureSize 9.
  ByteCursor c;
  if (!body(msg, 9, c)) return false;
  const uint16_t offset = c.u16le();
  const uint32_t length = c.u32le();
  if (!c.ok()) return false;
  auto buffer = buffer_at(msg, offset, length);
  if (!buffer) return false;
  out.buffer = *buffer;
  return true;
}

std::string dialect_name(uint16_t dialect) {
  switch (dialect) {
    case 0x0202:
      return "2.0.2";
    case 0x0210:
      return "2.1";
    case 0x0300:
      return "3.0";
    case 0x0302:
      return "3.0.2";
    case 0x0311:
      return "3.1.1";
    case 0x02FF:
      return "2.???";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%04x", dialect);
      return buf;
    }
  }
}

std::string guid_string(Bytes g) {
  if (g.size() != 16) return {};
  // Data1 (LE u32), Data2 (LE u16), Data3 (LE u16), Data4 (8 bytes in order).
  char buf[40];
  std::snprintf(buf, sizeof(buf),
                "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x}", g[3],
                g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
                g[14], g[15]);
  return buf;
}

std::string utf16le_to_utf8(Bytes bytes) {
  std::string out;
  out.reserve(bytes.size() / 2);
  auto put = [&out](uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  };
  const size_t n = bytes.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t u = bytes[2 * i] | (uint32_t{bytes[2 * i + 1]} << 8);
    if (u >= 0xD800 && u < 0xDC00 && i + 1 < n) {
      const uint32_t lo = bytes[2 * i + 2] | (uint32_t{bytes[2 * i + 3]} << 8);
      if (lo >= 0xDC00 && lo < 0xE000) {
        put(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        ++i;
        continue;
      }
    }
    put(u >= 0xD800 && u < 0xE000 ? 0xFFFD : u);
  }
  return out;
}

// ---------------------------------------------------------------- NTLMSSP

std::optional<Ntlmssp> parse_ntlmssp(Bytes token) {
  if (!starts_with(token, kNtlmsspSignature, 8)) return std::nullopt;
  ByteCursor c(token);
  c.skip(8);
  Ntlmssp m;
  m.type = c.u32le();
  bool ok = c.ok();
  // [MS-NLMP] 2.2.1: a field is Len (u16), MaxLen (u16), BufferOffset (u32) from the token start.
  auto field = [&](ByteCursor& fc) -> Bytes {
    const uint16_t len = fc.u16le();
    fc.skip(2);
    const uint32_t offset = fc.u32le();
    if (!fc.ok()) {
      ok = false;
      return {};
    }
    if (len == 0) return {};
    if (offset > token.size() || len > token.size() - offset) {
      ok = false;
      return {};
    }
    return token.subspan(offset, len);
  };
  auto text = [&](Bytes b, bool unicode) {
    return unicode ? utf16le_to_utf8(b) : std::string(as_text(b));
  };
  auto version = [&](ByteCursor& vc) {
    const uint8_t major = vc.u8();
    const uint8_t minor = vc.u8();
    const uint16_t build = vc.u16le();
    vc.skip(4);
    if (vc.ok())
      m.version = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
  };
  constexpr uint32_t kUnicode = 0x00000001;
  constexpr uint32_t kVersionFlag = 0x02000000;
  switch (m.type) {
    case 1: {  // NEGOTIATE_MESSAGE (2.2.1.1); domain and workstation are OEM
      m.flags = c.u32le();
      if (!c.ok()) return std::nullopt;
      if (token.size() >= 32) {
        m.domain = text(field(c), false);
        m.workstation = text(field(c), false);
        if ((m.flags & kVersionFlag) != 0 && token.size() >= 40) version(c);
      }
      break;
    }
    case 2: {  // CHALLENGE_MESSAGE (2.2.1.2)
      Bytes target = field(c);
      m.flags = c.u32le();
      Bytes challenge = c.bytes(8);
      if (!c.ok() || !ok) return std::nullopt;
      m.target_name = text(target, (m.flags & kUnicode) != 0);
      m.server_challenge = hex(challenge);
      c.skip(8);       // Reserved
      (void)field(c);  // TargetInfo
      if ((m.flags & kVersionFlag) != 0 && c.ok()) version(c);
      ok = true;  // TargetInfo/Version problems do not spoil the challenge
      break;
    }
    case 3: {  // AUTHENTICATE_MESSAGE (2.2.1.3)
      m.lm_response = field(c);
      m.nt_response = field(c);
      Bytes domain = field(c);
      Bytes user = field(c);
      Bytes workstation = field(c);
      (void)field(c);  // EncryptedRandomSessionKey
      m.flags = c.u32le();
      if (!c.ok() || !ok) return std::nullopt;
      const bool unicode = (m.flags & kUnicode) != 0;
      m.domain = text(domain, unicode);
      m.user = text(user, unicode);
      m.workstation = text(workstation, unicode);
      if ((m.flags & kVersionFlag) != 0) version(c);
      break;
    }
    default:
      return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return m;
}

namespace {

// Walks DER (X.690) TLVs to find NTLMSSP tokens inside OCTET STRINGs and the first mechanism
// OID; depth and element count are bounded.
struct DerWalk {
  const uint8_t* ntlm_start = nullptr;
  size_t ntlm_size = 0;
  std::string first_mech;
  int elements = 0;

  void walk(Bytes b, int depth) {
    ByteCursor c(b);
    while (c.remaining() >= 2 && depth < 12 && ++elements < 512) {
      const uint8_t tag = c.u8();
      if ((tag & 0x1F) == 0x1F) return;  // high tag numbers do not occur in SPNEGO
      uint8_t l = c.u8();
      size_t len = l;
      if (l & 0x80) {
        const int n = l & 0x7F;
        if (n == 0 || n > 4) return;
        len = 0;
        for (int i = 0; i < n; ++i) len = (len << 8) | c.u8();
      }
      if (!c.ok() || len > c.remaining()) return;
      Bytes content = c.bytes(len);
      if (tag & 0x20) {
        walk(content, depth + 1);
      } else if (tag == 0x04) {
        if (starts_with(content, kNtlmsspSignature, 8)) {
          if (ntlm_start == nullptr) {
            ntlm_start = content.data();
            ntlm_size = content.size();
          }
        } else if (!content.empty() && (content[0] == 0x60 || content[0] == 0xa0 ||
                                        content[0] == 0xa1 || content[0] == 0x30)) {
          walk(content, depth + 1);  // a mechToken: GSS-API framing (Kerberos AP-REQ, ...)
        }
      } else if (tag == 0x06 && first_mech.empty()) {
        if (equals(content, kOidNtlm, sizeof(kOidNtlm))) first_mech = "ntlmssp";
        if (equals(content, kOidKrb5, sizeof(kOidKrb5)) ||
            equals(content, kOidMsKrb5, sizeof(kOidMsKrb5))) {
          first_mech = "kerberos";
        }
      }
    }
  }
};

}  // namespace

SecurityBlob parse_security_blob(Bytes blob) {
  SecurityBlob out;
  if (blob.empty()) return out;
  Bytes token;
  if (starts_with(blob, kNtlmsspSignature, 8)) {
    token = blob;  // raw NTLMSSP
  } else {
    DerWalk w;
    w.walk(blob, 0);
    if (w.ntlm_start != nullptr) token = Bytes(w.ntlm_start, w.ntlm_size);
    out.mechanism = w.first_mech.empty() ? "spnego" : w.first_mech;
  }
  if (!token.empty()) {
    out.ntlm = parse_ntlmssp(token);
    out.bad_ntlmssp = !out.ntlm.has_value();
    out.mechanism = "ntlmssp";
  }
  return out;
}

// ---------------------------------------------------------------- SMB1

std::optional<Smb1Header> parse_smb1_header(Bytes message) {
  if (!starts_with(message, kSmb1Magic, 4)) return std::nullopt;
  ByteCursor c(message);
  c.skip(4);
  Smb1Header h;
  h.command = c.u8();
  h.status = c.u32le();
  h.flags = c.u8();
  h.flags2 = c.u16le();
  const uint16_t pid_high = c.u16le();
  c.skip(8 + 2);  // SecurityFeatures, Reserved
  h.tid = c.u16le();
  h.pid = (uint32_t{pid_high} << 16) | c.u16le();
  h.uid = c.u16le();
  h.mid = c.u16le();
  if (!c.ok()) return std::nullopt;
  return h;
}

bool parse_smb1_negotiate_request(Bytes message, std::vector<std::string>& dialects) {
  // [MS-CIFS] 2.2.4.52.1: WordCount 0, ByteCount, then (0x02 "name\0")*.
  ByteCursor c(message);
  c.skip(32);
  const uint8_t words = c.u8();
  c.skip(size_t{words} * 2);
  const uint16_t count = c.u16le();
  Bytes data = c.bytes(count);
  if (!c.ok()) return false;
  size_t i = 0;
  while (i < data.size()) {
    if (data[i] != 0x02) return false;  // BufferFormat: dialect string
    size_t end = i + 1;
    while (end < data.size() && data[end] != 0) ++end;
    dialects.emplace_back(as_text(data.subspan(i + 1, end - i - 1)));
    if (dialects.size() > 64) return false;
    i = end + 1;
  }
  return true;
}

bool parse_smb1_negotiate_response(Bytes message, Smb1NegotiateResponse& out) {
  // [MS-CIFS] 2.2.4.52.2: WordCount 17 for NT LM 0.12; 1 for others (DialectIndex only).
  ByteCursor c(message);
  const auto h = parse_smb1_header(message);
  if (!h) return false;
  c.skip(32);
  const uint8_t words = c.u8();
  if (words == 0) return false;
  out.dialect_index = c.u16le();
  if (words >= 17) {
    out.security_mode = c.u8();
    c.skip(2 + 2 + 4 + 4 + 4);  // MaxMpxCount, MaxNumberVcs, MaxBufferSize, MaxRawSize, SessionKey
    out.capabilities = c.u32le();
    c.skip(8 + 2 + 1);  // SystemTime, ServerTimeZone, ChallengeLength
    c.skip((size_t{words} - 17) * 2);
    const uint16_t count = c.u16le();
    Bytes data = c.bytes(count);
    constexpr uint32_t kCapExtendedSecurity = 0x80000000;
    if (c.ok() && (out.capabilities & kCapExtendedSecurity) != 0 && data.size() >= 16) {
      out.server_guid = guid_string(data.subspan(0, 16));
    }
  }
  return c.ok();
}

std::string smb1_command_name(uint8_t command) {
  switch (command) {
    case kSmb1Close:
      return "CLOSE";
    case kSmb1LockingAndX:
      return "LOCKING_ANDX";
    case kSmb1OpenAndX:
      return "OPEN_ANDX";
    case kSmb1ReadAndX:
      return "READ_ANDX";
    case kSmb1WriteAndX:
      return "WRITE_ANDX";
    case kSmb1TreeDisconnect:
      return "TREE_DISCONNECT";
    case kSmb1Negotiate:
      return "NEGOTIATE";
    case kSmb1SessionSetupAndX:
      return "SESSION_SETUP_ANDX";
    case kSmb1LogoffAndX:
      return "LOGOFF_ANDX";
    case kSmb1TreeConnectAndX:
      return "TREE_CONNECT_ANDX";
    case kSmb1NtCreateAndX:
      return "NT_CREATE_ANDX";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%02x", command);
      return buf;
    }
  }
}

bool smb1_is_andx(uint8_t command) {
  // [MS-CIFS] 2.2.4: the AndX commands among those parsed or commonly chained.
  switch (command) {
    case kSmb1LockingAndX:
    case kSmb1OpenAndX:
    case kSmb1ReadAndX:
    case kSmb1WriteAndX:
    case kSmb1SessionSetupAndX:
    case kSmb1LogoffAndX:
    case kSmb1TreeConnectAndX:
    case kSmb1NtCreateAndX:
      return true;
    default:
      return false;
  }
}

Smb1Chain parse_smb1_chain(Bytes message, bool response, size_t max_commands) {
  Smb1Chain chain;
  const auto h = parse_smb1_header(message);
  if (!h) {
    chain.result = Smb1ChainResult::kTruncated;
    return chain;
  }
  uint8_t command = h->command;
  size_t offset = kSmb1HeaderSize;
  while (true) {
    if (chain.blocks.size() >= max_commands) {
      chain.result = Smb1ChainResult::kTooLong;
      chain.failed_command = command;
      chain.failed_offset = offset;
      return chain;
    }
    ByteCursor c(message);
    c.skip(offset);
    Smb1Block b;
    b.command = command;
    b.offset = offset;
    const uint8_t word_count = c.u8();
    size_t words_length = size_t{word_count} * 2;
    constexpr size_t kExtendedCreateWords = 100;  // [MS-SMB] 2.2.4.9.2 as sent by Windows
    if (response && command == kSmb1NtCreateAndX && word_count == 0x2A &&
        c.remaining() >= kExtendedCreateWords + 2) {
      words_length = kExtendedCreateWords;
    }
    b.words = c.bytes(words_length);
    const uint16_t byte_count = c.u16le();
    if (!c.ok()) {
      chain.result = Smb1ChainResult::kTruncated;
      chain.failed_command = command;
      chain.failed_offset = offset;
      return chain;
    }
    b.bytes_offset = c.offset();
    if (byte_count > c.remaining()) {
      b.bytes_cut = true;
      b.bytes = c.take_rest();
    } else {
      b.bytes = c.bytes(byte_count);
    }
    chain.blocks.push_back(b);
    // Error responses carry no words (WordCount 0): the chain ends there ([MS-CIFS] 2.2.3.4).
    if (!smb1_is_andx(command) || b.words.size() < 4) return chain;
    const uint8_t next = b.words[0];
    if (next == kSmb1NoAndXCommand) return chain;
    const size_t next_offset = size_t{b.words[2]} | (size_t{b.words[3]} << 8);
    if (next_offset < b.bytes_offset || next_offset >= message.size()) {
      chain.result = Smb1ChainResult::kBadOffset;
      chain.failed_command = next;
      chain.failed_offset = next_offset;
      return chain;
    }
    command = next;
    offset = next_offset;
  }
}

std::string oem_to_utf8(Bytes bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (uint8_t b : bytes) {
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else {
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

namespace {

// An SMB_STRING ([MS-CIFS] 2.2.1.1) at `at` in a command's data bytes: UTF-16LE aligned on an
// even offset from the header start (one pad byte when needed), or OEM; it ends at its NUL
// terminator, at `max_length` bytes, or at the end of the data.
std::string smb1_string(const Smb1Block& block, size_t at, bool unicode,
                        size_t max_length = SIZE_MAX) {
  if (at > block.bytes.size()) return {};
  if (unicode && (block.bytes_offset + at) % 2 != 0 && at < block.bytes.size()) ++at;
  Bytes s = block.bytes.subspan(at);
  if (s.size() > max_length) s = s.subspan(0, max_length);
  size_t end = 0;
  if (unicode) {
    while (end + 1 < s.size() && (s[end] != 0 || s[end + 1] != 0)) end += 2;
    if (end + 1 >= s.size()) end = s.size();
    return utf16le_to_utf8(s.subspan(0, end));
  }
  while (end < s.size() && s[end] != 0) ++end;
  return oem_to_utf8(s.subspan(0, end));
}

// The bytes of an SMB_STRING starting at `at` (pad included), up to and with its terminator.
size_t smb1_string_size(const Smb1Block& block, size_t at, bool unicode) {
  if (at >= block.bytes.size()) return 0;
  size_t p = at;
  if (unicode && (block.bytes_offset + p) % 2 != 0) ++p;
  if (unicode) {
    while (p + 1 < block.bytes.size() && (block.bytes[p] != 0 || block.bytes[p + 1] != 0)) p += 2;
    p = std::min(p + 2, block.bytes.size());
  } else {
    while (p < block.bytes.size() && block.bytes[p] != 0) ++p;
    p = std::min(p + 1, block.bytes.size());
  }
  return p - at;
}

// Data given by DataOffset (from the header start) and a declared length: the bytes present in
// the message, which must start after the command's ByteCount field. Nothing when it starts
// elsewhere.
std::optional<Bytes> smb1_data(Bytes message, const Smb1Block& block, size_t offset,
                               uint32_t length) {
  if (length == 0) return Bytes{};
  if (offset < block.bytes_offset || offset > message.size()) return std::nullopt;
  return message.subspan(offset, std::min<size_t>(length, message.size() - offset));
}

}  // namespace

bool parse_smb1_nt_create_request(const Smb1Block& block, bool unicode, Smb1NtCreateRequest& out) {
  // [MS-CIFS] 2.2.4.64.1: WordCount 0x18.
  if (block.words.size() != 48) return false;
  ByteCursor c(block.words);
  c.skip(4 + 1);  // AndX block, Reserved
  const uint16_t name_length = c.u16le();
  c.skip(4);  // Flags
  out.root_directory_fid = c.u32le();
  out.desired_access = c.u32le();
  c.skip(8);  // AllocationSize
  out.file_attributes = c.u32le();
  out.share_access = c.u32le();
  out.create_disposition = c.u32le();
  out.create_options = c.u32le();
  if (!c.ok()) return false;
  // NameLength counts the name's bytes without the pad ([MS-CIFS] 2.2.4.64.1).
  const size_t pad = unicode && block.bytes_offset % 2 != 0 ? 1 : 0;
  if (size_t{name_length} + pad > block.bytes.size()) return false;
  out.name = smb1_string(block, 0, unicode, name_length);
  return true;
}

bool parse_smb1_nt_create_response(const Smb1Block& block, Smb1CreateResponse& out) {
  // [MS-CIFS] 2.2.4.64.2: WordCount 0x22; [MS-SMB] 2.2.4.9.2 extended: more words after these.
  if (block.words.size() < 68) return false;
  ByteCursor c(block.words);
  c.skip(4 + 1);  // AndX block, OplockLevel
  out.fid = c.u16le();
  out.create_action = c.u32le();  // CreateDisposition: the action taken
  c.skip(32);                     // CreateTime, LastAccessTime, LastWriteTime, LastChangeTime
  out.file_attributes = c.u32le();
  c.skip(8);  // AllocationSize
  out.end_of_file = c.u64le();
  out.resource_type = c.u16le();
  c.skip(2);                                                         // NMPipeStatus
  out.directory = c.u8() != 0 || (out.file_attributes & 0x10) != 0;  // ATTR_DIRECTORY
  return c.ok();
}

bool parse_smb1_open_request(const Smb1Block& block, bool unicode, std::string& name) {
  // [MS-CIFS] 2.2.4.41.1: WordCount 0x0F, then FileName.
  if (block.words.size() != 30) return false;
  name = smb1_string(block, 0, unicode);
  return true;
}

bool parse_smb1_open_response(const Smb1Block& block, Smb1CreateResponse& out) {
  // [MS-CIFS] 2.2.4.41.2: WordCount 0x0F ([MS-SMB] 2.2.4.1.2 extended: 0x13).
  if (block.words.size() < 30) return false;
  ByteCursor c(block.words);
  c.skip(4);  // AndX block
  out.fid = c.u16le();
  out.file_attributes = c.u16le();
  c.skip(4);                    // LastWriteTime
  out.end_of_file = c.u32le();  // FileDataSize
  c.skip(2);                    // AccessRights
  out.resource_type = c.u16le();
  c.skip(2);  // NMPipeStatus
  // OpenResults bits 0-1: 1 opened, 2 created, 3 truncated: the numbering of CreateAction.
  out.create_action = c.u16le() & 0x3;
  out.directory = (out.file_attributes & 0x10) != 0;
  return c.ok();
}

bool parse_smb1_read_request(const Smb1Block& block, Smb1ReadRequest& out) {
  // [MS-CIFS] 2.2.4.42.1: WordCount 0x0A, or 0x0C with OffsetHigh.
  if (block.words.size() != 20 && block.words.size() != 24) return false;
  ByteCursor c(block.words);
  c.skip(4);
  out.fid = c.u16le();
  out.offset = c.u32le();
  c.skip(2 + 2 + 4 + 2);  // MaxCountOfBytesToReturn, MinCount, Timeout, Remaining
  if (block.words.size() == 24) out.offset |= uint64_t{c.u32le()} << 32;
  return c.ok();
}

bool parse_smb1_read_response(Bytes message, const Smb1Block& block, Smb1ReadResponse& out) {
  // [MS-CIFS] 2.2.4.42.2: WordCount 0x0C.
  if (block.words.size() != 24) return false;
  ByteCursor c(block.words);
  c.skip(4 + 2 + 2 + 2);  // AndX block, Available, DataCompactionMode, Reserved1
  const uint16_t length = c.u16le();
  const uint16_t offset = c.u16le();
  const uint16_t length_high = c.u16le();  // [MS-SMB] 2.2.4.2.2 DataLengthHigh (CAP_LARGE_READX)
  if (!c.ok()) return false;
  out.data_length = length | (uint32_t{length_high} << 16);
  auto data = smb1_data(message, block, offset, out.data_length);
  if (!data) return false;
  out.data = *data;
  return true;
}

bool parse_smb1_write_request(Bytes message, const Smb1Block& block, Smb1WriteRequest& out) {
  // [MS-CIFS] 2.2.4.43.1: WordCount 0x0C, or 0x0E with OffsetHigh.
  if (block.words.size() != 24 && block.words.size() != 28) return false;
  ByteCursor c(block.words);
  c.skip(4);
  out.fid = c.u16le();
  out.offset = c.u32le();
  c.skip(4 + 2 + 2);                       // Timeout, WriteMode, Remaining
  const uint16_t length_high = c.u16le();  // [MS-SMB] 2.2.4.3.1 DataLengthHigh (CAP_LARGE_WRITEX)
  const uint16_t length = c.u16le();
  const uint16_t offset = c.u16le();
  if (block.words.size() == 28) out.offset |= uint64_t{c.u32le()} << 32;
  if (!c.ok()) return false;
  out.data_length = length | (uint32_t{length_high} << 16);
  auto data = smb1_data(message, block, offset, out.data_length);
  if (!data) return false;
  out.data = *data;
  return true;
}

bool parse_smb1_close_request(const Smb1Block& block, uint16_t& fid) {
  // [MS-CIFS] 2.2.4.5.1: WordCount 0x03: FID, LastTimeModified.
  if (block.words.size() != 6) return false;
  fid = static_cast<uint16_t>(block.words[0] | (block.words[1] << 8));
  return true;
}

bool parse_smb1_tree_connect_request(const Smb1Block& block, bool unicode, std::string& path) {
  // [MS-CIFS] 2.2.4.55.1: WordCount 0x04 (AndX block, Flags, PasswordLength); Password, Path
  // (SMB_STRING), Service.
  if (block.words.size() != 8) return false;
  const size_t password_length = size_t{block.words[6]} | (size_t{block.words[7]} << 8);
  if (password_length > block.bytes.size()) return false;
  if (smb1_string_size(block, password_length, unicode) == 0) return false;  // no path
  path = smb1_string(block, password_length, unicode);
  return true;
}

bool parse_smb1_tree_connect_response(const Smb1Block& block, std::string& service) {
  // [MS-CIFS] 2.2.4.55.2: WordCount 0x03 ([MS-SMB] 2.2.4.7.2 extended: 0x07); Service (OEM).
  if (block.words.size() < 6) return false;
  service = smb1_string(block, 0, false);
  return true;
}

}  // namespace netcap::app::smb
