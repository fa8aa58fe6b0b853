#include "forensics/streams/ntp/ntp_parser.h"

#include <algorithm>
#include <cstdio>

#include "core/net/address.h"

namespace netcap::app::ntp {
namespace {

std::string reference_id_text(uint32_t id, int stratum) {
  const uint8_t b[4] = {uint8_t(id >> 24), uint8_t(id >> 16), uint8_t(id >> 8), uint8_t(id)};
  if (stratum >= 2) return IpAddress::v4(b).to_string();  // RFC 5905 7.3: the server's IPv4
  // Stratum 1: a reference clock code ("GPS", "PPS"); stratum 0: a kiss code ("RATE", "DENY")
  // (RFC 5905 7.4). Left-justified ASCII padded with NULs.
  std::string text;
  bool printable = id != 0;
  for (uint8_t ch : b) {
    if (ch == 0) break;
    if (ch < 0x20 || ch > 0x7e) printable = false;
    text.push_back(static_cast<char>(ch));
  }
  if (printable && !text.empty()) return text;
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", id);
  return hex;
}

// NTP short format (16.16 fixed point) as seconds.
double short_seconds(uint32_t v) { return static_cast<double>(v) / 65536.0; }

void decode_control(ByteCursor& c, netcap::NTP& r, std::vector<Finding>& findings) {
  // RFC 9327 section 2: LI/VN/Mode, R/E/M/OpCode, Sequence, Status, Association ID, Offset,
  // Count, Data.
  const uint8_t b1 = c.u8();
  r.set_response((b1 & 0x80) != 0);
  r.set_error((b1 & 0x40) != 0);
  r.set_more((b1 & 0x20) != 0);
  r.set_opcode(b1 & 0x1f);
  r.set_sequence(c.u16be());
  r.set_status(c.u16be());
  r.set_associationid(c.u16be());
  r.set_offset(c.u16be());
  const uint16_t count = c.u16be();
  r.set_count(count);
  Bytes rest = c.rest();
  if (count > rest.size()) {
    findings.push_back({"ntp.bad_count", "control message count " + std::to_string(count) + ", " +
                                             std::to_string(rest.size()) + " data bytes"});
    r.set_malformed(true);
  }
  size_t n = std::min<size_t>({count, rest.size(), kMaxControlDataBytes});
  r.set_controldata(std::string(reinterpret_cast<const char*>(rest.data()), n));
}

void decode_private(ByteCursor& c, netcap::NTP& r) {
  // ntpd ntp_request.h (after the R/M/VN/Mode byte): A/Sequence, Implementation, Request code,
  // Err(4)/Nitems(12), MBZ(4)/Size(12), data.
  const uint8_t b1 = c.u8();
  r.set_sequence(b1 & 0x7f);
  r.set_implementation(c.u8());
  r.set_opcode(c.u8());
  const uint16_t en = c.u16be();
  r.set_error((en >> 12) != 0);
  r.set_count(en & 0x0fff);
  r.set_itemsize(c.u16be() & 0x0fff);
}

void decode_tail(ByteCursor& c, netcap::NTP& r, std::vector<Finding>& findings) {
  // RFC 7822 section 7.5: extension fields (type, length >= 16, multiple of 4) while more than
  // a MAC could be left; then an optional MAC: key ID and a 16 (MD5) or 20 (SHA-1) byte digest,
  // or a 4-byte crypto-NAK.
  static constexpr size_t kMaxMac = 24;
  int fields = 0;
  while (c.remaining() > kMaxMac) {
    ByteCursor peek(c.rest());
    peek.u16be();
    const uint16_t len = peek.u16be();
    if (len < 16 || len % 4 != 0 || len > c.remaining()) {
      findings.push_back({"ntp.bad_extension", "extension field length " + std::to_string(len) +
                                                   ", " + std::to_string(c.remaining()) +
                                                   " bytes left"});
      r.set_malformed(true);
      r.set_extensionfields(fields);
      return;
    }
    c.skip(len);
    ++fields;
  }
  r.set_extensionfields(fields);
  const size_t left = c.remaining();
  if (left == 0) return;
  if (left == 4 || left == 20 || left == 24) {
    r.set_keyid(c.u32be());
    r.set_maclength(static_cast<int32_t>(left - 4));
    return;
  }
  findings.push_back({"ntp.bad_trailer", std::to_string(left) +
                                             " bytes after the header are neither extension "
                                             "fields nor a MAC"});
  r.set_malformed(true);
}

}  // namespace

std::string_view mode_name(int mode) {
  static constexpr std::string_view kNames[] = {"reserved", "symmetric active", "symmetric passive",
                                                "client",   "server",           "broadcast",
                                                "control",  "private"};
  return (mode >= 0 && mode < 8) ? kNames[mode] : std::string_view();
}

int64_t ntp_to_unix_ns(uint64_t ntp) {
  if (ntp == 0) return 0;
  uint64_t seconds = ntp >> 32;
  const uint64_t fraction = ntp & 0xffffffffULL;
  if (seconds < kNtpToUnixSeconds) seconds += 1ULL << 32;  // era 1
  const uint64_t unix_seconds = seconds - kNtpToUnixSeconds;
  return static_cast<int64_t>(unix_seconds * 1000000000ULL + ((fraction * 1000000000ULL) >> 32));
}

bool decode_ntp(Bytes payload, netcap::NTP& r, std::vector<Finding>& findings) {
  r.set_length(static_cast<int32_t>(payload.size()));
  ByteCursor c(payload);
  const uint8_t b0 = c.peek_u8();
  const int mode = b0 & 7;
  const int version = (b0 >> 3) & 7;
  const size_t need = mode == 6   ? kControlHeaderBytes
                      : mode == 7 ? kPrivateHeaderBytes
                                  : kHeaderBytes;
  if (payload.size() < need) {
    findings.push_back({"ntp.truncated", "mode " + std::to_string(mode) + " needs " +
                                             std::to_string(need) + " bytes, datagram has " +
                                             std::to_string(payload.size())});
    return false;
  }
  r.set_version(version);
  r.set_mode(mode);
  r.set_modename(std::string(mode_name(mode)));
  if (version < 1 || version > 4) {
    findings.push_back({"ntp.bad_version", "version " + std::to_string(version)});
    r.set_malformed(true);
  }
  if (mode == 7) {
    c.u8();
    r.set_response((b0 & 0x80) != 0);
    r.set_more((b0 & 0x40) != 0);
    decode_private(c, r);
    return true;
  }
  if (mode == 6) {
    c.u8();
    decode_control(c, r, findings);
    return true;
  }
  if (mode == 0 && version != 1) {
    // Mode 0 is reserved (RFC 5905 3); NTPv1 had no mode field.
    findings.push_back({"ntp.bad_mode", "mode 0 with version " + std::to_string(version)});
    r.set_malformed(true);
  }
  r.set_leapindicator(b0 >> 6);
  c.u8();
  const uint8_t stratum = c.u8();
  r.set_stratum(stratum);
  r.set_poll(static_cast<int8_t>(c.u8()));
  r.set_precision(static_cast<int8_t>(c.u8()));
  r.set_rootdelay(short_seconds(c.u32be()));
  r.set_rootdispersion(short_seconds(c.u32be()));
  const uint32_t refid = c.u32be();
  r.set_referenceidraw(refid);
  r.set_referenceid(reference_id_text(refid, stratum));
  r.set_referencetimestamp(ntp_to_unix_ns(c.u64be()));
  r.set_origintimestamp(ntp_to_unix_ns(c.u64be()));
  r.set_receivetimestamp(ntp_to_unix_ns(c.u64be()));
  r.set_transmittimestamp(ntp_to_unix_ns(c.u64be()));
  decode_tail(c, r, findings);
  return true;
}

ProbeResult probe_ntp(const ProbeInput& in) {
  Bytes b = in.client.empty() ? in.server : in.client;
  if (b.empty()) return ProbeResult::kNo;
  const int mode = b[0] & 7;
  const int version = (b[0] >> 3) & 7;
  if (version < 1 || version > 4) return ProbeResult::kNo;
  if (mode == 0 && version != 1) return ProbeResult::kNo;
  const size_t need = mode == 6   ? kControlHeaderBytes
                      : mode == 7 ? kPrivateHeaderBytes
                                  : kHeaderBytes;
  return b.size() >= need ? ProbeResult::kYes : ProbeResult::kNo;
}

}  // namespace netcap::app::ntp
