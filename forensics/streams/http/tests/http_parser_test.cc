// The pure HTTP/1.x message parser: start lines, heads split anywhere, bodies, chunked coding,
// gaps, resynchronisation and bounds.
#include "forensics/streams/http/http_parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/text_util.h"
#include "forensics/streams/http/http_decoder.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::http;

namespace {

// Logs every listener call as text.
struct Log : HttpParserListener {
  std::vector<std::string> events;
  std::vector<MessageHead> heads;
  std::string body;
  BodyFraming override_framing = BodyFraming::kNone;
  bool use_override = false;

  HeadDecision on_head(MessageHead& head, BodyFraming proposed, int64_t) override {
    heads.push_back(head);
    events.push_back(
        "head:" +
        (head.is_request ? head.method + " " + head.target : std::to_string(head.status)) +
        " framing=" + std::to_string(int(proposed)));
    return HeadDecision{use_override ? override_framing : proposed, false};
  }
  void on_body(Bytes data, int64_t) override { body += std::string(as_text(data)); }
  void on_body_gap(uint64_t length, int64_t) override {
    events.push_back("gap:" + std::to_string(length));
  }
  void on_message_end(bool complete, std::vector<HeaderField>& trailers, int64_t) override {
    events.push_back(
        std::string("end:") + (complete ? "complete" : "incomplete") + " body=" + body +
        (trailers.empty() ? "" : " trailer=" + trailers[0].name + ":" + trailers[0].value));
    body.clear();
  }
  void on_anomaly(std::string_view name, std::string, int64_t) override {
    events.push_back(std::string(name));
  }
};

// The parser keeps a reference to its limits: they must outlive it.
const Limits kLimits{};

std::vector<std::string> run(bool is_request, const std::string& input,
                             const Limits& limits = kLimits) {
  Log log;
  HttpParser p(is_request, limits, log);
  p.feed(as_bytes(input), 1);
  p.finish(2);
  return log.events;
}

}  // namespace

TEST_CASE("request and status lines") {
  RequestLine r;
  REQUIRE(parse_request_line("GET /a?b=1 HTTP/1.1", r));
  CHECK(r.method == "GET");
  CHECK(r.target == "/a?b=1");
  CHECK(r.version == "HTTP/1.1");
  REQUIRE(parse_request_line("CONNECT example.com:443 HTTP/1.0", r));
  CHECK(r.target == "example.com:443");
  CHECK_FALSE(parse_request_line("GET /", r));  // HTTP/0.9
  CHECK_FALSE(parse_request_line("GET / HTTP/2.0", r));
  CHECK_FALSE(parse_request_line("G(T / HTTP/1.1", r));
  CHECK_FALSE(parse_request_line(" / HTTP/1.1", r));
  StatusLine s;
  REQUIRE(parse_status_line("HTTP/1.1 404 Not Found", s));
  CHECK(s.status == 404);
  CHECK(s.reason == "Not Found");
  REQUIRE(parse_status_line("HTTP/1.0 200", s));
  CHECK(s.reason.empty());
  CHECK_FALSE(parse_status_line("HTTP/1.1 20x OK", s));
  CHECK_FALSE(parse_status_line("HTTP/1.1 2000 OK", s));
  CHECK_FALSE(parse_status_line("SSH-2.0-x", s));
  CHECK(is_known_method("PROPFIND"));
  CHECK_FALSE(is_known_method("get"));
}

TEST_CASE("a request with a Content-Length body, then one without") {
  auto e = run(
      true, "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n");
  CHECK(e == std::vector<std::string>{"head:POST /f framing=1", "end:complete body=hello",
                                      "head:GET / framing=0", "end:complete body="});
}

TEST_CASE("a response read until close, and obs-fold header continuation") {
  Log log;
  HttpParser p(false, kLimits, log);
  p.feed(as_bytes("HTTP/1.0 200 OK\r\nX-A: one\r\n  two\r\n\r\nbody"), 1);
  p.feed(as_bytes(" more"), 2);
  p.finish(3);
  CHECK(log.events ==
        std::vector<std::string>{"head:200 framing=3", "end:complete body=body more"});
  REQUIRE(log.heads.size() == 1);
  CHECK(*log.heads[0].find("x-a") == "one two");
}

TEST_CASE("chunked body with extensions and trailers") {
  auto e = run(false,
               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n"
               "HTTP/1.1 204 No Content\r\n\r\n");
  REQUIRE(e.size() == 4);
  CHECK(e[0] == "head:200 framing=2");
  CHECK(e[1] == "end:complete body=hello world trailer=X-Checksum:abc");
  CHECK(e[2] == "head:204 framing=3");  // the owner decides 204 has no body; here: until close
}

TEST_CASE("a head split at every byte position parses the same") {
  const std::string msg =
      "GET /x?y=1 HTTP/1.1\r\nHost: example.com\r\nCookie: a=b\r\nContent-Length: 3\r\n\r\nabc"
      "GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n";
  const auto whole = run(true, msg);
  for (size_t cut = 1; cut < msg.size(); ++cut) {
    Log log;
    HttpParser p(true, kLimits, log);
    p.feed(as_bytes(std::string_view(msg).substr(0, cut)), 1);
    p.feed(as_bytes(std::string_view(msg).substr(cut)), 2);
    p.finish(3);
    INFO("cut at " << cut);
    CHECK(log.events == whole);
  }
}

