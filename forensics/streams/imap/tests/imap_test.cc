// IMAP: the parser, the probe, the session (LOGIN with literals, AUTHENTICATE PLAIN, FETCH
// literals -> Mail, APPEND, IDLE, STARTTLS, gaps) and a real capture.
#include <catch2/catch.hpp>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/mail/testing/session_fixture.h"
#include "forensics/streams/imap/imap_parser.h"
#include "forensics/streams/imap/imap_session.h"
#include "proto/mail.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::imap;
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

TEST_CASE("imap parser: literals, tags, commands, FETCH items, strings") {
  auto l = literal_suffix("* 1 FETCH (BODY[] {1234}");
  CHECK(l.present);
  CHECK(l.valid);
  CHECK(l.size == 1234);
  CHECK(literal_suffix("a LOGIN {5+}").size == 5);
  auto bad = literal_suffix("x {12a}");
  CHECK(bad.present);
  CHECK_FALSE(bad.valid);
  CHECK_FALSE(literal_suffix("a NOOP").present);
  std::string_view args;
  CHECK(command_name("uid fetch 1:* (FLAGS)", &args) == "UID FETCH");
  CHECK(args == "1:* (FLAGS)");
  CHECK(parse_status("OK [READ-WRITE] done")->status == "OK");
  CHECK_FALSE(parse_status("FETCH"));
  CHECK(fetch_item_before_literal("* 1 FETCH (UID 5 BODY[] ") == "BODY[]");
  CHECK(fetch_item_before_literal("* 12 FETCH (RFC822 ") == "RFC822");
  CHECK(fetch_item_before_literal("* 2 FETCH (BODY[HEADER.FIELDS (DATE FROM)] ") ==
        "BODY[HEADER.FIELDS (DATE FROM)]");
  CHECK(fetch_item_before_literal("* 2 FETCH (BODY[]<0> ") == "BODY[]");
  CHECK(item_is_message("BODY[]"));
  CHECK(item_is_message("BODY[HEADER.FIELDS (DATE FROM)]"));
  CHECK(item_is_message("RFC822"));
  CHECK_FALSE(item_is_message("BODY[TEXT]"));
  CHECK_FALSE(item_is_message("BODY[1]"));
  auto s = parse_strings("\"neu\\\"lingern\" pass word", 5);
  REQUIRE(s.size() == 3);
  CHECK(s[0] == "neu\"lingern");
  CHECK(s[1] == "pass");
}

TEST_CASE("imap probe") {
  CHECK(probe_text("", "* OK IMAP4rev1 ready\r\n") == ProbeResult::kNeedMore);
  CHECK(probe_text("a001 CAPABILITY\r\n", "* OK IMAP4rev1 ready\r\n") == ProbeResult::kYes);
  CHECK(probe_text("a001 LOGIN x y\r\n", "* PREAUTH hi\r\n") == ProbeResult::kYes);
  CHECK(probe_text("GET / HTTP/1.1\r\n", "+OK\r\n") == ProbeResult::kNo);
  CHECK(probe_text("EHLO x\r\n", "220 x\r\n") == ProbeResult::kNo);
  CHECK(probe_text("(((\r\n", "* OK x\r\n") == ProbeResult::kNo);
}

TEST_CASE("imap session: LOGIN with literals, SELECT, FETCH BODY[] literal -> Mail, any split") {
  const std::string msg =
      "From: a@example.org\r\nSubject: imap test\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=q\r\n\r\n"
      "--q\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
      "quoted-printable\r\n\r\nna=C3=AFve\r\n"
      "--q\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
      "filename=\"b.bin\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nAQID\r\n--q--\r\n";
  for (size_t chunk : {size_t{1}, size_t{11}, size_t{9999}}) {
    SessionFixture fx(143, "imap");
    ImapSession s(*fx.ctx, nullptr);
    send_split(s, kS, "* OK IMAP4rev1 ready\r\n", chunk, 1);
    send_split(s, kC, "a1 LOGIN {3}\r\n", chunk, 2);
    send_split(s, kS, "+ go\r\n", chunk, 3);
    send_split(s, kC, "bob {6}\r\n", chunk, 4);
    send_split(s, kS, "+ go\r\n", chunk, 5);
    send_split(s, kC, "secret\r\n", chunk, 6);
    send_split(s, kS, "a1 OK LOGIN completed\r\n", chunk, 7);
    send_split(s, kC, "a2 SELECT INBOX\r\na3 UID FETCH 7 (UID BODY.PEEK[])\r\n", chunk, 8);
    send_split(s, kS,
               "* 1 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\na2 OK [READ-WRITE] SELECT completed\r\n",
               chunk, 9);
    send_split(s, kS,
               "* 1 FETCH (UID 7 BODY[] {" + std::to_string(msg.size()) + "}\r\n" + msg +
                   " FLAGS (\\Seen))\r\na3 OK FETCH completed\r\n",
               chunk, 10);
    send_split(s, kC, "a4 LOGOUT\r\n", chunk, 11);
    send_split(s, kS, "* BYE\r\na4 OK\r\n", chunk, 12);
    s.on_end(StreamEndReason::kFin, 13);
    auto cmds = fx.emitted.of<netcap::IMAPCommand>();
    REQUIRE(cmds.size() == 5);
    CHECK(cmds[0]->tag().empty());
    CHECK(cmds[0]->status() == "OK");
    CHECK(cmds[1]->command() == "LOGIN");
    CHECK(cmds[1]->authuser() == "bob");
    CHECK(cmds[1]->arguments() == "\"bob\" \"secret\"");
    CHECK(cmds[1]->status() == "OK");
    CHECK(cmds[2]->command() == "SELECT");
    CHECK(cmds[2]->untaggedresponses() == 2);
    CHECK(cmds[2]->statustext() == "[READ-WRITE] SELECT completed");
    CHECK(cmds[3]->command() == "UID FETCH");
    CHECK(cmds[3]->tag() == "a3");
    CHECK(cmds[3]->status() == "OK");
    CHECK(cmds[4]->command() == "LOGOUT");
    auto mails = fx.emitted.of<netcap::Mail>();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]->protocol() == "imap");
    CHECK(mails[0]->source() == "FETCH 1 BODY[]");
    CHECK(mails[0]->subject() == "imap test");
    CHECK(mails[0]->size() == static_cast<int64_t>(msg.size()));
    REQUIRE(mails[0]->parts_size() == 2);
    CHECK(mails[0]->parts(0).decodedsize() == 6);  // "naïve"
    CHECK(mails[0]->parts(1).filename() == "b.bin");
    CHECK(mails[0]->parts(1).decodedsize() == 3);
    CHECK(fx.emitted.of<netcap::Anomaly>().empty());
  }
}

