#include "forensics/streams/tls/tls_session.h"

#include <list>
#include <unordered_map>

#include "forensics/app/text_util.h"
#include "forensics/streams/tls/tls_x509.h"
#include "proto/tls.pb.h"

namespace netcap::app {

namespace {

// Parsed certificates by the SHA-256 of their DER, per shard: a server sends the same chain on
// every connection, and X.509 parsing (OpenSSL's ASN.1 and key decoders) was the most expensive
// step of the whole TLS layer. Least recently used entries go first past kMaxEntries.
class CertificateCache {
 public:
  static constexpr size_t kMaxEntries = 2048;

  // The summary of `der`, parsed on a miss.
  const tls::CertificateInfo& get(tls::Bytes der, size_t max_names) {
    std::string key = sha256_hex(der);
    if (auto it = index_.find(key); it != index_.end()) {
      entries_.splice(entries_.begin(), entries_, it->second);  // most recently used first
      return it->second->second;
    }
    entries_.emplace_front(key, tls::parse_certificate(der, max_names));
    index_.emplace(std::move(key), entries_.begin());
    if (entries_.size() > kMaxEntries) {
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
    return entries_.front().second;
  }

 private:
  using Entry = std::pair<std::string, tls::CertificateInfo>;
  std::list<Entry> entries_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// Checks the first bytes of one direction for a handshake record that starts a hello of
// `hello_type`. Strict enough not to take other binary protocols: record type, version,
// length, handshake type, a hello length that fits a hello, and the hello's major version.
ProbeResult check_hello(Bytes b, bool final, uint8_t hello_type) {
  constexpr size_t kMinHello = 38;  // version 2 + random 32 + session id 1 + suite 2 + comp 1
  if (b.size() >= 1 && b[0] != tls::kHandshake) return ProbeResult::kNo;
  if (b.size() >= 2 && b[1] != 3) return ProbeResult::kNo;
  if (b.size() >= 3 && b[2] > 4) return ProbeResult::kNo;
  size_t record_len = 0;
  if (b.size() >= 5) {
    record_len = (size_t{b[3]} << 8) | b[4];
    if (record_len == 0 || record_len > tls::kMaxRecordLength) return ProbeResult::kNo;
  }
  if (b.size() >= 6) {
    if (b[5] != hello_type) return ProbeResult::kNo;
    // A hello fragmented into records shorter than its own header: the type is all we see.
    if (record_len < 6) return ProbeResult::kYes;
  }
  if (b.size() >= 9) {
    size_t len = (size_t{b[6]} << 16) | (size_t{b[7]} << 8) | b[8];
    if (len < kMinHello) return ProbeResult::kNo;
  }
  if (b.size() >= 11) return b[9] == 3 ? ProbeResult::kYes : ProbeResult::kNo;
  return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
}

// IANA TLS HandshakeType values (RFC 8446 §4, RFC 5246, RFC 6066, RFC 8879, RFC 8870, NPN 67).
bool known_handshake_type(uint8_t type) {
  switch (type) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 8:
    case 11:
    case 12:
    case 13:
    case 14:
    case 15:
    case 16:
    case 20:
    case 21:
    case 22:
    case 23:
    case 24:
    case 25:
    case 26:
    case 67:
    case 254:
      return true;
    default:
      return false;
  }
}

const char* side(StreamDirection dir) {
  return dir == StreamDirection::kClientToServer ? "client: " : "server: ";
}

}  // namespace

ProbeResult probe_tls(const ProbeInput& in) {
  if (!in.client.empty()) return check_hello(in.client, in.client_final, tls::kClientHelloType);
  if (!in.server.empty()) {
    // The client's first bytes are missing (capture started late): a ServerHello still tells.
    ProbeResult r = check_hello(in.server, in.server_final, tls::kServerHelloType);
    if (r != ProbeResult::kNeedMore) return r;
  }
  return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
}

class TlsSession::DirectionSink : public tls::HandshakeAssembler::Sink {
 public:
  DirectionSink(TlsSession& session, StreamDirection dir) : session_(session), dir_(dir) {}
  void on_handshake(uint8_t type, tls::Bytes body, uint16_t record_version) override {
    session_.on_handshake(dir_, type, body, record_version);
  }
  void on_problem(std::string_view anomaly, std::string detail) override {
    session_.anomaly(anomaly, side(dir_) + detail);
  }

