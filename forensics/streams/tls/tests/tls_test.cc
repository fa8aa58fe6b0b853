// TLS: hello parsing, JA3/JA3S/JA4, record/handshake reassembly, certificates, sessions and real
// captures (values checked against tshark's oracle tables and `openssl x509`).
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/tls/tls_parser.h"
#include "forensics/streams/tls/tls_session.h"
#include "forensics/streams/tls/tls_x509.h"
#include "proto/anomaly.pb.h"
#include "proto/tls.pb.h"

using namespace netcap;
using namespace netcap::app;
using Buf = std::vector<uint8_t>;

namespace {

Buf unhex(std::string_view h) {
  Buf out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

void put16(Buf& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put24(Buf& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v >> 16));
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

struct Ext {
  uint16_t type;
  Buf data;
};

Buf u16_list(const std::vector<uint16_t>& v, int len_bytes) {
  Buf b;
  if (len_bytes == 2)
    put16(b, static_cast<uint16_t>(v.size() * 2));
  else
    b.push_back(static_cast<uint8_t>(v.size() * 2));
  for (uint16_t x : v) put16(b, x);
  return b;
}

Buf alpn_ext(const std::vector<std::string>& names) {
  Buf list;
  for (const auto& n : names) {
    list.push_back(static_cast<uint8_t>(n.size()));
    list.insert(list.end(), n.begin(), n.end());
  }
  Buf b;
  put16(b, static_cast<uint16_t>(list.size()));
  b.insert(b.end(), list.begin(), list.end());
  return b;
}

Buf sni_ext(const std::string& host) {
  Buf b;
  put16(b, static_cast<uint16_t>(host.size() + 3));
  b.push_back(0);
  put16(b, static_cast<uint16_t>(host.size()));
  b.insert(b.end(), host.begin(), host.end());
  return b;
}

Buf client_hello_body(uint16_t version, const std::vector<uint16_t>& ciphers,
                      const std::vector<Ext>& exts, Buf session_id = {}) {
  Buf b;
  put16(b, version);
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(i));
  b.push_back(static_cast<uint8_t>(session_id.size()));
  b.insert(b.end(), session_id.begin(), session_id.end());
  put16(b, static_cast<uint16_t>(ciphers.size() * 2));
  for (uint16_t c : ciphers) put16(b, c);
  b.push_back(1);
  b.push_back(0);
  Buf e;
  for (const auto& x : exts) {
    put16(e, x.type);
    put16(e, static_cast<uint16_t>(x.data.size()));
    e.insert(e.end(), x.data.begin(), x.data.end());
  }
  put16(b, static_cast<uint16_t>(e.size()));
  b.insert(b.end(), e.begin(), e.end());
  return b;
}

Buf server_hello_body(uint16_t version, uint16_t cipher, const std::vector<Ext>& exts,
                      const Buf& random = Buf(32, 0x11)) {
  Buf b;
  put16(b, version);
  b.insert(b.end(), random.begin(), random.end());
  b.push_back(0);
  put16(b, cipher);
  b.push_back(0);
  Buf e;
  for (const auto& x : exts) {
    put16(e, x.type);
    put16(e, static_cast<uint16_t>(x.data.size()));
    e.insert(e.end(), x.data.begin(), x.data.end());
  }
  if (!exts.empty()) {
    put16(b, static_cast<uint16_t>(e.size()));
    b.insert(b.end(), e.begin(), e.end());
  }
  return b;
}

Buf handshake(uint8_t type, const Buf& body) {
  Buf b{type};
  put24(b, body.size());
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

// Wraps a handshake byte stream into records of at most `chunk` bytes.
Buf records(uint8_t content_type, const Buf& payload, size_t chunk, uint16_t version = 0x0301) {
  Buf out;
  for (size_t i = 0; i < payload.size(); i += chunk) {
    size_t n = std::min(chunk, payload.size() - i);
    out.push_back(content_type);
    put16(out, version);
    put16(out, static_cast<uint16_t>(n));
    out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(i),
               payload.begin() + static_cast<std::ptrdiff_t>(i + n));
  }
  return out;
}

// The JA4.md example hello: 15 ciphers, 16 extensions, ALPN h2, TLS 1.3.
Buf ja4_doc_hello(bool grease, bool with_sigalgs = true) {
  std::vector<uint16_t> ciphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                   0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  if (grease) ciphers.insert(ciphers.begin(), 0x2a2a);
  std::vector<uint16_t> sigs = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  std::vector<uint16_t> versions = {0x0304, 0x0303};
  if (grease) versions.insert(versions.begin(), 0x7a7a);
  std::vector<Ext> exts;
  if (grease) exts.push_back({0x0a0a, {}});
  for (uint16_t t : {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023,
                     0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015}) {
    Buf d;
    if (t == 0x0000) d = sni_ext("example.com");
    if (t == 0x0010) d = alpn_ext({"h2", "http/1.1"});
    if (t == 0x000d) d = u16_list(with_sigalgs ? sigs : std::vector<uint16_t>{}, 2);
    if (t == 0x002b) d = u16_list(versions, 1);
    if (t == 0x000a) d = u16_list({0x001d, 0x0017}, 2);
    if (t == 0x000b) d = {1, 0};
    if (t == 0x0033) d = {0, 0};  // empty client_shares
    if (t == 0x002d) d = {1, 1};  // psk_dhe_ke
    exts.push_back({t, d});
  }
  if (grease) exts.push_back({0xfafa, {0}});
  return client_hello_body(0x0303, ciphers, exts);
}

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
  template <typename T>
  std::vector<const T*> of() const {
    std::vector<const T*> out;
    for (const auto& r : records) {
      if (r->GetDescriptor() == T::descriptor()) out.push_back(static_cast<const T*>(r.get()));
    }
    return out;
  }
  std::vector<std::string> anomalies() const {
    std::vector<std::string> out;
    for (const auto* a : of<Anomaly>()) out.push_back(a->name());
    return out;
  }
};

