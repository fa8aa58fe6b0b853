// PostgreSQL: first messages, typed messages, the session (trust, cleartext and MD5 logins,
// refused logins, SSLRequest accepted and refused, queries, limits) and the hashcat line.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/streams/postgres/postgres_parser.h"
#include "forensics/streams/postgres/postgres_session.h"
#include "proto/anomaly.pb.h"
#include "proto/credentials.pb.h"
#include "proto/postgres.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::postgres;
using Buf = std::vector<uint8_t>;

namespace {

void put(Buf& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
void put32(Buf& b, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(v >> shift));
}

Buf startup(std::vector<std::pair<std::string, std::string>> params) {
  Buf body;
  put32(body, kProtocol3);
  for (auto& [k, v] : params) {
    put(body, k);
    body.push_back(0);
    put(body, v);
    body.push_back(0);
  }
  body.push_back(0);
  Buf out;
  put32(out, static_cast<uint32_t>(body.size() + 4));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Buf ssl_request() {
  Buf b;
  put32(b, 8);
  put32(b, kSslRequestCode);
  return b;
}

Buf typed(char type, const Buf& payload) {
  Buf b{static_cast<uint8_t>(type)};
  put32(b, static_cast<uint32_t>(payload.size() + 4));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Buf auth(uint32_t code, std::string_view extra = {}) {
  Buf p;
  put32(p, code);
  put(p, extra);
  return typed('R', p);
}

Buf cstr(std::string_view s) {
  Buf b;
  put(b, s);
  b.push_back(0);
  return b;
}

Buf error(std::string_view severity, std::string_view code, std::string_view message) {
  Buf p{'S'};
  put(p, severity);
  p.push_back(0);
  p.push_back('C');
  put(p, code);
  p.push_back(0);
  p.push_back('M');
  put(p, message);
  p.push_back(0);
  p.push_back(0);
  return typed('E', p);
}

Buf parameter(std::string_view name, std::string_view value) {
  Buf p = cstr(name);
  Buf v = cstr(value);
  p.insert(p.end(), v.begin(), v.end());
  return typed('S', p);
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
  int64_t ts = 1;
  Fixture() {
    flow.flow_id = "Cpg";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 50000;
    flow.server_port = 5432;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "postgres");
    session = make_session(*ctx);
  }
  void client(Bytes b) { session->on_data(StreamDirection::kClientToServer, b, ts++); }
  void server(Bytes b) { session->on_data(StreamDirection::kServerToClient, b, ts++); }
  const PostgreSQL& end() {
    session->on_end(StreamEndReason::kFin, ts++);
    auto recs = emitted.of<PostgreSQL>();
    REQUIRE(recs.size() == 1);
    return *recs[0];
  }
};

}  // namespace

TEST_CASE("postgres: first messages and the probe") {
  auto m = parse_first_message(startup({{"user", "alice"}, {"database", "shop"}}));
  REQUIRE(m);
  CHECK(m->code == kProtocol3);
  CHECK(m->parameters.size() == 2);
  CHECK(parse_first_message(ssl_request()));
  Buf bad = startup({{"user", "alice"}});
  bad.pop_back();  // no terminating NUL: the length no longer matches either
  CHECK_FALSE(parse_first_message(bad));
  CHECK(probe_first_message(ssl_request(), false) == 2);
  CHECK(probe_first_message(startup({{"user", "a"}}), false) == 2);
  CHECK(probe_first_message(Bytes(startup({{"user", "a"}})).first(10), false) == 1);
  Buf http;
  put(http, "GET / HTTP/1.1\r\n");
  CHECK(probe_first_message(http, false) == 0);
}

TEST_CASE("postgres: hashcat 11100 line") {
  CHECK(md5_hashcat("postgres", std::string("\xf0\x78\x4e\xa5", 4),
                    "md52091bb7d4725d1ca85e8de6ec349baf6") ==
        "$postgres$postgres*f0784ea5*2091bb7d4725d1ca85e8de6ec349baf6");
  CHECK(md5_hashcat("u", "1234", "plaintext").empty());
}

TEST_CASE("postgres session: MD5 login accepted, server version, queries") {
  Fixture fx;
  Buf s = startup({{"user", "alice"}, {"database", "shop"}, {"application_name", "psql"}});
  fx.client(Bytes(s).first(3));  // split inside the length
  fx.client(Bytes(s).subspan(3));
  fx.server(auth(5, std::string("\xf0\x78\x4e\xa5", 4)));
  fx.client(typed('p', cstr("md52091bb7d4725d1ca85e8de6ec349baf6")));
  Buf answer = auth(0);
  Buf more = parameter("server_version", "15.5 (Debian 15.5-0+deb12u1)");
  answer.insert(answer.end(), more.begin(), more.end());
  fx.server(answer);
  fx.client(typed('Q', cstr("SELECT * FROM users WHERE name = 'x' OR 1=1")));
  Buf parse = cstr("stmt1");
  Buf q = cstr("UPDATE accounts SET balance = $1");
  parse.insert(parse.end(), q.begin(), q.end());
  parse.push_back(0);
  parse.push_back(0);
  fx.client(typed('P', parse));
  const PostgreSQL& r = fx.end();
  CHECK(r.user() == "alice");
  CHECK(r.database() == "shop");
  CHECK(r.applicationname() == "psql");
  CHECK(r.authmethod() == "md5");
  CHECK(r.loginresult() == "accepted");
  CHECK(r.serverversion() == "15.5 (Debian 15.5-0+deb12u1)");
  CHECK(r.querycount() == 2);
  REQUIRE(r.queries_size() == 2);
  CHECK(r.queries(1) == "UPDATE accounts SET balance = $1");
  auto creds = fx.emitted.of<Credentials>();
  REQUIRE(creds.size() == 1);
  CHECK(creds[0]->service() == "postgres");
  CHECK(creds[0]->hashcatmode() == 11100);
  CHECK(creds[0]->hash() == "$postgres$alice*f0784ea5*2091bb7d4725d1ca85e8de6ec349baf6");
  CHECK(creds[0]->result() == "accepted");
}

TEST_CASE("postgres session: cleartext refused, trust, TLS accepted and refused") {
  SECTION("cleartext password refused") {
    Fixture fx;
    fx.client(startup({{"user", "bob"}}));
    fx.server(auth(3));
    fx.client(typed('p', cstr("hunter2")));
    fx.server(error("FATAL", "28P01", "password authentication failed for user \"bob\""));
    const PostgreSQL& r = fx.end();
    CHECK(r.loginresult() == "rejected");
    CHECK(r.errorcode() == "28P01");
    auto creds = fx.emitted.of<Credentials>();
    REQUIRE(creds.size() == 1);
    CHECK(creds[0]->secret() == "hunter2");
    CHECK(creds[0]->result() == "rejected");
  }
  SECTION("trust") {
    Fixture fx;
    fx.client(startup({{"user", "carol"}}));
    fx.server(auth(0));
    const PostgreSQL& r = fx.end();
    CHECK(r.authmethod() == "trust");
    CHECK(r.loginresult() == "accepted");
    CHECK(fx.emitted.of<Credentials>().empty());
  }
  SECTION("SSLRequest accepted: the stream goes to TLS") {
    Fixture fx;
    fx.client(ssl_request());
    fx.server(Buf{'S'});
    CHECK(fx.ctx->take_protocol_switch() == "tls");
    auto recs = fx.emitted.of<PostgreSQL>();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]->tls());
  }
  SECTION("GSSENCRequest accepted: encrypted, but not TLS") {
    Fixture fx;
    Buf gss;
    put32(gss, 8);
    put32(gss, kGssEncRequestCode);
    fx.client(gss);
    fx.server(Buf{'G'});
    CHECK(fx.ctx->take_protocol_switch().empty());
    auto recs = fx.emitted.of<PostgreSQL>();
    REQUIRE(recs.size() == 1);
    CHECK_FALSE(recs[0]->tls());
    CHECK(recs[0]->authmethod() == "gssenc");
  }
  SECTION("SSLRequest refused: the startup continues in clear") {
    Fixture fx;
    fx.client(ssl_request());
    fx.server(Buf{'N'});
    fx.client(startup({{"user", "dave"}}));
    fx.server(auth(0));
    const PostgreSQL& r = fx.end();
    CHECK(r.tlsrefused());
    CHECK(r.user() == "dave");
    CHECK(fx.ctx->take_protocol_switch().empty());
  }
}

