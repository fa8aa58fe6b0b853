// The shared mail library: dot-unstuffing, accumulation and MIME parsing with GMime.
#include "forensics/mail/mail.h"

#include <catch2/catch.hpp>
#include <string>

#include "forensics/app/text_util.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::mail;

namespace {

std::string unstuff_all(std::string_view in, size_t chunk, size_t* consumed, bool* done) {
  DotUnstuffer d;
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < in.size() && !d.done(); i += chunk) {
    std::string_view piece = in.substr(i, chunk);
    used += d.feed(piece, [&](std::string_view s) { out.append(s); });
  }
  *consumed = used;
  *done = d.done();
  return out;
}

const char kTwoAttachments[] =
    "From: =?UTF-8?B?SsO8cmdlbg==?= <j@example.org>\r\n"
    "To: a@example.org, B <b@example.org>\r\n"
    "Cc: c@example.org\r\n"
    "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\n"
    "Date: Tue, 24 Nov 2026 06:00:00 +0000\r\n"
    "Message-ID: <abc@example.org>\r\n"
    "In-Reply-To: <prev@example.org>\r\n"
    "X-Mailer: TestMailer 1.0\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=E9 =\r\n"
    "ok\r\n"
    "--XX\r\n"
    "Content-Type: application/octet-stream; name=\"ignored.bin\"\r\n"
    "Content-Disposition: attachment; filename=\"hello.txt\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-ID: <part2@x>\r\n"
    "\r\n"
    "aGVsbG8gd29ybGQ=\r\n"
    "--XX\r\n"
    "Content-Type: application/pdf; name=\"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\"\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20report.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--XX--\r\n";

}  // namespace

TEST_CASE("dot-unstuffing removes stuffed dots and stops at the terminator, on any split") {
  const std::string in = "line1\r\n..dot\r\n.\r\nQUIT\r\n";
  for (size_t chunk : {1, 2, 3, 5, 100}) {
    size_t consumed = 0;
    bool done = false;
    std::string out = unstuff_all(in, chunk, &consumed, &done);
    CHECK(out == "line1\r\n.dot\r\n");
    CHECK(done);
    CHECK(consumed == in.size() - 6);
  }
}

TEST_CASE("dot-unstuffing keeps a dot that is not at a line start and an unfinished block") {
  size_t consumed = 0;
  bool done = false;
  std::string out = unstuff_all("a.b\r\n.x\r\n", 4, &consumed, &done);
  CHECK(out == "a.b\r\nx\r\n");
  CHECK_FALSE(done);
}

TEST_CASE("the accumulator bounds what it keeps and counts the rest") {
  MailAccumulator acc(10);
  acc.append("12345678");
  acc.append("abcdef");
  CHECK(acc.data() == "12345678ab");
  CHECK(acc.size() == 14);
  CHECK(acc.truncated());
  acc.clear();
  CHECK(acc.empty());
}