struct SessionFixture {
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations{limits, emitted};
  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<TlsSession> session;

  SessionFixture() {
    flow.flow_id = "Ctls";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 40000;
    flow.server_port = 443;
  }
  void start() {
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "tls");
    session = std::make_unique<TlsSession>(*ctx);
  }
  void send(StreamDirection dir, const Buf& data, size_t chunk = SIZE_MAX, int64_t ts = 1000) {
    for (size_t i = 0; i < data.size(); i += chunk) {
      size_t n = std::min(chunk, data.size() - i);
      session->on_data(dir, Bytes(data.data() + i, n), ts);
    }
  }
};

constexpr auto kC2S = StreamDirection::kClientToServer;
constexpr auto kS2C = StreamDirection::kServerToClient;

// Chrome 34 ClientHello record to google.de from samples/tls12-sni-chrome34.pcap (frame 4).
const char* kChrome34Record =
    "16030100cc010000c80303ee181414cc5464d43b1046f68825acf46d92663289d2f905ecfa687e856affaa000028c0"
    "2b"
    "c02f009ecc14cc13c00ac009c013c014c007c011003300320039009c002f0035000a00050004010000770000000e00"
    "0c"
    "000009676f6f676c652e6465ff01000100000a00080006001700180019000b0002010000230000337400000010001b"
    "00"
    "1906737064792f3308737064792f332e3108687474702f312e3175500000000500050100000000000d001200100401"
    "05"
    "0102010403050302030402020200120000";
// tshark's tls.handshake.ja3_full / ja3 for that hello (oracle tls12-sni-chrome34.tls.tsv).
const char* kChrome34Ja3 =
    "771,49195-49199-158-52244-52243-49162-49161-49171-49172-49159-49169-51-50-57-156-47-53-10-5-4,"
    "0-65281-10-11-35-13172-16-30032-5-13-18,23-24-25,0";

struct Collect : tls::HandshakeAssembler::Sink {
  std::vector<std::pair<uint8_t, Buf>> messages;
  std::vector<std::string> problems;
  void on_handshake(uint8_t type, tls::Bytes body, uint16_t) override {
    messages.emplace_back(type, Buf(body.begin(), body.end()));
  }
  void on_problem(std::string_view anomaly, std::string) override {
    problems.emplace_back(anomaly);
  }
};

}  // namespace

TEST_CASE("GREASE values are the RFC 8701 ones") {
  for (uint16_t v : {0x0a0a, 0x1a1a, 0x2a2a, 0x7a7a, 0xdada, 0xfafa}) CHECK(tls::is_grease(v));
  for (uint16_t v : {0x0a1a, 0x0a0b, 0x0000, 0x1301, 0xaaaa + 1, 0x0b0b})
    CHECK_FALSE(tls::is_grease(v));
}

