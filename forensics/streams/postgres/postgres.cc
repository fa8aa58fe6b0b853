// PostgreSQL over TCP: registration, probe and session.
#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/postgres/postgres_parser.h"
#include "forensics/streams/postgres/postgres_session.h"
#include "proto/postgres.pb.h"

namespace netcap::app::postgres {

namespace {

// Messages larger than this are skipped, not buffered (COPY data, large bind parameters); the
// connection phase and ordinary query texts are far smaller.
constexpr size_t kMaxMessageBytes = 256 * 1024;
// The untyped first messages are small (a StartupMessage of a few parameters).
constexpr size_t kMaxFirstMessageBytes = 10000;
constexpr size_t kMaxQueries = 64;
constexpr size_t kMaxQueryBytes = 1024;

class PostgresSession : public AppSession {
 public:
  explicit PostgresSession(AppContext& ctx) : ctx_(ctx), record_(std::make_unique<PostgreSQL>()) {}

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override {
    if (done_) return;
    if (!stamped_) {
      ctx_.stamp(*record_, dir, ts_ns);
      stamped_ = true;
    }
    Side& s = side_[static_cast<int>(dir)];
    const bool client = dir == StreamDirection::kClientToServer;
    if (!client && awaiting_tls_answer_ && !data.empty() && s.buffer.empty() && s.skip == 0) {
      // The answer to SSLRequest/GSSENCRequest is one byte: 'S' (TLS follows), 'N' (go on in
      // clear) or an ErrorResponse from a server that predates it.
      const uint8_t answer = data[0];
      if (answer == 'S' && !gss_requested_) {
        record_->set_tls(true);
        ctx_.switch_protocol("tls");
        finish();
        return;
      }
      if (answer == 'G' && gss_requested_) {
        // GSSAPI-encrypted transport (not TLS): nothing further is readable.
        record_->set_authmethod("gssenc");
        finish();
        return;
      }
      awaiting_tls_answer_ = false;
      if (answer == 'N') {
        record_->set_tlsrefused(true);
        data = data.subspan(1);
      }
    }
    size_t i = 0;
    while (!done_) {
      if (s.skip > 0) {
        if (i == data.size()) break;
        const size_t n = static_cast<size_t>(std::min<uint64_t>(s.skip, data.size() - i));
        s.skip -= n;
        i += n;
        continue;
      }
      // The buffer holds at most one message: bytes are taken up to the end of its header,
      // then up to its end.
      const bool untyped = client && !started_;
      const size_t header = untyped ? 4 : 5;
      if (s.buffer.size() < header) {
        if (i == data.size()) break;
        take(s, data, i, header);
        continue;
      }
      const size_t want = untyped ? first_message_size(s.buffer) : typed_message_size(s.buffer);
      if (want == std::numeric_limits<size_t>::max() || (untyped && want < 8) ||
          (untyped && want > kMaxFirstMessageBytes)) {
        ctx_.anomaly("postgres.bad_length",
                     std::string(client ? "client" : "server") + " message length " +
                         (want == std::numeric_limits<size_t>::max() ? std::string("below 4")
                                                                     : std::to_string(want)) +
                         " is invalid; decoding stops",
                     ts_ns);
        finish();
        return;
      }
      if (want > kMaxMessageBytes) {
        if (client && (s.buffer[0] == 'Q' || s.buffer[0] == 'P')) count_query({}, true);
        s.skip = want - s.buffer.size();
        s.buffer.clear();
        continue;
      }
      if (s.buffer.size() < want) {
        if (i == data.size()) break;
        take(s, data, i, want);
        continue;
      }
      std::vector<uint8_t> message = std::move(s.buffer);
      s.buffer = {};
      if (untyped) {
        first_message(message, ts_ns);
      } else if (client) {
        client_message({static_cast<char>(message[0]), Bytes(message).subspan(5)}, ts_ns);
      } else {
        server_message({static_cast<char>(message[0]), Bytes(message).subspan(5)}, ts_ns);
      }
    }
  }

  void on_gap(StreamDirection dir, uint64_t, int64_t) override {
    // Message boundaries are lost in this direction: stop reading it.
    Side& s = side_[static_cast<int>(dir)];
    s.buffer = {};
    s.skip = std::numeric_limits<uint64_t>::max();
  }

  void on_end(StreamEndReason, int64_t) override { finish(); }

 private:
  struct Side {
    std::vector<uint8_t> buffer;  // the current message so far
    uint64_t skip = 0;            // bytes still to drop
  };

  // Moves bytes of `data` from `i` into the buffer until it holds `size` bytes.
  static void take(Side& s, Bytes data, size_t& i, size_t size) {
    const size_t n = std::min(size - s.buffer.size(), data.size() - i);
    s.buffer.insert(s.buffer.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
                    data.begin() + static_cast<std::ptrdiff_t>(i + n));
    i += n;
  }

  static size_t first_message_size(const std::vector<uint8_t>& buffer) {
    return (size_t{buffer[0]} << 24) | (size_t{buffer[1]} << 16) | (size_t{buffer[2]} << 8) |
           buffer[3];
  }

