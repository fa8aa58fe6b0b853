// MySQL: packet framing, greeting/login/ERR/AuthSwitch parsing, the session (login verdicts,
// credentials, SSLRequest -> TLS) and the real capture with a TLS upgrade.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/streams/mysql/mysql_parser.h"
#include "forensics/streams/mysql/mysql_session.h"
#include "proto/anomaly.pb.h"
#include "proto/credentials.pb.h"
#include "proto/mysql.pb.h"
#include "proto/tls.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::mysql;
using Buf = std::vector<uint8_t>;

namespace {

void put(Buf& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
void put_le(Buf& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
Buf packet(uint8_t seq, const Buf& payload) {
  Buf b;
  put_le(b, payload.size(), 3);
  b.push_back(seq);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

const std::string kSalt =
    "abcdefgh"
    "ijklmnopqrst";  // 20 bytes

// HandshakeV10 of a MySQL 8 server offering mysql_native_password.
Buf greeting(std::string_view version = "8.0.36") {
  Buf p;
  p.push_back(10);
  put(p, version);
  p.push_back(0);
  put_le(p, 42, 4);  // thread id
  put(p, kSalt.substr(0, 8));
  p.push_back(0);
  const uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                        kClientConnectWithDb | kClientSsl | kClientConnectAttrs |
                        kClientPluginAuthLenencData;
  put_le(p, caps & 0xffff, 2);
  p.push_back(0xff);  // charset
  put_le(p, 2, 2);    // status
  put_le(p, caps >> 16, 2);
  p.push_back(21);  // auth data length
  p.insert(p.end(), 10, 0);
  put(p, kSalt.substr(8));
  p.push_back(0);
  put(p, "mysql_native_password");
  p.push_back(0);
  return p;
}

Buf login(std::string_view user, std::string_view response, std::string_view db) {
  Buf p;
  const uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                        kClientConnectWithDb | kClientConnectAttrs | kClientPluginAuthLenencData;
  put_le(p, caps, 4);
  put_le(p, 16 << 20, 4);
  p.push_back(33);
  p.insert(p.end(), 23, 0);
  put(p, user);
  p.push_back(0);
  p.push_back(static_cast<uint8_t>(response.size()));
  put(p, response);
  put(p, db);
  p.push_back(0);
  put(p, "mysql_native_password");
  p.push_back(0);
  Buf attrs;
  for (auto [k, v] : {std::pair<std::string_view, std::string_view>{"_client_name", "libmysql"},
                      {"program_name", "mysqldump"}}) {
    attrs.push_back(static_cast<uint8_t>(k.size()));
    put(attrs, k);
    attrs.push_back(static_cast<uint8_t>(v.size()));
    put(attrs, v);
  }
  p.push_back(static_cast<uint8_t>(attrs.size()));
  p.insert(p.end(), attrs.begin(), attrs.end());
  return p;
}

Buf ssl_request() {
  Buf p;
  put_le(p, kClientProtocol41 | kClientSsl | kClientSecureConnection, 4);
  put_le(p, 16 << 20, 4);
  p.push_back(33);
  p.insert(p.end(), 23, 0);
  return p;
}

Buf ok_packet() { return Buf{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}; }
Buf err_packet(uint16_t code, std::string_view state, std::string_view msg) {
  Buf p{0xff};
  put_le(p, code, 2);
  p.push_back('#');
  put(p, state);
  put(p, msg);
  return p;
}

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
  template <typename T>
  std::vector<const T*> of() const {
    std::vector<const T*> out;
    for (const auto& r : records)
      if (r->GetDescriptor() == T::descriptor()) out.push_back(static_cast<const T*>(r.get()));
    return out;
  }
};

struct Fixture {
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations{limits, emitted};
  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<AppSession> session;
  Fixture() {
    flow.flow_id = "Cmysql";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 50000;
    flow.server_port = 3306;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "mysql");
    session = make_session(*ctx);
  }
  void server(Bytes b, int64_t ts) { session->on_data(StreamDirection::kServerToClient, b, ts); }
  void client(Bytes b, int64_t ts) { session->on_data(StreamDirection::kClientToServer, b, ts); }
};

}  // namespace

TEST_CASE("mysql: packets split across chunks and several in one chunk") {
  Buf two = packet(0, Buf{1, 2, 3});
  Buf more = packet(1, Buf{4});
  two.insert(two.end(), more.begin(), more.end());
  size_t consumed = 0;
  bool too_large = false;
  auto packets = split_packets(Bytes(two).first(9), 1024, consumed, too_large);
  REQUIRE(packets.size() == 1);
  CHECK(consumed == 7);
  packets = split_packets(two, 1024, consumed, too_large);
  REQUIRE(packets.size() == 2);
  CHECK(packets[1].sequence == 1);
  CHECK(consumed == two.size());
  Buf huge{0xff, 0xff, 0xff, 0};
  CHECK(split_packets(huge, 1024, consumed, too_large).empty());
  CHECK(too_large);
}

TEST_CASE("mysql: greeting, login and error packets") {
  auto g = parse_greeting(greeting());
  REQUIRE(g);
  CHECK(g->server_version == "8.0.36");
  CHECK(g->connection_id == 42);
  CHECK(g->salt == kSalt);
  CHECK(g->auth_plugin == "mysql_native_password");
  CHECK(probe_greeting(packet(0, greeting()), false) == 2);
  CHECK(probe_greeting(Bytes(packet(0, greeting())).first(12), false) == 1);
  CHECK(probe_greeting(Bytes(packet(0, greeting())).first(12), true) == 0);
  Buf http;
  put(http, "HTTP/1.1 200 OK\r\n\r\n");
  CHECK(probe_greeting(http, false) == 0);

  auto l = parse_login(login("alice", std::string(20, 'R'), "shop"));
  REQUIRE(l);
  CHECK(l->user == "alice");
  CHECK(l->auth_response == std::string(20, 'R'));
  CHECK(l->database == "shop");
  CHECK(l->auth_plugin == "mysql_native_password");
  CHECK(l->attributes ==
        std::vector<std::string>{"_client_name=libmysql", "program_name=mysqldump"});
  auto s = parse_login(ssl_request());
  REQUIRE(s);
  CHECK(s->ssl_request);

  auto e = parse_error(err_packet(1045, "28000", "Access denied for user 'alice'"));
  REQUIRE(e);
  CHECK(e->code == 1045);
  CHECK(e->sql_state == "28000");
  CHECK(e->message == "Access denied for user 'alice'");

  // Malformed: a user name without its NUL, a greeting with a control character.
  Buf bad = login("alice", "", "");
  bad.resize(32 + 3);
  CHECK_FALSE(parse_login(bad));
  Buf g2 = greeting("8.0\x01");
  CHECK_FALSE(parse_greeting(g2));
}

TEST_CASE("mysql: hashcat 11200 line for mysql_native_password") {
  CHECK(native_password_hashcat(std::string(20, '\x01'), std::string(20, '\xab')) ==
        "$mysqlna$" +
            std::string(20 * 2, '0').replace(0, 40, "0101010101010101010101010101010101010101") +
            "*" + "abababababababababababababababababababab");
  CHECK(native_password_hashcat("short", std::string(20, 'x')).empty());
}

TEST_CASE("mysql session: accepted login gives the record and a crackable credential") {
  Fixture fx;
  fx.server(packet(0, greeting()), 1);
  Buf l = packet(1, login("alice", std::string(20, 'R'), "shop"));
  fx.client(Bytes(l).first(10), 2);  // split across segments
  fx.client(Bytes(l).subspan(10), 3);
  fx.server(packet(2, ok_packet()), 4);
  fx.session->on_end(StreamEndReason::kFin, 5);
  auto recs = fx.emitted.of<MySQL>();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]->serverversion() == "8.0.36");
  CHECK(recs[0]->user() == "alice");
  CHECK(recs[0]->database() == "shop");
  CHECK(recs[0]->loginresult() == "accepted");
  CHECK(recs[0]->clientattributes_size() == 2);
  CHECK(recs[0]->serverip() == "10.0.0.2");
  CHECK(recs[0]->serverport() == 3306);
  auto creds = fx.emitted.of<Credentials>();
  REQUIRE(creds.size() == 1);
  CHECK(creds[0]->user() == "alice");
  CHECK(creds[0]->service() == "mysql");
  CHECK(creds[0]->hashcatmode() == 11200);
  CHECK(creds[0]->hash() == native_password_hashcat(kSalt, std::string(20, 'R')));
  CHECK(fx.emitted.of<Anomaly>().empty());
}