TEST_CASE("JA4 of the FoxIO JA4.md example") {
  for (bool grease : {false, true}) {
    tls::ClientHello h;
    tls::ParseProblems p;
    REQUIRE(tls::parse_client_hello(ja4_doc_hello(grease), h, p));
    CHECK(p.extensions.empty());
    tls::Ja4 j = tls::ja4(h);
    CHECK(j.fingerprint == "t13d1516h2_8daaf6152771_e5627efa2ab1");
    CHECK(j.raw ==
          "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
          "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
          "0403,0804,0401,0503,0805,0501,0806,0601");
  }
}

TEST_CASE("JA4 without signature algorithms hashes the extensions alone (JA4.md)") {
  tls::ClientHello h;
  tls::ParseProblems p;
  REQUIRE(tls::parse_client_hello(ja4_doc_hello(false, false), h, p));
  CHECK(tls::ja4(h).fingerprint == "t13d1516h2_8daaf6152771_6d807ffa2a79");
}

TEST_CASE("JA4 ALPN characters, version and empty lists") {
  tls::ClientHello h;
  h.version = 0x0303;
  CHECK(tls::ja4(h).fingerprint == "t12i000000_000000000000_000000000000");
  h.extensions = {0x0010};
  auto alpn = [&](std::string v) {
    h.alpns = {std::move(v)};
    return tls::ja4(h).fingerprint.substr(8, 2);
  };
  CHECK(alpn("http/1.1") == "h1");
  CHECK(alpn("h2") == "h2");
  CHECK(alpn("x") == "xx");
  CHECK(alpn("") == "00");
  // JA4.md: non-alphanumeric ends use the hex form's first and last character.
  CHECK(alpn(std::string("\xab", 1)) == "ab");
  CHECK(alpn(std::string("\xab\xcd", 2)) == "ad");
  CHECK(alpn(std::string("\x30\xab", 2)) == "3b");
  CHECK(alpn(std::string("\x30\x31\xab\xcd", 4)) == "3d");
  CHECK(alpn(std::string("\x30\xab\xcd\x31", 4)) == "01");
  h.supported_versions = {0x0a0a, 0x0302};
  CHECK(tls::ja4(h).fingerprint.substr(0, 3) == "t11");
  h.version = 0x0300;
  h.supported_versions.clear();
  CHECK(tls::ja4(h).fingerprint.substr(0, 3) == "ts3");
}

TEST_CASE("real Chrome 34 ClientHello: fields, JA3 as tshark gives it") {
  Buf rec = unhex(kChrome34Record);
  tls::ClientHello h;
  tls::ParseProblems p;
  REQUIRE(tls::parse_client_hello(tls::Bytes(rec).subspan(9), h, p));
  CHECK(p.extensions.empty());
  CHECK(h.version == 0x0303);
  CHECK(h.sni == "google.de");
  CHECK(h.alpns == std::vector<std::string>{"spdy/3", "spdy/3.1", "http/1.1"});
  CHECK(h.supported_groups == std::vector<uint16_t>{23, 24, 25});
  CHECK(h.ec_point_formats == std::vector<uint8_t>{0});
  CHECK(h.session_ticket);
  CHECK(h.session_ticket_length == 0);
  CHECK(h.status_request);
  CHECK(h.compression_methods == std::vector<uint8_t>{0});
  CHECK(h.cipher_suites.size() == 20);
  CHECK(tls::ja3_string(h) == kChrome34Ja3);
  CHECK(md5_hex(tls::ja3_string(h)) == "a607f3a5c94c2ee592af1456f36c8367");
  CHECK(tls::ja4(h).fingerprint.substr(0, 10) == "t12d2011s3");  // 20 ciphers, 11 ext, spdy/3
}

TEST_CASE("GREASE is left out of JA3 but kept in the fields") {
  Buf body = client_hello_body(0x0303, {0x3a3a, 0x1301, 0x1302},
                               {{0x4a4a, {}},
                                {0x000a, u16_list({0x5a5a, 0x001d}, 2)},
                                {0x002b, u16_list({0x6a6a, 0x0304}, 1)},
                                {0x000b, {1, 0}}});
  tls::ClientHello h;
  tls::ParseProblems p;
  REQUIRE(tls::parse_client_hello(body, h, p));
  CHECK(h.cipher_suites == std::vector<uint16_t>{0x3a3a, 0x1301, 0x1302});
  CHECK(h.supported_versions == std::vector<uint16_t>{0x6a6a, 0x0304});
  CHECK(tls::ja3_string(h) == "771,4865-4866,10-43-11,29,0");
}

