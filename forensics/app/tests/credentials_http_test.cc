// HTTP credentials through the real HttpSession: Basic with the server's answer, Digest as a
// hashcat 11400 line (RFC 2617 §3.5 example), NTLM with the CHALLENGE of the same connection,
// form and query fields, and a Basic value without ':'.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/http/http_session.h"
#include "proto/anomaly.pb.h"
#include "proto/credentials.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

constexpr auto C = StreamDirection::kClientToServer;
constexpr auto S = StreamDirection::kServerToClient;

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
};

struct Fixture {
  Limits limits;
  Emitted emitted;
  AppRegistry registry;
  FlowInfo flow;
  std::unique_ptr<AppLayer> layer;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<http::HttpSession> session;
  Fixture() {
    flow.flow_id = "Ccreds";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 40000;
    flow.server_port = 80;
    layer = std::make_unique<AppLayer>(registry, limits, emitted);
    ctx = std::make_unique<AppContext>(flow, limits, emitted, layer->expectations(), "http");
    session = std::make_unique<http::HttpSession>(*ctx, nullptr);
  }
  void send(StreamDirection d, std::string_view text, int64_t ts = 1) {
    session->on_data(d, as_bytes(text), ts);
  }
  std::vector<Credentials> creds() {
    session->on_end(StreamEndReason::kFin, 100);
    std::vector<Credentials> out;
    for (const auto& r : emitted.records) {
      if (auto* c = dynamic_cast<const Credentials*>(r.get())) out.push_back(*c);
    }
    return out;
  }
  bool has_anomaly(std::string_view name) const {
    for (const auto& r : emitted.records) {
      if (auto* a = dynamic_cast<const Anomaly*>(r.get()); a && a->name() == name) return true;
    }
    return false;
  }
};

void put16(std::string& b, size_t at, uint16_t v) {
  b[at] = static_cast<char>(v & 0xff);
  b[at + 1] = static_cast<char>(v >> 8);
}
void put32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::string utf16(std::string_view s) {
  std::string out;
  for (char c : s) out += std::string{c, '\0'};
  return out;
}
std::string unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// CHALLENGE_MESSAGE with the given 8-byte challenge (hex), Unicode, no target.
std::string challenge_token(std::string_view challenge_hex) {
  std::string b("NTLMSSP\0", 8);
  b.resize(48, '\0');
  put32(b, 8, 2);
  put32(b, 16, 48);
  put32(b, 20, 1);
  b.replace(24, 8, unhex(challenge_hex));
  return b;
}

// AUTHENTICATE_MESSAGE with the NT response (hex), Unicode names.
std::string authenticate_token(std::string_view nt_hex, std::string_view domain,
                               std::string_view user) {
  std::string b("NTLMSSP\0", 8);
  b.resize(64, '\0');
  put32(b, 8, 3);
  const std::string fields[] = {std::string(24, '\0'), unhex(nt_hex), utf16(domain),
                                utf16(user),           utf16("WS"),   ""};
  for (size_t i = 0; i < 6; ++i) {
    put16(b, 12 + 8 * i, static_cast<uint16_t>(fields[i].size()));
    put16(b, 14 + 8 * i, static_cast<uint16_t>(fields[i].size()));
    put32(b, 16 + 8 * i, static_cast<uint32_t>(b.size()));
    b += fields[i];
  }
  put32(b, 60, 1);
  return b;
}

std::string b64(std::string_view s) { return base64_encode(as_bytes(s)); }

}  // namespace

