// HTTP/1.x session over one TCP flow: two HttpParsers (one per direction) and a FIFO of
// transactions. Each request opens a transaction; responses are paired with the oldest
// transaction still waiting for one (pipelining, keep-alive); interim 1xx responses do not
// consume it. A transaction becomes an HTTP record when both its request and its response
// ended (or at the end of the flow, whatever was seen). After a CONNECT with a 2xx response or
// a 101 Switching Protocols the rest of the flow is a tunnel and is not parsed.
//
// Bounds: at most Limits::max_pending_transactions transactions wait ("http.too_many_pending":
// the oldest is written as it is); header lists per Limits::max_header_fields; cookies and
// parameters per Limits::max_items_per_message; form bodies kept for parameter parsing up to
// kMaxFormBodyBytes; decoded bodies per Limits::max_decoded_body_bytes and
// max_decompression_ratio. Nothing else of a body is kept: it goes to the HttpBodyObserver.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/app_protocol.h"
#include "forensics/app/credentials.h"
#include "forensics/streams/http/http_body_observer.h"
#include "forensics/streams/http/http_decoder.h"
#include "forensics/streams/http/http_parser.h"
#include "proto/http.pb.h"

namespace netcap::app::http {

// application/x-www-form-urlencoded request bodies are kept up to this size to extract their
// parameters (forms are small; a larger one is an upload and its parameters are cut there).
inline constexpr size_t kMaxFormBodyBytes = 64 * 1024;

// The content probe: a request line with a registered method and HTTP/1.x from the client, or
// "HTTP/1.x NNN" from the server.
ProbeResult probe_http(const ProbeInput& in);

class HttpSession : public AppSession {
 public:
  HttpSession(AppContext& ctx, std::unique_ptr<HttpBodyObserver> observer);
  ~HttpSession() override;

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override;
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override;
  void on_end(StreamEndReason reason, int64_t ts_ns) override;

 private:
  struct Txn {
    uint64_t seq = 0;
    std::unique_ptr<HTTP> rec;
    bool has_request = false;
    bool request_done = false;
    bool response_started = false;
    bool response_done = false;
    bool connect = false;        // CONNECT request
    bool wants_upgrade = false;  // Upgrade request (held until the response)
    bool head_request = false;
    int64_t request_ts = 0;
    int64_t response_end_ts = 0;
    // Credentials the request carried (Authorization, Proxy-Authorization, query, form),
    // written with the transaction and judged by its status code. At most kMaxTxnCredentials.
    std::vector<Credential> creds;
    std::string url;  // for the credentials' Target
  };
  static constexpr size_t kMaxTxnCredentials = 4;

  // One message body being received in one direction.
  struct Body {
    bool active = false;
    uint64_t txn = 0;
    HttpBodyInfo info;
    std::unique_ptr<ContentDecoder> decoder;
    bool decode_stopped = false;  // failure, bomb or gap: no more decoded output
    std::string decode_error;
    uint64_t encoded = 0;
    uint64_t decoded = 0;
    uint64_t offset = 0;  // decoded offset for the observer (advances over gaps)
    uint64_t missing = 0;
    bool form = false;
    std::string form_body;
    bool form_cut = false;
  };

  class Side : public HttpParserListener {
   public:
    Side(HttpSession& s, bool is_request);
    HeadDecision on_head(MessageHead& head, BodyFraming proposed, int64_t ts_ns) override;
    void on_body(Bytes data, int64_t ts_ns) override;
    void on_body_gap(uint64_t length, int64_t ts_ns) override;
    void on_message_end(bool complete, std::vector<HeaderField>& trailers, int64_t ts_ns) override;
    void on_anomaly(std::string_view name, std::string detail, int64_t ts_ns) override;

    HttpSession& s_;
    const bool is_request_;
    HttpParser parser_;
    Body body_;
    uint64_t txn_ = 0;  // transaction of the message in progress
    bool has_txn_ = false;
  };

  HeadDecision on_request_head(MessageHead& head, BodyFraming proposed, int64_t ts_ns);
  HeadDecision on_response_head(MessageHead& head, BodyFraming proposed, int64_t ts_ns);
  void on_message_end(Side& side, bool complete, std::vector<HeaderField>& trailers, int64_t ts_ns);
  void start_body(Side& side, const Txn& txn, const MessageHead& head, int64_t ts_ns);
  void body_data(Side& side, Bytes data, int64_t ts_ns);
  void body_gap(Side& side, uint64_t length, int64_t ts_ns);
  void end_body(Side& side, bool complete, int64_t ts_ns);
  // The parser for the bytes of `dir` (`first`: the first bytes when roles are not decided).
  Side& side_for(StreamDirection dir, Bytes first);
  Txn* find(uint64_t seq);
  Txn& push_txn(int64_t ts_ns);
  void emit_ready();
  void emit(Txn& txn);
  void add_parameters(HTTP& rec, std::string_view text, int64_t ts_ns);
  // Credentials of an Authorization/Proxy-Authorization value (Basic, Digest, NTLM/Negotiate).
  void authorization_credential(Txn& t, const MessageHead& head, std::string_view value,
                                int64_t ts_ns);
  // Remembers the NTLM CHALLENGE of a WWW-Authenticate/Proxy-Authenticate value.
  void authenticate_challenge(std::string_view value);
  void add_credential(Txn& t, Credential c);
  void emit_credentials(Txn& t);

  AppContext& ctx_;
  std::unique_ptr<HttpBodyObserver> observer_;
  HttpBodyObserver null_observer_;
  Side request_;
  Side response_;
  std::deque<Txn> txns_;
  uint64_t next_seq_ = 0;
  bool params_limit_reported_ = false;
  // A CONNECT was answered 2xx during the chunk being parsed (on_data then switches the stream).
  bool tunnel_opened_ = false;
  // NTLM over HTTP: the server challenge (hex) of the connection's last CHALLENGE (NTLM
  // authenticates the connection, RFC 4559 §4).
  std::string ntlm_challenge_;
  bool roles_decided_ = false;
  bool swapped_ =
      false;  // the flow's originator is the HTTP server (capture started mid-connection)
};

}  // namespace netcap::app::http
