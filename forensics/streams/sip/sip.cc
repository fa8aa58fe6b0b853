// SIP registration and sessions (see sip_session.h).
#include <algorithm>
#include <string>

#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/sip/sip_parser.h"
#include "forensics/streams/sip/sip_session.h"
#include "proto/sip.pb.h"

namespace netcap::app {

namespace sip {

namespace {

constexpr uint16_t kSipPort = 5060;

void fill_name_addr(const NameAddr& in, SIPNameAddr* out) {
  out->set_displayname(in.display_name);
  out->set_uri(in.uri);
  out->set_tag(in.tag);
}

void fill_digest(const Digest& d, SIPDigest* out) {
  out->set_header(d.header);
  out->set_scheme(d.scheme);
  out->set_username(d.username);
  out->set_realm(d.realm);
  out->set_nonce(d.nonce);
  out->set_uri(d.uri);
  out->set_response(d.response);
  out->set_algorithm(d.algorithm);
  out->set_opaque(d.opaque);
  out->set_qop(d.qop);
  out->set_nc(d.nc);
  out->set_cnonce(d.cnonce);
}

void fill_sdp(const Sdp& s, SIPSdp* out) {
  out->set_ownerusername(s.owner_username);
  out->set_sessionid(s.session_id);
  out->set_sessionversion(s.session_version);
  out->set_owneraddress(s.owner_address);
  out->set_sessionname(s.session_name);
  for (const auto& a : s.connection_addresses) out->add_connectionaddresses(a);
  for (const auto& c : s.codecs) out->add_codecs(c);
  for (const SdpMedia& m : s.media) {
    SIPSdpMedia* pm = out->add_media();
    pm->set_media(m.media);
    pm->set_port(m.port);
    pm->set_protocol(m.protocol);
    for (const auto& f : m.formats) pm->add_formats(f);
    pm->set_connectionaddress(m.connection_address.empty() && !s.connection_addresses.empty()
                                  ? s.connection_addresses.front()
                                  : m.connection_address);
    for (const SdpRtpMap& r : m.rtpmaps) {
      SIPSdpRtpMap* pr = pm->add_rtpmaps();
      pr->set_payloadtype(r.payload_type);
      pr->set_encoding(r.encoding);
      pr->set_clockrate(r.clock_rate);
      pr->set_parameters(r.parameters);
    }
    pm->set_direction(m.direction);
  }
}

// Shared by both transports: parses one message (head text and body bytes) and emits it.
class Emitter {
 public:
  explicit Emitter(AppContext& ctx, const char* transport) : ctx_(ctx), transport_(transport) {}

  void report(const std::vector<Problem>& problems, int64_t ts) {
    for (const Problem& p : problems) ctx_.anomaly("sip." + p.name, p.detail, ts);
  }

