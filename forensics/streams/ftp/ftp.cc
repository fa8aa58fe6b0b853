// FTP over TCP: registration, probe, control and data sessions.
#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/ftp/ftp_files.h"
#include "forensics/streams/ftp/ftp_parser.h"
#include "forensics/streams/ftp/ftp_session.h"
#include "proto/ftp.pb.h"

namespace netcap::app {
namespace ftp {

namespace {

// Anomalies of one kind per connection (a broken peer must not flood the output).
constexpr int kMaxAnomaliesPerKind = 8;

// ------------------------------------------------------------------ control session

class ControlSession : public AppSession {
 public:
  explicit ControlSession(AppContext& ctx)
      : ctx_(ctx),
        client_lines_(ctx.limits().max_line_bytes),
        server_lines_(ctx.limits().max_line_bytes),
        replies_(ctx.limits().max_header_bytes) {}

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override {
    now_ = ts_ns;
    if (encrypted_) return;
    if (dir == StreamDirection::kClientToServer) {
      client_lines_.feed(data, [&](std::string_view line, bool truncated) {
        if (truncated) line_too_long("client", line.size());
        if (!encrypted_) command_line(line, ts_ns);
      });
    } else {
      server_lines_.feed(data, [&](std::string_view line, bool truncated) {
        if (truncated) line_too_long("server", line.size());
        if (!encrypted_) reply_line(line, ts_ns);
      });
    }
  }

  void on_gap(StreamDirection dir, uint64_t, int64_t) override {
    (dir == StreamDirection::kClientToServer ? client_lines_ : server_lines_).reset();
    if (dir == StreamDirection::kServerToClient)
      replies_ = ReplyAssembler(ctx_.limits().max_header_bytes);
  }

  void on_end(StreamEndReason, int64_t) override {
    // Commands that never got a reply.
    while (!pending_.empty()) {
      emit(pending_.front(), nullptr, 0);
      pending_.pop_front();
    }
  }

 private:
  struct Pending {
    Command command;
    int64_t ts = 0;
    int preliminary_code = 0;
    std::string preliminary_text;
    std::optional<Endpoint> data;  // PORT/EPRT argument
    std::string user;              // PASS: the user named by the USER before it
  };

  void anomaly(const std::string& name, std::string detail) {
    int& n = anomaly_counts_[name];
    if (++n > kMaxAnomaliesPerKind) return;
    ctx_.anomaly(name, std::move(detail), now_);
  }

  void line_too_long(const char* side, size_t kept) {
    anomaly("ftp.line_too_long", std::string(side) + " line longer than " + std::to_string(kept) +
                                     " bytes (Limits::max_line_bytes), cut");
  }

  void command_line(std::string_view line, int64_t ts) {
    if (trim(line).empty()) return;
    Pending p;
    p.command = parse_command(line);
    p.ts = ts;
    const std::string& verb = p.command.verb;
    if (verb == "USER") user_ = p.command.argument;
    if (verb == "PASS") p.user = user_;
    if (verb == "PORT" || verb == "EPRT") {
      p.data = verb == "PORT" ? parse_port(p.command.argument) : parse_eprt(p.command.argument);
      if (!p.data) {
        anomaly("ftp.bad_port_argument", verb + " \"" + p.command.argument.substr(0, 128) + "\"");
      } else {
        active_ = p.data;
      }
    }
    if (is_transfer_command(verb)) transfer_command(p.command, ts);
    if (pending_.size() >= ctx_.limits().max_pending_transactions) {
      anomaly("ftp.too_many_pending",
              "more than " + std::to_string(ctx_.limits().max_pending_transactions) +
                  " commands without reply; the oldest written without one");
      emit(pending_.front(), nullptr, 0);
      pending_.pop_front();
    }
    pending_.push_back(std::move(p));
  }

  // A transfer command: it uses the channel announced last (RFC 959 §3.2: one transfer per
  // passive channel; an active one is opened by the server after this command).
  void transfer_command(const Command& c, int64_t ts) {
    if (passive_slot_ != nullptr) {
      passive_slot_->command = c.verb;
      passive_slot_->argument = c.argument;
      passive_slot_.reset();
      return;
    }
    if (active_) {
      // PORT/EPRT: the server connects only after it received the command, so registering
      // now gives the expectation the right note too.
      auto slot = std::make_shared<ChannelSlot>();
      slot->passive = false;
      slot->command = c.verb;
      slot->argument = c.argument;
      announce(*active_, std::move(slot), /*passive=*/false, ts);
      active_.reset();
    }
  }

