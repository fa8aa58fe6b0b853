// The application layer's detection and replay, with toy protocols.
#include "forensics/app/app_layer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/text_util.h"
#include "proto/anomaly.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
};

// Records every call as text: "d0:GET", "g1:10", "e".
struct Log {
  std::vector<std::string> events;
};

class LoggingSession : public AppSession {
 public:
  LoggingSession(Log& log, AppContext& ctx) : log_(log), ctx_(ctx) {}
  void on_data(StreamDirection dir, Bytes data, int64_t) override {
    log_.events.push_back("d" + std::to_string(int(dir)) + ":" + std::string(as_text(data)));
  }
  void on_gap(StreamDirection dir, uint64_t length, int64_t) override {
    log_.events.push_back("g" + std::to_string(int(dir)) + ":" + std::to_string(length));
  }
  void on_datagram(StreamDirection dir, Bytes data, uint32_t, int64_t, uint64_t frame) override {
    log_.events.push_back("u" + std::to_string(int(dir)) + ":" + std::string(as_text(data)) + "#" +
                          std::to_string(frame));
  }
  void on_end(StreamEndReason, int64_t) override { log_.events.push_back("e"); }

 private:
  Log& log_;
  [[maybe_unused]] AppContext& ctx_;
};

ProbeResult starts_with_probe(Bytes b, std::string_view word) {
  std::string_view t = as_text(b);
  if (t.size() < word.size())
    return word.substr(0, t.size()) == t ? ProbeResult::kNeedMore : ProbeResult::kNo;
  return t.substr(0, word.size()) == word ? ProbeResult::kYes : ProbeResult::kNo;
}

struct Fixture {
  Limits limits;
  Emitted emitted;
  AppRegistry registry;
  Log log;
  std::string created;

  void add(std::string name, AppTransport t, std::vector<uint16_t> ports,
           std::function<ProbeResult(const ProbeInput&)> probe) {
    AppProtocol p;
    p.name = name;
    p.transport = t;
    p.ports = std::move(ports);
    p.probe = std::move(probe);
    p.create = [this, name](AppContext& ctx) {
      created = name;
      return std::make_unique<LoggingSession>(log, ctx);
    };
    REQUIRE(registry.add(std::move(p)).is_ok());
  }

  FlowInfo flow(uint8_t proto, uint16_t server_port) {
    FlowInfo f;
    f.flow_id = "Cabc";
    f.ip_protocol = proto;
    IpAddress::parse("10.0.0.1", f.client);
    IpAddress::parse("10.0.0.2", f.server);
    f.client_port = 40000;
    f.server_port = server_port;
    return f;
  }
};

}  // namespace

TEST_CASE("content probe finds the protocol on any port and replays what was kept") {
  Fixture fx;
  fx.add("http", AppTransport::kTcp, {80},
         [](const ProbeInput& in) { return starts_with_probe(in.client, "GET "); });
  fx.add("ssh", AppTransport::kTcp, {22},
         [](const ProbeInput& in) { return starts_with_probe(in.server, "SSH-"); });
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 2222));
  c->on_data(StreamDirection::kServerToClient, as_bytes("SS"), 1);
  CHECK(fx.created.empty());
  c->on_data(StreamDirection::kServerToClient, as_bytes("H-2.0-x\r\n"), 2);
  CHECK(fx.created == "ssh");
  c->on_data(StreamDirection::kClientToServer, as_bytes("SSH-2.0-y\r\n"), 3);
  c->on_end(StreamEndReason::kFin, 4);
  CHECK(fx.log.events ==
        std::vector<std::string>{"d1:SS", "d1:H-2.0-x\r\n", "d0:SSH-2.0-y\r\n", "e"});
  CHECK(c->application_protocol() == "ssh");
}

TEST_CASE("a port-hinted candidate that needs more bytes blocks a later yes") {
  Fixture fx;
  fx.add("a", AppTransport::kTcp, {9999},
         [](const ProbeInput& in) { return starts_with_probe(in.client, "ABCD"); });
  fx.add("b", AppTransport::kTcp, {},
         [](const ProbeInput& in) { return starts_with_probe(in.client, "AB"); });
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 9999));
  c->on_data(StreamDirection::kClientToServer, as_bytes("AB"), 1);
  CHECK(fx.created.empty());
  c->on_data(StreamDirection::kClientToServer, as_bytes("CD"), 2);
  CHECK(fx.created == "a");
}