  // Returns false when the head is not a SIP message (the anomaly is raised).
  bool emit(std::string_view head, std::string_view body, StreamDirection dir, int64_t ts,
            uint64_t frame, const Message* parsed = nullptr) {
    Message local;
    if (parsed == nullptr) {
      std::vector<Problem> problems;
      const bool ok = parse_head(head, ctx_.limits().max_header_fields, local, problems);
      report(problems, ts);
      if (!ok) return false;
      parsed = &local;
    }
    const Message& m = *parsed;
    auto rec = std::make_unique<SIP>();
    ctx_.stamp(*rec, dir, ts);
    rec->set_frame(frame);
    rec->set_transport(transport_);
    rec->set_isrequest(m.start.is_request);
    rec->set_method(m.start.method);
    rec->set_requesturi(m.start.request_uri);
    rec->set_statuscode(m.start.status_code);
    rec->set_reason(m.start.reason);
    rec->set_version(m.start.version);
    rec->set_callid(m.call_id);
    fill_name_addr(m.from, rec->mutable_from());
    fill_name_addr(m.to, rec->mutable_to());
    rec->set_cseqnumber(m.cseq_number);
    rec->set_cseqmethod(m.cseq_method);
    for (const Via& v : m.via) {
      SIPVia* pv = rec->add_via();
      pv->set_transport(v.transport);
      pv->set_sentby(v.sent_by);
      pv->set_branch(v.branch);
      pv->set_received(v.received);
      pv->set_rport(v.rport);
    }
    for (const NameAddr& c : m.contact) fill_name_addr(c, rec->add_contact());
    rec->set_useragent(m.user_agent);
    rec->set_server(m.server);
    rec->set_contenttype(m.content_type);
    rec->set_contentlength(m.content_length);
    rec->set_hasauthorization(m.has_authorization);
    rec->set_haschallenge(m.has_challenge);
    if (m.authorization) fill_digest(*m.authorization, rec->mutable_authorization());
    if (m.challenge) fill_digest(*m.challenge, rec->mutable_challenge());
    for (const auto& [name, value] : m.headers) {
      SIPHeader* h = rec->add_headers();
      h->set_name(name);
      h->set_value(value);
    }
    rec->set_bodylength(static_cast<int64_t>(body.size()));
    if (!body.empty() && istarts_with(trim(m.content_type), "application/sdp")) {
      std::vector<Problem> problems;
      Sdp sdp = parse_sdp(body, ctx_.limits().max_items_per_message, problems);
      report(problems, ts);
      fill_sdp(sdp, rec->mutable_sdp());
    }
    ctx_.emit(std::move(rec));
    credentials(m, ts);
    return true;
  }

  // Flow end: a credential still waiting for its final response.
  void finish() { cred_.flush(ctx_); }

  AppContext& ctx() { return ctx_; }

 private:
  // RFC 3261 §22: a request's Digest Authorization/Proxy-Authorization is a crackable response
  // (hashcat 11400); the final response to the same Call-ID and CSeq tells whether it passed.
  void credentials(const Message& m, int64_t ts) {
    const std::string key = m.call_id + " " + std::to_string(m.cseq_number);
    if (!m.start.is_request) {
      if (cred_.active() && key == cred_key_ && m.start.status_code >= 200) {
        const int code = m.start.status_code;
        cred_.resolve(ctx_,
                      code < 300                                  ? LoginResult::kAccepted
                      : code == 401 || code == 403 || code == 407 ? LoginResult::kRejected
                                                                  : LoginResult::kUnknown,
                      std::to_string(code));
      }
      return;
    }
    if (!m.authorization || !iequals(m.authorization->scheme, "Digest") ||
        m.authorization->username.empty())
      return;
    const Digest& d = *m.authorization;
    const std::vector<std::pair<std::string, std::string>> params = {
        {"username", d.username}, {"realm", d.realm},         {"nonce", d.nonce}, {"uri", d.uri},
        {"response", d.response}, {"algorithm", d.algorithm}, {"qop", d.qop},     {"nc", d.nc},
        {"cnonce", d.cnonce}};
    Credential c;
    c.user = d.username;
    c.method = "digest";
    c.target = d.realm + " " + d.uri;
    c.hash = digest_hashcat(params, m.start.method, ctx_.flow().server.to_string(),
                            ctx_.flow().client.to_string());
    if (!c.hash.empty()) c.hashcat_mode = 11400;
    cred_.hold(ctx_, std::move(c), ts);
    cred_key_ = key;
  }

