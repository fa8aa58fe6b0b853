// POP3: the parser, the probe, the session (USER/PASS, AUTH PLAIN, RETR/TOP -> Mail,
// pipelining, STLS, gaps) and a real capture.
#include <catch2/catch.hpp>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/mail/testing/session_fixture.h"
#include "forensics/streams/pop3/pop3_parser.h"
#include "forensics/streams/pop3/pop3_session.h"
#include "proto/mail.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::pop3;
using netcap::app::mail::testing::send;
using netcap::app::mail::testing::send_split;
using netcap::app::mail::testing::SessionFixture;

namespace {
constexpr auto kC = StreamDirection::kClientToServer;
constexpr auto kS = StreamDirection::kServerToClient;

ProbeResult probe_text(std::string_view client, std::string_view server, bool final = false) {
  return probe(mail::testing::probe_input(client, server, final));
}
}  // namespace

TEST_CASE("pop3 parser: status lines, commands, multi-line responses") {
  auto s = parse_status("+OK 3 messages");
  REQUIRE(s);
  CHECK(s->indicator == "+OK");
  CHECK(s->text == "3 messages");
  CHECK(parse_status("-ERR")->indicator == "-ERR");
  CHECK(parse_status("+ ")->indicator == "+");
  CHECK_FALSE(parse_status("+OKAY"));
  CHECK_FALSE(parse_status("220 smtp"));
  auto c = parse_command("retr 1");
  CHECK(c.keyword == "RETR");
  CHECK(c.argument == "1");
  CHECK(has_multiline_response("RETR", "1"));
  CHECK(has_multiline_response("LIST", ""));
  CHECK_FALSE(has_multiline_response("LIST", "1"));
  CHECK_FALSE(has_multiline_response("STAT", ""));
}

TEST_CASE("pop3 probe") {
  CHECK(probe_text("", "+OK POP3 ready\r\n") == ProbeResult::kNeedMore);
  CHECK(probe_text("USER bob\r\n", "+OK POP3 ready\r\n") == ProbeResult::kYes);
  CHECK(probe_text("CAPA\r\n", "+OK x\r\n") == ProbeResult::kYes);
  CHECK(probe_text("USER bob\r\n", "220 FTP\r\n") == ProbeResult::kNo);
  CHECK(probe_text("USER bob\r\n", "") == ProbeResult::kNeedMore);
  CHECK(probe_text("GET / HTTP/1.1\r\n", "+OK x\r\n") == ProbeResult::kNo);
}

TEST_CASE("pop3 session: USER/PASS, pipelined LIST and RETR -> Mail, any split") {
  const std::string msg =
      "From: a@example.org\r\nSubject: pop test\r\nContent-Type: multipart/mixed; "
      "boundary=z\r\n\r\n"
      "--z\r\nContent-Type: text/plain\r\n\r\n..dotted\r\n"
      "--z\r\nContent-Type: application/zip; name=\"x.zip\"\r\nContent-Transfer-Encoding: "
      "base64\r\n\r\n"
      "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n--z--\r\n";
  for (size_t chunk : {size_t{1}, size_t{13}, size_t{9999}}) {
    SessionFixture fx(110, "pop3");
    mail::testing::RecordingObserver obs;
    Pop3Session s(*fx.ctx, &obs);
    send_split(s, kS, "+OK POP3 ready\r\n", chunk, 1);
    send_split(s, kC, "USER bob\r\n", chunk, 2);
    send_split(s, kS, "+OK\r\n", chunk, 3);
    send_split(s, kC, "PASS secret\r\n", chunk, 4);
    send_split(s, kS, "+OK logged in\r\n", chunk, 5);
    send_split(s, kC, "LIST\r\nRETR 1\r\nQUIT\r\n", chunk, 6);
    send_split(s, kS,
               "+OK 1 messages\r\n1 " + std::to_string(msg.size()) +
                   "\r\n.\r\n+OK message follows\r\n" + msg + ".\r\n+OK bye\r\n",
               chunk, 7);
    s.on_end(StreamEndReason::kFin, 8);
    auto cmds = fx.emitted.of<netcap::POP3Command>();
    REQUIRE(cmds.size() == 6);
    CHECK(cmds[0]->command().empty());
    CHECK(cmds[0]->status() == "+OK");
    CHECK(cmds[1]->command() == "USER");
    CHECK(cmds[1]->authuser() == "bob");
    CHECK(cmds[2]->command() == "PASS");
    CHECK(cmds[2]->authuser() == "bob");
    CHECK(cmds[2]->statustext() == "logged in");
    CHECK(cmds[3]->command() == "LIST");
    CHECK(cmds[3]->responsebytes() > 0);
    CHECK(cmds[4]->command() == "RETR");
    CHECK(cmds[4]->argument() == "1");
    CHECK(cmds[4]->status() == "+OK");
    CHECK(cmds[5]->command() == "QUIT");
    CHECK(cmds[5]->statustext() == "bye");
    auto mails = fx.emitted.of<netcap::Mail>();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]->protocol() == "pop3");
    CHECK(mails[0]->subject() == "pop test");
    CHECK(mails[0]->source() == "RETR 1");
    CHECK(mails[0]->size() == static_cast<int64_t>(msg.size() - 1));  // one stuffed dot removed
    REQUIRE(mails[0]->parts_size() == 2);
    CHECK(mails[0]->parts(1).filename() == "x.zip");
    CHECK(mails[0]->parts(1).decodedsize() == 22);
    REQUIRE(obs.parts.size() == 1);
    CHECK(obs.parts[0][0].content == ".dotted");
  }
}