TEST_CASE("unknown content stays unclassified and keeps nothing") {
  Fixture fx;
  fx.add("http", AppTransport::kTcp, {80},
         [](const ProbeInput& in) { return starts_with_probe(in.client, "GET "); });
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 80));
  c->on_data(StreamDirection::kClientToServer, as_bytes("\x16\x03\x01 binary"), 1);
  c->on_end(StreamEndReason::kFin, 2);
  CHECK(fx.created.empty());
  CHECK(c->application_protocol().empty());
  CHECK(fx.log.events.empty());
}

TEST_CASE("a port-hinted candidate still undecided at the end gets what was kept") {
  Fixture fx;
  fx.add("smtp", AppTransport::kTcp, {25}, [](const ProbeInput& in) {
    return in.client.empty() ? ProbeResult::kNeedMore : starts_with_probe(in.client, "EHLO");
  });
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 25));
  c->on_data(StreamDirection::kServerToClient, as_bytes("220 hi\r\n"), 1);
  c->on_end(StreamEndReason::kRst, 2);
  CHECK(fx.created == "smtp");
  CHECK(fx.log.events == std::vector<std::string>{"d1:220 hi\r\n", "e"});
}

TEST_CASE("probe buffers are bounded when one side keeps talking") {
  Fixture fx;
  fx.limits.max_probe_bytes = 16;
  fx.add("x", AppTransport::kTcp, {}, [](const ProbeInput& in) {
    return in.server.empty() && !in.server_final ? ProbeResult::kNeedMore : ProbeResult::kNo;
  });
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 7000));
  for (int i = 0; i < 1000; ++i)
    c->on_data(StreamDirection::kClientToServer, as_bytes("0123456789"), i);
  CHECK(fx.created.empty());
  CHECK(c->application_protocol().empty());
}

TEST_CASE("gaps before detection are replayed in order") {
  Fixture fx;
  fx.add("http", AppTransport::kTcp, {80},
         [](const ProbeInput& in) { return starts_with_probe(in.client, "GET "); });
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 80));
  c->on_data(StreamDirection::kClientToServer, as_bytes("GE"), 1);
  c->on_gap(StreamDirection::kClientToServer, 10, 2);
  CHECK(fx.created == "http");  // port hint, decided at the gap
  CHECK(fx.log.events == std::vector<std::string>{"d0:GE", "g0:10"});
}

TEST_CASE("UDP: datagrams are probed one by one and replayed") {
  Fixture fx;
  fx.add("dns", AppTransport::kUdp, {53}, [](const ProbeInput& in) {
    return in.client.size() >= 12 ? ProbeResult::kYes : ProbeResult::kNo;
  });
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(17, 5353));
  c->on_datagram(StreamDirection::kClientToServer, as_bytes("short"), 5, 1, 7);
  CHECK(fx.created.empty());
  c->on_datagram(StreamDirection::kClientToServer, as_bytes("twelve bytes"), 12, 2, 8);
  CHECK(fx.created == "dns");
  c->on_end(StreamEndReason::kIdle, 3);
  CHECK(fx.log.events == std::vector<std::string>{"u0:short#7", "u0:twelve bytes#8", "e"});
}

TEST_CASE("an expectation gives the next matching flow its protocol without probing") {
  Fixture fx;
  fx.add("ftp-data", AppTransport::kTcp, {}, nullptr);
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  FlowInfo control = fx.flow(6, 21);
  AppContext ctx(control, fx.limits, fx.emitted, layer.expectations(), "ftp");
  Expectation e;
  e.protocol = "ftp-data";
  e.server = control.server;
  e.port = 50000;
  e.note = "RETR a.txt";
  ctx.expect(e, 100);
  auto data = layer.create(fx.flow(6, 50000));
  CHECK(fx.created == "ftp-data");
  CHECK(data->application_protocol() == "ftp-data");
  auto other = layer.create(fx.flow(6, 50000));  // used up
  CHECK(other->application_protocol().empty());
}

TEST_CASE("stamp fills the flow fields a record declares") {
  Fixture fx;
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  FlowInfo f = fx.flow(6, 80);
  AppContext ctx(f, fx.limits, fx.emitted, layer.expectations(), "http");
  Anomaly a;
  ctx.stamp(a, StreamDirection::kServerToClient, 42);
  CHECK(a.timestamp() == 42);
  CHECK(a.flowid() == "Cabc");
  CHECK(a.srcip() == "10.0.0.2");
  CHECK(a.srcport() == 80);
  CHECK(a.dstip() == "10.0.0.1");
  CHECK(a.dstport() == 40000);
  ctx.anomaly("http.bad_thing", "detail", 5);
  REQUIRE(fx.emitted.records.size() == 1);
  CHECK(static_cast<Anomaly&>(*fx.emitted.records[0]).layer() == "http");
}

