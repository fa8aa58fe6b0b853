#include "forensics/streams/tftp/tftp_parser.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "forensics/app/text_util.h"

namespace netcap::app::tftp {
namespace {

// Reads a NUL-terminated netascii string (RFC 1350 §5), keeping at most `max` bytes of it.
// Returns false when no NUL comes before the end of the payload (everything left is then
// taken as the string). `cut` tells whether bytes were left out.
bool read_string(ByteCursor& c, size_t max, std::string& out, bool& cut) {
  const Bytes rest = c.rest();
  const size_t length =
      static_cast<size_t>(std::find(rest.begin(), rest.end(), uint8_t{0}) - rest.begin());
  const std::string_view text = c.chars(length);
  cut = text.size() > max;
  out.assign(text.substr(0, max));
  if (!c.has(1)) return false;
  c.skip(1);
  return true;
}

bool all_zero(Bytes bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// RFC 2347 §2: name/value pairs, each NUL-terminated, after the mode (requests) or the opcode
// (OACK). NUL padding after the last pair is tolerated.
void read_options(ByteCursor& c, const TftpLimits& limits, std::vector<Option>& options,
                  std::vector<Finding>& findings) {
  bool too_many = false;
  while (c.remaining() > 0) {
    if (c.peek_u8() == 0) {
      if (!all_zero(c.rest())) {
        findings.push_back({"tftp.bad_option", "option with an empty name"});
      }
      return;
    }
    Option option;
    bool name_cut = false;
    bool value_cut = false;
    if (!read_string(c, limits.max_option_bytes, option.name, name_cut)) {
      findings.push_back({"tftp.unterminated_string",
                          "option name \"" + option.name + "\" without a terminating NUL"});
    } else if (!read_string(c, limits.max_option_bytes, option.value, value_cut)) {
      findings.push_back({"tftp.unterminated_string",
                          "value of option \"" + option.name + "\" without a terminating NUL"});
    }
    if (name_cut || value_cut) {
      findings.push_back({"tftp.option_too_long", "option \"" + option.name + "\" longer than " +
                                                      std::to_string(limits.max_option_bytes) +
                                                      " bytes, cut"});
    }
    option.name = to_lower(option.name);
    if (options.size() >= limits.max_options) {
      if (!too_many) {
        findings.push_back(
            {"tftp.too_many_options",
             "more than " + std::to_string(limits.max_options) + " options; the rest are ignored"});
      }
      too_many = true;
      continue;
    }
    options.push_back(std::move(option));
  }
}

bool known_mode(std::string_view mode) {
  // RFC 1350 §1: netascii, octet, mail (obsolete).
  return mode == "netascii" || mode == "octet" || mode == "mail";
}

}  // namespace

std::string_view opcode_name(uint16_t opcode) {
  static constexpr std::string_view kNames[] = {"", "RRQ", "WRQ", "DATA", "ACK", "ERROR", "OACK"};
  return opcode < 7 ? kNames[opcode] : std::string_view();
}

bool parse_packet(Bytes payload, const TftpLimits& limits, Packet& p,
                  std::vector<Finding>& findings) {
  ByteCursor c(payload);
  p = Packet{};
  p.opcode = c.u16be();
  if (!c.ok()) {
    findings.push_back(
        {"tftp.truncated", "datagram of " + std::to_string(payload.size()) + " bytes, no opcode"});
    return false;
  }
  switch (p.opcode) {
    case kRrq:
    case kWrq: {
      bool cut = false;
      if (!read_string(c, limits.max_file_name_bytes, p.file_name, cut)) {
        findings.push_back({"tftp.truncated", std::string(opcode_name(p.opcode)) +
                                                  " without a terminated file name"});
        return false;
      }
      if (cut) {
        findings.push_back({"tftp.name_too_long", "file name longer than " +
                                                      std::to_string(limits.max_file_name_bytes) +
                                                      " bytes, cut"});
      }
      if (c.remaining() == 0) {
        findings.push_back(
            {"tftp.truncated", std::string(opcode_name(p.opcode)) + " without a transfer mode"});
        return false;
      }
      bool mode_cut = false;
      std::string mode;
      // A mode is a short keyword: the option limit bounds it.
      if (!read_string(c, limits.max_option_bytes, mode, mode_cut)) {
        findings.push_back(
            {"tftp.unterminated_string", "mode \"" + mode + "\" without a terminating NUL"});
      }
      p.mode = to_lower(mode);
      if (!known_mode(p.mode)) {
        findings.push_back({"tftp.unknown_mode", "mode \"" + p.mode + "\""});
      }
      read_options(c, limits, p.options, findings);
      return true;
    }
    case kData:
      p.block = c.u16be();
      if (!c.ok()) {
        findings.push_back({"tftp.truncated", "DATA of " + std::to_string(payload.size()) +
                                                  " bytes, no block number"});
        return false;
      }
      p.data = c.take_rest();
      p.data_length = p.data.size();
      return true;
    case kAck:
      p.block = c.u16be();
      if (!c.ok()) {
        findings.push_back({"tftp.truncated", "ACK of " + std::to_string(payload.size()) +
                                                  " bytes, no block number"});
        return false;
      }
      if (c.remaining() > 0) {
        findings.push_back({"tftp.trailing_bytes",
                            std::to_string(c.remaining()) + " bytes after the ACK's block number"});
      }
      return true;
    case kError: {
      p.error_code = c.u16be();
      if (!c.ok()) {
        findings.push_back({"tftp.truncated", "ERROR of " + std::to_string(payload.size()) +
                                                  " bytes, no error code"});
        return false;
      }
      bool cut = false;
      if (!read_string(c, limits.max_error_message_bytes, p.error_message, cut)) {
        findings.push_back({"tftp.unterminated_string", "error message without a terminating NUL"});
      } else if (!all_zero(c.rest())) {
        findings.push_back({"tftp.trailing_bytes",
                            std::to_string(c.remaining()) + " bytes after the error message"});
      }
      return true;
    }
    case kOack:
      read_options(c, limits, p.options, findings);
      return true;
    default:
      findings.push_back({"tftp.bad_opcode", "opcode " + std::to_string(p.opcode)});
      return false;
  }
}

OptionValues interpret_options(const std::vector<Option>& options, std::vector<Finding>& findings) {
  OptionValues v;
  auto bad = [&](const Option& o, std::string_view why) {
    findings.push_back(
        {"tftp.bad_option", o.name + "=\"" + o.value + "\": " + std::string(why) + ", ignored"});
  };
  // Takes a decimal in [lo, hi] for `slot`; the first occurrence of an option counts.
  auto take = [&](const Option& o, auto& slot, uint64_t lo, uint64_t hi, std::string_view range) {
    if (slot.has_value()) {
      bad(o, "repeated");
      return;
    }
    const std::optional<uint64_t> n = parse_decimal(o.value);
    if (!n || *n < lo || *n > hi) {
      bad(o, range);
      return;
    }
    slot = static_cast<typename std::decay_t<decltype(slot)>::value_type>(*n);
  };
  for (const Option& o : options) {
    if (o.name == "blksize") {
      take(o, v.block_size, kMinBlockSize, kMaxBlockSize, "not a decimal in 8..65464 (RFC 2348)");
    } else if (o.name == "tsize") {
      take(o, v.transfer_size, 0, UINT64_MAX, "not a decimal (RFC 2349)");
    } else if (o.name == "timeout") {
      take(o, v.timeout, 1, 255, "not a decimal in 1..255 (RFC 2349)");
    } else if (o.name == "windowsize") {
      take(o, v.window_size, 1, 65535, "not a decimal in 1..65535 (RFC 7440)");
    }
  }
  return v;
}

ProbeResult probe_tftp(const ProbeInput& in) {
  // The client speaks first (RFC 1350 §4): the first datagram of a port-69 flow is a request.
  if (in.client.empty()) return ProbeResult::kNo;
  ByteCursor c(in.client);
  const uint16_t opcode = c.u16be();
  if (!c.ok() || (opcode != kRrq && opcode != kWrq)) return ProbeResult::kNo;
  const Bytes rest = c.rest();
  const auto name_end = std::find(rest.begin(), rest.end(), uint8_t{0});
  if (name_end == rest.begin() || name_end == rest.end()) return ProbeResult::kNo;
  c.skip(static_cast<size_t>(name_end - rest.begin()) + 1);
  // The mode: a short keyword of letters, NUL-terminated.
  size_t letters = 0;
  while (c.remaining() > 0) {
    const uint8_t ch = c.u8();
    if (ch == 0) return letters > 0 ? ProbeResult::kYes : ProbeResult::kNo;
    const bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    if (!letter || ++letters > 16) return ProbeResult::kNo;
  }
  return ProbeResult::kNo;
}

}  // namespace netcap::app::tftp