TEST_CASE("multipart with two attachments: headers, every part, decoded sizes and digests") {
  Limits limits;
  netcap::Mail m;
  std::vector<DecodedPart> parts;
  ParseNotes notes = parse_mail(kTwoAttachments, limits, m, &parts);
  CHECK_FALSE(notes.no_headers);
  CHECK(m.from().find("Jürgen") != std::string::npos);
  CHECK(m.from().find("j@example.org") != std::string::npos);
  CHECK(m.to().find("b@example.org") != std::string::npos);
  CHECK(m.cc() == "c@example.org");
  CHECK(m.subject() == "Grüße");
  CHECK(m.messageid() == "abc@example.org");
  CHECK(m.inreplyto() == "prev@example.org");
  CHECK(m.xmailer() == "TestMailer 1.0");
  CHECK(m.contenttype() == "multipart/mixed");
  CHECK(m.datetimestamp() == 1795500000LL * 1000000000LL);
  INFO([&] {
    std::string names;
    for (const auto& h : m.headers()) names += h.name() + ",";
    return names;
  }());
  CHECK(m.headers_size() == 10);
  CHECK(m.headers(3).name() == "Subject");
  REQUIRE(m.parts_size() == 3);
  REQUIRE(parts.size() == 3);

  const auto& text = m.parts(0);
  CHECK(text.path() == "1");
  CHECK(text.contenttype() == "text/plain");
  CHECK(text.charset() == "iso-8859-1");
  CHECK(text.transferencoding() == "quoted-printable");
  CHECK_FALSE(text.isattachment());
  // The line break before a boundary belongs to the boundary (RFC 2046 §5.1.1).
  CHECK(parts[0].content == "caf\xE9 ok");
  CHECK(text.decodedsize() == 7);

  const auto& a1 = m.parts(1);
  CHECK(a1.path() == "2");
  CHECK(a1.filename() == "hello.txt");
  CHECK(a1.disposition() == "attachment");
  CHECK(a1.transferencoding() == "base64");
  CHECK(a1.isattachment());
  CHECK(a1.contentid() == "part2@x");
  CHECK(parts[1].content == "hello world");
  CHECK(a1.decodedsize() == 11);
  CHECK(a1.encodedsize() == 16);
  CHECK(a1.sha256() == sha256_hex(as_bytes("hello world")));
  CHECK(a1.md5() == md5_hex("hello world"));

  const auto& a2 = m.parts(2);
  CHECK(a2.path() == "3");
  CHECK(a2.filename() == "€ report.pdf");  // RFC 2231 wins over the RFC 2047 name
  CHECK(parts[2].content == "%PDF-1.4\n");
  CHECK(m.attachments() == 2);
}

TEST_CASE("RFC 2047 encoded file name in Content-Type name") {
  const char kMsg[] =
      "From: x@y\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
      "--b\r\nContent-Type: image/png; name=\"=?UTF-8?B?w6ljb2xlLnBuZw==?=\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
  Limits limits;
  netcap::Mail m;
  parse_mail(kMsg, limits, m, nullptr);
  REQUIRE(m.parts_size() == 2);
  CHECK(m.parts(1).filename() == "école.png");
  CHECK(m.parts(1).decodedsize() == 8);
  CHECK(m.parts(1).isattachment());
  CHECK(m.parts(0).decodedsize() == 2);
}

TEST_CASE("nested message/rfc822 parts are walked with IMAP section paths") {
  const char kMsg[] =
      "From: x@y\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
      "--o\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
      "--o\r\nContent-Type: message/rfc822\r\n\r\n"
      "From: a@b\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
      "--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n"
      "--i\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
      "filename=n.txt\r\n\r\nnote\r\n"
      "--i--\r\n"
      "--o--\r\n";
  Limits limits;
  netcap::Mail m;
  parse_mail(kMsg, limits, m, nullptr);
  REQUIRE(m.parts_size() == 4);
  CHECK(m.parts(1).contenttype() == "message/rfc822");
  CHECK(m.parts(1).path() == "2");
  CHECK(m.parts(2).path() == "2.1");
  CHECK(m.parts(3).path() == "2.2");
  CHECK(m.parts(3).filename() == "n.txt");
}

TEST_CASE("the part count is bounded by max_items_per_message") {
  std::string msg = "From: x@y\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < 20; ++i) msg += "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n";
  msg += "--b--\r\n";
  Limits limits;
  limits.max_items_per_message = 5;
  netcap::Mail m;
  ParseNotes notes = parse_mail(msg, limits, m, nullptr);
  CHECK(m.parts_size() == 5);
  CHECK(notes.too_many_parts);
}

TEST_CASE("a single-part message is part 1; garbage yields no headers") {
  Limits limits;
  netcap::Mail m;
  parse_mail("Subject: s\r\n\r\nbody\r\n", limits, m, nullptr);
  REQUIRE(m.parts_size() == 1);
  CHECK(m.parts(0).path() == "1");
  CHECK(m.parts(0).contenttype() == "text/plain");
  netcap::Mail g;
  ParseNotes notes = parse_mail("\x01\x02 not a mail", limits, g, nullptr);
  CHECK(notes.no_headers);
}
