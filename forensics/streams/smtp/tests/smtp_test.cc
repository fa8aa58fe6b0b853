// SMTP: the line parser, the probe, the session (pipelining, AUTH, DATA, BDAT, STARTTLS, gaps)
// and real captures.
#include <catch2/catch.hpp>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/mail/testing/session_fixture.h"
#include "forensics/streams/smtp/smtp_parser.h"
#include "forensics/streams/smtp/smtp_session.h"
#include "proto/mail.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::smtp;
using netcap::app::mail::testing::send;
using netcap::app::mail::testing::send_split;
using netcap::app::mail::testing::SessionFixture;

namespace {
constexpr auto kC = StreamDirection::kClientToServer;
constexpr auto kS = StreamDirection::kServerToClient;

ProbeResult probe_text(std::string_view client, std::string_view server, bool final = false) {
  return probe(mail::testing::probe_input(client, server, final));
}

const char kMessage[] =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.org\r\n"
    "Subject: report\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hi Bob,\r\n"
    ".leading dot line\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQ=\r\n"
    "--b1--\r\n";

std::string stuffed(std::string_view msg) {
  std::string out;
  bool line_start = true;
  for (char c : msg) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  return out;
}
}  // namespace

TEST_CASE("smtp parser: commands, replies, paths, BDAT") {
  auto c = parse_command("mail FROM:<a@b.c> SIZE=100");
  CHECK(c.verb == "MAIL");
  CHECK(c.argument == "FROM:<a@b.c> SIZE=100");
  CHECK(c.well_formed);
  CHECK_FALSE(parse_command("\x16\x03\x01 x").well_formed);
  CHECK(parse_path("FROM:<a@b.c> SIZE=100", "FROM:") == "a@b.c");
  CHECK(parse_path("To: <x@y>", "TO:") == "x@y");
  CHECK(parse_path("FROM:<>", "FROM:").empty());
  auto r = parse_reply_line("250-PIPELINING");
  REQUIRE(r);
  CHECK(r->code == 250);
  CHECK(r->more);
  CHECK(r->text == "PIPELINING");
  CHECK(parse_reply_line("354")->code == 354);
  CHECK_FALSE(parse_reply_line("25x ok"));
  CHECK_FALSE(parse_reply_line("250_ok"));
  auto b = parse_bdat("86 LAST");
  REQUIRE(b);
  CHECK(b->size == 86);
  CHECK(b->last);
  CHECK_FALSE(parse_bdat("x"));
}

TEST_CASE("smtp probe: greeting and EHLO/HELO, not FTP") {
  CHECK(probe_text("", "220 mx ESMTP\r\n") == ProbeResult::kNeedMore);
  CHECK(probe_text("EHLO me\r\n", "220 mx ESMTP\r\n") == ProbeResult::kYes);
  CHECK(probe_text("helo me\r\n", "220-mx\r\n") == ProbeResult::kYes);
  CHECK(probe_text("EH", "220 x\r\n") == ProbeResult::kNeedMore);
  CHECK(probe_text("USER anonymous\r\n", "220 FTP ready\r\n") == ProbeResult::kNo);
  CHECK(probe_text("", "+OK POP3\r\n") == ProbeResult::kNo);
  CHECK(probe_text("GET / HTTP/1.1\r\n", "") == ProbeResult::kNo);
  CHECK(probe_text("", "220 x\r\n", true) == ProbeResult::kNo);
}