 private:
  TlsSession& session_;
  StreamDirection dir_;
};

TlsSession::TlsSession(AppContext& ctx)
    : ctx_(ctx),
      assembler_{tls::HandshakeAssembler(ctx.limits().max_handshake_bytes),
                 tls::HandshakeAssembler(ctx.limits().max_handshake_bytes)},
      sinks_{std::make_unique<DirectionSink>(*this, StreamDirection::kClientToServer),
             std::make_unique<DirectionSink>(*this, StreamDirection::kServerToClient)} {}

TlsSession::~TlsSession() = default;

void TlsSession::anomaly(std::string_view name, std::string detail) {
  ctx_.anomaly(name, std::move(detail), now_ns_);
}

void TlsSession::on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
  now_ns_ = ts_ns;
  const int d = static_cast<int>(dir);
  assembler_[d].feed(data, *sinks_[d]);
}

void TlsSession::on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
  now_ns_ = ts_ns;
  const int d = static_cast<int>(dir);
  assembler_[d].gap(length, *sinks_[d]);
}

void TlsSession::on_end(StreamEndReason, int64_t ts_ns) {
  now_ns_ = ts_ns;
  for (int d = 0; d < 2; ++d) {
    if (assembler_[d].in_progress()) {
      anomaly("tls.truncated_handshake",
              std::string(side(static_cast<StreamDirection>(d))) +
                  "the stream ended inside a cleartext record or handshake message (" +
                  std::to_string(assembler_[d].buffered()) + " handshake bytes pending)");
    }
  }
}

void TlsSession::on_handshake(StreamDirection dir, uint8_t type, tls::Bytes body,
                              uint16_t record_version) {
  switch (type) {
    case tls::kClientHelloType:
      client_hello(dir, body, record_version);
      return;
    case tls::kServerHelloType:
      server_hello(dir, body, record_version);
      return;
    case tls::kCertificateType:
      if (tls13_) {
        // RFC 8446 §4.4.2: TLS 1.3 certificates travel encrypted.
        anomaly(
            "tls.bad_handshake",
            std::string(side(dir)) + "cleartext Certificate message after TLS 1.3 was selected");
      } else {
        certificate(dir, body);
      }
      return;
    default:
      if (!known_handshake_type(type)) {
        anomaly("tls.bad_handshake", std::string(side(dir)) + "unknown handshake type " +
                                         std::to_string(type) + " (" + std::to_string(body.size()) +
                                         " bytes)");
      }
      return;
  }
}

void TlsSession::client_hello(StreamDirection dir, tls::Bytes body, uint16_t record_version) {
  tls::ClientHello h;
  tls::ParseProblems problems;
  problems.max_items = ctx_.limits().max_items_per_message;
  if (!tls::parse_client_hello(body, h, problems)) {
    anomaly("tls.bad_handshake", std::string(side(dir)) + "ClientHello: " + problems.fatal);
    return;
  }
  for (const std::string& p : problems.extensions) {
    anomaly("tls.bad_extension", std::string(side(dir)) + "ClientHello: " + p);
  }
  auto r = std::make_unique<netcap::TLSClientHello>();
  ctx_.stamp(*r, dir, now_ns_);
  r->set_recordversion(record_version);
  r->set_version(h.version);
  for (uint16_t v : h.supported_versions) r->add_supportedversions(v);
  for (uint16_t v : h.cipher_suites) r->add_ciphersuites(v);
  for (uint16_t v : h.extensions) r->add_extensions(v);
  r->set_sni(h.sni);
  for (const std::string& a : h.alpns) r->add_alpns(a);
  for (uint16_t v : h.supported_groups) r->add_supportedgroups(v);
  for (uint8_t v : h.ec_point_formats) r->add_ecpointformats(v);
  for (uint16_t v : h.signature_algorithms) r->add_signaturealgorithms(v);
  r->set_sessionid(hex(h.session_id));
  r->set_sessionticket(h.session_ticket);
  r->set_sessionticketlength(static_cast<int32_t>(h.session_ticket_length));
  for (uint8_t v : h.compression_methods) r->add_compressmethods(v);
  r->set_random(hex(h.random));
  std::string ja3 = tls::ja3_string(h);
  r->set_ja3hash(md5_hex(ja3));
  r->set_ja3(std::move(ja3));
  tls::Ja4 j4 = tls::ja4(h);
  r->set_ja4(std::move(j4.fingerprint));
  r->set_ja4r(std::move(j4.raw));
  for (uint16_t v : h.key_share_groups) r->add_keysharegroups(v);
  for (uint8_t v : h.psk_key_exchange_modes) r->add_pskkeyexchangemodes(v);
  r->set_ocspstapling(h.status_request);
  r->set_ech(h.ech);
  r->set_handshakelength(static_cast<int32_t>(body.size()));
  ctx_.emit(std::move(r));
}