TEST_CASE("postgres session: limits and malformed input") {
  SECTION("more than 64 queries are counted, not kept; a huge one is skipped") {
    Fixture fx;
    fx.client(startup({{"user", "e"}}));
    fx.server(auth(0));
    for (int k = 0; k < 70; ++k) fx.client(typed('Q', cstr("SELECT " + std::to_string(k))));
    Buf huge = typed('Q', cstr(std::string(300 * 1024, 'x')));
    fx.client(huge);
    fx.client(typed('Q', cstr("SELECT 'after'")));
    const PostgreSQL& r = fx.end();
    CHECK(r.querycount() == 72);
    CHECK(r.queries_size() == 64);
    CHECK(r.queriestruncated());
  }
  SECTION("a bad length stops decoding with an anomaly") {
    Fixture fx;
    fx.client(startup({{"user", "f"}}));
    fx.server(Buf{'R', 0, 0, 0, 1});
    auto a = fx.emitted.of<Anomaly>();
    REQUIRE(a.size() == 1);
    CHECK(a[0]->name() == "postgres.bad_length");
  }
  SECTION("a first message that is not PostgreSQL") {
    Fixture fx;
    Buf junk;
    put32(junk, 12);
    put32(junk, 0x12345678);
    put32(junk, 0);
    fx.client(junk);
    auto a = fx.emitted.of<Anomaly>();
    REQUIRE(a.size() == 1);
    CHECK(a[0]->name() == "postgres.bad_startup");
  }
}