  void announce(const Endpoint& ep, std::shared_ptr<ChannelSlot> slot, bool passive, int64_t ts) {
    Expectation e;
    e.protocol = "ftp-data";
    if (ep.ip.empty()) {
      e.server = ctx_.flow().server;  // EPSV: the control connection's server (RFC 2428 §3)
    } else if (!IpAddress::parse(ep.ip, e.server)) {
      return;
    }
    // Passive: the FTP client opens the data connection; active: the server (any address,
    // RFC 959 allows a third party).
    if (passive) e.client = ctx_.flow().client;
    e.port = ep.port;
    e.ip_protocol = 6;
    e.parent_flow = ctx_.flow().flow_id;
    if (!slot->command.empty())
      e.note = slot->command + (slot->argument.empty() ? "" : " " + slot->argument);
    e.link = slot;
    ctx_.expect(std::move(e), ts);
  }

  void reply_line(std::string_view line, int64_t ts) {
    Reply r;
    switch (replies_.line(line, r)) {
      case ReplyAssembler::Result::kNone:
        return;
      case ReplyAssembler::Result::kBadLine:
        anomaly("ftp.bad_reply",
                "server line without a reply code: \"" + std::string(line.substr(0, 128)) + "\"");
        return;
      case ReplyAssembler::Result::kReply:
        break;
    }
    if (r.code < 200) {
      // RFC 959 §4.2: a positive preliminary reply; the final one follows.
      if (!pending_.empty()) {
        pending_.front().preliminary_code = r.code;
        pending_.front().preliminary_text = std::move(r.text);
        return;
      }
    }
    if (pending_.empty()) {
      // The greeting (220) or an unsolicited reply (421 timeout ...).
      Pending none;
      none.ts = ts;
      emit(none, &r, ts);
      return;
    }
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    const std::string& verb = p.command.verb;
    std::optional<Endpoint> passive;
    if (r.code == 227) {
      passive = parse_pasv_reply(r.text);
      if (!passive) anomaly("ftp.bad_passive_reply", "227 \"" + r.text.substr(0, 128) + "\"");
    } else if (r.code == 229) {
      passive = parse_epsv_reply(r.text);
      if (!passive) anomaly("ftp.bad_passive_reply", "229 \"" + r.text.substr(0, 128) + "\"");
    }
    if (passive) {
      passive_reply(*passive, ts);
      p.data = passive;
      if (p.data->ip.empty()) p.data->ip = ctx_.flow().server.to_string();
    }
    if ((verb == "PORT" || verb == "EPRT") && r.code >= 300) active_.reset();
    // RFC 4217 §4: after "234" to AUTH the control connection is TLS.
    if (verb == "AUTH" && r.code == 234) {
      encrypted_ = true;
      ctx_.switch_protocol("tls");
    }
    emit(p, &r, ts);
  }

  void passive_reply(const Endpoint& ep, int64_t ts) {
    auto slot = std::make_shared<ChannelSlot>();
    slot->passive = true;
    // A client that pipelined the transfer command behind PASV: it is already queued.
    for (const Pending& q : pending_) {
      if (is_transfer_command(q.command.verb)) {
        slot->command = q.command.verb;
        slot->argument = q.command.argument;
        break;
      }
    }
    active_.reset();
    passive_slot_ = slot->command.empty() ? slot : nullptr;
    announce(ep, std::move(slot), /*passive=*/true, ts);
  }

  void emit(const Pending& p, const Reply* r, int64_t reply_ts) {
    auto rec = std::make_unique<FTP>();
    ctx_.stamp(*rec, StreamDirection::kClientToServer, p.ts);
    rec->set_command(p.command.verb);
    rec->set_argument(p.command.argument);
    if (r != nullptr) {
      rec->set_replycode(r->code);
      rec->set_replytext(r->text);
      rec->set_replytimestamp(reply_ts);
    } else if (p.preliminary_code != 0) {
      rec->set_replycode(p.preliminary_code);
      rec->set_replytext(p.preliminary_text);
    }
    rec->set_preliminarycode(p.preliminary_code);
    rec->set_preliminarytext(p.preliminary_text);
    rec->set_user(user_);
    if (p.command.verb == "PASS") {
      rec->set_password(p.command.argument);
      emit_login(p, r);
    }
    if (p.data) {
      rec->set_dataip(p.data->ip);
      rec->set_dataport(p.data->port);
    }
    ctx_.emit(std::move(rec));
  }