TEST_CASE("ServerHello: HelloRetryRequest, supported_versions, ALPN, JA3S") {
  Buf hrr_random = unhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
  Buf body = server_hello_body(0x0303, 0x1302, {{0x002b, {0x03, 0x04}}, {0x0033, {0x00, 0x17}}},
                               hrr_random);
  tls::ServerHello h;
  tls::ParseProblems p;
  REQUIRE(tls::parse_server_hello(body, h, p));
  CHECK(h.is_hello_retry_request);
  CHECK(h.selected_version == 0x0304);
  CHECK(h.selected_group == 0x17);
  CHECK(tls::ja3s_string(h) == "771,4866,43-51");
  CHECK(md5_hex(tls::ja3s_string(h)) == "15af977ce25de452b96affa2addb1036");  // oracle, HRR row

  Buf sh = server_hello_body(0x0303, 0xc02f, {{0xff01, {0}}, {0x0010, alpn_ext({"h2"})}});
  tls::ServerHello s;
  REQUIRE(tls::parse_server_hello(sh, s, p));
  CHECK_FALSE(s.is_hello_retry_request);
  CHECK(s.alpn == "h2");
  CHECK(s.renegotiation_info);
  CHECK(s.negotiated_version() == 0x0303);

  // A pre-TLS 1.2 ServerHello may have no extensions block at all.
  Buf old = server_hello_body(0x0300, 0x0005, {});
  tls::ServerHello o;
  REQUIRE(tls::parse_server_hello(old, o, p));
  CHECK(tls::ja3s_string(o) == "768,5,");
}

TEST_CASE("malformed hellos: fatal fixed part, damaged extensions reported") {
  tls::ClientHello h;
  tls::ParseProblems p;
  CHECK_FALSE(tls::parse_client_hello(unhex("0303aabb"), h, p));
  CHECK_FALSE(p.fatal.empty());

  Buf body = client_hello_body(0x0303, {0x1301},
                               {{0x0000, sni_ext("a.example")}, {0x0010, {0x00, 0x09, 0x05}}});
  tls::ClientHello h2;
  tls::ParseProblems p2;
  REQUIRE(tls::parse_client_hello(body, h2, p2));
  CHECK(h2.sni == "a.example");
  REQUIRE(p2.extensions.size() == 1);
  CHECK(p2.extensions[0].find("extension 16") != std::string::npos);

  // An extension claiming more bytes than the block holds.
  Buf cut = client_hello_body(0x0303, {0x1301}, {{0x0000, sni_ext("b.example")}});
  cut.resize(cut.size() - 2);
  tls::ClientHello h3;
  tls::ParseProblems p3;
  REQUIRE(tls::parse_client_hello(cut, h3, p3));
  CHECK_FALSE(p3.extensions.empty());
}

TEST_CASE("assembler: a hello split over records and over segments gives the same message") {
  Buf rec = unhex(kChrome34Record);
  Buf hs(rec.begin() + 5, rec.end());
  for (size_t record_size : {size_t{1}, size_t{3}, size_t{4}, size_t{50}, size_t{16384}}) {
    Buf stream = records(tls::kHandshake, hs, record_size);
    for (size_t seg : {size_t{1}, size_t{7}, size_t{100}, stream.size()}) {
      tls::HandshakeAssembler a(1 << 20);
      Collect c;
      for (size_t i = 0; i < stream.size(); i += seg) {
        a.feed(tls::Bytes(stream.data() + i, std::min(seg, stream.size() - i)), c);
      }
      REQUIRE(c.messages.size() == 1);
      CHECK(c.messages[0].first == tls::kClientHelloType);
      CHECK(c.messages[0].second == Buf(hs.begin() + 4, hs.end()));
      CHECK(c.problems.empty());
      CHECK(a.buffered() == 0);
      CHECK_FALSE(a.in_progress());
    }
  }
}

TEST_CASE("assembler: several messages in one record, then ChangeCipherSpec ends it") {
  Buf hs = handshake(2, server_hello_body(0x0303, 0x002f, {}));
  Buf cert = handshake(11, {0, 0, 0});
  Buf done = handshake(14, {});
  hs.insert(hs.end(), cert.begin(), cert.end());
  hs.insert(hs.end(), done.begin(), done.end());
  Buf stream = records(tls::kHandshake, hs, 16384, 0x0303);
  Buf ccs = records(tls::kChangeCipherSpec, {1}, 1, 0x0303);
  Buf encrypted = records(tls::kHandshake, Buf(40, 0xee), 40, 0x0303);
  stream.insert(stream.end(), ccs.begin(), ccs.end());
  stream.insert(stream.end(), encrypted.begin(), encrypted.end());
  tls::HandshakeAssembler a(1 << 20);
  Collect c;
  a.feed(stream, c);
  REQUIRE(c.messages.size() == 3);
  CHECK(c.messages[0].first == 2);
  CHECK(c.messages[1].first == 11);
  CHECK(c.messages[2].first == 14);
  CHECK(a.state() == tls::HandshakeAssembler::State::kEncrypted);
  CHECK(c.problems.empty());
}