TEST_CASE("smtp session: AUTH LOGIN, pipelined envelope, dot-stuffed DATA -> Mail, any split") {
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    SessionFixture fx(25, "smtp");
    mail::testing::RecordingObserver observer;
    SmtpSession s(*fx.ctx, &observer);
    send_split(s, kS, "220 mx.example.org ESMTP\r\n", chunk, 1);
    send_split(s, kC, "EHLO client\r\n", chunk, 2);
    send_split(s, kS, "250-mx.example.org\r\n250-PIPELINING\r\n250 AUTH LOGIN PLAIN\r\n", chunk, 3);
    send_split(s, kC, "AUTH LOGIN\r\n", chunk, 4);
    send_split(s, kS, "334 VXNlcm5hbWU6\r\n", chunk, 5);
    send_split(s, kC, "YWxpY2U=\r\n", chunk, 6);  // alice
    send_split(s, kS, "334 UGFzc3dvcmQ6\r\n", chunk, 7);
    send_split(s, kC, "c2VjcmV0\r\n", chunk, 8);
    send_split(s, kS, "235 2.7.0 Authentication successful\r\n", chunk, 9);
    send_split(s, kC,
               "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nRCPT "
               "TO:<carol@example.org>\r\nDATA\r\n",
               chunk, 10);
    send_split(s, kS, "250 ok\r\n250 ok\r\n250 ok\r\n354 go ahead\r\n", chunk, 11);
    send_split(s, kC, stuffed(kMessage) + ".\r\nQUIT\r\n", chunk, 12);
    send_split(s, kS, "250 queued as 1234\r\n221 bye\r\n", chunk, 13);
    s.on_end(StreamEndReason::kFin, 14);

    auto cmds = fx.emitted.of<netcap::SMTPCommand>();
    REQUIRE(cmds.size() == 11);
    CHECK(cmds[0]->command().empty());
    CHECK(cmds[0]->replycode() == 220);
    CHECK(cmds[1]->command() == "EHLO");
    CHECK(cmds[1]->replytext() == "mx.example.org\nPIPELINING\nAUTH LOGIN PLAIN");
    CHECK(cmds[2]->command() == "AUTH");
    CHECK(cmds[2]->authmechanism() == "LOGIN");
    CHECK(cmds[2]->replycode() == 334);
    CHECK(cmds[3]->command() == "AUTH-DATA");
    CHECK(cmds[3]->authuser() == "alice");
    CHECK(cmds[4]->command() == "AUTH-DATA");
    CHECK(cmds[4]->authuser().empty());  // the password is not decoded
    CHECK(cmds[4]->replycode() == 235);
    CHECK(cmds[5]->command() == "MAIL");
    CHECK(cmds[7]->argument() == "TO:<carol@example.org>");
    CHECK(cmds[8]->command() == "DATA");
    CHECK(cmds[8]->replycode() == 354);
    CHECK(cmds[9]->command() == "EOM");
    CHECK(cmds[9]->replycode() == 250);
    CHECK(cmds[9]->replytext() == "queued as 1234");
    CHECK(cmds[10]->command() == "QUIT");
    CHECK(cmds[10]->replycode() == 221);
    auto mails = fx.emitted.of<netcap::Mail>();
    REQUIRE(mails.size() == 1);
    const auto& m = *mails[0];
    CHECK(m.protocol() == "smtp");
    CHECK(m.mailfrom() == "alice@example.org");
    REQUIRE(m.rcptto_size() == 2);
    CHECK(m.rcptto(1) == "carol@example.org");
    CHECK(m.subject() == "report");
    CHECK(m.size() == static_cast<int64_t>(sizeof(kMessage) - 1));
    CHECK_FALSE(m.truncated());
    REQUIRE(m.parts_size() == 2);
    CHECK(m.parts(1).filename() == "data.bin");
    CHECK(m.parts(1).decodedsize() == 5);
    CHECK(m.clientip() == "10.0.0.1");
    CHECK(m.serverport() == 25);
    REQUIRE(observer.raw.size() == 1);
    CHECK(observer.raw[0] == kMessage);
    CHECK(observer.parts[0][0].content == "Hi Bob,\r\n.leading dot line");
  }
}

TEST_CASE("smtp session: AUTH PLAIN initial response, STARTTLS stops parsing") {
  SessionFixture fx(587, "smtp");
  SmtpSession s(*fx.ctx, nullptr);
  send(s, kS, "220 mx\r\n", 1);
  send(s, kC, "EHLO c\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", 2);  // \0alice\0secret
  send(s, kS, "250 mx\r\n235 ok\r\n", 3);
  send(s, kC, "STARTTLS\r\n", 4);
  CHECK(fx.ctx->take_protocol_switch().empty());
  send(s, kS, "220 go ahead\r\n", 5);
  // The application layer hands the rest of the stream to TLS (RFC 3207 section 4.2).
  CHECK(fx.ctx->take_protocol_switch() == "tls");
  send(s, kC, "\x16\x03\x01\x02\x00garbage\r\n", 6);
  send(s, kS, "\x16\x03\x03 more garbage\r\n", 7);
  s.on_end(StreamEndReason::kFin, 8);
  auto cmds = fx.emitted.of<netcap::SMTPCommand>();
  REQUIRE(cmds.size() == 4);
  CHECK(cmds[2]->authmechanism() == "PLAIN");
  CHECK(cmds[2]->authuser() == "alice");
  CHECK(cmds[2]->replycode() == 235);
  CHECK(cmds[3]->command() == "STARTTLS");
  CHECK(fx.emitted.of<netcap::Anomaly>().empty());
}

TEST_CASE("smtp session: BDAT chunks make one message; a refused DATA sends no data") {
  SessionFixture fx(25, "smtp");
  SmtpSession s(*fx.ctx, nullptr);
  send(s, kS, "220 mx\r\n", 1);
  send(s, kC, "EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n", 2);
  send(s, kS, "250 mx\r\n250 ok\r\n250 ok\r\n554 no valid recipients\r\n", 3);
  send(s, kC,
       "RSET\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 20\r\nSubject: chunked\r\n\r\nBDAT 6 "
       "LAST\r\nhello\nQUIT\r\n",
       4);
  send(s, kS, "250 ok\r\n250 ok\r\n250 ok\r\n250 20 octets\r\n250 done\r\n221 bye\r\n", 5);
  s.on_end(StreamEndReason::kFin, 6);
  auto mails = fx.emitted.of<netcap::Mail>();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0]->subject() == "chunked");
  CHECK(mails[0]->size() == 26);
  CHECK(mails[0]->rcptto(0) == "c@d");
  auto cmds = fx.emitted.of<netcap::SMTPCommand>();
  REQUIRE(cmds.size() == 11);
  CHECK(cmds[4]->command() == "DATA");
  CHECK(cmds[4]->replycode() == 554);
  CHECK(cmds[5]->command() == "RSET");
  CHECK(cmds[5]->replycode() == 250);
  CHECK(cmds[9]->command() == "BDAT");
  CHECK(cmds[9]->replytext() == "done");
  CHECK(cmds[10]->command() == "QUIT");
}

