#include "forensics/streams/telnet/telnet_parser.h"

#include "forensics/app/text_util.h"

namespace netcap::app::telnet {

std::string_view verb_name(uint8_t verb) {
  switch (verb) {
    case kWill:
      return "WILL";
    case kWont:
      return "WONT";
    case kDo:
      return "DO";
    case kDont:
      return "DONT";
    default:
      return "";
  }
}

std::string option_name(uint8_t code) {
  // IANA "Telnet Options" registry.
  static constexpr std::string_view kNames[] = {"BINARY",
                                                "ECHO",
                                                "RECONNECTION",
                                                "SUPPRESS-GO-AHEAD",
                                                "APPROX-MESSAGE-SIZE",
                                                "STATUS",
                                                "TIMING-MARK",
                                                "RCTE",
                                                "OUTPUT-LINE-WIDTH",
                                                "OUTPUT-PAGE-SIZE",
                                                "NAOCRD",
                                                "NAOHTS",
                                                "NAOHTD",
                                                "NAOFFD",
                                                "NAOVTS",
                                                "NAOVTD",
                                                "NAOLFD",
                                                "EXTEND-ASCII",
                                                "LOGOUT",
                                                "BM",
                                                "DET",
                                                "SUPDUP",
                                                "SUPDUP-OUTPUT",
                                                "SEND-LOCATION",
                                                "TERMINAL-TYPE",
                                                "END-OF-RECORD",
                                                "TUID",
                                                "OUTMRK",
                                                "TTYLOC",
                                                "3270-REGIME",
                                                "X.3-PAD",
                                                "NAWS",
                                                "TERMINAL-SPEED",
                                                "TOGGLE-FLOW-CONTROL",
                                                "LINEMODE",
                                                "X-DISPLAY-LOCATION",
                                                "ENVIRON",
                                                "AUTHENTICATION",
                                                "ENCRYPT",
                                                "NEW-ENVIRON",
                                                "TN3270E",
                                                "XAUTH",
                                                "CHARSET",
                                                "RSP",
                                                "COM-PORT-OPTION",
                                                "SLE",
                                                "START-TLS",
                                                "KERMIT",
                                                "SEND-URL",
                                                "FORWARD-X"};
  if (code < std::size(kNames)) return std::string(kNames[code]);
  if (code == 255) return "EXOPL";
  return "OPTION-" + std::to_string(code);
}

namespace {

std::string printable(Bytes b) {
  std::string out;
  for (uint8_t c : b) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* kHex = "0123456789abcdef";
      out += '<';
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      out += '>';
    }
  }
  return out;
}

}  // namespace

std::string subnegotiation_summary(uint8_t option, Bytes params) {
  if (option == 31 && params.size() == 4) {
    // RFC 1073 NAWS: width and height, 16 bits each.
    return std::to_string((params[0] << 8) | params[1]) + "x" +
           std::to_string((params[2] << 8) | params[3]);
  }
  // TERMINAL-TYPE, TERMINAL-SPEED, X-DISPLAY-LOCATION, (NEW-)ENVIRON: IS 0 / SEND 1 / INFO 2.
  if (!params.empty() && (option == 24 || option == 32 || option == 35 || option == 36 ||
                          option == 39 || option == 33)) {
    static constexpr std::string_view kCodes[] = {"IS", "SEND", "INFO"};
    std::string out = params[0] < 3 ? std::string(kCodes[params[0]]) : printable(params.first(1));
    if (params.size() > 1) out += " " + printable(params.subspan(1));
    return out;
  }
  return printable(params);
}

void Decoder::flush_data(Bytes data, size_t from, size_t to) {
  if (to > from && events_.on_data) events_.on_data(data.subspan(from, to - from));
}

void Decoder::feed(Bytes data) {
  size_t run = 0;  // start of the current run of plain data bytes
  for (size_t i = 0; i < data.size(); ++i) {
    const uint8_t b = data[i];
    switch (state_) {
      case State::kData:
        if (b == kIac) {
          flush_data(data, run, i);
          state_ = State::kIac;
        }
        continue;
      case State::kIac:
        run = i + 1;
        if (b == kIac) {
          // RFC 854: IAC IAC is a data byte 255.
          literal_.assign(1, kIac);
          if (events_.on_data) events_.on_data(literal_);
          state_ = State::kData;
        } else if (b >= kWill && b <= kDont) {
          verb_ = b;
          state_ = State::kOption;
        } else if (b == kSb) {
          state_ = State::kSbOption;
        } else {
          if (b < kSe) {
            events_.on_anomaly("bad_command", "IAC followed by " + std::to_string(b));
          } else if (b == kSe) {
            events_.on_anomaly("bad_subnegotiation", "SE without SB");
          } else if (events_.on_command) {
            events_.on_command(b);
          }
          state_ = State::kData;
        }
        continue;
      case State::kOption:
        run = i + 1;
        if (events_.on_option) events_.on_option(verb_, b);
        state_ = State::kData;
        continue;
      case State::kSbOption:
        run = i + 1;
        sb_option_ = b;
        sb_.clear();
        sb_overflow_ = false;
        state_ = State::kSb;
        continue;
      case State::kSb:
        run = i + 1;
        if (b == kIac) {
          state_ = State::kSbIac;
        } else if (sb_.size() < max_sb_) {
          sb_.push_back(b);
        } else {
          sb_overflow_ = true;
        }
        continue;
      case State::kSbIac:
        run = i + 1;
        if (b == kIac) {  // doubled IAC inside SB
          if (sb_.size() < max_sb_) sb_.push_back(kIac);
          state_ = State::kSb;
        } else if (b == kSe) {
          if (sb_overflow_) {
            events_.on_anomaly("bad_subnegotiation", "subnegotiation of " +
                                                         option_name(sb_option_) + " longer than " +
                                                         std::to_string(max_sb_) + " bytes, cut");
          }
          if (events_.on_subnegotiation) events_.on_subnegotiation(sb_option_, sb_);
          sb_.clear();
          state_ = State::kData;
        } else {
          // RFC 855: SB ends only with IAC SE; another command means the SB was broken off.
          events_.on_anomaly("bad_subnegotiation", "subnegotiation of " + option_name(sb_option_) +
                                                       " interrupted by IAC " + std::to_string(b));
          sb_.clear();
          state_ = State::kIac;
          --i;  // reprocess `b` as the command after IAC
        }
        continue;
    }
  }
  if (state_ == State::kData) flush_data(data, run, data.size());
}

namespace {

std::string_view prompt_text(std::string_view text) {
  text = trim(text);
  return text;
}

bool ends_with_any(std::string_view text, std::initializer_list<std::string_view> words) {
  const std::string lower = to_lower(prompt_text(text));
  for (std::string_view w : words) {
    if (lower.size() >= w.size() && std::string_view(lower).substr(lower.size() - w.size()) == w) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_login_prompt(std::string_view text) {
  return ends_with_any(text, {"login:", "username:", "user name:", "user:", "login name:"});
}

bool is_password_prompt(std::string_view text) {
  return ends_with_any(text, {"password:", "passcode:", "passwd:"});
}

}  // namespace netcap::app::telnet