TEST_CASE("mysql session: a pipelining client's login and 200 KB of queries in one chunk") {
  Fixture fx;
  fx.server(packet(0, greeting()), 1);
  Buf chunk = packet(1, login("dave", std::string(20, 'R'), "shop"));
  for (int i = 0; i < 4; ++i) {  // COM_QUERY packets of 50 KB each
    Buf query{0x03};
    put(query, std::string(50 * 1024, 'q'));
    Buf p = packet(0, query);
    chunk.insert(chunk.end(), p.begin(), p.end());
  }
  fx.client(chunk, 2);
  fx.server(packet(2, ok_packet()), 3);
  fx.session->on_end(StreamEndReason::kFin, 4);
  auto recs = fx.emitted.of<MySQL>();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]->user() == "dave");
  CHECK(recs[0]->loginresult() == "accepted");
  CHECK(fx.emitted.of<Anomaly>().empty());
}

namespace {

Buf command(uint8_t code, std::string_view text) {
  Buf p{code};
  put(p, text);
  return packet(0, p);
}

// Greeting (with `server_caps` added), login (with `client_caps` added) and OK.
void log_in(Fixture& fx, uint32_t server_caps = 0, uint32_t client_caps = 0) {
  Buf g = greeting();
  // Capability bytes of the greeting: lower half after the filler, upper half after status.
  const size_t lower = 1 + 6 + 1 + 4 + 8 + 1;
  g[lower] |= static_cast<uint8_t>(server_caps);
  g[lower + 1] |= static_cast<uint8_t>(server_caps >> 8);
  g[lower + 5] |= static_cast<uint8_t>(server_caps >> 16);
  g[lower + 6] |= static_cast<uint8_t>(server_caps >> 24);
  fx.server(packet(0, g), 1);
  Buf l = login("erin", std::string(20, 'R'), "shop");
  for (int i = 0; i < 4; ++i)
    l[static_cast<size_t>(i)] |= static_cast<uint8_t>(client_caps >> (8 * i));
  fx.client(packet(1, l), 2);
  fx.server(packet(2, ok_packet()), 3);
}

}  // namespace

