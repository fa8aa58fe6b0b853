#include "forensics/streams/http/http_session.h"

#include <algorithm>

#include "forensics/app/text_util.h"
#include "proto/credentials.pb.h"

namespace netcap::app::http {

namespace {

std::string_view text(Bytes b) { return as_text(b); }

void copy_headers(const std::vector<HeaderField>& from,
                  google::protobuf::RepeatedPtrField<HttpHeader>* to) {
  for (const HeaderField& f : from) {
    HttpHeader* h = to->Add();
    h->set_name(f.name);
    h->set_value(f.value);
  }
}

std::string header_or_empty(const MessageHead& head, std::string_view name) {
  const std::string* v = head.find(name);
  return v != nullptr ? *v : std::string();
}

// -1 when absent or not a single decimal (RFC 9110 §8.6; a list of equal values counts).
int64_t content_length(const MessageHead& head) {
  if (head.find("Content-Length") == nullptr) return -1;
  std::optional<uint64_t> value;
  // Named: split() returns views into it, which must outlive the loop.
  const std::string joined = head.joined("Content-Length");
  for (std::string_view v : split(joined, ',')) {
    std::optional<uint64_t> n = parse_decimal(trim(v));
    if (!n || (value && *value != *n) || *n > static_cast<uint64_t>(INT64_MAX)) return -1;
    value = n;
  }
  return value ? static_cast<int64_t>(*value) : -1;
}

// Splits a request target into host (absolute-form only), path and query (RFC 9112 §3.2).
void split_target(std::string_view target, std::string_view& host, std::string_view& path,
                  std::string_view& query) {
  host = {};
  std::string_view rest = target;
  const size_t scheme = rest.find("://");
  if (!rest.empty() && rest.front() != '/' && scheme != std::string_view::npos && scheme < 16) {
    rest.remove_prefix(scheme + 3);
    const size_t slash = rest.find_first_of("/?#");
    host = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    // userinfo@ is not part of the host (RFC 3986 §3.2.1)
    if (const size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  }
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos)
    rest = rest.substr(0, hash);
  const size_t q = rest.find('?');
  path = rest.substr(0, q);
  query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
}

void parse_set_cookie(std::string_view value, HttpSetCookie& c) {
  // RFC 6265 §5.2: name=value, then ;-separated attributes.
  const std::vector<std::string_view> parts = split(value, ';');
  const std::string_view nv = trim(parts.front());
  const size_t eq = nv.find('=');
  c.set_name(std::string(trim(nv.substr(0, eq))));
  if (eq != std::string_view::npos) c.set_value(std::string(trim(nv.substr(eq + 1))));
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string_view attr = trim(parts[i]);
    const size_t aeq = attr.find('=');
    const std::string_view name = trim(attr.substr(0, aeq));
    const std::string_view val =
        aeq == std::string_view::npos ? std::string_view() : trim(attr.substr(aeq + 1));
    if (iequals(name, "path"))
      c.set_path(std::string(val));
    else if (iequals(name, "domain"))
      c.set_domain(std::string(val));
    else if (iequals(name, "expires"))
      c.set_expires(std::string(val));
    else if (iequals(name, "max-age")) {
      const bool neg = !val.empty() && val.front() == '-';
      if (std::optional<uint64_t> n = parse_decimal(neg ? val.substr(1) : val);
          n && *n < (1ull << 62)) {
        c.set_maxage(neg ? -static_cast<int64_t>(*n) : static_cast<int64_t>(*n));
      }
    } else if (iequals(name, "secure"))
      c.set_secure(true);
    else if (iequals(name, "httponly"))
      c.set_httponly(true);
    else if (iequals(name, "samesite"))
      c.set_samesite(std::string(val));
  }
}

bool is_form(const std::string& content_type) {
  return istarts_with(trim(content_type), "application/x-www-form-urlencoded");
}

}  // namespace

// ---------------------------------------------------------------- probe