  AppContext& ctx_;
  const char* transport_;
  PendingCredential cred_;
  std::string cred_key_;  // Call-ID and CSeq number of the request that carried cred_
};

std::string_view skip_empty_lines(std::string_view t) {
  size_t i = 0;
  while (i < t.size() && (t[i] == '\r' || t[i] == '\n')) ++i;
  return t.substr(i);
}

class UdpSession : public AppSession {
 public:
  explicit UdpSession(AppContext& ctx) : out_(ctx, "udp") {}

  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts,
                   uint64_t frame) override {
    std::string_view text = skip_empty_lines(as_text(payload));
    if (text.empty()) return;  // keep-alive (RFC 5626 §3.5.1)
    if (payload_length > payload.size()) {
      out_.ctx().anomaly("sip.truncated_datagram",
                         "datagram of " + std::to_string(payload_length) + " bytes captured as " +
                             std::to_string(payload.size()),
                         ts);
    }
    std::string_view head = text, body;
    if (auto end = find_head_end(text)) {
      head = text.substr(0, end->head_length);
      body = text.substr(end->body_start);
    } else {
      out_.ctx().anomaly("sip.truncated_message", "no empty line after the header fields", ts);
    }
    Message m;
    std::vector<Problem> problems;
    const bool ok = parse_head(head, out_.ctx().limits().max_header_fields, m, problems);
    out_.report(problems, ts);
    if (!ok) return;
    // RFC 3261 §18.3: on UDP the body may be shorter than Content-Length (an error) or longer
    // (the rest is ignored).
    if (m.content_length >= 0) {
      if (static_cast<uint64_t>(m.content_length) > body.size()) {
        out_.ctx().anomaly("sip.bad_content_length",
                           "Content-Length " + std::to_string(m.content_length) + " but " +
                               std::to_string(body.size()) + " body bytes in the datagram",
                           ts);
      } else {
        body = body.substr(0, static_cast<size_t>(m.content_length));
      }
    }
    out_.emit(head, body, dir, ts, frame, &m);
  }

  void on_end(StreamEndReason, int64_t) override { out_.finish(); }

 private:
  Emitter out_;
};

class TcpSession : public AppSession {
 public:
  explicit TcpSession(AppContext& ctx) : out_(ctx, "tcp") {}

  void on_data(StreamDirection dir, Bytes data, int64_t ts) override {
    Side& s = side(dir);
    if (s.skip > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(s.skip, data.size()));
      s.skip -= n;
      data = data.subspan(n);
    }
    s.buf.append(as_text(data));
    process(dir, s, ts);
  }

  void on_gap(StreamDirection dir, uint64_t, int64_t) override {
    // The message in progress is lost; find the next start line.
    Side& s = side(dir);
    s.buf.clear();
    s.skip = 0;
    s.resync = true;
    s.have_head = false;
  }

  void on_end(StreamEndReason, int64_t ts) override {
    out_.finish();
    for (int d = 0; d < 2; ++d) {
      Side& s = sides_[d];
      if (!skip_empty_lines(s.buf).empty() && !s.resync) {
        out_.ctx().anomaly(
            "sip.truncated_message",
            std::to_string(s.buf.size()) + " bytes of an unfinished message at the end", ts);
      }
      s.buf.clear();
    }
  }

 private:
  struct Side {
    std::string buf;
    uint64_t skip = 0;  // body bytes still to drop (a body past the bound)
    bool resync = false;
    bool have_head = false;
    Message head;
    size_t head_length = 0, body_start = 0;
    uint64_t body_length = 0;
    bool body_kept = true;
  };

  Side& side(StreamDirection dir) {
    return sides_[dir == StreamDirection::kClientToServer ? 0 : 1];
  }

