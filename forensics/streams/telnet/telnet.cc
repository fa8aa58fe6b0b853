// Telnet over TCP: registration, probe and session.
#include <memory>
#include <string>

#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/telnet/telnet_parser.h"
#include "forensics/streams/telnet/telnet_session.h"
#include "proto/telnet.pb.h"

namespace netcap::app {
namespace telnet {

namespace {

// Server lines kept as the banner.
constexpr int kMaxBannerLines = 16;
// Parameter bytes kept per subnegotiation (terminal types, display names, environment).
constexpr size_t kMaxSubnegotiation = 1024;

class TelnetSession : public AppSession {
 public:
  explicit TelnetSession(AppContext& ctx)
      : ctx_(ctx),
        record_(std::make_unique<Telnet>()),
        decoder_{Decoder(kMaxSubnegotiation, events(false)),
                 Decoder(kMaxSubnegotiation, events(true))},
        lines_{LineEditor(ctx.limits().max_line_bytes), LineEditor(ctx.limits().max_line_bytes)} {}

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override {
    if (record_ == nullptr) return;
    if (first_ts_ == 0) first_ts_ = ts_ns;
    now_ = ts_ns;
    decoder_[index(dir)].feed(data);
  }

  void on_gap(StreamDirection dir, uint64_t, int64_t) override {
    decoder_[index(dir)].reset();
    lines_[index(dir)].reset();
  }

  void on_end(StreamEndReason, int64_t ts_ns) override {
    if (record_ == nullptr) return;
    cred_.flush(ctx_);
    ctx_.stamp(*record_, StreamDirection::kClientToServer, first_ts_ != 0 ? first_ts_ : ts_ns);
    ctx_.emit(std::move(record_));
  }

 private:
  static int index(StreamDirection dir) { return dir == StreamDirection::kClientToServer ? 0 : 1; }

  Decoder::Events events(bool server) {
    Decoder::Events e;
    e.on_data = [this, server](Bytes data) { this->data(server, data); };
    e.on_option = [this, server](uint8_t verb, uint8_t option) {
      this->option(server, verb, option);
    };
    e.on_subnegotiation = [this, server](uint8_t option, Bytes params) {
      subnegotiation(server, option, params);
    };
    e.on_command = [this, server](uint8_t command) {
      // RFC 854: EC erases the last character, EL the current line.
      if (command == kEc) lines_[server ? 1 : 0].erase_char();
      if (command == kEl) lines_[server ? 1 : 0].erase_line();
    };
    e.on_anomaly = [this](std::string_view problem, std::string detail) {
      ctx_.anomaly("telnet." + std::string(problem), std::move(detail), now_);
    };
    return e;
  }

  void option(bool server, uint8_t verb, uint8_t code) {
    const std::string side = server ? "server" : "client";
    for (const TelnetOption& o : record_->options()) {
      if (o.side() == side && o.code() == code && o.verb() == verb_name(verb)) return;
    }
    if (static_cast<size_t>(record_->options_size()) >= ctx_.limits().max_items_per_message) return;
    TelnetOption* o = record_->add_options();
    o->set_side(side);
    o->set_verb(std::string(verb_name(verb)));
    o->set_code(code);
    o->set_name(option_name(code));
  }

  void subnegotiation(bool server, uint8_t option, Bytes params) {
    const std::string summary = subnegotiation_summary(option, params);
    if (static_cast<size_t>(record_->subnegotiations_size()) <
        ctx_.limits().max_items_per_message) {
      record_->add_subnegotiations((server ? "server " : "client ") + option_name(option) + " " +
                                   summary);
    }
    if (server || params.empty()) return;
    // Values the client reports about itself (IS = 0), RFC 1091/1079/1096/1572.
    std::string value(as_text(params.subspan(1)));
    if (option == 24 && params[0] == 0) record_->set_terminaltype(value);
    if (option == 32 && params[0] == 0) record_->set_terminalspeed(value);
    if (option == 35 && params[0] == 0) record_->set_xdisplay(value);
    if (option == 31) record_->set_windowsize(summary);
    if ((option == 39 || option == 36) && params[0] == 0) environment(params.subspan(1));
  }

