// The HTTP session: transactions from both directions, pipelining, 1xx, HEAD/204/304, CONNECT,
// content decoding, gaps, bounds, the body observer and the probe.
#include "forensics/streams/http/http_session.h"

#include <brotli/encode.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/text_util.h"
#include "proto/anomaly.pb.h"
#include "proto/http.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::http;

namespace {

constexpr auto C = StreamDirection::kClientToServer;
constexpr auto S = StreamDirection::kServerToClient;

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
};

struct BodyLog : HttpBodyObserver {
  std::vector<std::string> events;
  std::string data;
  uint64_t next = 0;
  void on_body_start(const HttpBodyInfo& i) override {
    next = 0;
    events.push_back(std::string("start ") + (i.is_request ? "req " : "res ") +
                     std::to_string(i.transaction));
  }
  void on_body_data(const HttpBodyInfo&, std::span<const uint8_t> d, uint64_t offset) override {
    if (offset != next) events.push_back("offset " + std::to_string(offset));
    next = offset + d.size();
    data += std::string(as_text(d));
  }
  void on_body_gap(const HttpBodyInfo&, uint64_t length, uint64_t) override {
    events.push_back("gap " + std::to_string(length));
  }
  void on_body_end(const HttpBodyInfo&, bool complete) override {
    events.push_back(complete ? "end complete" : "end incomplete");
  }
};

struct Fixture {
  Limits limits;
  Emitted emitted;
  AppRegistry registry;
  FlowInfo flow;
  std::unique_ptr<AppLayer> layer;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<HttpSession> session;
  BodyLog* bodies = nullptr;

  explicit Fixture(bool with_observer = false) { init(with_observer); }
  void init(bool with_observer = false) {
    flow.flow_id = "Chttp";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 40000;
    flow.server_port = 8080;
    layer = std::make_unique<AppLayer>(registry, limits, emitted);
    ctx = std::make_unique<AppContext>(flow, limits, emitted, layer->expectations(), "http");
    std::unique_ptr<HttpBodyObserver> obs;
    if (with_observer) {
      auto b = std::make_unique<BodyLog>();
      bodies = b.get();
      obs = std::move(b);
    }
    session = std::make_unique<HttpSession>(*ctx, std::move(obs));
  }
  void send(StreamDirection d, std::string_view text, int64_t ts = 1) {
    session->on_data(d, as_bytes(text), ts);
  }
  void end(int64_t ts = 100) { session->on_end(StreamEndReason::kFin, ts); }
  std::vector<const HTTP*> http() const {
    std::vector<const HTTP*> out;
    for (const auto& r : emitted.records) {
      if (auto* h = dynamic_cast<const HTTP*>(r.get())) out.push_back(h);
    }
    return out;
  }
  std::vector<std::string> anomalies() const {
    std::vector<std::string> out;
    for (const auto& r : emitted.records) {
      if (auto* a = dynamic_cast<const Anomaly*>(r.get())) out.push_back(a->name());
    }
    return out;
  }
};

std::string gzip(const std::string& in, int window_bits = 16 + MAX_WBITS) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(in.size() + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string brotli(const std::string& in) {
  size_t size = BrotliEncoderMaxCompressedSize(in.size()) + 16;
  std::string out(size, '\0');
  REQUIRE(BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, in.size(),
                                reinterpret_cast<const uint8_t*>(in.data()), &size,
                                reinterpret_cast<uint8_t*>(out.data())));
  out.resize(size);
  return out;
}

std::string chunked(const std::string& body, size_t piece) {
  std::string out;
  char hex[32];
  for (size_t i = 0; i < body.size(); i += piece) {
    const size_t n = std::min(piece, body.size() - i);
    std::snprintf(hex, sizeof hex, "%zx", n);
    out += std::string(hex) + "\r\n" + body.substr(i, n) + "\r\n";
  }
  return out + "0\r\n\r\n";
}

const std::string kRequest =
    "GET /search/a%20b?q=hello+world&lang=en HTTP/1.1\r\nHost: example.com\r\nUser-Agent: "
    "test/1.0\r\n"
    "Referer: http://example.com/\r\nCookie: sid=abc; theme=dark\r\nAuthorization: Basic "
    "dTpw\r\n\r\n";