  // RFC 959 §5.4: PASS answered 230/202 logs in, 4xx/5xx refuses, 332 wants ACCT (unknown).
  void emit_login(const Pending& p, const Reply* r) {
    Credential c;
    c.user = p.user;
    c.secret = p.command.argument;
    c.method = "user/pass";
    LoginResult result = LoginResult::kUnknown;
    std::string detail;
    if (r != nullptr) {
      detail = std::to_string(r->code);
      if (r->code == 230 || r->code == 202) result = LoginResult::kAccepted;
      if (r->code >= 400) result = LoginResult::kRejected;
    }
    emit_credential(ctx_, c, p.ts, result, detail);
  }

  AppContext& ctx_;
  LineSplitter client_lines_;
  LineSplitter server_lines_;
  ReplyAssembler replies_;
  std::deque<Pending> pending_;  // bounded by Limits::max_pending_transactions
  std::string user_;
  std::optional<Endpoint> active_;             // PORT/EPRT waiting for its transfer command
  std::shared_ptr<ChannelSlot> passive_slot_;  // PASV/EPSV channel waiting for its command
  std::map<std::string, int> anomaly_counts_;
  bool encrypted_ = false;
  int64_t now_ = 0;
};

// ------------------------------------------------------------------ data session

class DataSession : public AppSession {
 public:
  DataSession(AppContext& ctx, std::unique_ptr<DataObserver> observer)
      : ctx_(ctx), observer_(std::move(observer)) {
    if (const Expectation* e = ctx.expectation(); e != nullptr) {
      slot_ = std::static_pointer_cast<ChannelSlot>(e->link);
      // Passive channels are registered with the FTP client as the originator (see announce).
      passive_ = slot_ ? slot_->passive : e->client.valid();
    }
  }

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override {
    if (data.empty()) return;
    if (first_ts_ == 0) first_ts_ = ts_ns;
    last_ts_ = ts_ns;
    bytes_[dir == StreamDirection::kClientToServer ? 0 : 1] += data.size();
    if (!observer_) return;
    if (!begun_) begin(ts_ns);
    if (!transfer_dir_ || *transfer_dir_ == dir) observer_->on_data(data, ts_ns);
  }

  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override {
    missing_ += length;
    if (!observer_) return;
    if (!begun_) begin(ts_ns);
    if (!transfer_dir_ || *transfer_dir_ == dir) observer_->on_gap(length, ts_ns);
  }

  void on_end(StreamEndReason reason, int64_t ts_ns) override {
    resolve();
    const bool complete = reason == StreamEndReason::kFin && missing_ == 0;
    if (observer_) {
      if (!begun_) begin(ts_ns);
      observer_->on_end(complete, ts_ns);
    }
    auto rec = std::make_unique<FTPData>();
    ctx_.stamp(*rec, StreamDirection::kClientToServer,
               ctx_.flow().first_ts_ns != 0 ? ctx_.flow().first_ts_ns : first_ts_);
    if (const Expectation* e = ctx_.expectation(); e != nullptr)
      rec->set_parentflowid(e->parent_flow);
    rec->set_command(command_);
    rec->set_filename(argument_);
    rec->set_mode(passive_ ? "passive" : "active");
    std::string direction(transfer_direction(command_));
    int64_t bytes = static_cast<int64_t>(bytes_[0] + bytes_[1]);
    if (transfer_dir_) {
      bytes =
          static_cast<int64_t>(bytes_[*transfer_dir_ == StreamDirection::kClientToServer ? 0 : 1]);
    } else if (bytes > 0) {
      // No command seen: the side that sent the bytes tells (the FTP server is the data
      // responder in passive mode, the originator in active mode).
      const bool server_sent = (bytes_[1] >= bytes_[0]) == passive_;
      direction = server_sent ? "download" : "upload";
    }
    rec->set_direction(direction);
    rec->set_bytes(bytes);
    rec->set_missingbytes(static_cast<int64_t>(missing_));
    rec->set_complete(complete);
    rec->set_timestamplast(last_ts_);
    ctx_.emit(std::move(rec));
  }