TEST_CASE("mysql session: the SQL text of the commands after the login") {
  Fixture fx;
  log_in(fx);
  CHECK(fx.emitted.of<MySQL>().empty());  // emitted when the connection ends
  fx.client(command(0x03, "SELECT @@version_comment LIMIT 1"), 4);
  fx.server(Buf(300, 0xfb), 5);  // a result set: not looked at
  Buf q = command(0x03, "SELECT * FROM users WHERE id = 7");
  fx.client(Bytes(q).first(9), 6);  // split in the header's neighbourhood and the text
  fx.client(Bytes(q).subspan(9), 7);
  fx.client(command(0x02, "billing"), 8);
  fx.client(command(0x16, "UPDATE t SET a = ? WHERE b = ?"), 9);
  fx.client(command(0x0e, ""), 10);  // COM_PING: not a query
  Buf big{0x03};
  put(big, "INSERT INTO blobs VALUES ('");
  put(big, std::string(100 * 1024, 'x'));
  put(big, "')");
  fx.client(packet(0, big), 11);
  fx.client(command(0x01, ""), 12);  // COM_QUIT ends it
  auto recs = fx.emitted.of<MySQL>();
  REQUIRE(recs.size() == 1);
  const MySQL& r = *recs[0];
  REQUIRE(r.queries_size() == 5);
  CHECK(r.queries(0) == "SELECT @@version_comment LIMIT 1");
  CHECK(r.queries(1) == "SELECT * FROM users WHERE id = 7");
  CHECK(r.queries(2) == "USE billing");
  CHECK(r.queries(3) == "UPDATE t SET a = ? WHERE b = ?");
  CHECK(r.queries(4).size() == 1024);
  CHECK(r.queries(4).starts_with("INSERT INTO blobs VALUES ('xxx"));
  CHECK(r.querycount() == 5);
  CHECK_FALSE(r.queriestruncated());
  CHECK(r.loginresult() == "accepted");
  CHECK(fx.emitted.of<Anomaly>().empty());
}

TEST_CASE("mysql session: command limits, query attributes, compression") {
  SECTION("at most 64 queries kept, all counted") {
    Fixture fx;
    log_in(fx);
    Buf all;
    for (int i = 0; i < 70; ++i) {
      Buf c = command(0x03, "SELECT " + std::to_string(i));
      all.insert(all.end(), c.begin(), c.end());
    }
    fx.client(all, 4);  // many commands in one chunk
    fx.session->on_end(StreamEndReason::kFin, 5);
    const MySQL& r = *fx.emitted.of<MySQL>().at(0);
    CHECK(r.queries_size() == 64);
    CHECK(r.queries(63) == "SELECT 63");
    CHECK(r.querycount() == 70);
    CHECK(r.queriestruncated());
  }
  SECTION("CLIENT_QUERY_ATTRIBUTES: counts before the text; with parameters no text") {
    Fixture fx;
    log_in(fx, kClientQueryAttributes, kClientQueryAttributes);
    Buf plain{0x03, 0x00, 0x01};
    put(plain, "SELECT 1");
    fx.client(packet(0, plain), 4);
    Buf with_params{0x03, 0x01, 0x01, 0x00, 0x01, 0xfe, 0x00, 0x01, 'a', 0x01, 'v'};
    put(with_params, "SELECT 2");
    fx.client(packet(0, with_params), 5);
    fx.session->on_end(StreamEndReason::kFin, 6);
    const MySQL& r = *fx.emitted.of<MySQL>().at(0);
    REQUIRE(r.queries_size() == 1);
    CHECK(r.queries(0) == "SELECT 1");
    CHECK(r.querycount() == 2);
  }
  SECTION("a compressed connection: the record at the verdict, no commands") {
    Fixture fx;
    log_in(fx, kClientCompress, kClientCompress);
    REQUIRE(fx.emitted.of<MySQL>().size() == 1);
    fx.client(command(0x03, "SELECT 1"), 4);
    fx.session->on_end(StreamEndReason::kFin, 5);
    CHECK(fx.emitted.of<MySQL>().size() == 1);
    CHECK(fx.emitted.of<MySQL>()[0]->queries_size() == 0);
  }
  SECTION("a gap on the client side ends it with what there is; on the server side nothing") {
    Fixture fx;
    log_in(fx);
    fx.client(command(0x03, "SELECT 1"), 4);
    fx.session->on_gap(StreamDirection::kServerToClient, 1000, 5);
    fx.client(command(0x03, "SELECT 2"), 6);
    fx.session->on_gap(StreamDirection::kClientToServer, 1000, 7);
    fx.client(command(0x03, "SELECT 3"), 8);
    fx.session->on_end(StreamEndReason::kFin, 9);
    REQUIRE(fx.emitted.of<MySQL>().size() == 1);
    CHECK(fx.emitted.of<MySQL>()[0]->queries_size() == 2);
  }
}