const std::string kResponse =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.2\r\nContent-Type: text/html\r\nContent-Length: 5\r\n"
    "Set-Cookie: sid=xyz; Path=/; Domain=example.com; Max-Age=60; Secure; HttpOnly; "
    "SameSite=Lax\r\n\r\nhello";

}  // namespace

TEST_CASE("one transaction gives one record with request and response fields") {
  Fixture fx;
  fx.send(C, kRequest, 10);
  fx.send(S, kResponse, 20);
  REQUIRE(fx.http().size() == 1);  // written as soon as both ended
  const HTTP& h = *fx.http()[0];
  CHECK(h.timestamp() == 10);
  CHECK(h.flowid() == "Chttp");
  CHECK(h.clientip() == "10.0.0.1");
  CHECK(h.serverport() == 8080);
  CHECK(h.method() == "GET");
  CHECK(h.host() == "example.com");
  CHECK(h.uri() == "/search/a%20b?q=hello+world&lang=en");
  CHECK(h.path() == "/search/a b");
  CHECK(h.query() == "q=hello+world&lang=en");
  CHECK(h.version() == "HTTP/1.1");
  CHECK(h.useragent() == "test/1.0");
  CHECK(h.referer() == "http://example.com/");
  CHECK(h.authorizationscheme() == "Basic");
  REQUIRE(h.cookies_size() == 2);
  CHECK(h.cookies(1).name() == "theme");
  CHECK(h.cookies(1).value() == "dark");
  REQUIRE(h.parameters_size() == 2);
  CHECK(h.parameters(0).name() == "q");
  CHECK(h.parameters(0).value() == "hello world");
  CHECK(h.requestheaders_size() == 5);
  CHECK(h.reqcontentlength() == -1);
  CHECK(h.responsetimestamp() == 20);
  CHECK(h.statuscode() == 200);
  CHECK(h.reason() == "OK");
  CHECK(h.servername() == "nginx/1.2");
  CHECK(h.rescontenttype() == "text/html");
  CHECK(h.rescontentlength() == 5);
  CHECK(h.responsebodysize() == 5);
  CHECK(h.responsebodyencodedsize() == 5);
  REQUIRE(h.setcookies_size() == 1);
  CHECK(h.setcookies(0).name() == "sid");
  CHECK(h.setcookies(0).value() == "xyz");
  CHECK(h.setcookies(0).path() == "/");
  CHECK(h.setcookies(0).domain() == "example.com");
  CHECK(h.setcookies(0).maxage() == 60);
  CHECK(h.setcookies(0).secure());
  CHECK(h.setcookies(0).httponly());
  CHECK(h.setcookies(0).samesite() == "Lax");
  CHECK(h.hasrequest());
  CHECK(h.hasresponse());
  CHECK(h.done());
  CHECK(h.durationns() == 10);
  CHECK(fx.anomalies().empty());
}

TEST_CASE("heads split at every byte position give the same record") {
  Fixture whole;
  whole.send(C, kRequest);
  whole.send(S, kResponse);
  REQUIRE(whole.http().size() == 1);
  const std::string expected = whole.http()[0]->SerializeAsString();
  for (size_t cut = 1; cut < kRequest.size() + kResponse.size(); ++cut) {
    Fixture fx;
    if (cut < kRequest.size()) {
      fx.send(C, std::string_view(kRequest).substr(0, cut));
      fx.send(C, std::string_view(kRequest).substr(cut));
      fx.send(S, kResponse);
    } else {
      const size_t c2 = cut - kRequest.size() + 1;
      fx.send(C, kRequest);
      fx.send(S, std::string_view(kResponse).substr(0, c2));
      fx.send(S, std::string_view(kResponse).substr(c2));
    }
    INFO("cut " << cut);
    REQUIRE(fx.http().size() == 1);
    CHECK(fx.http()[0]->SerializeAsString() == expected);
  }
}

TEST_CASE("pipelined requests are paired with responses in order") {
  Fixture fx;
  fx.send(C,
          "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 "
          "HTTP/1.1\r\nHost: h\r\n\r\n",
          1);
  CHECK(fx.http().empty());
  fx.send(S,
          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
          "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"  // HEAD: no body despite the length
          "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n",
          2);
  auto h = fx.http();
  REQUIRE(h.size() == 3);
  CHECK(h[0]->uri() == "/1");
  CHECK(h[0]->responsebodysize() == 3);
  CHECK(h[1]->uri() == "/2");
  CHECK(h[1]->rescontentlength() == 1000);
  CHECK(h[1]->responsebodysize() == 0);
  CHECK(h[2]->uri() == "/3");
  CHECK(h[2]->statuscode() == 304);
  CHECK(fx.anomalies().empty());
}