TEST_CASE("a bad request line is an anomaly and parsing resynchronises") {
  auto e = run(true, "HELLO THERE\r\njunk\r\nGET /ok HTTP/1.1\r\n\r\n");
  CHECK(e == std::vector<std::string>{"http.bad_request_line", "head:GET /ok framing=0",
                                      "end:complete body="});
  auto s = run(false, "XTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK(s == std::vector<std::string>{"http.bad_status_line", "head:200 framing=0",
                                      "end:complete body="});
}

TEST_CASE("a bad chunk size ends the message and resynchronises") {
  auto e = run(false,
               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nHTTP/1.1 404 "
               "NF\r\nContent-Length: 1\r\n\r\nx");
  CHECK(e == std::vector<std::string>{"head:200 framing=2", "http.bad_chunk",
                                      "end:incomplete body=", "head:404 framing=1",
                                      "end:complete body=x"});
}

TEST_CASE("bad and conflicting Content-Length") {
  auto e = run(true, "POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n");
  CHECK(e[0] == "http.bad_content_length");
  auto same = run(true, "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nab");
  CHECK(same == std::vector<std::string>{"head:POST / framing=1", "end:complete body=ab"});
  auto differ = run(true, "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n");
  CHECK(differ[0] == "http.bad_content_length");
}

TEST_CASE("a gap inside a Content-Length body is counted and parsing resumes after it") {
  Log log;
  HttpParser p(false, kLimits, log);
  p.feed(as_bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), 1);
  p.gap(4, 2);
  p.feed(as_bytes("hijHTTP/1.1 304 NM\r\n\r\n"), 3);
  CHECK(log.events == std::vector<std::string>{"head:200 framing=1", "gap:4",
                                               "end:incomplete body=abchij", "head:304 framing=3"});
}

TEST_CASE("a gap inside a chunk keeps the chunk framing") {
  Log log;
  HttpParser p(false, kLimits, log);
  p.feed(as_bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nab"), 1);
  p.gap(5, 2);
  p.feed(as_bytes("hij\r\n0\r\n\r\n"), 3);
  CHECK(log.events ==
        std::vector<std::string>{"head:200 framing=2", "gap:5", "end:incomplete body=abhij"});
}

TEST_CASE("a gap in a head records what was seen and resynchronises at the next message") {
  Log log;
  HttpParser p(true, kLimits, log);
  p.feed(as_bytes("GET /a HTTP/1.1\r\nHost: x\r\nUser-Ag"), 1);
  p.gap(100, 2);
  p.feed(as_bytes("ent tail\r\n\r\nGET /b HTTP/1.1\r\n\r\n"), 3);
  CHECK(log.events == std::vector<std::string>{"http.gap_in_head", "head:GET /a framing=0",
                                               "end:incomplete body=", "head:GET /b framing=0",
                                               "end:complete body="});
}

TEST_CASE("bounds: long lines are cut, excess headers dropped") {
  Limits limits;
  limits.max_line_bytes = 32;
  limits.max_header_fields = 2;
  Log log;
  HttpParser p(true, limits, log);
  p.feed(as_bytes("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nLong: " +
                  std::string(100, 'x') + "\r\n\r\n"),
         1);
  REQUIRE(log.heads.size() == 1);
  CHECK(log.heads[0].headers.size() == 2);
  CHECK(std::count(log.events.begin(), log.events.end(), "http.too_many_headers") == 1);
  CHECK(std::count(log.events.begin(), log.events.end(), "http.line_too_long") == 1);
  limits.max_header_fields = 100;
  limits.max_header_bytes = 30;
  auto e = run(true, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits);
  CHECK(e[0] == "http.header_too_large");
}

TEST_CASE("content decoder: gzip, zlib and raw deflate, chains and garbage") {
  // gzip of "hello hello hello\n" (gzip -n).
  const std::vector<uint8_t> gz = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
                                   0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x90, 0x5c,
                                   0x00, 0x3b, 0x7c, 0x8a, 0xdf, 0x12, 0x00, 0x00, 0x00};
  std::string out;
  auto sink = [&](std::span<const uint8_t> b) { out += std::string(as_text(b)); };
  {
    ContentDecoder d({Coding::kGzip}, 1 << 20, 1000);
    for (uint8_t b : gz)
      REQUIRE(d.feed(std::span<const uint8_t>(&b, 1), sink) == ContentDecoder::Result::kOk);
    CHECK(out == "hello hello hello\n");
    CHECK(d.finished());
    CHECK(d.encoded_bytes() == gz.size());
    CHECK(d.decoded_bytes() == 18);
  }
  // Raw DEFLATE is the gzip member without its 10-byte header and 8-byte trailer.
  std::vector<uint8_t> raw(gz.begin() + 10, gz.end() - 8);
  out.clear();
  {
    ContentDecoder d({Coding::kDeflate}, 1 << 20, 1000);
    REQUIRE(d.feed(raw, sink) == ContentDecoder::Result::kOk);
    CHECK(out == "hello hello hello\n");
  }
  out.clear();
  {
    ContentDecoder d({Coding::kGzip}, 1 << 20, 1000);
    const std::string junk = "this is not gzip at all";
    CHECK(d.feed(as_bytes(junk), sink) == ContentDecoder::Result::kError);
    CHECK_FALSE(d.error().empty());
  }
  std::vector<Coding> codings;
  std::string unsupported;
  CHECK(parse_content_codings("gzip, br", codings, unsupported));
  CHECK(codings == std::vector<Coding>{Coding::kGzip, Coding::kBrotli});
  CHECK_FALSE(parse_content_codings("zstd", codings, unsupported));
  CHECK(unsupported == "zstd");
}