TEST_CASE("pop3 session: AUTH PLAIN with continuation, -ERR, STLS") {
  SessionFixture fx(110, "pop3");
  Pop3Session s(*fx.ctx, nullptr);
  send(s, kS, "+OK ready\r\n", 1);
  send(s, kC, "AUTH\r\n", 2);
  send(s, kS, "-ERR 1 argument required\r\n", 3);
  send(s, kC, "AUTH PLAIN\r\n", 4);
  send(s, kS, "+ \r\n", 5);
  send(s, kC, "AGFsaWNlAHNlY3JldA==\r\n", 6);
  send(s, kS, "-ERR authentication failed\r\n", 7);
  send(s, kC, "STLS\r\n", 8);
  CHECK(fx.ctx->take_protocol_switch().empty());
  send(s, kS, "+OK begin TLS\r\n", 9);
  CHECK(fx.ctx->take_protocol_switch() == "tls");
  send(s, kC, "\x16\x03\x01 binary\r\n", 10);
  s.on_end(StreamEndReason::kFin, 11);
  auto cmds = fx.emitted.of<netcap::POP3Command>();
  REQUIRE(cmds.size() == 5);
  CHECK(cmds[1]->command() == "AUTH");
  CHECK(cmds[1]->status() == "-ERR");
  CHECK(cmds[2]->authmechanism() == "PLAIN");
  CHECK(cmds[2]->status() == "+");
  CHECK(cmds[3]->command() == "AUTH-DATA");
  CHECK(cmds[3]->authuser() == "alice");
  CHECK(cmds[3]->status() == "-ERR");
  CHECK(cmds[4]->command() == "STLS");
  CHECK(fx.emitted.of<netcap::Anomaly>().empty());
}

TEST_CASE("pop3 session: the connection ends inside a RETR: a truncated Mail") {
  SessionFixture fx(110, "pop3");
  Pop3Session s(*fx.ctx, nullptr);
  send(s, kS, "+OK ready\r\n", 1);
  send(s, kC, "TOP 2 0\r\n", 2);
  send(s, kS, "+OK\r\nSubject: partial\r\n\r\nbody", 3);
  s.on_end(StreamEndReason::kRst, 4);
  auto mails = fx.emitted.of<netcap::Mail>();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0]->truncated());
  CHECK(mails[0]->subject() == "partial");
  CHECK(mails[0]->source() == "TOP 2 0");
  CHECK(fx.emitted.has_anomaly("mail.truncated"));
}

TEST_CASE("pop3 capture: pop3-retr") {
  const std::string path = app::testing::shared_capture("pop3-retr.pcap");
  if (path.empty()) return;
  auto run = app::testing::run_capture(path);
  REQUIRE(run.has_value());
  auto cmds = run->of<netcap::POP3Command>();
  int retr = 0, capa = 0;
  for (const auto* c : cmds) {
    if (c->command() == "RETR") ++retr;
    if (c->command() == "CAPA") {
      ++capa;
      CHECK(c->status() == "+OK");
      CHECK(c->statustext() == "Capability list follows");
    }
  }
  CHECK(retr == 3);
  CHECK(capa >= 3);
  auto mails = run->of<netcap::Mail>();
  CHECK(mails.size() == 3);
  for (const auto* m : mails) {
    CHECK(m->protocol() == "pop3");
    CHECK(m->serverport() == 110);
  }
}