TEST_CASE("imap session: AUTHENTICATE PLAIN, APPEND literal, IDLE, bad literal, STARTTLS") {
  SessionFixture fx(143, "imap");
  ImapSession s(*fx.ctx, nullptr);
  send(s, kS, "* OK ready\r\n", 1);
  send(s, kC, "t1 AUTHENTICATE PLAIN\r\n", 2);
  send(s, kS, "+ \r\n", 3);
  send(s, kC, "AGFsaWNlAHNlY3JldA==\r\n", 4);
  send(s, kS, "t1 OK authenticated\r\n", 5);
  const std::string msg = "Subject: appended\r\n\r\nhello\r\n";
  send(s, kC, "t2 APPEND Sent {" + std::to_string(msg.size()) + "+}\r\n" + msg + "\r\n", 6);
  send(s, kS, "t2 OK APPEND completed\r\n", 7);
  send(s, kC, "t3 IDLE\r\n", 8);
  send(s, kS, "+ idling\r\n* 2 EXISTS\r\n", 9);
  send(s, kC, "DONE\r\n", 10);
  send(s, kS, "t3 OK IDLE terminated\r\n* 3 FETCH (BODY[] {zz}\r\n", 11);
  send(s, kC, "t4 STARTTLS\r\n", 12);
  CHECK(fx.ctx->take_protocol_switch().empty());
  send(s, kS, "t4 OK begin TLS\r\n", 13);
  CHECK(fx.ctx->take_protocol_switch() == "tls");
  send(s, kC, "\x16\x03\x01 junk {99}\r\n", 14);
  s.on_end(StreamEndReason::kFin, 15);
  auto cmds = fx.emitted.of<netcap::IMAPCommand>();
  REQUIRE(cmds.size() == 5);
  CHECK(cmds[1]->command() == "AUTHENTICATE");
  CHECK(cmds[1]->authmechanism() == "PLAIN");
  CHECK(cmds[1]->authuser() == "alice");
  CHECK(cmds[2]->command() == "APPEND");
  CHECK(cmds[3]->command() == "IDLE");
  CHECK(cmds[3]->status() == "OK");
  CHECK(cmds[4]->command() == "STARTTLS");
  auto mails = fx.emitted.of<netcap::Mail>();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0]->subject() == "appended");
  CHECK(mails[0]->source() == "APPEND");
  CHECK(fx.emitted.has_anomaly("imap.bad_literal"));
}

TEST_CASE("imap session: a gap inside a FETCH literal keeps the framing") {
  SessionFixture fx(143, "imap");
  ImapSession s(*fx.ctx, nullptr);
  send(s, kS, "* OK ready\r\n", 1);
  send(s, kC, "a FETCH 1 RFC822\r\n", 2);
  send(s, kS, "* 1 FETCH (RFC822 {30}\r\nSubject: gap\r\n", 3);  // 15 of 30 bytes
  s.on_gap(kS, 10, 4);
  send(s, kS, "hello)\r\na OK done\r\n", 5);  // the last 5 literal bytes, then the rest
  s.on_end(StreamEndReason::kFin, 6);
  auto mails = fx.emitted.of<netcap::Mail>();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0]->truncated());
  auto cmds = fx.emitted.of<netcap::IMAPCommand>();
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[1]->status() == "OK");
}

TEST_CASE("imap capture: imap-fetch") {
  const std::string path = app::testing::shared_capture("imap-fetch.pcap");
  if (path.empty()) return;
  auto run = app::testing::run_capture(path);
  REQUIRE(run.has_value());
  auto cmds = run->of<netcap::IMAPCommand>();
  REQUIRE_FALSE(cmds.empty());
  bool login = false;
  for (const auto* c : cmds) {
    if (c->command() == "LOGIN") {
      login = true;
      CHECK(c->authuser() == "neulingern");
      CHECK(c->status() == "OK");
    }
  }
  CHECK(login);
  auto mails = run->of<netcap::Mail>();
  // 13 header fetches (twice) and whole messages fetched with RFC822.
  CHECK(mails.size() >= 13);
  bool rfc822 = false;
  for (const auto* m : mails) {
    if (m->source() == "FETCH 12 RFC822") {
      rfc822 = true;
      CHECK(m->size() == 3339);
      CHECK(m->sha256() == "40c43b02de4e35f80521b3739bd35e3b22851799c54c43168131124db013d378");
    }
  }
  CHECK(rfc822);
}
