// MySQL over TCP: registration, probe and session (connection phase, then the SQL text of the
// client's commands).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/mysql/mysql_parser.h"
#include "forensics/streams/mysql/mysql_session.h"
#include "proto/mysql.pb.h"

namespace netcap::app::mysql {

namespace {

// The connection phase has small packets only (greeting, login with attributes, auth
// exchanges); a bigger one means the stream is not what we think.
constexpr size_t kMaxPhasePacket = 64 * 1024;
// Packets of the connection phase looked at before giving up on a verdict (auth exchanges
// such as caching_sha2_password's full authentication take a few round trips).
constexpr int kMaxPhasePackets = 12;
// Commands kept per connection, and bytes of SQL text kept per command (as for PostgreSQL).
constexpr size_t kMaxQueries = 64;
constexpr size_t kMaxQueryBytes = 1024;
// Bytes of a command packet looked at: the code, query-attribute counts and the kept text.
constexpr size_t kCommandPrefixBytes = 1 + 18 + kMaxQueryBytes;

class MySqlSession : public AppSession {
 public:
  explicit MySqlSession(AppContext& ctx) : ctx_(ctx), record_(std::make_unique<MySQL>()) {}

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override {
    // The reassembly hands over what it has, which may be the last connection-phase packets and
    // then much more (a pipelining client's first queries). It is parsed in slices of at most one
    // connection-phase packet, so that complete packets are taken before the buffer's bound is
    // checked, and the buffer never holds more than an unfinished packet and one slice.
    while (!data.empty() && !done_) {
      if (commands_) {
        // Command phase: the client's commands; the server's result sets are not looked at.
        if (dir == StreamDirection::kClientToServer) read_commands(data, ts_ns);
        return;
      }
      const size_t n = std::min(data.size(), kMaxPhasePacket + 4);
      on_slice(dir, data.first(n), ts_ns);
      data = data.subspan(n);
    }
  }

  void on_slice(StreamDirection dir, Bytes data, int64_t ts_ns) {
    const int d = static_cast<int>(dir);
    if (buffer_[d].size() + data.size() > 2 * (kMaxPhasePacket + 4)) {
      anomaly("mysql.packet_too_large",
              "more than " + std::to_string(kMaxPhasePacket) +
                  " bytes buffered before a complete connection-phase packet",
              ts_ns);
      finish(ts_ns);
      return;
    }
    buffer_[d].insert(buffer_[d].end(), data.begin(), data.end());
    size_t consumed = 0;
    bool too_large = false;
    const std::vector<Packet> packets =
        split_packets(buffer_[d], kMaxPhasePacket, consumed, too_large);
    for (const Packet& p : packets) {
      if (done_) break;
      if (++packets_seen_ > kMaxPhasePackets) {
        finish(ts_ns);
        break;
      }
      if (dir == StreamDirection::kServerToClient) {
        server_packet(p, ts_ns);
      } else {
        client_packet(p, ts_ns);
      }
    }
    if (too_large && !done_) {
      anomaly("mysql.packet_too_large",
              "a packet header declares more than " + std::to_string(kMaxPhasePacket) +
                  " bytes during the connection phase",
              ts_ns);
      finish(ts_ns);
    }
    if (done_ || commands_) {
      buffer_[0] = {};
      buffer_[1] = {};
    } else {
      buffer_[d].erase(buffer_[d].begin(), buffer_[d].begin() + static_cast<long>(consumed));
    }
  }

  void on_gap(StreamDirection dir, uint64_t, int64_t ts_ns) override {
    // The server's result sets are not followed: a gap there loses nothing.
    if (commands_ && dir == StreamDirection::kServerToClient) return;
    // Packet boundaries are lost: report what there is.
    if (!done_) finish(ts_ns);
  }

  void on_end(StreamEndReason, int64_t ts_ns) override {
    if (!done_) finish(ts_ns);
  }

 private:
  void anomaly(std::string_view name, std::string detail, int64_t ts_ns) {
    ctx_.anomaly(name, std::move(detail), ts_ns);
  }