namespace {

// Logs "<name>:d<dir>:<text>" and asks for a switch to `to` when it sees "UPGRADE".
class SwitchingSession : public AppSession {
 public:
  SwitchingSession(Log& log, AppContext& ctx, std::string name, std::string_view to)
      : log_(log), ctx_(ctx), name_(std::move(name)), to_(to) {}
  void on_data(StreamDirection dir, Bytes data, int64_t) override {
    log_.events.push_back(name_ + ":d" + std::to_string(int(dir)) + ":" +
                          std::string(as_text(data)));
    // "UPGRADE" ends the old protocol; what follows in the same chunk is the new one's.
    if (as_text(data).starts_with("UPGRADE") && !to_.empty()) {
      ctx_.switch_protocol(to_, data.size() - 7);
    }
  }
  void on_end(StreamEndReason, int64_t) override { log_.events.push_back(name_ + ":e"); }

 private:
  Log& log_;
  AppContext& ctx_;
  std::string name_;
  std::string_view to_;
};

void add_switching(Fixture& fx, std::string name, std::string_view to, std::string_view word) {
  AppProtocol p;
  p.name = name;
  p.transport = AppTransport::kTcp;
  p.probe = [word](const ProbeInput& in) { return starts_with_probe(in.client, word); };
  p.create = [&fx, name, to](AppContext& ctx) {
    fx.created = name;
    return std::make_unique<SwitchingSession>(fx.log, ctx, name, to);
  };
  REQUIRE(fx.registry.add(std::move(p)).is_ok());
}

}  // namespace

TEST_CASE("a session hands the rest of its stream to another protocol (STARTTLS)") {
  Fixture fx;
  add_switching(fx, "mail", "tls", "HELO");
  add_switching(fx, "tls", "", "\x16");
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 25));
  c->on_data(StreamDirection::kClientToServer, as_bytes("HELO"), 1);
  c->on_data(StreamDirection::kServerToClient, as_bytes("UPGRADE"), 2);
  c->on_data(StreamDirection::kClientToServer, as_bytes("hello"), 3);
  c->on_data(StreamDirection::kServerToClient, as_bytes("UPGRADE"), 4);  // tls does not switch
  c->on_end(StreamEndReason::kFin, 5);
  CHECK(fx.log.events == std::vector<std::string>{"mail:d0:HELO", "mail:d1:UPGRADE", "tls:d0:hello",
                                                  "tls:d1:UPGRADE", "mail:e", "tls:e"});
  // The Connection keeps the protocol found by content.
  CHECK(c->application_protocol() == "mail");
  CHECK(fx.emitted.records.empty());
}

TEST_CASE("a switch to an unknown protocol, or past the bound, is an anomaly") {
  Fixture fx;
  SECTION("unknown") {
    add_switching(fx, "mail", "nosuch", "HELO");
    AppLayer layer(fx.registry, fx.limits, fx.emitted);
    auto c = layer.create(fx.flow(6, 25));
    c->on_data(StreamDirection::kClientToServer, as_bytes("HELO"), 1);
    c->on_data(StreamDirection::kServerToClient, as_bytes("UPGRADE"), 2);
    c->on_data(StreamDirection::kClientToServer, as_bytes("more"), 3);
    CHECK(fx.log.events.back() == "mail:d0:more");
    REQUIRE(fx.emitted.records.size() == 1);
    const auto& a = static_cast<const Anomaly&>(*fx.emitted.records[0]);
    CHECK(a.name() == "app.protocol_switch_refused");
    CHECK(a.detail() == "mail asked to continue as nosuch, which is not registered");
  }
  SECTION("a loop of switches stops at the bound") {
    add_switching(fx, "ping", "pong", "PING");
    add_switching(fx, "pong", "ping", "PONG");
    AppLayer layer(fx.registry, fx.limits, fx.emitted);
    auto c = layer.create(fx.flow(6, 7));
    c->on_data(StreamDirection::kClientToServer, as_bytes("PING"), 1);
    for (int i = 0; i < 5; ++i)
      c->on_data(StreamDirection::kClientToServer, as_bytes("UPGRADE"), 2);
    c->on_end(StreamEndReason::kFin, 3);
    CHECK(fx.log.events == std::vector<std::string>{"ping:d0:PING", "ping:d0:UPGRADE",
                                                    "pong:d0:UPGRADE", "ping:d0:UPGRADE",
                                                    "ping:d0:UPGRADE", "ping:d0:UPGRADE", "ping:e",
                                                    "pong:e", "ping:e"});
    CHECK(fx.emitted.records.size() == 3);
    CHECK(c->application_protocol() == "ping");
  }
}

