// Telnet: decoder and line editor units, session behaviour, the shared telnet-login capture.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/telnet/telnet_parser.h"
#include "forensics/streams/telnet/telnet_session.h"
#include "proto/anomaly.pb.h"
#include "proto/telnet.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::telnet;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

struct Trace {
  std::string data;
  std::vector<std::string> events;
  Decoder decoder;
  Trace()
      : decoder(16,
                Decoder::Events{
                    [this](Bytes d) { data += std::string(as_text(d)); },
                    [this](uint8_t v, uint8_t o) {
                      events.push_back(std::string(verb_name(v)) + " " + option_name(o));
                    },
                    [this](uint8_t o, Bytes p) {
                      events.push_back("SB " + option_name(o) + " " + subnegotiation_summary(o, p));
                    },
                    [this](uint8_t c) { events.push_back("CMD " + std::to_string(c)); },
                    [this](std::string_view p, std::string) {
                      events.push_back("!" + std::string(p));
                    }}) {}
};

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
};

struct Harness {
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations{limits, emitted};
  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<AppSession> session;
  Harness() {
    flow.flow_id = "Ctel";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 50000;
    flow.server_port = 23;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "telnet");
    session = make_session(*ctx);
  }
  void client(const std::string& s) {
    session->on_data(StreamDirection::kClientToServer, as_bytes(s), 1);
  }
  void server(const std::string& s) {
    session->on_data(StreamDirection::kServerToClient, as_bytes(s), 1);
  }
  const Telnet& end() {
    session->on_end(StreamEndReason::kFin, 2);
    auto r = emitted.of<Telnet>();
    REQUIRE(r.size() == 1);
    return *r[0];
  }
};

ProbeInput probe_input(const std::string& client, const std::string& server, uint16_t port) {
  ProbeInput in;
  in.client = as_bytes(client);
  in.server = as_bytes(server);
  in.client_port = 50000;
  in.server_port = port;
  return in;
}

}  // namespace

TEST_CASE("telnet decoder strips negotiation, keeps data, undoubles IAC IAC") {
  Trace t;
  t.decoder.feed(as_bytes(bytes(
      {'a', 255, 251, 1, 'b', 255, 255, 'c', 255, 250, 24, 0, 'v', 't', 255, 240, 'd', 255, 247})));
  CHECK(t.data == std::string("ab\xff"
                              "cd"));
  CHECK(t.events == std::vector<std::string>{"WILL ECHO", "SB TERMINAL-TYPE IS vt", "CMD 247"});
}

TEST_CASE("telnet decoder: sequences split at every byte give the same result") {
  const std::string in = bytes({'x', 255, 253, 31, 255, 250, 31, 0, 80, 0, 24, 255, 240, 'y'});
  Trace t;
  for (char c : in) t.decoder.feed(as_bytes(std::string(1, c)));
  CHECK(t.data == "xy");
  CHECK(t.events == std::vector<std::string>{"DO NAWS", "SB NAWS 80x24"});
}

TEST_CASE("telnet decoder: broken and oversized subnegotiations are anomalies") {
  Trace t;
  t.decoder.feed(as_bytes(bytes({255, 250, 24, 0, 'a', 255, 251, 1, 'z'})));
  CHECK(t.events == std::vector<std::string>{"!bad_subnegotiation", "WILL ECHO"});
  CHECK(t.data == "z");
  Trace u;
  std::string big = bytes({255, 250, 35, 0}) + std::string(40, 'h') + bytes({255, 240});
  u.decoder.feed(as_bytes(big));
  REQUIRE(u.events.size() == 2);
  CHECK(u.events[0] == "!bad_subnegotiation");
  CHECK(u.events[1] == "SB X-DISPLAY-LOCATION IS " + std::string(15, 'h'));
}

TEST_CASE("telnet line editor: CR LF, CR NUL, backspace, DEL, escapes") {
  LineEditor e(8);
  std::vector<std::string> lines;
  bool cut = false;
  auto f = [&](std::string_view l, bool t) {
    lines.emplace_back(l);
    cut = cut || t;
  };
  e.feed(as_bytes(std::string("roox\x08t\r\n") +
                  std::string("pw\x7f"
                              "d\r",
                              5) +
                  std::string(1, '\0') + "\x1b[1;31mls\r\n" + "0123456789\n"),
         f);
  CHECK(lines == std::vector<std::string>{"root", "pd", "ls", "01234567"});
  CHECK(cut);
}

TEST_CASE("telnet prompts") {
  CHECK(is_login_prompt("OpenBSD login: "));
  CHECK(is_login_prompt("Username:"));
  CHECK(is_password_prompt("Password: "));
  CHECK_FALSE(is_password_prompt("$ "));
}