  void server_packet(const Packet& p, int64_t ts_ns) {
    const uint8_t first = p.payload.empty() ? 0 : p.payload[0];
    if (!greeted_) {
      greeted_ = true;
      ctx_.stamp(*record_, StreamDirection::kServerToClient, ts_ns);
      if (first == 0xff) {  // refused before the greeting ("Host ... is not allowed")
        take_error(p.payload);
        record_->set_loginresult("rejected");
        finish(ts_ns);
        return;
      }
      auto g = parse_greeting(p.payload);
      if (!g) {
        anomaly("mysql.bad_greeting",
                "server greeting of " + std::to_string(p.payload.size()) + " bytes does not parse",
                ts_ns);
        finish(ts_ns);
        return;
      }
      record_->set_protocolversion(g->protocol_version);
      record_->set_serverversion(g->server_version);
      record_->set_connectionid(g->connection_id);
      record_->set_servercapabilities(g->capabilities);
      record_->set_serverauthplugin(g->auth_plugin);
      salt_ = g->salt;
      return;
    }
    if (!logged_in_) return;  // server bytes before the client's login: nothing defined
    if (first == 0x00) {
      verdict(LoginResult::kAccepted, "OK", ts_ns);
    } else if (first == 0xff) {
      take_error(p.payload);
      verdict(LoginResult::kRejected, record_->errormessage(), ts_ns);
    } else if (first == 0xfe) {
      if (auto s = parse_auth_switch(p.payload)) {
        // The client answers with the new plugin's response to the new salt.
        record_->set_authswitchplugin(s->plugin);
        salt_ = s->salt;
        plugin_ = s->plugin;
        awaiting_switch_response_ = true;
      }
    }
    // 0x01 AuthMoreData (caching_sha2_password, sha256_password): the verdict follows.
  }

  void client_packet(const Packet& p, int64_t ts_ns) {
    if (!greeted_) return;
    if (awaiting_switch_response_) {
      awaiting_switch_response_ = false;
      hold_credential(std::string(as_text(p.payload)), ts_ns);
      return;
    }
    if (logged_in_) return;  // auth continuation data (public key requests, ...)
    auto l = parse_login(p.payload);
    if (!l) {
      anomaly(
          "mysql.bad_login",
          "client login packet of " + std::to_string(p.payload.size()) + " bytes does not parse",
          ts_ns);
      finish(ts_ns);
      return;
    }
    record_->set_clientcapabilities(l->capabilities);
    if (l->ssl_request) {
      // The next bytes on both sides are the TLS handshake; the login travels inside it.
      record_->set_tls(true);
      ctx_.switch_protocol("tls");
      finish(ts_ns);
      return;
    }
    logged_in_ = true;
    record_->set_user(l->user);
    record_->set_database(l->database);
    record_->set_clientauthplugin(l->auth_plugin);
    for (auto& a : l->attributes) record_->add_clientattributes(std::move(a));
    if (l->attributes_cut)
      anomaly("mysql.bad_attributes",
              "connection attributes malformed or more than " + std::to_string(kMaxAttributes),
              ts_ns);
    plugin_ = !l->auth_plugin.empty() ? l->auth_plugin : record_->serverauthplugin();
    hold_credential(l->auth_response, ts_ns);
  }

  // The login's credential, held until the server's verdict.
  void hold_credential(const std::string& response, int64_t ts_ns) {
    Credential c;
    c.user = record_->user();
    c.target = record_->database();
    c.method = plugin_.empty() ? "mysql_native_password" : plugin_;
    if (c.method == "mysql_native_password") {
      c.hash = native_password_hashcat(salt_, response);
      if (!c.hash.empty()) c.hashcat_mode = 11200;
    } else if (c.method == "mysql_clear_password") {
      c.secret = response;
      if (!c.secret.empty() && c.secret.back() == '\0') c.secret.pop_back();
    }
    if (pending_.active()) {
      // The answer to an AuthSwitchRequest replaces the first response: one login, one record.
      pending_.held() = std::move(c);
      return;
    }
    pending_.hold(ctx_, std::move(c), ts_ns);
  }

  void verdict(LoginResult result, std::string_view detail, int64_t ts_ns) {
    record_->set_loginresult(std::string(login_result_name(result)));
    if (pending_.active()) pending_.resolve(ctx_, result, detail);
    const uint32_t both = record_->servercapabilities() & record_->clientcapabilities();
    if (result != LoginResult::kAccepted || (both & (kClientCompress | kClientZstdCompression))) {
      finish(ts_ns);  // compressed packets after the login are not decoded
      return;
    }
    // Command phase (MySQL internals manual "Command Phase"): every client command is a packet
    // with sequence id 0; the record is emitted when the connection ends.
    commands_ = true;
    query_attributes_ = (both & kClientQueryAttributes) != 0;
  }