TEST_CASE("a switch to kProbeAgain probes the following bytes like a new flow's (CONNECT)") {
  Fixture fx;
  add_switching(fx, "proxy", AppContext::kProbeAgain, "CONNECT");
  add_switching(fx, "ssh", "", "SSH-");
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 3128));
  c->on_data(StreamDirection::kClientToServer, as_bytes("CONNECT"), 1);
  c->on_data(StreamDirection::kServerToClient, as_bytes("UPGRADE"), 2);
  c->on_data(StreamDirection::kServerToClient, as_bytes("SSH-2.0-x"), 3);
  c->on_data(StreamDirection::kClientToServer, as_bytes("SSH-2.0-y"), 4);
  c->on_end(StreamEndReason::kFin, 5);
  CHECK(fx.log.events == std::vector<std::string>{"proxy:d0:CONNECT", "proxy:d1:UPGRADE",
                                                  "ssh:d1:SSH-2.0-x", "ssh:d0:SSH-2.0-y", "proxy:e",
                                                  "ssh:e"});
  CHECK(c->application_protocol() == "proxy");
}

TEST_CASE("a switch during the replay of the probed chunks sends the rest to the new state") {
  Fixture fx;
  add_switching(fx, "proxy", AppContext::kProbeAgain, "CONNECT");
  add_switching(fx, "ssh", "", "SSH-");
  AppLayer layer(fx.registry, fx.limits, fx.emitted);
  auto c = layer.create(fx.flow(6, 3128));
  // The probe needs the whole word, so three chunks are kept and replayed; the switch comes
  // with the second and leaves no session for the third, which is probed instead.
  c->on_data(StreamDirection::kClientToServer, as_bytes("CONN"), 1);
  c->on_data(StreamDirection::kServerToClient, as_bytes("UPGRADE"), 2);
  c->on_data(StreamDirection::kClientToServer, as_bytes("ECT"), 3);
  c->on_data(StreamDirection::kClientToServer, as_bytes("SSH-2.0-y"), 4);
  c->on_end(StreamEndReason::kFin, 5);
  CHECK(fx.log.events == std::vector<std::string>{"proxy:d0:CONN", "proxy:d1:UPGRADE", "proxy:e"});
}

TEST_CASE("bytes after the accepting reply in the same chunk go to the new protocol") {
  Fixture fx;
  SECTION("named protocol") {
    add_switching(fx, "mail", "tls", "HELO");
    add_switching(fx, "tls", "", "\x16");
    AppLayer layer(fx.registry, fx.limits, fx.emitted);
    auto c = layer.create(fx.flow(6, 25));
    c->on_data(StreamDirection::kClientToServer, as_bytes("HELO"), 1);
    c->on_data(StreamDirection::kServerToClient, as_bytes("UPGRADEfirst"), 2);
    c->on_end(StreamEndReason::kFin, 3);
    CHECK(fx.log.events == std::vector<std::string>{"mail:d0:HELO", "mail:d1:UPGRADEfirst",
                                                    "tls:d1:first", "mail:e", "tls:e"});
  }
  SECTION("probed again: a tunnelled server's banner with the proxy's reply") {
    add_switching(fx, "proxy", AppContext::kProbeAgain, "CONNECT");
    add_switching(fx, "ssh", "", "SSH-");
    AppLayer layer(fx.registry, fx.limits, fx.emitted);
    auto c = layer.create(fx.flow(6, 3128));
    c->on_data(StreamDirection::kClientToServer, as_bytes("CONNECT"), 1);
    c->on_data(StreamDirection::kServerToClient, as_bytes("UPGRADESSH-2.0-x"), 2);
    c->on_data(StreamDirection::kClientToServer, as_bytes("SSH-2.0-y"), 3);
    c->on_end(StreamEndReason::kFin, 4);
    CHECK(fx.log.events == std::vector<std::string>{"proxy:d0:CONNECT", "proxy:d1:UPGRADESSH-2.0-x",
                                                    "ssh:d1:SSH-2.0-x", "ssh:d0:SSH-2.0-y",
                                                    "proxy:e", "ssh:e"});
  }
}