TEST_CASE("assembler: TLS 1.3 ChangeCipherSpec is the compatibility dummy") {
  Buf ch2 = records(tls::kHandshake, handshake(1, ja4_doc_hello(false)), 16384);
  Buf stream = records(tls::kChangeCipherSpec, {1}, 1, 0x0303);
  stream.insert(stream.end(), ch2.begin(), ch2.end());
  Buf app = records(tls::kApplicationData, Buf(30, 1), 30, 0x0303);
  stream.insert(stream.end(), app.begin(), app.end());
  tls::HandshakeAssembler a(1 << 20);
  a.set_tls13(true);
  Collect c;
  a.feed(stream, c);
  CHECK(c.messages.size() == 1);
  CHECK(a.state() == tls::HandshakeAssembler::State::kEncrypted);
}

TEST_CASE("assembler: limits, bad records and gaps stop the direction") {
  {
    tls::HandshakeAssembler a(100);
    Collect c;
    a.feed(records(tls::kHandshake, handshake(11, Buf(200, 0)), 16384), c);
    CHECK(c.problems == std::vector<std::string>{"tls.handshake_too_large"});
    CHECK(a.state() == tls::HandshakeAssembler::State::kFailed);
    CHECK(a.buffered() == 0);
  }
  {
    tls::HandshakeAssembler a(1 << 20);
    Collect c;
    a.feed(unhex("474554202f20485454502f312e310d0a"), c);  // "GET / HTTP/1.1"
    CHECK(c.problems == std::vector<std::string>{"tls.bad_record"});
  }
  {
    tls::HandshakeAssembler a(1 << 20);
    Collect c;
    Buf stream = records(tls::kHandshake, handshake(1, ja4_doc_hello(false)), 16384);
    a.feed(tls::Bytes(stream).first(60), c);
    CHECK(a.in_progress());
    a.gap(100, c);
    CHECK(c.problems == std::vector<std::string>{"tls.gap_in_handshake"});
    a.feed(tls::Bytes(stream).subspan(160), c);
    CHECK(c.messages.empty());
  }
  {
    // A gap once the direction is encrypted is not an anomaly.
    tls::HandshakeAssembler a(1 << 20);
    Collect c;
    a.feed(records(tls::kApplicationData, Buf(10, 0), 10), c);
    a.gap(1000, c);
    CHECK(c.problems.empty());
  }
}

TEST_CASE("probe: ClientHello from the client, ServerHello when the client is missing") {
  Buf rec = unhex(kChrome34Record);
  ProbeInput in;
  in.client = Bytes(rec);
  CHECK(probe_tls(in) == ProbeResult::kYes);
  in.client = Bytes(rec).first(3);
  CHECK(probe_tls(in) == ProbeResult::kNeedMore);
  in.client_final = true;
  CHECK(probe_tls(in) == ProbeResult::kNo);
  Buf http = unhex("474554202f20485454502f312e310d0a");
  ProbeInput h;
  h.client = Bytes(http);
  CHECK(probe_tls(h) == ProbeResult::kNo);
  // A handshake record that is not a ClientHello (a ServerHello sent by the client) is not it.
  Buf sh = records(tls::kHandshake, handshake(2, server_hello_body(0x0303, 0x2f, {})), 16384);
  ProbeInput wrong;
  wrong.client = Bytes(sh);
  CHECK(probe_tls(wrong) == ProbeResult::kNo);
  ProbeInput server_only;
  server_only.server = Bytes(sh);
  CHECK(probe_tls(server_only) == ProbeResult::kYes);
  ProbeInput nothing;
  CHECK(probe_tls(nothing) == ProbeResult::kNeedMore);
  // SSH banner from the server, client silent.
  Buf ssh = unhex("5353482d322e302d");
  ProbeInput banner;
  banner.server = Bytes(ssh);
  CHECK(probe_tls(banner) == ProbeResult::kNo);
}