TEST_CASE("mysql session: refused login, auth switch, SSLRequest, garbage") {
  SECTION("ERR after the login") {
    Fixture fx;
    fx.server(packet(0, greeting()), 1);
    fx.client(packet(1, login("bob", std::string(20, 'x'), "")), 2);
    fx.server(packet(2, err_packet(1045, "28000", "Access denied")), 3);
    auto recs = fx.emitted.of<MySQL>();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]->loginresult() == "rejected");
    CHECK(recs[0]->errorcode() == 1045);
    CHECK(recs[0]->sqlstate() == "28000");
  }
  SECTION("AuthSwitchRequest: the credential uses the new salt") {
    Fixture fx;
    fx.server(packet(0, greeting()), 1);
    fx.client(packet(1, login("carol", std::string(20, 'x'), "")), 2);
    Buf sw{0xfe};
    put(sw, "mysql_native_password");
    sw.push_back(0);
    const std::string salt2(20, 'S');
    put(sw, salt2);
    sw.push_back(0);
    fx.server(packet(2, sw), 3);
    Buf resp;
    put(resp, std::string(20, 'Z'));
    fx.client(packet(3, resp), 4);
    fx.server(packet(4, ok_packet()), 5);
    auto creds = fx.emitted.of<Credentials>();
    REQUIRE(creds.size() == 1);
    CHECK(creds[0]->hash() == native_password_hashcat(salt2, std::string(20, 'Z')));
    fx.session->on_end(StreamEndReason::kFin, 6);
    REQUIRE(fx.emitted.of<MySQL>().size() == 1);
    CHECK(fx.emitted.of<MySQL>()[0]->authswitchplugin() == "mysql_native_password");
  }
  SECTION("SSLRequest switches the stream to TLS") {
    Fixture fx;
    fx.server(packet(0, greeting()), 1);
    fx.client(packet(1, ssl_request()), 2);
    CHECK(fx.ctx->take_protocol_switch() == "tls");
    auto recs = fx.emitted.of<MySQL>();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]->tls());
    CHECK(recs[0]->user().empty());
  }
  SECTION("a server that is not MySQL and an oversized packet are anomalies") {
    Fixture fx;
    fx.server(packet(0, Buf{10, 'x'}), 1);
    CHECK(fx.emitted.of<Anomaly>().size() == 1);
    Fixture fy;
    fy.server(Buf{0xff, 0xff, 0xff, 0x00}, 1);
    auto a = fy.emitted.of<Anomaly>();
    REQUIRE(a.size() == 1);
    CHECK(a[0]->name() == "mysql.packet_too_large");
  }
}

TEST_CASE("mysql capture: MySQL upgraded to TLS with SSLRequest (pcapng-eth-sll-comments)") {
  const std::string path = testing::shared_capture("pcapng-eth-sll-comments.pcapng");
  if (path.empty()) {
    WARN("../shared is absent: skipped");
    return;
  }
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  auto recs = run->of<MySQL>();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]->tls());
  CHECK(recs[0]->protocolversion() == 10);
  CHECK_FALSE(recs[0]->serverversion().empty());
  // The TLS handshake after the SSLRequest is decoded: tshark's two hellos of this flow.
  size_t hellos = 0;
  for (const auto* h : run->of<TLSClientHello>()) hellos += h->dstport() == 3306 ? 1 : 0;
  for (const auto* h : run->of<TLSServerHello>()) hellos += h->srcport() == 3306 ? 1 : 0;
  CHECK(hellos == 2);
}