namespace {

// "HTTP/1.x NNN" at the start of `t`.
ProbeResult status_start(std::string_view t) {
  constexpr std::string_view kPrefix = "HTTP/1.";
  const size_t n = std::min(t.size(), kPrefix.size());
  if (t.substr(0, n) != kPrefix.substr(0, n)) return ProbeResult::kNo;
  if (t.size() < 9) return ProbeResult::kNeedMore;
  return t[7] >= '0' && t[7] <= '9' && t[8] == ' ' ? ProbeResult::kYes : ProbeResult::kNo;
}

// A request line with a registered method and HTTP/1.x at the start of `t`.
ProbeResult request_start(std::string_view t, bool final) {
  constexpr size_t kLongestMethod = 16;  // "BASELINE-CONTROL"
  const size_t sp = t.substr(0, kLongestMethod + 1).find(' ');
  if (sp == std::string_view::npos) {
    const bool word = t.size() <= kLongestMethod && std::all_of(t.begin(), t.end(), [](char ch) {
                        return (ch >= 'A' && ch <= 'Z') || ch == '-';
                      });
    return word ? ProbeResult::kNeedMore : ProbeResult::kNo;
  }
  if (!is_known_method(t.substr(0, sp))) return ProbeResult::kNo;
  const size_t lf = t.find('\n');
  if (lf != std::string_view::npos) {
    std::string_view line = t.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    RequestLine r;
    return parse_request_line(line, r) ? ProbeResult::kYes : ProbeResult::kNo;
  }
  // No end of line yet: the target so far must be printable.
  const std::string_view target = t.substr(sp + 1);
  const bool printable = std::all_of(target.begin(), target.end(), [](char ch) {
    return static_cast<unsigned char>(ch) > 0x20 || ch == ' ' || ch == '\r';
  });
  if (!printable) return ProbeResult::kNo;
  if (!final) return ProbeResult::kNeedMore;
  // Cut short (probe limit, gap, end): a method and an origin/absolute target is convincing.
  return !target.empty() && (target.front() == '/' || istarts_with(target, "http"))
             ? ProbeResult::kYes
             : ProbeResult::kNo;
}

// One direction: normally the client sends requests and the server responses, but a capture
// that starts in the middle of a connection may show the server's packet first (the flow's
// originator is then the server), so both kinds of start are accepted in both directions.
ProbeResult probe_side(std::string_view t, bool final) {
  if (t.empty()) return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  const ProbeResult st = status_start(t);
  const ProbeResult rq = request_start(t, final);
  if (st == ProbeResult::kYes || rq == ProbeResult::kYes) return ProbeResult::kYes;
  if (st == ProbeResult::kNeedMore || rq == ProbeResult::kNeedMore) {
    return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  }
  return ProbeResult::kNo;
}

}  // namespace

ProbeResult probe_http(const ProbeInput& in) {
  const ProbeResult c = probe_side(text(in.client), in.client_final);
  const ProbeResult s = probe_side(text(in.server), in.server_final);
  if (c == ProbeResult::kYes || s == ProbeResult::kYes) return ProbeResult::kYes;
  // Bytes that cannot start an HTTP message in either direction: not HTTP.
  if ((c == ProbeResult::kNo && !in.client.empty()) ||
      (s == ProbeResult::kNo && !in.server.empty())) {
    return ProbeResult::kNo;
  }
  if (c == ProbeResult::kNo && s == ProbeResult::kNo) return ProbeResult::kNo;
  return ProbeResult::kNeedMore;
}

// ---------------------------------------------------------------- Side

HttpSession::Side::Side(HttpSession& s, bool is_request)
    : s_(s), is_request_(is_request), parser_(is_request, s.ctx_.limits(), *this) {}

HeadDecision HttpSession::Side::on_head(MessageHead& head, BodyFraming proposed, int64_t ts_ns) {
  return is_request_ ? s_.on_request_head(head, proposed, ts_ns)
                     : s_.on_response_head(head, proposed, ts_ns);
}