  // RFC 1572: (VAR|USERVAR) name [VALUE value] ..., VAR 0, VALUE 1, ESC 2, USERVAR 3.
  void environment(Bytes b) {
    std::string name, value;
    bool in_value = false, have = false;
    auto flush = [&] {
      if (have &&
          static_cast<size_t>(record_->environment_size()) < ctx_.limits().max_items_per_message) {
        record_->add_environment(name + "=" + value);
      }
      name.clear();
      value.clear();
      in_value = have = false;
    };
    for (size_t i = 0; i < b.size(); ++i) {
      uint8_t c = b[i];
      if (c == 0 || c == 3) {
        flush();
        have = true;
      } else if (c == 1) {
        in_value = true;
      } else {
        if (c == 2 && i + 1 < b.size()) c = b[++i];
        (in_value ? value : name).push_back(static_cast<char>(c));
      }
    }
    flush();
  }

  void data(bool server, Bytes bytes) {
    if (server) {
      record_->set_serverbytes(record_->serverbytes() + static_cast<int64_t>(bytes.size()));
      lines_[1].feed(
          bytes, [this](std::string_view line, bool truncated) { server_line(line, truncated); });
      return;
    }
    record_->set_clientbytes(record_->clientbytes() + static_cast<int64_t>(bytes.size()));
    // The prompt a client line answers is what the server showed when typing started (later
    // server bytes may be the echo of the typed characters).
    for (size_t i = 0; i < bytes.size(); ++i) {
      // Only a visible character starts a line (not the LF/NUL after CR, not an erase).
      const bool visible = bytes[i] >= 0x20 && bytes[i] != 0x7f;
      if (visible && lines_[0].pending().empty() && !prompt_taken_) {
        prompt_ = lines_[1].pending().empty() ? last_server_line_ : lines_[1].pending();
        prompt_taken_ = true;
      }
      lines_[0].feed(bytes.subspan(i, 1), [this](std::string_view line, bool truncated) {
        client_line(line, truncated);
      });
    }
  }

  void server_line(std::string_view line, bool truncated) {
    if (truncated) line_too_long("server");
    last_server_line_ = std::string(line);
    if (cred_.active()) login_answer(line);
    if (trim(line).empty() || record_->serverbanner_size() >= kMaxBannerLines) return;
    record_->add_serverbanner(std::string(line));
  }

  void client_line(std::string_view line, bool truncated) {
    if (truncated) line_too_long("client");
    const std::string prompt = std::move(prompt_);
    prompt_.clear();
    prompt_taken_ = false;
    if (is_password_prompt(prompt)) {
      record_->set_password(std::string(line));
      logged_in_ = true;
      // A password typed after a login prompt: one login attempt, judged by what follows.
      cred_.hold(ctx_, Credential{record_->username(), "", std::string(line), "", 0, "telnet", ""},
                 now_);
      return;
    }
    if (is_login_prompt(prompt)) {
      // Asked for a login again right after a password: that attempt failed.
      if (cred_.active()) cred_.resolve(ctx_, LoginResult::kRejected, "login prompt again");
      record_->set_username(std::string(line));
      record_->set_loginattempts(record_->loginattempts() + 1);
      logged_in_ = false;
      return;
    }
    if (!logged_in_ || trim(line).empty()) return;
    // A command typed at the prompt shown after the password: the login worked.
    if (cred_.active()) cred_.resolve(ctx_, LoginResult::kAccepted, "command typed");
    if (static_cast<size_t>(record_->commands_size()) < ctx_.limits().max_items_per_message) {
      record_->add_commands(std::string(line));
    } else if (!commands_full_) {
      commands_full_ = true;
      ctx_.anomaly("telnet.too_many_commands",
                   "more than " + std::to_string(ctx_.limits().max_items_per_message) +
                       " command lines, the rest not recorded",
                   now_);
    }
  }