 private:
  // Command, argument and transfer direction from the slot, else from the expectation's note.
  void resolve() {
    if (resolved_) return;
    if (slot_) {
      command_ = slot_->command;
      argument_ = slot_->argument;
    }
    if (command_.empty()) {
      if (const Expectation* e = ctx_.expectation(); e != nullptr && !e->note.empty()) {
        Command c = parse_command(e->note);
        command_ = c.verb;
        argument_ = c.argument;
      }
    }
    // Only final once a command is known: it may still arrive on the control connection.
    if (command_.empty()) return;
    resolved_ = true;
    const std::string_view direction = transfer_direction(command_);
    if (direction.empty()) return;
    // The bytes flow from the FTP server for downloads and listings, to it for uploads.
    const bool from_ftp_server = direction != "upload";
    const bool ftp_server_is_responder = passive_;
    transfer_dir_ = (from_ftp_server == ftp_server_is_responder) ? StreamDirection::kServerToClient
                                                                 : StreamDirection::kClientToServer;
  }

  void begin(int64_t ts_ns) {
    resolve();
    begun_ = true;
    DataTransfer t;
    t.flow_id = ctx_.flow().flow_id;
    if (const Expectation* e = ctx_.expectation(); e != nullptr) t.parent_flow_id = e->parent_flow;
    t.command = command_;
    t.file_name = argument_;
    t.direction = std::string(transfer_direction(command_));
    observer_->on_begin(t, ts_ns);
  }

  AppContext& ctx_;
  std::unique_ptr<DataObserver> observer_;
  std::shared_ptr<ChannelSlot> slot_;
  bool passive_ = false;
  bool resolved_ = false;
  bool begun_ = false;
  std::string command_, argument_;
  std::optional<StreamDirection> transfer_dir_;
  uint64_t bytes_[2] = {0, 0};
  uint64_t missing_ = 0;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
};

// ------------------------------------------------------------------ probe

// First commands of FTP clients (RFC 959, 2228, 2389, 7151); not SMTP's (HELO/EHLO).
bool is_opening_command(std::string_view line) {
  static constexpr std::string_view kVerbs[] = {"USER", "AUTH", "FEAT", "SYST", "OPTS",
                                                "HOST", "CLNT", "PBSZ", "ACCT", "PASS"};
  const size_t end = line.find_first_of(" \r\n");
  if (end == std::string_view::npos) return false;
  const std::string_view verb = line.substr(0, end);
  for (std::string_view v : kVerbs) {
    if (iequals(verb, v)) return true;
  }
  return false;
}

// Could `line` still become an opening command with more bytes.
bool opening_prefix(std::string_view line) {
  if (line.size() >= 5) return false;
  for (char c : line) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

}  // namespace

ProbeResult probe(const ProbeInput& in) {
  const std::string_view server = as_text(in.server);
  const std::string_view client = as_text(in.client);
  if (!server.empty()) {
    constexpr std::string_view kGreeting = "220";
    const size_t n = std::min(server.size(), kGreeting.size());
    if (server.substr(0, n) != kGreeting.substr(0, n)) return ProbeResult::kNo;
    if (server.size() > 3 && server[3] != ' ' && server[3] != '-') return ProbeResult::kNo;
  }
  if (!client.empty()) {
    if (is_opening_command(client))
      return server.empty() ? ProbeResult::kNeedMore : ProbeResult::kYes;
    if (!opening_prefix(client) || in.client_final) return ProbeResult::kNo;
  }
  if (in.server_final && in.client_final) return ProbeResult::kNo;
  return ProbeResult::kNeedMore;
}

std::unique_ptr<AppSession> make_control_session(AppContext& ctx) {
  return std::make_unique<ControlSession>(ctx);
}

std::unique_ptr<AppSession> make_data_session(AppContext& ctx,
                                              std::unique_ptr<DataObserver> observer) {
  return std::make_unique<DataSession>(ctx, std::move(observer));
}

Status register_ftp(AppRegistry& registry, DataObserverFactory observers) {
  AppProtocol control;
  control.name = "ftp";
  control.transport = AppTransport::kTcp;
  control.ports = {21};
  control.probe = probe;
  control.create = [](AppContext& ctx) { return make_control_session(ctx); };
  Status s = registry.add(std::move(control));
  if (!s.is_ok()) return s;
  AppProtocol data;
  data.name = "ftp-data";
  data.transport = AppTransport::kTcp;
  // No probe and no ports: only through the control connection's expectations.
  data.create = [observers](AppContext& ctx) {
    return make_data_session(ctx, observers ? observers(ctx) : nullptr);
  };
  return registry.add(std::move(data));
}

}  // namespace ftp

// Data channels go to file extraction when the context has a file sink.
Status register_app_ftp(AppRegistry& registry) {
  return ftp::register_ftp(registry, &ftp::make_file_observer);
}

}  // namespace netcap::app