void HttpSession::Side::on_body(Bytes data, int64_t ts_ns) { s_.body_data(*this, data, ts_ns); }

void HttpSession::Side::on_body_gap(uint64_t length, int64_t ts_ns) {
  s_.body_gap(*this, length, ts_ns);
}

void HttpSession::Side::on_message_end(bool complete, std::vector<HeaderField>& trailers,
                                       int64_t ts_ns) {
  s_.on_message_end(*this, complete, trailers, ts_ns);
}

void HttpSession::Side::on_anomaly(std::string_view name, std::string detail, int64_t ts_ns) {
  s_.ctx_.anomaly(name, std::string(is_request_ ? "request: " : "response: ") + detail, ts_ns);
}

// ---------------------------------------------------------------- HttpSession

HttpSession::HttpSession(AppContext& ctx, std::unique_ptr<HttpBodyObserver> observer)
    : ctx_(ctx), observer_(std::move(observer)), request_(*this, true), response_(*this, false) {}

HttpSession::~HttpSession() = default;

HttpSession::Txn* HttpSession::find(uint64_t seq) {
  if (txns_.empty() || seq < txns_.front().seq) return nullptr;
  const uint64_t i = seq - txns_.front().seq;
  return i < txns_.size() ? &txns_[static_cast<size_t>(i)] : nullptr;
}

HttpSession::Txn& HttpSession::push_txn(int64_t ts_ns) {
  const size_t limit = std::max<size_t>(1, ctx_.limits().max_pending_transactions);
  if (txns_.size() >= limit) {
    ctx_.anomaly("http.too_many_pending",
                 "more than " + std::to_string(limit) +
                     " transactions waiting for a response; the oldest is written unanswered",
                 ts_ns);
    emit(txns_.front());
    txns_.pop_front();
  }
  Txn t;
  t.seq = next_seq_++;
  t.rec = std::make_unique<HTTP>();
  t.rec->set_reqcontentlength(-1);
  t.rec->set_rescontentlength(-1);
  txns_.push_back(std::move(t));
  return txns_.back();
}

void HttpSession::add_parameters(HTTP& rec, std::string_view text_in, int64_t ts_ns) {
  for (std::string_view pair : split(text_in, '&')) {
    if (pair.empty()) continue;
    if (static_cast<size_t>(rec.parameters_size()) >= ctx_.limits().max_items_per_message) {
      if (!params_limit_reported_) {
        params_limit_reported_ = true;
        ctx_.anomaly("http.too_many_parameters",
                     "more than " + std::to_string(ctx_.limits().max_items_per_message) +
                         " parameters in one request; the rest dropped",
                     ts_ns);
      }
      return;
    }
    const size_t eq = pair.find('=');
    HttpNameValue* p = rec.add_parameters();
    p->set_name(percent_decode(pair.substr(0, eq), true));
    if (eq != std::string_view::npos) p->set_value(percent_decode(pair.substr(eq + 1), true));
  }
}