  void first_message(const std::vector<uint8_t>& message, int64_t ts_ns) {
    auto m = parse_first_message(message);
    if (!m) {
      ctx_.anomaly("postgres.bad_startup",
                   "first client message of " + std::to_string(message.size()) +
                       " bytes is neither a StartupMessage nor an SSL/GSS/Cancel request",
                   ts_ns);
      finish();
      return;
    }
    if (m->code == kSslRequestCode || m->code == kGssEncRequestCode) {
      awaiting_tls_answer_ = true;
      gss_requested_ = m->code == kGssEncRequestCode;
      return;
    }
    if (m->code == kCancelRequestCode) {
      finish();
      return;
    }
    started_ = true;
    record_->set_protocolversion(std::to_string(m->code >> 16) + "." +
                                 std::to_string(m->code & 0xffff));
    for (auto& [key, value] : m->parameters) {
      if (key == "user") record_->set_user(value);
      if (key == "database") record_->set_database(value);
      if (key == "application_name") record_->set_applicationname(value);
      record_->add_startupparameters(key + "=" + value);
    }
    if (m->parameters_cut)
      ctx_.anomaly("postgres.too_many_parameters",
                   "StartupMessage parameters over " + std::to_string(kMaxParameters) + " or " +
                       std::to_string(kMaxStringBytes) + " bytes were cut",
                   ts_ns);
  }

  void server_message(const Message& m, int64_t ts_ns) {
    if (m.type == 'R') {
      auto auth = parse_auth_request(m.payload);
      if (!auth) return;
      if (auth->code == 0) {
        if (record_->authmethod().empty()) record_->set_authmethod("trust");
        verdict(LoginResult::kAccepted, "AuthenticationOk");
        return;
      }
      if (auth->code == 11 || auth->code == 12) return;  // SASL continue / final
      record_->set_authmethod(auth_method_name(*auth));
      salt_ = auth->md5_salt;
    } else if (m.type == 'E' && record_->loginresult().empty()) {
      if (auto e = parse_error_fields(m.payload)) {
        record_->set_errorseverity(e->severity);
        record_->set_errorcode(e->code);
        record_->set_errormessage(e->message);
        verdict(LoginResult::kRejected, e->message);
      }
    } else if (m.type == 'S') {
      if (auto p = parse_parameter_status(m.payload); p && p->first == "server_version")
        record_->set_serverversion(p->second);
    }
    (void)ts_ns;
  }

  void client_message(const Message& m, int64_t ts_ns) {
    if (m.type == 'p' && !password_seen_) {
      password_seen_ = true;
      const std::string method = record_->authmethod();
      if (method != "cleartext" && method != "md5") return;  // SASL/GSS tokens
      std::string_view password = as_text(m.payload);
      if (!password.empty() && password.back() == '\0') password.remove_suffix(1);
      Credential c;
      c.user = record_->user();
      c.target = record_->database();
      c.method = method;
      if (method == "cleartext") {
        c.secret = std::string(password);
      } else {
        c.hash = md5_hashcat(record_->user(), salt_, password);
        if (!c.hash.empty()) c.hashcat_mode = 11100;
      }
      pending_.hold(ctx_, std::move(c), ts_ns);
      return;
    }
    if (m.type == 'Q' || m.type == 'P') {
      if (auto text = query_text(m, kMaxQueryBytes)) count_query(std::move(*text), false);
    }
  }

  void count_query(std::string text, bool skipped) {
    record_->set_querycount(record_->querycount() + 1);
    if (skipped || static_cast<size_t>(record_->queries_size()) >= kMaxQueries) {
      record_->set_queriestruncated(true);
      return;
    }
    record_->add_queries(std::move(text));
  }

  void verdict(LoginResult result, std::string_view detail) {
    record_->set_loginresult(std::string(login_result_name(result)));
    if (pending_.active()) pending_.resolve(ctx_, result, detail);
  }

  void finish() {
    if (done_) return;
    done_ = true;
    if (pending_.active()) pending_.flush(ctx_);
    side_[0] = {};
    side_[1] = {};
    if (record_ != nullptr) ctx_.emit(std::move(record_));
  }

  AppContext& ctx_;
  std::unique_ptr<PostgreSQL> record_;
  Side side_[2];
  std::string salt_;
  PendingCredential pending_;
  bool stamped_ = false;
  bool started_ = false;              // the StartupMessage was read: typed messages follow
  bool awaiting_tls_answer_ = false;  // an SSLRequest or GSSENCRequest waits for its one byte
  bool gss_requested_ = false;        // ... and it was a GSSENCRequest
  bool password_seen_ = false;
  bool done_ = false;
};

ProbeResult probe(const ProbeInput& in) {
  switch (probe_first_message(in.client, in.client_final)) {
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
  return std::make_unique<PostgresSession>(ctx);
}

}  // namespace netcap::app::postgres

namespace netcap::app {

Status register_app_postgres(AppRegistry& registry) {
  AppProtocol p;
  p.name = "postgres";
  p.transport = AppTransport::kTcp;
  p.ports = {postgres::kPort};
  p.probe = &postgres::probe;
  p.create = [](AppContext& ctx) { return postgres::make_session(ctx); };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