TEST_CASE("HTTP Basic: refused by 401, accepted by 200") {
  Fixture f;
  f.send(C, "GET /admin HTTP/1.1\r\nHost: example.org\r\nAuthorization: Basic " +
                b64("alice:wrong") + "\r\n\r\n");
  f.send(S, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
  f.send(C, "GET /admin HTTP/1.1\r\nHost: example.org\r\nAuthorization: Basic " +
                b64("alice:open:sesame") + "\r\n\r\n");
  f.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto c = f.creds();
  REQUIRE(c.size() == 2);
  CHECK(c[0].user() == "alice");
  CHECK(c[0].secret() == "wrong");
  CHECK(c[0].method() == "basic");
  CHECK(c[0].result() == "rejected");
  CHECK(c[0].resultdetail() == "401");
  CHECK(c[0].target() == "example.org/admin");
  CHECK(c[0].clientip() == "10.0.0.1");
  CHECK(c[0].serverport() == 80);
  CHECK(c[1].secret() == "open:sesame");  // only the first ':' separates (RFC 7617 §2)
  CHECK(c[1].result() == "accepted");
}

TEST_CASE("HTTP Basic without ':' is kept as the user, with an anomaly") {
  Fixture f;
  f.send(C, "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic " + b64("justauser") + "\r\n\r\n");
  auto c = f.creds();
  REQUIRE(c.size() == 1);
  CHECK(c[0].user() == "justauser");
  CHECK(c[0].secret().empty());
  CHECK(c[0].result().empty());
  CHECK(f.has_anomaly("http.bad_basic_auth"));
}

TEST_CASE("HTTP Digest keeps the full response as a hashcat line") {
  Fixture f;
  f.send(C,
         "GET /dir/index.html HTTP/1.1\r\nHost: h\r\nAuthorization: Digest username=\"Mufasa\", "
         "realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
         "uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
         "response=\"6629fae49393a05397450978507c4ef1\", "
         "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n\r\n");
  auto c = f.creds();
  REQUIRE(c.size() == 1);
  CHECK(c[0].user() == "Mufasa");
  CHECK(c[0].method() == "digest");
  CHECK(c[0].hashcatmode() == 11400);
  CHECK(c[0].hash() ==
        "$sip$*10.0.0.2*10.0.0.1*Mufasa*testrealm@host.com*GET**/dir/index.html**"
        "dcd98b7102dd2f0e8b11d0f600bfb0c093*0a4f113b*00000001*auth*MD5*"
        "6629fae49393a05397450978507c4ef1");
}

TEST_CASE("NTLM over HTTP: NetNTLMv2 with the connection's CHALLENGE") {
  Fixture f;
  const std::string proof = "88dcbe4446168966a153a0064958dac6";
  const std::string blob =
      "0101000000000000"
      "0b45c67103d07d7b"
      "0000000000000000";
  f.send(C, "GET /ews HTTP/1.1\r\nHost: mail\r\nAuthorization: NTLM " +
                b64(std::string("NTLMSSP\0\1\0\0\0\0\0\0\0", 16)) + "\r\n\r\n");
  f.send(S, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM " +
                b64(challenge_token("08ca45b7d7ea58ee")) + "\r\nContent-Length: 0\r\n\r\n");
  f.send(C, "GET /ews HTTP/1.1\r\nHost: mail\r\nAuthorization: NTLM " +
                b64(authenticate_token(proof + blob, "CORP", "bob")) + "\r\n\r\n");
  f.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto c = f.creds();
  REQUIRE(c.size() == 1);
  CHECK(c[0].user() == "bob");
  CHECK(c[0].domain() == "CORP");
  CHECK(c[0].method() == "ntlmv2");
  CHECK(c[0].hashcatmode() == 5600);
  CHECK(c[0].hash() == "bob::CORP:08ca45b7d7ea58ee:" + proof + ":" + blob);
  CHECK(c[0].result() == "accepted");
}

TEST_CASE("HTTP form post and query string with login fields") {
  Fixture f;
  const std::string body = "username=carol&password=p%40ss+word&remember=1";
  f.send(C,
         "POST /login HTTP/1.1\r\nHost: shop\r\nContent-Type: "
         "application/x-www-form-urlencoded\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body);
  f.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  f.send(C, "GET /api?user=dave&pwd=hunter2 HTTP/1.1\r\nHost: shop\r\n\r\n");
  f.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  f.send(C, "GET /search?q=password HTTP/1.1\r\nHost: shop\r\n\r\n");
  auto c = f.creds();
  REQUIRE(c.size() == 2);
  CHECK(c[0].method() == "form");
  CHECK(c[0].user() == "carol");
  CHECK(c[0].secret() == "p@ss word");
  CHECK(c[0].result().empty());  // a login page answers 200 either way
  CHECK(c[0].resultdetail() == "200");
  CHECK(c[1].method() == "query");
  CHECK(c[1].user() == "dave");
  CHECK(c[1].secret() == "hunter2");
}