HeadDecision HttpSession::on_request_head(MessageHead& head, BodyFraming proposed, int64_t ts_ns) {
  Txn& t = push_txn(ts_ns);
  request_.txn_ = t.seq;
  request_.has_txn_ = true;
  t.has_request = true;
  t.request_ts = head.ts_ns;
  t.connect = iequals(head.method, "CONNECT");
  t.head_request = iequals(head.method, "HEAD");
  HTTP& r = *t.rec;
  r.set_hasrequest(true);
  r.set_method(head.method);
  r.set_uri(head.target);
  r.set_version(head.version);
  std::string_view uri_host, path, query;
  if (!t.connect) split_target(head.target, uri_host, path, query);
  const std::string* host = head.find("Host");
  r.set_host(host != nullptr ? *host : std::string(t.connect ? head.target : uri_host));
  r.set_path(percent_decode(path, false));
  r.set_query(std::string(query));
  copy_headers(head.headers, r.mutable_requestheaders());
  r.set_useragent(header_or_empty(head, "User-Agent"));
  r.set_referer(header_or_empty(head, "Referer"));
  r.set_reqcontenttype(header_or_empty(head, "Content-Type"));
  r.set_reqcontentlength(content_length(head));
  r.set_reqtransferencoding(head.joined("Transfer-Encoding"));
  r.set_reqcontentencoding(head.joined("Content-Encoding"));
  r.set_upgrade(header_or_empty(head, "Upgrade"));
  r.set_xforwardedfor(head.joined("X-Forwarded-For"));
  if (const std::string* auth = head.find("Authorization"); auth != nullptr) {
    const std::string_view a = trim(*auth);
    r.set_authorizationscheme(std::string(a.substr(0, a.find(' '))));
  }
  t.url = (host != nullptr ? *host : std::string(uri_host)) + std::string(path);
  for (const HeaderField& f : head.headers) {
    if (iequals(f.name, "Authorization") || iequals(f.name, "Proxy-Authorization"))
      authorization_credential(t, head, f.value, ts_ns);
  }
  // Query parameters with user/password-like names (a login sent with GET).
  if (auto c = form_credential(query)) {
    c->method = "query";
    add_credential(t, std::move(*c));
  }
  // Cookie: name=value pairs separated by "; " (RFC 6265 §4.2.1).
  for (const HeaderField& f : head.headers) {
    if (!iequals(f.name, "Cookie")) continue;
    for (std::string_view c : split(f.value, ';')) {
      c = trim(c);
      if (c.empty()) continue;
      if (static_cast<size_t>(r.cookies_size()) >= ctx_.limits().max_items_per_message) break;
      const size_t eq = c.find('=');
      HttpNameValue* nv = r.add_cookies();
      nv->set_name(std::string(c.substr(0, eq)));
      if (eq != std::string_view::npos) nv->set_value(std::string(c.substr(eq + 1)));
    }
  }
  add_parameters(r, query, ts_ns);

  HeadDecision d;
  d.framing = proposed;
  // A CONNECT request, or an Upgrade request (RFC 9110 §7.8), waits for its response: what the
  // client sends after it may already be tunnel payload.
  t.wants_upgrade =
      !r.upgrade().empty() && ifind(head.joined("Connection"), "upgrade") != std::string_view::npos;
  d.hold_after = t.connect || t.wants_upgrade;
  if (d.framing != BodyFraming::kNone) start_body(request_, t, head, ts_ns);
  return d;
}