TEST_CASE("telnet probe") {
  CHECK(probe(probe_input(bytes({255, 253, 3}), "", 2323)) == ProbeResult::kYes);
  CHECK(probe(probe_input("", bytes({255, 251, 1}), 2323)) == ProbeResult::kYes);
  CHECK(probe(probe_input("", bytes({255}), 2323)) == ProbeResult::kNeedMore);
  // The server ruled it out, but the client may still start with a negotiation.
  CHECK(probe(probe_input("", "SSH-2.0-x\r\n", 2323)) == ProbeResult::kNeedMore);
  // ProbeInput holds spans: the strings must outlive it.
  const std::string http_request = "GET / HTTP/1.1\r\n", http_response = "HTTP/1.1 200 OK\r\n";
  ProbeInput in = probe_input(http_request, http_response, 8080);
  CHECK(probe(in) == ProbeResult::kNo);
  CHECK(probe(probe_input("", "\r\nlogin: ", 23)) == ProbeResult::kYes);
  const std::string nothing, tls_record = "\x16\x03\x01";
  ProbeInput tls = probe_input(nothing, tls_record, 23);
  CHECK(probe(tls) == ProbeResult::kNeedMore);  // the client may still negotiate
  tls.client_final = true;
  CHECK(probe(tls) == ProbeResult::kNo);
}

TEST_CASE("telnet session: login with echoed characters, commands after the password") {
  Harness h;
  h.server(bytes({255, 251, 1}) + "\r\nWelcome to box\r\n\r\nlogin: ");
  // Character at a time with the server echoing each one.
  for (char c : std::string("admn\x08in")) {
    h.client(std::string(1, c));
    h.server(std::string(1, c));
  }
  h.client("\r");
  h.client(std::string(1, '\0'));
  h.server("\r\nPassword:");
  h.client("s3cret\r\n");
  h.server("\r\n$ ");
  h.client("uname -a\r\n");
  h.server("Linux\r\n$ ");
  h.client("exit\r\n");
  const Telnet& r = h.end();
  CHECK(r.username() == "admin");
  CHECK(r.password() == "s3cret");
  CHECK(r.loginattempts() == 1);
  CHECK(std::vector<std::string>(r.commands().begin(), r.commands().end()) ==
        std::vector<std::string>{"uname -a", "exit"});
  REQUIRE(r.serverbanner_size() >= 1);
  CHECK(r.serverbanner(0) == "Welcome to box");
  REQUIRE(r.options_size() == 1);
  CHECK(r.options(0).side() == "server");
  CHECK(r.options(0).name() == "ECHO");
}

TEST_CASE("telnet session: failed login then retry, gap resets the line state") {
  Harness h;
  h.server("login: ");
  h.client("bob\r\n");
  h.server("Password:");
  h.client("wrong\r\n");
  h.server("\r\nLogin incorrect\r\nlogin: ");
  h.client("alice\r\n");
  h.server("Password:");
  h.client("right\r\n");
  h.server("$ ");
  h.client("pa");
  h.session->on_gap(StreamDirection::kClientToServer, 10, 1);
  h.client("ls\r\n");
  const Telnet& r = h.end();
  CHECK(r.username() == "alice");
  CHECK(r.password() == "right");
  CHECK(r.loginattempts() == 2);
  REQUIRE(r.commands_size() == 1);
  CHECK(r.commands(0) == "ls");
}

TEST_CASE("telnet-login capture: options, terminal, credentials and commands") {
  const std::string path = testing::shared_capture("telnet-login.pcap");
  if (path.empty()) return;
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  auto recs = run.value().of<Telnet>();
  REQUIRE(recs.size() == 1);
  const Telnet& r = *recs[0];
  INFO(r.DebugString());
  CHECK(r.clientip() == "192.168.0.2");
  CHECK(r.clientport() == 1550);
  CHECK(r.serverip() == "192.168.0.1");
  CHECK(r.serverport() == 23);
  // tshark: "DO SUPPRESS GO AHEAD, WILL TERMINAL TYPE, ..." in frame 4.
  REQUIRE(r.options_size() > 10);
  CHECK(r.options(0).side() == "client");
  CHECK(r.options(0).verb() == "DO");
  CHECK(r.options(0).name() == "SUPPRESS-GO-AHEAD");
  CHECK(r.options(1).verb() == "WILL");
  CHECK(r.options(1).name() == "TERMINAL-TYPE");
  CHECK(r.terminaltype() == "xterm-color");
  CHECK(r.xdisplay() == "bam.zing.org:0.0");
  CHECK(r.terminalspeed() == "9600,9600");
  CHECK(r.windowsize() == "80x32");
  REQUIRE(r.environment_size() == 1);
  CHECK(r.environment(0) == "DISPLAY=bam.zing.org:0.0");
  REQUIRE(r.serverbanner_size() >= 1);
  CHECK(r.serverbanner(0) == "OpenBSD/i386 (oof) (ttyp2)");
  CHECK(r.username() == "fake");
  CHECK(r.password() == "user");
  REQUIRE(r.commands_size() == 4);
  CHECK(r.commands(0) == "/sbin/ping www.yahoo.com");
  CHECK(r.commands(1) == "ls");
  CHECK(r.commands(2) == "ls -a");
  CHECK(r.commands(3) == "exit");
}
