#include "core/protocols/tcp/tcp_signature.h"

#include <string_view>

namespace netcap {

namespace {

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20,
                  kEce = 0x40, kCwr = 0x80;

// TCP option kinds (RFC 9293 3.2, RFC 7323, RFC 2018).
constexpr uint8_t kOptEol = 0, kOptNop = 1, kOptMss = 2, kOptWs = 3, kOptSackOk = 4, kOptSack = 5,
                  kOptTs = 8;

// Quirk bits in output order (p0f's README lists them so, and p0f prints them so).
enum Quirk : uint32_t {
  kDf = 1u << 0,
  kNzId = 1u << 1,
  kZeroId = 1u << 2,
  kEcn = 1u << 3,
  kNzMbz = 1u << 4,
  kFlow = 1u << 5,
  kZeroSeq = 1u << 6,
  kNzAck = 1u << 7,
  kZeroAck = 1u << 8,
  kNzUrg = 1u << 9,
  kUrgFlag = 1u << 10,
  kPush = 1u << 11,
  kZeroTs1 = 1u << 12,
  kNzTs2 = 1u << 13,
  kOptEolNz = 1u << 14,
  kExws = 1u << 15,
  kBad = 1u << 16,
};
constexpr std::string_view kQuirkNames[] = {"df",   "id+",  "id-",  "ecn",   "0+",    "flow",
                                            "seq-", "ack+", "ack-", "uptr+", "urgf+", "pushf+",
                                            "ts1-", "ts2+", "opt+", "exws",  "bad"};

struct OptionFacts {
  uint8_t layout[kP0fMaxTcpOptions] = {};
  size_t count = 0;
  size_t eol_pad = 0;
  uint16_t mss = 0;
  uint8_t wscale = 0;
};

// p0f's option walk (process.c): the known kinds are read at their fixed sizes whatever their
// length octet says (a wrong length octet is "bad" but the walk goes on), SACK and unknown
// kinds by their length octet. A walk that cannot finish inside the options, or stops after
// kP0fMaxTcpOptions options with bytes left, is "bad".
void walk_options(Bytes options, bool pure_syn, OptionFacts& o, uint32_t& quirks) {
  ByteCursor c(options);
  bool aborted = false;
  while (!c.empty() && o.count < kP0fMaxTcpOptions) {
    const uint8_t kind = c.u8();
    o.layout[o.count++] = kind;
    if (kind == kOptEol) {
      // End of list: the rest is padding and should be zero. p0f 3.09b's loop misses a
      // non-zero last byte; its README says "trailing non-zero data", which we check.
      Bytes pad = c.take_rest();
      o.eol_pad = pad.size();
      for (uint8_t b : pad) {
        if (b != 0) quirks |= kOptEolNz;
      }
      break;
    }
    if (kind == kOptNop) continue;
    const uint8_t length = c.peek_u8();
    size_t body = 0;  // bytes after the length octet
    switch (kind) {
      case kOptMss:
        if (length != 4) quirks |= kBad;
        body = 2;
        break;
      case kOptWs:
        if (length != 3) quirks |= kBad;
        body = 1;
        break;
      case kOptSackOk:
        if (length != 2) quirks |= kBad;
        body = 0;
        break;
      case kOptTs:
        if (length != 10) quirks |= kBad;
        body = 8;
        break;
      case kOptSack:
        if (length < 10 || length > 34) aborted = true;
        body = length >= 2 ? length - 2u : 0;
        break;
      default:
        if (length < 2 || length > 40) aborted = true;
        body = length >= 2 ? length - 2u : 0;
        break;
    }
    if (aborted || !c.has(1 + body)) {
      aborted = true;
      break;
    }
    c.u8();  // the length octet
    ByteCursor v = c.sub(body);
    if (kind == kOptMss) {
      o.mss = v.u16be();
    } else if (kind == kOptWs) {
      o.wscale = v.u8();
      if (o.wscale > 14) quirks |= kExws;  // RFC 7323 2.3: at most 14
    } else if (kind == kOptTs) {
      const uint32_t ts1 = v.u32be();
      const uint32_t ts2 = v.u32be();
      if (ts1 == 0) quirks |= kZeroTs1;
      // The echo reply field is meaningful only with ACK (RFC 7323 3.2): a SYN's is zero.
      if (pure_syn && ts2 != 0) quirks |= kNzTs2;
    }
  }
  if (aborted || !c.empty()) quirks |= kBad;
}

void append_layout(const OptionFacts& o, std::string& out) {
  for (size_t i = 0; i < o.count; ++i) {
    if (i > 0) out += ',';
    switch (o.layout[i]) {
      case kOptEol:
        out += "eol+" + std::to_string(o.eol_pad);
        break;
      case kOptNop:
        out += "nop";
        break;
      case kOptMss:
        out += "mss";
        break;
      case kOptWs:
        out += "ws";
        break;
      case kOptSackOk:
        out += "sok";
        break;
      case kOptSack:
        out += "sack";
        break;
      case kOptTs:
        out += "ts";
        break;
      default:
        out += "?" + std::to_string(o.layout[i]);
        break;
    }
  }
}

}  // namespace

std::string tcp_syn_signature(const IpFingerprintFields& ip, Bytes tcp_header,
                              uint32_t payload_length) {
  if (ip.version != 4 && ip.version != 6) return "";
  ByteCursor c(tcp_header);
  c.skip(4);  // ports
  const uint32_t seq = c.u32be();
  const uint32_t ack = c.u32be();
  const uint8_t offset_ns = c.u8();
  const uint8_t flags = c.u8();
  const uint16_t window = c.u16be();
  c.skip(2);  // checksum
  const uint16_t urgent = c.u16be();
  if (!c.ok()) return "";
  const bool syn_ack = (flags & (kSyn | kAck)) == (kSyn | kAck);
  const bool pure_syn = (flags & (kSyn | kAck)) == kSyn;
  if (!(syn_ack || pure_syn) || (flags & (kFin | kRst)) != 0) return "";
  const size_t header_length = static_cast<size_t>(offset_ns >> 4) * 4;
  if (header_length < 20 || !c.has(header_length - 20)) return "";
  Bytes options = c.bytes(header_length - 20);

  uint32_t quirks = 0;
  if (ip.version == 4) {
    if (ip.reserved_flag) quirks |= kNzMbz;
    if (ip.dont_fragment) {
      if (ip.id != 0) quirks |= kNzId;
    } else if (ip.id == 0) {
      quirks |= kZeroId;
    }
    if (ip.dont_fragment) quirks |= kDf;
  } else if (ip.flow_label != 0) {
    quirks |= kFlow;
  }
  // ECN (RFC 3168): ECT/CE in the IP header, ECE/CWR or the NS bit (RFC 3540) in TCP's.
  if (ip.ecn != 0 || (flags & (kEce | kCwr)) != 0 || (offset_ns & 0x01) != 0) quirks |= kEcn;
  if (seq == 0) quirks |= kZeroSeq;
  if (flags & kAck) {
    if (ack == 0) quirks |= kZeroAck;
  } else if (ack != 0) {
    // p0f 3.09b tests `ack & !(flags & RST)`, one bit of the raw field; its README says
    // "ACK number is non-zero, but ACK flag not set", which we check.
    quirks |= kNzAck;
  }
  if (flags & kUrg) {
    quirks |= kUrgFlag;
  } else if (urgent != 0) {
    quirks |= kNzUrg;
  }
  if (flags & kPsh) quirks |= kPush;

  OptionFacts o;
  walk_options(options, pure_syn, o, quirks);

  std::string out;
  out.reserve(96);
  out += std::to_string(ip.version) + ":" + std::to_string(ip.ttl) + ":" +
         std::to_string(ip.options_length) + ":" + std::to_string(o.mss) + ":" +
         std::to_string(window) + "," + std::to_string(o.wscale) + ":";
  append_layout(o, out);
  out += ':';
  bool first = true;
  for (size_t i = 0; i < std::size(kQuirkNames); ++i) {
    if ((quirks & (1u << i)) == 0) continue;
    if (!first) out += ',';
    out += kQuirkNames[i];
    first = false;
  }
  out += payload_length > 0 ? ":+" : ":0";
  return out;
}

}  // namespace netcap