TEST_CASE("session: split ClientHello, HRR then second ClientHello, TLS 1.3 stops at app data") {
  SessionFixture fx;
  fx.start();
  Buf ch = records(tls::kHandshake, handshake(1, ja4_doc_hello(true)), 100);
  fx.send(kC2S, ch, 13, 10);
  Buf hrr_random = unhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
  Buf hrr =
      records(tls::kHandshake,
              handshake(2, server_hello_body(0x0303, 0x1301,
                                             {{0x002b, {3, 4}}, {0x0033, {0, 0x1d}}}, hrr_random)),
              16384, 0x0303);
  Buf ccs = records(tls::kChangeCipherSpec, {1}, 1, 0x0303);
  hrr.insert(hrr.end(), ccs.begin(), ccs.end());
  fx.send(kS2C, hrr, SIZE_MAX, 20);
  Buf ch2 = ccs;
  Buf second = records(tls::kHandshake, handshake(1, ja4_doc_hello(true)), 16384);
  ch2.insert(ch2.end(), second.begin(), second.end());
  fx.send(kC2S, ch2, SIZE_MAX, 30);
  Buf sh = records(tls::kHandshake,
                   handshake(2, server_hello_body(0x0303, 0x1301,
                                                  {{0x002b, {3, 4}}, {0x0033, {0, 0x1d, 0, 0}}})),
                   16384, 0x0303);
  Buf app = records(tls::kApplicationData, Buf(50, 0xab), 50, 0x0303);
  sh.insert(sh.end(), ccs.begin(), ccs.end());
  sh.insert(sh.end(), app.begin(), app.end());
  fx.send(kS2C, sh, SIZE_MAX, 40);
  fx.send(kC2S, app, SIZE_MAX, 50);
  fx.session->on_gap(kC2S, 100, 60);  // encrypted by now: no anomaly
  fx.session->on_end(StreamEndReason::kFin, 70);

  auto hellos = fx.emitted.of<TLSClientHello>();
  auto servers = fx.emitted.of<TLSServerHello>();
  REQUIRE(hellos.size() == 2);
  REQUIRE(servers.size() == 2);
  CHECK(fx.emitted.anomalies().empty());
  const TLSClientHello& c = *hellos[0];
  CHECK(c.timestamp() == 10);
  CHECK(c.srcip() == "10.0.0.1");
  CHECK(c.dstport() == 443);
  CHECK(c.flowid() == "Ctls");
  CHECK(c.sni() == "example.com");
  CHECK(c.ja4() == "t13d1516h2_8daaf6152771_e5627efa2ab1");
  CHECK(c.supportedversions_size() == 3);
  CHECK(c.supportedversions(0) == 0x7a7a);
  CHECK(c.ja3hash() == md5_hex(c.ja3()));
  CHECK(hellos[1]->timestamp() == 30);
  CHECK(servers[0]->ishelloretryrequest());
  CHECK(servers[0]->srcip() == "10.0.0.2");
  CHECK(servers[0]->timestamp() == 20);
  CHECK_FALSE(servers[1]->ishelloretryrequest());
  CHECK(servers[1]->selectedversion() == 0x0304);
  CHECK(servers[1]->ja3s() == "771,4865,43-51");
}

TEST_CASE("session: damaged hello and gap mid-handshake are anomalies, the flow goes on") {
  SessionFixture fx;
  fx.start();
  fx.send(kC2S, records(tls::kHandshake, handshake(1, unhex("0303")), 16384));
  Buf sh =
      records(tls::kHandshake, handshake(2, server_hello_body(0x0303, 0x2f, {})), 16384, 0x0303);
  fx.send(kS2C, Buf(sh.begin(), sh.begin() + 20));
  fx.session->on_gap(kS2C, 10, 5);
  fx.session->on_end(StreamEndReason::kFin, 6);
  CHECK(fx.emitted.anomalies() ==
        std::vector<std::string>{"tls.bad_handshake", "tls.gap_in_handshake"});
  CHECK(fx.emitted.of<TLSServerHello>().empty());
}

TEST_CASE("session: stream ending inside a handshake message") {
  SessionFixture fx;
  fx.start();
  Buf ch = records(tls::kHandshake, handshake(1, ja4_doc_hello(false)), 16384);
  fx.send(kC2S, Buf(ch.begin(), ch.begin() + 40));
  fx.session->on_end(StreamEndReason::kRst, 6);
  CHECK(fx.emitted.anomalies() == std::vector<std::string>{"tls.truncated_handshake"});
}

TEST_CASE("certificate list parsing rejects bad lengths") {
  std::vector<tls::Bytes> out;
  bool truncated = false;
  std::string error;
  CHECK_FALSE(tls::parse_certificate_list(unhex("00000a000003aabbcc"), 10, out, truncated, error));
  out.clear();
  CHECK(tls::parse_certificate_list(unhex("000006000003aabbcc"), 10, out, truncated, error));
  CHECK(out.size() == 1);
  tls::CertificateInfo bad = tls::parse_certificate(out[0], 10);
  CHECK_FALSE(bad.parsed);
  CHECK(bad.sha1 == sha1_hex(out[0]));
}