HeadDecision HttpSession::on_response_head(MessageHead& head, BodyFraming proposed, int64_t ts_ns) {
  // The oldest transaction whose response has not started.
  Txn* t = nullptr;
  for (Txn& x : txns_) {
    if (!x.response_started) {
      t = &x;
      break;
    }
  }
  // RFC 9110 §15.2: 1xx responses are interim, the final response follows (101 ends HTTP).
  if (head.status >= 100 && head.status < 200 && head.status != 101) {
    if (t != nullptr) t->rec->add_interimstatuscodes(head.status);
    return HeadDecision{BodyFraming::kNone, false};
  }
  if (t == nullptr) {
    ctx_.anomaly("http.unmatched_response",
                 "response " + std::to_string(head.status) + " without a pending request", ts_ns);
    t = &push_txn(ts_ns);
    t->request_done = true;
  }
  response_.txn_ = t->seq;
  response_.has_txn_ = true;
  t->response_started = true;
  HTTP& r = *t->rec;
  r.set_hasresponse(true);
  r.set_responsetimestamp(head.ts_ns);
  r.set_resversion(head.version);
  r.set_statuscode(head.status);
  r.set_reason(head.reason);
  copy_headers(head.headers, r.mutable_responseheaders());
  r.set_rescontenttype(header_or_empty(head, "Content-Type"));
  r.set_rescontentlength(content_length(head));
  r.set_servername(header_or_empty(head, "Server"));
  r.set_location(header_or_empty(head, "Location"));
  for (const HeaderField& f : head.headers) {
    if (iequals(f.name, "WWW-Authenticate") || iequals(f.name, "Proxy-Authenticate"))
      authenticate_challenge(f.value);
  }
  r.set_restransferencoding(head.joined("Transfer-Encoding"));
  r.set_rescontentencoding(head.joined("Content-Encoding"));
  for (const HeaderField& f : head.headers) {
    if (!iequals(f.name, "Set-Cookie")) continue;
    if (static_cast<size_t>(r.setcookies_size()) >= ctx_.limits().max_items_per_message) break;
    parse_set_cookie(f.value, *r.add_setcookies());
  }

  HeadDecision d;
  d.framing = proposed;
  const bool success = head.status >= 200 && head.status < 300;
  if ((t->connect && success) || (head.status == 101)) {
    // RFC 9110 §9.3.6 / §15.2.2: the connection is a tunnel from here on.
    d.framing = BodyFraming::kTunnel;
    r.set_tunnel(true);
    request_.parser_.enter_tunnel();
    // What a proxy tunnels is usually TLS, but may be anything: the application layer probes
    // the following bytes as a new flow's (TLS hellos, SSH banners of proxied connections).
    // on_data asks for it once the chunk is parsed, with the tunnel bytes that followed the head.
    if (t->connect) tunnel_opened_ = true;
  } else {
    if ((t->connect || t->wants_upgrade) && request_.parser_.holding()) request_.parser_.resume();
    // RFC 9112 §6.3 rule 1: no body after HEAD, for 1xx, 204 and 304.
    if (t->head_request || head.status == 204 || head.status == 304) d.framing = BodyFraming::kNone;
  }
  if (d.framing != BodyFraming::kNone && d.framing != BodyFraming::kTunnel)
    start_body(response_, *t, head, ts_ns);
  return d;
}

void HttpSession::start_body(Side& side, const Txn& txn, const MessageHead& head, int64_t ts_ns) {
  Body& b = side.body_;
  b = Body();
  b.active = true;
  b.txn = txn.seq;
  b.info.transaction = txn.seq;
  b.info.is_request = side.is_request_;
  b.info.ts_ns = head.ts_ns;
  b.info.method = txn.rec->method();
  b.info.host = txn.rec->host();
  b.info.uri = txn.rec->uri();
  b.info.status = side.is_request_ ? 0 : head.status;
  b.info.content_type = header_or_empty(head, "Content-Type");
  b.info.content_encoding = head.joined("Content-Encoding");
  b.info.content_disposition = header_or_empty(head, "Content-Disposition");
  b.info.content_range = header_or_empty(head, "Content-Range");
  if (std::string cl = header_or_empty(head, "Content-Length");
      !cl.empty() && cl.size() <= 18 && cl.find_first_not_of("0123456789") == std::string::npos)
    b.info.content_length = std::stoll(cl);
  std::vector<Coding> codings;
  std::string unsupported;
  if (!parse_content_codings(b.info.content_encoding, codings, unsupported)) {
    b.info.decoded = false;
    b.decode_error = "unsupported content coding " + unsupported;
    ctx_.anomaly("http.unsupported_encoding",
                 std::string(side.is_request_ ? "request" : "response") + " Content-Encoding " +
                     b.info.content_encoding + ": body counted but not decoded",
                 ts_ns);
  } else if (!codings.empty()) {
    b.decoder =
        std::make_unique<ContentDecoder>(std::move(codings), ctx_.limits().max_decoded_body_bytes,
                                         ctx_.limits().max_decompression_ratio);
  }
  b.form = side.is_request_ && is_form(b.info.content_type);
  HttpBodyObserver& obs = observer_ ? *observer_ : null_observer_;
  obs.on_body_start(b.info);
}