  void process(StreamDirection dir, Side& s, int64_t ts) {
    const Limits& limits = out_.ctx().limits();
    while (true) {
      if (s.skip > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(s.skip, s.buf.size()));
        s.buf.erase(0, n);
        s.skip -= n;
        if (s.skip > 0) return;
      }
      if (s.resync && !resync(s)) return;
      if (!s.have_head) {
        // Empty lines between messages are keep-alives (RFC 5626 §3.5.1).
        const size_t lead = s.buf.size() - skip_empty_lines(s.buf).size();
        s.buf.erase(0, lead);
        if (s.buf.empty()) return;
        auto end = find_head_end(s.buf);
        if (!end) {
          if (s.buf.size() > limits.max_header_bytes) {
            out_.ctx().anomaly(
                "sip.header_too_large",
                "message head longer than " + std::to_string(limits.max_header_bytes) + " bytes",
                ts);
            s.buf.clear();
            s.resync = true;
          }
          return;
        }
        std::vector<Problem> problems;
        s.head = Message{};
        const bool ok = parse_head(std::string_view(s.buf).substr(0, end->head_length),
                                   limits.max_header_fields, s.head, problems);
        out_.report(problems, ts);
        if (!ok) {
          s.buf.erase(0, end->body_start);
          continue;
        }
        s.have_head = true;
        s.head_length = end->head_length;
        s.body_start = end->body_start;
        if (s.head.content_length < 0) {
          // RFC 3261 §18.3: mandatory on stream transports; without it no body is assumed.
          out_.ctx().anomaly("sip.missing_content_length", "message on TCP without Content-Length",
                             ts);
        }
        s.body_length =
            s.head.content_length < 0 ? 0 : static_cast<uint64_t>(s.head.content_length);
        // Bodies are kept whole up to max_header_bytes (SDP is small); a larger one is skipped.
        s.body_kept = s.body_length <= limits.max_header_bytes;
        if (!s.body_kept) {
          out_.ctx().anomaly("sip.body_too_large",
                             "Content-Length " + std::to_string(s.body_length) +
                                 " past the limit of " + std::to_string(limits.max_header_bytes),
                             ts);
        }
      }
      if (s.body_kept) {
        if (s.buf.size() - s.body_start < s.body_length) return;
        std::string_view text = s.buf;
        out_.emit(text.substr(0, s.head_length), text.substr(s.body_start, s.body_length), dir, ts,
                  0, &s.head);
        s.buf.erase(0, s.body_start + s.body_length);
      } else {
        out_.emit(std::string_view(s.buf).substr(0, s.head_length), {}, dir, ts, 0, &s.head);
        s.buf.erase(0, s.body_start);
        s.skip = s.body_length;
      }
      s.have_head = false;
    }
  }

  // Drops bytes up to the next line that is a SIP start line; false when more bytes are needed.
  bool resync(Side& s) {
    while (true) {
      const size_t nl = s.buf.find('\n');
      if (nl == std::string::npos) {
        if (s.buf.size() > out_.ctx().limits().max_line_bytes) s.buf.clear();
        return false;
      }
      std::string_view line = std::string_view(s.buf).substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (parse_start_line(line)) {
        s.resync = false;
        return true;
      }
      s.buf.erase(0, nl + 1);
    }
  }

  Emitter out_;
  Side sides_[2];
};

}  // namespace

ProbeResult probe(const ProbeInput& in) {
  // Either direction may carry the first request (both ends of SIP are user agents); every
  // direction that has bytes must start with a SIP start line.
  bool waiting = false;
  for (int d = 0; d < 2; ++d) {
    const Bytes b = d == 0 ? in.client : in.server;
    const bool final = d == 0 ? in.client_final : in.server_final;
    std::string_view text = skip_empty_lines(as_text(b));
    if (text.empty()) {
      if (!final) waiting = true;
      continue;
    }
    switch (check_start_line(text)) {
      case StartLineCheck::kYes:
        return ProbeResult::kYes;
      case StartLineCheck::kPrefix:
        if (final) return ProbeResult::kNo;
        waiting = true;
        break;
      case StartLineCheck::kNo:
        return ProbeResult::kNo;
    }
  }
  return waiting ? ProbeResult::kNeedMore : ProbeResult::kNo;
}

std::unique_ptr<AppSession> make_udp_session(AppContext& ctx) {
  return std::make_unique<UdpSession>(ctx);
}
std::unique_ptr<AppSession> make_tcp_session(AppContext& ctx) {
  return std::make_unique<TcpSession>(ctx);
}

}  // namespace sip

Status register_app_sip(AppRegistry& registry) {
  AppProtocol udp;
  udp.name = "sip";
  udp.transport = AppTransport::kUdp;
  udp.ports = {sip::kSipPort};
  udp.probe = sip::probe;
  udp.create = sip::make_udp_session;
  if (Status s = registry.add(std::move(udp)); !s.is_ok()) return s;
  AppProtocol tcp;
  tcp.name = "sip";
  tcp.transport = AppTransport::kTcp;
  tcp.ports = {sip::kSipPort};
  tcp.probe = sip::probe;
  tcp.create = sip::make_tcp_session;
  return registry.add(std::move(tcp));
}

}  // namespace netcap::app