TEST_CASE("capture: tls12-sni-chrome34 hellos and certificate chain") {
  auto run = testing::run_capture(testing::sample_capture("tls12-sni-chrome34.pcap"));
  REQUIRE(run.has_value());
  auto hellos = run.value().of<TLSClientHello>();
  auto servers = run.value().of<TLSServerHello>();
  auto certs = run.value().of<TLSCertificate>();
  REQUIRE(hellos.size() == 1);
  REQUIRE(servers.size() == 1);
  // Oracle tls12-sni-chrome34.tls.tsv.
  CHECK(hellos[0]->sni() == "google.de");
  CHECK(hellos[0]->ja3() == kChrome34Ja3);
  CHECK(hellos[0]->ja3hash() == "a607f3a5c94c2ee592af1456f36c8367");
  CHECK(hellos[0]->srcport() == 55881);
  CHECK(hellos[0]->timestamp() == 1398362902704084000);
  CHECK(servers[0]->ja3s() == "771,49199,0-65281-11-35-30032-16");
  CHECK(servers[0]->ja3shash() == "9f5e2e0d84076af5475bbe44debdb03e");
  CHECK(servers[0]->alpn() == "spdy/3.1");
  CHECK(servers[0]->ciphersuite() == 0xc02f);
  // Chain checked with `openssl x509 -inform der -noout -subject -serial -dates -fingerprint`.
  REQUIRE(certs.size() == 3);
  const TLSCertificate& leaf = *certs[0];
  CHECK(leaf.position() == 0);
  CHECK(leaf.chainlength() == 3);
  CHECK(leaf.subject() == "CN=*.google.de,O=Google Inc,L=Mountain View,ST=California,C=US");
  CHECK(leaf.subjectcn() == "*.google.de");
  CHECK(leaf.issuer() == "CN=Google Internet Authority G2,O=Google Inc,C=US");
  CHECK(std::vector<std::string>(leaf.dnsnames().begin(), leaf.dnsnames().end()) ==
        std::vector<std::string>{"*.google.de", "google.de"});
  CHECK(leaf.serialnumber() == "5f16e91e8e863f49");
  CHECK(leaf.notbefore() == 1397045265LL * 1000000000);
  CHECK(leaf.notafter() == 1404777600LL * 1000000000);
  CHECK(leaf.keytype() == "RSA");
  CHECK(leaf.keybits() == 2048);
  CHECK(leaf.signaturealgorithm() == "sha1WithRSAEncryption");
  CHECK(leaf.sha1() == "cb69d04ec2ee0638e93c6ecc56b7dcc1f843c247");
  CHECK(leaf.sha256() == "ee623e2c2700fe20dd9fb1ac6ed5203ac7573490b531c8b8e9b6b48d3ddf5b8b");
  CHECK_FALSE(leaf.isca());
  CHECK_FALSE(leaf.fromclient());
  CHECK(leaf.srcport() == 443);
  CHECK(certs[1]->subject() == "CN=Google Internet Authority G2,O=Google Inc,C=US");
  CHECK(certs[1]->serialnumber() == "023a69");
  CHECK(certs[1]->isca());
  CHECK(certs[1]->sha1() == "d83c1a7f4d0446bb2081b81a1670f8183451ca24");
  CHECK(certs[2]->issuer() == "OU=Equifax Secure Certificate Authority,O=Equifax,C=US");
  CHECK(certs[2]->serialnumber() == "12bbe6");
  CHECK(certs[2]->isca());
  CHECK(certs[2]->sha256() == "3c35cc963eb004451323d3275d05b353235053490d9cd83729a2faf5e7ca1cc0");
}