void HttpSession::body_data(Side& side, Bytes data, int64_t ts_ns) {
  Body& b = side.body_;
  if (!b.active) return;
  b.encoded += data.size();
  HttpBodyObserver& obs = observer_ ? *observer_ : null_observer_;
  auto deliver = [&](Bytes piece) {
    obs.on_body_data(b.info, piece, b.offset);
    b.offset += piece.size();
    b.decoded += piece.size();
    if (b.form && !b.form_cut) {
      const size_t room = kMaxFormBodyBytes - b.form_body.size();
      if (piece.size() > room) {
        b.form_cut = true;
        ctx_.anomaly("http.form_too_large",
                     "form body larger than " + std::to_string(kMaxFormBodyBytes) +
                         " bytes: parameters after that are not extracted",
                     ts_ns);
      }
      b.form_body.append(text(piece).substr(0, std::min(room, piece.size())));
    }
  };
  if (b.decoder == nullptr) {
    deliver(data);
    return;
  }
  if (b.decode_stopped) return;
  const ContentDecoder::Result rc = b.decoder->feed(data, deliver);
  if (rc != ContentDecoder::Result::kOk) {
    b.decode_stopped = true;
    b.decode_error = b.decoder->error();
    const bool bomb = rc == ContentDecoder::Result::kBomb;
    ctx_.anomaly(bomb ? "http.decompression_bomb" : "http.decompression_failed",
                 std::string(side.is_request_ ? "request" : "response") + " " +
                     b.info.content_encoding + " body: " + b.decoder->error(),
                 ts_ns);
  }
}

void HttpSession::body_gap(Side& side, uint64_t length, int64_t ts_ns) {
  (void)ts_ns;
  Body& b = side.body_;
  if (!b.active) return;
  b.missing += length;
  HttpBodyObserver& obs = observer_ ? *observer_ : null_observer_;
  if (b.decoder != nullptr) {
    // A compressed stream cannot continue over missing bytes.
    if (!b.decode_stopped) {
      b.decode_stopped = true;
      b.decode_error = "stopped at a gap of " + std::to_string(length) + " bytes";
      obs.on_body_gap(b.info, length, b.offset);
    }
    return;
  }
  obs.on_body_gap(b.info, length, b.offset);
  b.offset += length;
}

void HttpSession::end_body(Side& side, bool complete, int64_t ts_ns) {
  Body& b = side.body_;
  if (!b.active) return;
  b.active = false;
  if (b.decoder != nullptr && !b.decode_stopped && complete && b.encoded > 0 &&
      !b.decoder->finished()) {
    b.decode_error = "compressed stream ended early";
    ctx_.anomaly("http.decompression_failed",
                 std::string(side.is_request_ ? "request" : "response") + " " +
                     b.info.content_encoding +
                     " body ended before the end of the compressed stream",
                 ts_ns);
  }
  const bool body_complete = complete && b.missing == 0 && b.decode_error.empty();
  HttpBodyObserver& obs = observer_ ? *observer_ : null_observer_;
  b.info.error = b.decode_error;
  obs.on_body_end(b.info, body_complete);
  Txn* t = find(b.txn);
  if (t == nullptr) return;
  HTTP& r = *t->rec;
  const std::string prefix = side.is_request_ ? "request: " : "response: ";
  if (!b.decode_error.empty()) {
    r.set_decodeerror(r.decodeerror().empty() ? prefix + b.decode_error
                                              : r.decodeerror() + "; " + prefix + b.decode_error);
  }
  if (side.is_request_) {
    r.set_requestbodyencodedsize(static_cast<int64_t>(b.encoded));
    r.set_requestbodysize(static_cast<int64_t>(b.decoded));
    r.set_requestbodymissingbytes(static_cast<int64_t>(b.missing));
    if (b.form) {
      add_parameters(r, b.form_body, ts_ns);
      if (auto c = form_credential(b.form_body)) {
        c->method = "form";
        add_credential(*t, std::move(*c));
      }
    }
  } else {
    r.set_responsebodyencodedsize(static_cast<int64_t>(b.encoded));
    r.set_responsebodysize(static_cast<int64_t>(b.decoded));
    r.set_responsebodymissingbytes(static_cast<int64_t>(b.missing));
  }
  b.form_body.clear();
  b.decoder.reset();
}