  // Server text after a password (the usual login(1)/PAM messages); anything else waits for the
  // next client line.
  void login_answer(std::string_view line) {
    static constexpr std::string_view kRejected[] = {"incorrect", "failed", "failure", "denied",
                                                     "invalid"};
    for (auto w : kRejected) {
      if (ifind(line, w) != std::string_view::npos) {
        cred_.resolve(ctx_, LoginResult::kRejected, std::string(trim(line)).substr(0, 64));
        return;
      }
    }
    if (ifind(line, "last login") != std::string_view::npos)
      cred_.resolve(ctx_, LoginResult::kAccepted, std::string(trim(line)).substr(0, 64));
  }

  void line_too_long(const char* side) {
    ctx_.anomaly("telnet.line_too_long",
                 std::string(side) + " line longer than " +
                     std::to_string(ctx_.limits().max_line_bytes) + " bytes, cut",
                 now_);
  }

  AppContext& ctx_;
  std::unique_ptr<Telnet> record_;  // null once written
  Decoder decoder_[2];
  LineEditor lines_[2];
  int64_t first_ts_ = 0;
  int64_t now_ = 0;
  std::string prompt_;  // server text shown when the current client line started
  bool prompt_taken_ = false;
  std::string last_server_line_;  // bounded by max_line_bytes
  bool logged_in_ = false;
  bool commands_full_ = false;
  PendingCredential cred_;  // the last password typed, until the server's answer shows
};

bool is_negotiation(Bytes b) {
  // IAC WILL/WONT/DO/DONT/SB followed by a known option code (0..49) or EXOPL.
  return b.size() >= 3 && b[0] == kIac && b[1] >= kSb && b[1] <= kDont &&
         (b[2] < 50 || b[2] == 255);
}

// Could still become a negotiation with more bytes.
bool negotiation_prefix(Bytes b) {
  if (b.empty()) return true;
  if (b[0] != kIac) return false;
  return b.size() < 2 || (b[1] >= kSb && b[1] <= kDont);
}

bool looks_like_text(Bytes b) {
  for (uint8_t c : b.first(std::min<size_t>(b.size(), 64))) {
    if (c < 0x20 && c != '\r' && c != '\n' && c != '\t' && c != 0x1b && c != 0) return false;
    if (c >= 0x7f && c != kIac) return false;
  }
  return true;
}

}  // namespace

ProbeResult probe(const ProbeInput& in) {
  if (is_negotiation(in.client) || is_negotiation(in.server)) return ProbeResult::kYes;
  const bool port23 = in.server_port == 23 || in.client_port == 23;
  if (port23) {
    // Telnet servers without negotiation (or captures starting later) send plain text.
    if ((!in.server.empty() && !negotiation_prefix(in.server) && looks_like_text(in.server)) ||
        (!in.client.empty() && !negotiation_prefix(in.client) && looks_like_text(in.client))) {
      return ProbeResult::kYes;
    }
  }
  const bool client_open =
      negotiation_prefix(in.client) && in.client.size() < 3 && !in.client_final;
  const bool server_open =
      negotiation_prefix(in.server) && in.server.size() < 3 && !in.server_final;
  return client_open || server_open ? ProbeResult::kNeedMore : ProbeResult::kNo;
}

std::unique_ptr<AppSession> make_session(AppContext& ctx) {
  return std::make_unique<TelnetSession>(ctx);
}

}  // namespace telnet

Status register_app_telnet(AppRegistry& registry) {
  AppProtocol p;
  p.name = "telnet";
  p.transport = AppTransport::kTcp;
  p.ports = {23};
  p.probe = telnet::probe;
  p.create = telnet::make_session;
  return registry.add(std::move(p));
}

}  // namespace netcap::app