void TlsSession::server_hello(StreamDirection dir, tls::Bytes body, uint16_t record_version) {
  tls::ServerHello h;
  tls::ParseProblems problems;
  problems.max_items = ctx_.limits().max_items_per_message;
  if (!tls::parse_server_hello(body, h, problems)) {
    anomaly("tls.bad_handshake", std::string(side(dir)) + "ServerHello: " + problems.fatal);
    return;
  }
  for (const std::string& p : problems.extensions) {
    anomaly("tls.bad_extension", std::string(side(dir)) + "ServerHello: " + p);
  }
  if (h.is_hello_retry_request || tls::is_tls13(h.selected_version)) {
    tls13_ = true;
    assembler_[0].set_tls13(true);
    assembler_[1].set_tls13(true);
  }
  auto r = std::make_unique<netcap::TLSServerHello>();
  ctx_.stamp(*r, dir, now_ns_);
  r->set_recordversion(record_version);
  r->set_version(h.version);
  r->set_selectedversion(h.selected_version);
  r->set_negotiatedversion(h.negotiated_version());
  r->set_ciphersuite(h.cipher_suite);
  r->set_compressionmethod(h.compression_method);
  for (uint16_t v : h.extensions) r->add_extensions(v);
  r->set_alpn(h.alpn);
  r->set_sessionid(hex(h.session_id));
  r->set_random(hex(h.random));
  r->set_ishelloretryrequest(h.is_hello_retry_request);
  r->set_selectedgroup(h.selected_group);
  r->set_ticketsupported(h.session_ticket);
  r->set_ems(h.extended_master_secret);
  r->set_securerenegotiationsupported(h.renegotiation_info);
  std::string ja3s = tls::ja3s_string(h);
  r->set_ja3shash(md5_hex(ja3s));
  r->set_ja3s(std::move(ja3s));
  ctx_.emit(std::move(r));
}

void TlsSession::certificate(StreamDirection dir, tls::Bytes body) {
  std::vector<tls::Bytes> ders;
  bool truncated = false;
  std::string error;
  const size_t max_items = ctx_.limits().max_items_per_message;
  if (!tls::parse_certificate_list(body, max_items, ders, truncated, error)) {
    anomaly("tls.bad_certificate", std::string(side(dir)) + error);
    return;
  }
  if (truncated) {
    anomaly("tls.too_many_certificates", std::string(side(dir)) + "only the first " +
                                             std::to_string(max_items) + " certificates kept");
  }
  for (size_t i = 0; i < ders.size(); ++i) {
    const tls::CertificateInfo& c =
        ctx_.shard_state().get<CertificateCache>().get(ders[i], max_items);
    if (!c.parsed) {
      anomaly("tls.bad_certificate", std::string(side(dir)) + "certificate " + std::to_string(i) +
                                         " (" + std::to_string(ders[i].size()) +
                                         " bytes) is not valid DER X.509");
    }
    auto r = std::make_unique<netcap::TLSCertificate>();
    ctx_.stamp(*r, dir, now_ns_);
    r->set_fromclient(dir == StreamDirection::kClientToServer);
    r->set_position(static_cast<int32_t>(i));
    r->set_chainlength(static_cast<int32_t>(ders.size()));
    r->set_subject(c.subject);
    r->set_subjectcn(c.subject_cn);
    r->set_issuer(c.issuer);
    for (const std::string& n : c.dns_names) r->add_dnsnames(n);
    for (const std::string& n : c.ip_addresses) r->add_ipaddresses(n);
    for (const std::string& n : c.emails) r->add_emailaddresses(n);
    r->set_serialnumber(c.serial_hex);
    r->set_notbefore(c.not_before_ns);
    r->set_notafter(c.not_after_ns);
    r->set_keytype(c.key_type);
    r->set_keybits(c.key_bits);
    r->set_signaturealgorithm(c.signature_algorithm);
    r->set_sha1(c.sha1);
    r->set_sha256(c.sha256);
    r->set_isca(c.is_ca);
    r->set_x509version(c.version);
    r->set_selfissued(c.self_issued);
    r->set_length(static_cast<int32_t>(ders[i].size()));
    r->set_parseerror(!c.parsed);
    ctx_.emit(std::move(r));
  }
}

}  // namespace netcap::app