TEST_CASE("capture: split ClientHello and TLS 1.3 captures (shared)") {
  const std::string split = testing::shared_capture("tls-clienthello-split-segments.pcap");
  if (split.empty()) return;  // ../shared absent
  auto run = testing::run_capture(split);
  REQUIRE(run.has_value());
  auto hellos = run.value().of<TLSClientHello>();
  REQUIRE(hellos.size() == 1);
  CHECK(hellos[0]->sni() == "clients2.google.com");
  CHECK(hellos[0]->ja3hash() == "35708a08e7be9f7aa5bce7f2d5c1cecb");
  CHECK(hellos[0]->timestamp() == 1737577691685571000);  // frame 5, where it completes
  REQUIRE(hellos[0]->supportedversions_size() == 3);
  CHECK(hellos[0]->supportedversions(0) == 0x9a9a);
  CHECK(hellos[0]->ja4().substr(0, 10) == "t13d1516h2");

  auto hrr = testing::run_capture(testing::shared_capture("tls13-hello-retry-request.pcap"));
  REQUIRE(hrr.has_value());
  auto servers = hrr.value().of<TLSServerHello>();
  REQUIRE(servers.size() == 2);
  CHECK(servers[0]->ishelloretryrequest());
  CHECK(servers[0]->ja3shash() == "15af977ce25de452b96affa2addb1036");
  CHECK_FALSE(servers[1]->ishelloretryrequest());
  CHECK(servers[1]->ja3shash() == "907bf3ecef1c987c889946b737b43de8");
  CHECK(hrr.value().of<TLSClientHello>().size() == 2);
  CHECK(hrr.value().of<TLSCertificate>().empty());  // TLS 1.3: encrypted
}

TEST_CASE(
    "STARTTLS and CONNECT: the handshake after SMTP, IMAP, POP3, FTP upgrades and an HTTP proxy "
    "tunnel is parsed as TLS") {
  struct Upgrade {
    uint16_t port;
    std::vector<std::string> client, server;  // lines exchanged before the TLS bytes
    std::string_view service;
  };
  const Upgrade upgrades[] = {
      {25,
       {"EHLO c\r\n", "STARTTLS\r\n"},
       {"220 mx ESMTP\r\n", "250 mx\r\n", "220 go ahead\r\n"},
       "smtp"},
      {143, {"a1 STARTTLS\r\n"}, {"* OK IMAP4rev1 ready\r\n", "a1 OK begin TLS\r\n"}, "imap"},
      {110, {"STLS\r\n"}, {"+OK POP3 ready\r\n", "+OK begin TLS\r\n"}, "pop3"},
      {21, {"AUTH TLS\r\n"}, {"220 FTP ready\r\n", "234 go ahead\r\n"}, "ftp"},
      // A proxy tunnel: the bytes after "200" are probed again and found to be TLS. (The
      // server speaks first only for the STARTTLS cases; the proxy's first line is its answer.)
      {3128,
       {"CONNECT google.de:443 HTTP/1.1\r\nHost: google.de:443\r\n\r\n"},
       {"", "HTTP/1.1 200 Connection established\r\n\r\n"},
       "http"},
  };
  for (const Upgrade& u : upgrades) {
    CAPTURE(u.service);
    const bool server_first = !u.server[0].empty();
    struct Emitted : RecordEmitter {
      std::vector<std::unique_ptr<google::protobuf::Message>> records;
      void emit(std::unique_ptr<google::protobuf::Message> r) override {
        records.push_back(std::move(r));
      }
    } emitted;
    Limits limits;
    AppLayer layer(default_app_registry(), limits, emitted);
    FlowInfo flow;
    flow.flow_id = "Cstarttls";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 40000;
    flow.server_port = u.port;
    auto c = layer.create(flow);
    // The server greets first; then each client line is answered by the next server line.
    int64_t ts = 1;
    if (server_first) c->on_data(StreamDirection::kServerToClient, as_bytes(u.server[0]), ts++);
    for (size_t i = 0; i < u.client.size(); ++i) {
      c->on_data(StreamDirection::kClientToServer, as_bytes(u.client[i]), ts++);
      c->on_data(StreamDirection::kServerToClient, as_bytes(u.server[i + 1]), ts++);
    }
    const Buf hello = unhex(kChrome34Record);
    c->on_data(StreamDirection::kClientToServer, hello, ts++);
    c->on_end(StreamEndReason::kFin, ts);
    CHECK(c->application_protocol() == u.service);
    std::vector<const TLSClientHello*> hellos;
    for (const auto& r : emitted.records) {
      if (r->GetDescriptor() == TLSClientHello::descriptor())
        hellos.push_back(static_cast<const TLSClientHello*>(r.get()));
      if (r->GetDescriptor() == Anomaly::descriptor())
        FAIL_CHECK(static_cast<const Anomaly&>(*r).name());
    }
    REQUIRE(hellos.size() == 1);
    CHECK(hellos[0]->sni() == "google.de");
    CHECK(hellos[0]->ja3() == kChrome34Ja3);
    CHECK(hellos[0]->flowid() == "Cstarttls");
  }
}