void HttpSession::on_message_end(Side& side, bool complete, std::vector<HeaderField>& trailers,
                                 int64_t ts_ns) {
  end_body(side, complete, ts_ns);
  if (!side.has_txn_) return;  // an interim 1xx response
  side.has_txn_ = false;
  Txn* t = find(side.txn_);
  if (t == nullptr) return;  // already written (pending limit)
  HTTP& r = *t->rec;
  if (side.is_request_) {
    t->request_done = true;
    r.set_requestcomplete(complete);
    copy_headers(trailers, r.mutable_requesttrailers());
  } else {
    t->response_done = true;
    t->response_end_ts = ts_ns;
    r.set_responsecomplete(complete);
    copy_headers(trailers, r.mutable_responsetrailers());
  }
  emit_ready();
}

void HttpSession::emit_ready() {
  while (!txns_.empty() && txns_.front().request_done && txns_.front().response_done) {
    emit(txns_.front());
    txns_.pop_front();
  }
}

void HttpSession::emit(Txn& t) {
  HTTP& r = *t.rec;
  r.set_done(r.requestcomplete() && r.responsecomplete());
  if (t.has_request && t.response_done)
    r.set_durationns(std::max<int64_t>(0, t.response_end_ts - t.request_ts));
  const int64_t ts = t.has_request ? t.request_ts : r.responsetimestamp();
  ctx_.stamp(r, StreamDirection::kClientToServer, ts);
  if (swapped_) {
    const FlowInfo& f = ctx_.flow();
    r.set_clientip(f.server.to_string());
    r.set_clientport(f.server_port);
    r.set_serverip(f.client.to_string());
    r.set_serverport(f.client_port);
  }
  emit_credentials(t);
  ctx_.emit(std::move(t.rec));
}

void HttpSession::add_credential(Txn& t, Credential c) {
  if (t.creds.size() >= kMaxTxnCredentials) return;  // more logins in one request is noise
  c.target = t.url;
  t.creds.push_back(std::move(c));
}

void HttpSession::authorization_credential(Txn& t, const MessageHead& head, std::string_view value,
                                           int64_t ts_ns) {
  value = trim(value);
  const size_t sp = value.find(' ');
  const std::string_view scheme = value.substr(0, sp);
  const std::string_view rest = sp == std::string_view::npos ? "" : trim(value.substr(sp + 1));
  Credential c;
  if (iequals(scheme, "Basic")) {
    // RFC 7617 §2: base64(user-id ":" password); a value without ':' is kept as the user.
    auto decoded = base64_decode(rest);
    if (!decoded) {
      ctx_.anomaly("http.bad_basic_auth", "Basic credentials that are not base64", ts_ns);
      return;
    }
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) {
      ctx_.anomaly("http.bad_basic_auth", "Basic credentials without ':'", ts_ns);
      c.user = *decoded;
    } else {
      c.user = decoded->substr(0, colon);
      c.secret = decoded->substr(colon + 1);
    }
    c.method = "basic";
  } else if (iequals(scheme, "Digest")) {
    // RFC 7616 §3.4: the response is crackable with the request method and uri.
    const auto params = parse_auth_params(rest);
    c.user = std::string(auth_param(params, "username"));
    c.method = "digest";
    c.hash = digest_hashcat(params, head.method, ctx_.flow().server.to_string(),
                            ctx_.flow().client.to_string());
    if (!c.hash.empty()) c.hashcat_mode = 11400;
  } else if (iequals(scheme, "NTLM") || iequals(scheme, "Negotiate")) {
    // RFC 4559: NTLMSSP tokens in base64 (Negotiate may also carry SPNEGO/Kerberos: skipped).
    auto decoded = base64_decode(rest);
    if (!decoded) return;
    auto m = parse_ntlm_message(as_bytes(*decoded));
    if (!m) {
      if (decoded->rfind("NTLMSSP", 0) == 0)
        ctx_.anomaly("http.bad_ntlmssp", "NTLMSSP token in an Authorization header does not parse",
                     ts_ns);
      return;
    }
    if (m->type != 3 || (m->user.empty() && m->nt_response.empty())) return;
    c.user = m->user;
    c.domain = m->domain;
    c.hash = ntlm_hashcat(m->user, m->domain, ntlm_challenge_, m->lm_response, m->nt_response,
                          c.hashcat_mode, c.method);
  } else {
    return;
  }
  add_credential(t, std::move(c));
}