  // Walks the client's packets without buffering them: only the first kCommandPrefixBytes of a
  // command packet are kept. Continuation packets (sequence id > 0: the rest of a command over
  // 16 MiB, LOAD DATA LOCAL contents) are skipped.
  void read_commands(Bytes data, int64_t ts_ns) {
    size_t i = 0;
    while (i < data.size() && !done_) {
      if (command_.header_have < 4) {
        command_.header[command_.header_have++] = data[i++];
        if (command_.header_have < 4) continue;
        command_.remaining = uint32_t{command_.header[0]} | uint32_t{command_.header[1]} << 8 |
                             uint32_t{command_.header[2]} << 16;
        command_.prefix.clear();
      } else {
        const size_t n = std::min<size_t>(command_.remaining, data.size() - i);
        if (command_.header[3] == 0 && command_.prefix.size() < kCommandPrefixBytes) {
          const size_t keep = std::min(n, kCommandPrefixBytes - command_.prefix.size());
          command_.prefix.insert(command_.prefix.end(), data.begin() + static_cast<long>(i),
                                 data.begin() + static_cast<long>(i + keep));
        }
        command_.remaining -= static_cast<uint32_t>(n);
        i += n;
      }
      if (command_.remaining == 0) {
        command_.header_have = 0;
        if (command_.header[3] == 0) command(command_.prefix, ts_ns);
      }
    }
  }

  void command(Bytes payload_prefix, int64_t ts_ns) {
    auto c = parse_command(payload_prefix, query_attributes_, kMaxQueryBytes);
    if (!c) return;
    if (c->code == kComQuit) {
      finish(ts_ns);
      return;
    }
    if (c->code != kComQuery && c->code != kComStmtPrepare && c->code != kComInitDb) return;
    record_->set_querycount(record_->querycount() + 1);
    if (!c->has_text) return;
    if (static_cast<size_t>(record_->queries_size()) >= kMaxQueries) {
      record_->set_queriestruncated(true);
      return;
    }
    record_->add_queries(std::move(c->text));
  }

  void take_error(Bytes payload) {
    if (auto e = parse_error(payload)) {
      record_->set_errorcode(e->code);
      record_->set_sqlstate(e->sql_state);
      record_->set_errormessage(e->message);
    }
  }

  void finish(int64_t) {
    if (done_) return;
    done_ = true;
    if (pending_.active()) pending_.flush(ctx_);
    if (greeted_ && record_ != nullptr) ctx_.emit(std::move(record_));
  }

  AppContext& ctx_;
  std::unique_ptr<MySQL> record_;
  std::vector<uint8_t> buffer_[2];
  std::string salt_;
  std::string plugin_;
  PendingCredential pending_;
  int packets_seen_ = 0;
  bool greeted_ = false;
  bool logged_in_ = false;
  bool awaiting_switch_response_ = false;
  bool commands_ = false;          // past an accepted login: reading the client's commands
  bool query_attributes_ = false;  // CLIENT_QUERY_ATTRIBUTES negotiated
  struct CommandReader {
    uint8_t header[4] = {};
    size_t header_have = 0;
    uint32_t remaining = 0;
    std::vector<uint8_t> prefix;
  } command_;
  bool done_ = false;
};

ProbeResult probe(const ProbeInput& in) {
  switch (probe_greeting(in.server, in.server_final)) {
    case 2:
      return ProbeResult::kYes;
    case 1:
      return ProbeResult::kNeedMore;
    default:
      return ProbeResult::kNo;
  }
}

}  // namespace

std::unique_ptr<AppSession> make_session(AppContext& ctx) {
  return std::make_unique<MySqlSession>(ctx);
}

}  // namespace netcap::app::mysql

namespace netcap::app {

Status register_app_mysql(AppRegistry& registry) {
  AppProtocol p;
  p.name = "mysql";
  p.transport = AppTransport::kTcp;
  p.ports = {mysql::kPort};
  p.probe = &mysql::probe;
  p.create = [](AppContext& ctx) { return mysql::make_session(ctx); };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