TEST_CASE("chunked and gzip response, decoded for the observer") {
  Fixture fx(true);
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "line " + std::to_string(i) + "\n";
  const std::string gz = gzip(body);
  fx.send(C, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string resp =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n" +
      chunked(gz, 100);
  for (size_t i = 0; i < resp.size(); i += 7) fx.send(S, std::string_view(resp).substr(i, 7));
  auto h = fx.http();
  REQUIRE(h.size() == 1);
  CHECK(h[0]->restransferencoding() == "chunked");
  CHECK(h[0]->rescontentencoding() == "gzip");
  CHECK(h[0]->responsebodyencodedsize() == int64_t(gz.size()));
  CHECK(h[0]->responsebodysize() == int64_t(body.size()));
  CHECK(h[0]->responsecomplete());
  CHECK(h[0]->decodeerror().empty());
  CHECK(fx.bodies->data == body);
  CHECK(fx.bodies->events == std::vector<std::string>{"start res 0", "end complete"});
}

TEST_CASE("deflate (zlib and raw) and brotli bodies are decoded") {
  const std::string body(5000, 'z');
  for (const auto& [coding, encoded] :
       std::vector<std::pair<std::string, std::string>>{{"deflate", gzip(body, MAX_WBITS)},
                                                        {"deflate", gzip(body, -MAX_WBITS)},
                                                        {"br", brotli(body)},
                                                        {"gzip, br", brotli(gzip(body))}}) {
    Fixture fx;
    fx.send(C, "GET / HTTP/1.1\r\n\r\n");
    fx.send(S, "HTTP/1.1 200 OK\r\nContent-Encoding: " + coding +
                   "\r\nContent-Length: " + std::to_string(encoded.size()) + "\r\n\r\n" + encoded);
    INFO(coding);
    REQUIRE(fx.http().size() == 1);
    CHECK(fx.http()[0]->responsebodysize() == 5000);
    CHECK(fx.http()[0]->decodeerror().empty());
    CHECK(fx.anomalies().empty());
  }
}

TEST_CASE("a decompression bomb stops decoding and is recorded") {
  Fixture fx;
  fx.limits.max_decoded_body_bytes = 100000;
  const std::string gz = gzip(std::string(10'000'000, '\0'));  // ~10 KB -> 10 MB
  fx.send(C, "GET /bomb HTTP/1.1\r\n\r\n");
  fx.send(S, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                 std::to_string(gz.size()) + "\r\n\r\n" + gz);
  REQUIRE(fx.http().size() == 1);
  const HTTP& h = *fx.http()[0];
  CHECK(h.responsebodyencodedsize() == int64_t(gz.size()));
  CHECK(h.responsebodysize() <= 100000);
  CHECK_FALSE(h.decodeerror().empty());
  CHECK(fx.anomalies() == std::vector<std::string>{"http.decompression_bomb"});
  // The ratio limit catches it without the size limit too.
  // (gzip twice: far above 1000:1).
  const std::string gz2 = gzip(gz);
  Fixture ratio;
  ratio.send(C, "GET /bomb HTTP/1.1\r\n\r\n");
  ratio.send(S, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: " +
                    std::to_string(gz2.size()) + "\r\n\r\n" + gz2);
  CHECK(ratio.anomalies() == std::vector<std::string>{"http.decompression_bomb"});
  CHECK(ratio.http()[0]->responsebodysize() < 2'000'000);
}

TEST_CASE("corrupt gzip is an anomaly, the transaction is still recorded") {
  Fixture fx;
  fx.send(C, "GET / HTTP/1.1\r\n\r\n");
  fx.send(S, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789");
  REQUIRE(fx.http().size() == 1);
  CHECK(fx.anomalies() == std::vector<std::string>{"http.decompression_failed"});
  CHECK(fx.http()[0]->responsebodyencodedsize() == 10);
}

TEST_CASE("100-continue: the interim response does not consume the request") {
  Fixture fx;
  fx.send(C,
          "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Type: "
          "application/x-www-form-urlencoded\r\n"
          "Content-Length: 11\r\n\r\n");
  fx.send(S, "HTTP/1.1 100 Continue\r\n\r\n");
  fx.send(C, "a=1&b=x%21y");
  fx.send(S, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  auto h = fx.http();
  REQUIRE(h.size() == 1);
  CHECK(h[0]->statuscode() == 201);
  REQUIRE(h[0]->interimstatuscodes_size() == 1);
  CHECK(h[0]->interimstatuscodes(0) == 100);
  CHECK(h[0]->requestbodysize() == 11);
  REQUIRE(h[0]->parameters_size() == 2);
  CHECK(h[0]->parameters(1).value() == "x!y");
  CHECK(fx.anomalies().empty());
}

TEST_CASE("CONNECT with 200 makes the rest of the stream a tunnel") {
  Fixture fx;
  fx.send(
      C, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01 early tls");
  fx.send(S, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03 server tls");
  fx.send(C, "\x17\x03\x03 more binary");
  fx.end();
  auto h = fx.http();
  REQUIRE(h.size() == 1);
  CHECK(h[0]->method() == "CONNECT");
  CHECK(h[0]->host() == "example.com:443");
  CHECK(h[0]->tunnel());
  CHECK(h[0]->done());
  CHECK(fx.anomalies().empty());
}

TEST_CASE("CONNECT 200: the stream is probed again from the tunnel's first byte") {
  Fixture fx;
  fx.send(C, "CONNECT git.example:22 HTTP/1.1\r\nHost: git.example:22\r\n\r\n");
  CHECK(fx.ctx->take_protocol_switch().empty());
  const std::string banner = "SSH-2.0-OpenSSH_9.6\r\n";
  fx.send(S, "HTTP/1.1 200 Connection established\r\n\r\n" + banner);
  CHECK(fx.ctx->take_protocol_switch() == AppContext::kProbeAgain);
  // The tunnelled server spoke first, in the proxy's segment: its banner goes along.
  CHECK(fx.ctx->take_switch_carried_bytes() == banner.size());
}

TEST_CASE("CONNECT refused: parsing continues with the next request") {
  Fixture fx;
  fx.send(C, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
  fx.send(S, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
  fx.send(C, "GET http://example.com/x HTTP/1.1\r\n\r\n");
  fx.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto h = fx.http();
  REQUIRE(h.size() == 2);
  CHECK_FALSE(h[0]->tunnel());
  CHECK(h[1]->host() == "example.com");  // from the absolute-form target
  CHECK(h[1]->path() == "/x");
  CHECK(fx.anomalies().empty());
}

TEST_CASE("websocket upgrade: 101 ends HTTP parsing") {
  Fixture fx;
  fx.send(C,
          "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: "
          "Upgrade\r\n\r\n\x81\x85 frame");
  fx.send(S,
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
          "Upgrade\r\n\r\n\x81\x02hi");
  fx.end();
  auto h = fx.http();
  REQUIRE(h.size() == 1);
  CHECK(h[0]->upgrade() == "websocket");
  CHECK(h[0]->statuscode() == 101);
  CHECK(h[0]->tunnel());
  CHECK(fx.anomalies().empty());
}

TEST_CASE("a gap in a body is counted and the next transaction is parsed") {
  Fixture fx(true);
  fx.send(C, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  fx.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(30, 'a'));
  fx.session->on_gap(S, 40, 2);
  fx.send(S, std::string(30, 'b') + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
  auto h = fx.http();
  REQUIRE(h.size() == 2);
  CHECK(h[0]->responsebodymissingbytes() == 40);
  CHECK(h[0]->responsebodysize() == 60);
  CHECK_FALSE(h[0]->responsecomplete());
  CHECK(h[1]->statuscode() == 404);
  CHECK(h[1]->responsecomplete());
  CHECK(fx.bodies->events == std::vector<std::string>{"start res 0", "gap 40", "offset 70",
                                                      "end incomplete", "start res 1",
                                                      "end complete"});
}

TEST_CASE("a gap in a head resynchronises at the next request") {
  Fixture fx;
  fx.send(C, "GET /a HTTP/1.1\r\nHost: x\r\n");
  fx.session->on_gap(C, 500, 2);
  fx.send(C, "tail of something\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  fx.send(
      S,
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto h = fx.http();
  REQUIRE(h.size() == 2);
  CHECK(h[0]->uri() == "/a");
  CHECK_FALSE(h[0]->requestcomplete());
  CHECK(h[1]->uri() == "/b");
  CHECK(fx.anomalies() == std::vector<std::string>{"http.gap_in_head"});
}

TEST_CASE("request without response and response without request still give records") {
  Fixture fx;
  fx.send(S, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", 5);
  fx.send(C, "GET /late HTTP/1.1\r\n\r\n", 6);
  fx.end(9);
  auto h = fx.http();
  REQUIRE(h.size() == 2);
  CHECK_FALSE(h[0]->hasrequest());
  CHECK(h[0]->statuscode() == 500);
  CHECK(h[0]->timestamp() == 5);
  CHECK(h[1]->uri() == "/late");
  CHECK_FALSE(h[1]->hasresponse());
  CHECK_FALSE(h[1]->done());
  CHECK(fx.anomalies() == std::vector<std::string>{"http.unmatched_response"});
}

TEST_CASE("a body cut by the end of the stream and a read-until-close body") {
  Fixture fx;
  fx.send(C, "GET /a HTTP/1.0\r\n\r\n");
  fx.send(S, "HTTP/1.0 200 OK\r\n\r\nall of this until close");
  fx.end();
  REQUIRE(fx.http().size() == 1);
  CHECK(fx.http()[0]->responsebodysize() == 23);
  CHECK(fx.http()[0]->responsecomplete());
  Fixture cut;
  cut.send(C, "GET /a HTTP/1.1\r\n\r\n");
  cut.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort");
  cut.end();
  REQUIRE(cut.http().size() == 1);
  CHECK_FALSE(cut.http()[0]->responsecomplete());
  CHECK(cut.anomalies() == std::vector<std::string>{"http.body_truncated"});
}

TEST_CASE("pending transactions are bounded") {
  Fixture fx;
  fx.limits.max_pending_transactions = 3;
  for (int i = 0; i < 5; ++i) fx.send(C, "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n");
  CHECK(fx.http().size() == 2);  // the two oldest were written unanswered
  CHECK(fx.anomalies() ==
        std::vector<std::string>{"http.too_many_pending", "http.too_many_pending"});
  fx.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(fx.http().size() == 3);
  CHECK(fx.http()[2]->uri() == "/2");
}

TEST_CASE("probe: request lines, status lines, other protocols") {
  auto probe = [](std::string client, std::string server = "", bool final = false) {
    ProbeInput in;
    in.client = as_bytes(client);
    in.server = as_bytes(server);
    in.client_final = final;
    return probe_http(in);
  };
  CHECK(probe("GET / HTTP/1.1\r\n") == ProbeResult::kYes);
  CHECK(probe("PROPFIND /dav HTTP/1.1\r\n") == ProbeResult::kYes);
  CHECK(probe("GE") == ProbeResult::kNeedMore);
  CHECK(probe("GET /very/long") == ProbeResult::kNeedMore);
  CHECK(probe("GET /very/long", "", true) == ProbeResult::kYes);
  CHECK(probe("", "HTTP/1.1 200 OK\r\n") == ProbeResult::kYes);
  CHECK(probe("", "HTT") == ProbeResult::kNeedMore);
  CHECK(probe("", "SSH-2.0-OpenSSH\r\n") == ProbeResult::kNo);
  CHECK(probe("", "220 smtp ready\r\n") == ProbeResult::kNo);
  CHECK(probe("\x16\x03\x01\x02\x00") == ProbeResult::kNo);
  CHECK(probe("EHLO mail\r\n") == ProbeResult::kNo);
  CHECK(probe("GET / RTSP/1.0\r\n") == ProbeResult::kNo);
  CHECK(probe("get / HTTP/1.1\r\n") == ProbeResult::kNo);
  CHECK(probe("") == ProbeResult::kNeedMore);
  // A capture that starts mid-connection: the originator is the server.
  CHECK(probe("HTTP/1.1 200 OK\r\n") == ProbeResult::kYes);
}

TEST_CASE("a flow whose originator is the HTTP server (capture started mid-connection)") {
  Fixture fx;
  fx.send(C, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1);
  fx.send(S, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n", 2);
  fx.send(C, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 3);
  fx.end();
  auto h = fx.http();
  REQUIRE(h.size() == 2);
  CHECK_FALSE(h[0]->hasrequest());
  CHECK(h[0]->clientip() == "10.0.0.2");  // the flow's responder is the HTTP client
  CHECK(h[0]->serverport() == 40000);
  CHECK(h[1]->uri() == "/next");
  CHECK(h[1]->statuscode() == 404);
}