void HttpSession::authenticate_challenge(std::string_view value) {
  value = trim(value);
  const size_t sp = value.find(' ');
  if (sp == std::string_view::npos) return;
  const std::string_view scheme = value.substr(0, sp);
  if (!iequals(scheme, "NTLM") && !iequals(scheme, "Negotiate")) return;
  auto decoded = base64_decode(trim(value.substr(sp + 1)));
  if (!decoded) return;
  if (auto m = parse_ntlm_message(as_bytes(*decoded)); m && m->type == 2) {
    ntlm_challenge_ = m->server_challenge;
  }
}

void HttpSession::emit_credentials(Txn& t) {
  const HTTP& r = *t.rec;
  for (const Credential& c : t.creds) {
    // Authentication schemes: 401/407 refuse (RFC 9110 §15.5.2), 403 too; 2xx/3xx pass. A form
    // post's status says nothing (login pages answer 200 either way).
    LoginResult result = LoginResult::kUnknown;
    const int status = r.hasresponse() ? r.statuscode() : 0;
    if (c.method != "form" && c.method != "query" && status != 0) {
      if (status == 401 || status == 403 || status == 407) result = LoginResult::kRejected;
      if (status >= 200 && status < 400) result = LoginResult::kAccepted;
    }
    auto rec = build_credential(ctx_, c, t.request_ts, result,
                                status != 0 ? std::to_string(status) : std::string());
    if (swapped_) {
      const FlowInfo& f = ctx_.flow();
      rec->set_clientip(f.server.to_string());
      rec->set_clientport(f.server_port);
      rec->set_serverip(f.client.to_string());
      rec->set_serverport(f.client_port);
    }
    ctx_.emit(std::move(rec));
  }
  t.creds.clear();
}

HttpSession::Side& HttpSession::side_for(StreamDirection dir, Bytes first) {
  if (!roles_decided_) {
    // The first bytes seen decide which direction carries requests: a status line from the
    // originator (or a request from the responder) means the capture missed the connection's
    // start and took the server for the originator.
    roles_decided_ = true;
    if (!first.empty()) {
      const std::string_view t = text(first);
      const bool status = status_start(t) == ProbeResult::kYes;
      const bool from_client = dir == StreamDirection::kClientToServer;
      swapped_ = from_client ? status : (!status && request_start(t, true) == ProbeResult::kYes);
    }
  }
  const bool requests = (dir == StreamDirection::kClientToServer) != swapped_;
  return requests ? request_ : response_;
}

void HttpSession::on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
  if (data.empty()) return;
  HttpParser& parser = side_for(dir, data).parser_;
  const uint64_t tunnel_before = parser.tunnel_bytes();
  parser.feed(data, ts_ns);
  if (tunnel_opened_) {
    // The tunnel's first bytes may have come in the same chunk as the 2xx (a tunnelled server
    // that speaks first): they are handed over too.
    tunnel_opened_ = false;
    ctx_.switch_protocol(AppContext::kProbeAgain,
                         static_cast<size_t>(parser.tunnel_bytes() - tunnel_before));
  }
}

void HttpSession::on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
  side_for(dir, {}).parser_.gap(length, ts_ns);
}

void HttpSession::on_end(StreamEndReason reason, int64_t ts_ns) {
  (void)reason;
  request_.parser_.finish(ts_ns);
  response_.parser_.finish(ts_ns);
  while (!txns_.empty()) {
    emit(txns_.front());
    txns_.pop_front();
  }
}

}  // namespace netcap::app::http