TEST_CASE("smtp session: a gap inside DATA gives a truncated Mail; bad replies are anomalies") {
  SessionFixture fx(25, "smtp");
  SmtpSession s(*fx.ctx, nullptr);
  send(s, kS, "220 mx\r\n", 1);
  send(s, kC, "HELO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n", 2);
  send(s, kS, "250 mx\r\n250 ok\r\n250 ok\r\n354 go\r\n", 3);
  send(s, kC, "Subject: cut\r\n\r\nfirst\r\n", 4);
  s.on_gap(kC, 100, 5);
  send(s, kC, "last\r\n.\r\n", 6);
  send(s, kS, "hello?\r\n250 ok\r\n", 7);
  s.on_end(StreamEndReason::kFin, 8);
  auto mails = fx.emitted.of<netcap::Mail>();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0]->truncated());
  CHECK(mails[0]->subject() == "cut");
  CHECK(fx.emitted.has_anomaly("mail.truncated"));
  CHECK(fx.emitted.has_anomaly("smtp.bad_reply"));
}

TEST_CASE("smtp session: an over-long command line is cut and reported") {
  SessionFixture fx(25, "smtp");
  fx.limits.max_line_bytes = 32;
  SmtpSession s(*fx.ctx, nullptr);
  send(s, kC, "EHLO " + std::string(100, 'x') + "\r\nQUIT\r\n", 1);
  auto cmds = fx.emitted.of<netcap::SMTPCommand>();
  s.on_end(StreamEndReason::kFin, 2);
  cmds = fx.emitted.of<netcap::SMTPCommand>();
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0]->argument().size() == 27);
  CHECK(cmds[1]->command() == "QUIT");
  CHECK(fx.emitted.has_anomaly("smtp.line_too_long"));
}

TEST_CASE("smtp capture: smtp-zip-attachment.pcap") {
  auto run = app::testing::run_capture(app::testing::sample_capture("smtp-zip-attachment.pcap"));
  REQUIRE(run.has_value());
  auto mails = run->of<netcap::Mail>();
  REQUIRE(mails.size() == 1);
  const auto& m = *mails[0];
  CHECK(m.protocol() == "smtp");
  CHECK(m.subject() == "zip test");
  CHECK_FALSE(m.truncated());
  bool found = false;
  for (const auto& p : m.parts()) {
    if (p.filename() == "a.zip") {
      found = true;
      CHECK(p.decodedsize() == 310);
      CHECK(p.sha256() == "61479904e443b354d4427a51b990c696f731e341e4c63328e07c1a92658ba591");
      CHECK(p.transferencoding() == "base64");
      CHECK(p.isattachment());
    }
  }
  CHECK(found);
  auto cmds = run->of<netcap::SMTPCommand>();
  CHECK(cmds.size() >= 5);
}

TEST_CASE("smtp capture: smtp-auth-multipart-attachments AUTH LOGIN and envelope") {
  const std::string path = app::testing::shared_capture("smtp-auth-multipart-attachments.pcap");
  if (path.empty()) return;
  auto run = app::testing::run_capture(path);
  REQUIRE(run.has_value());
  // tshark's credentials tap: SMTP user "Z3VycGFydGFwQHBhdHJpb3RzLmlu" (base64) in frame 14.
  bool user = false;
  for (const auto* c : run->of<netcap::SMTPCommand>()) {
    if (c->command() == "AUTH-DATA" && c->argument() == "Z3VycGFydGFwQHBhdHJpb3RzLmlu") {
      user = true;
      CHECK(c->authuser() == "gurpartap@patriots.in");
      CHECK(c->authmechanism() == "LOGIN");
      CHECK(c->replycode() == 334);
    }
  }
  CHECK(user);
  bool envelope = false;
  for (const auto* m : run->of<netcap::Mail>()) {
    if (m->mailfrom() != "gurpartap@patriots.in") continue;
    envelope = true;
    REQUIRE(m->rcptto_size() == 1);
    CHECK(m->rcptto(0) == "raj_deol2002in@yahoo.co.in");
    CHECK(m->contenttype() == "multipart/mixed");
  }
  CHECK(envelope);
  // Same records with several shard threads.
  auto run2 = app::testing::run_capture(path, 2);
  REQUIRE(run2.has_value());
  CHECK(run2->of<netcap::Mail>().size() == run->of<netcap::Mail>().size());
  CHECK(run2->of<netcap::SMTPCommand>().size() == run->of<netcap::SMTPCommand>().size());
}
