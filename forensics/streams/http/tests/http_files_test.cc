// The HTTP file adapter (http_files.cc) on hand-made sessions: bodies
// as files, multipart uploads split into their parts, 206 ranges stitched by offset, and the
// decompression-bomb cap recorded on the File record.
#include "forensics/streams/http/http_files.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "forensics/app/app_layer.h"
#include "forensics/files/file_store.h"
#include "forensics/streams/http/http_session.h"
#include "proto/file.pb.h"

using namespace netcap;
using namespace netcap::app;
namespace fs = std::filesystem;

namespace {

constexpr auto C = StreamDirection::kClientToServer;
constexpr auto S = StreamDirection::kServerToClient;

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
};

struct Fixture {
  fs::path dir;
  Limits limits;
  Emitted emitted;
  AppRegistry registry;
  FlowInfo flow;
  std::unique_ptr<files::FileStore> store;
  std::unique_ptr<AppLayer> layer;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<http::HttpSession> session;

  Fixture() {
    static int n = 0;
    dir = fs::temp_directory_path() /
          ("netcap-http-files-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    auto s = files::FileStore::create(dir.string());
    REQUIRE(s.has_value());
    store = std::move(s.value());
    flow.flow_id = "Chttp";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 40000;
    flow.server_port = 80;
  }
  ~Fixture() {
    session.reset();
    fs::remove_all(dir);
  }
  void start() {
    layer = std::make_unique<AppLayer>(registry, limits, emitted, store.get());
    ctx = std::make_unique<AppContext>(flow, limits, emitted, layer->expectations(), "http");
    ctx->set_files(store.get());
    session = std::make_unique<http::HttpSession>(*ctx, http::make_file_observer(*ctx));
  }
  void send(StreamDirection d, std::string_view text, int64_t ts = 1) {
    session->on_data(d, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, ts);
  }
  void end() {
    session->on_end(StreamEndReason::kFin, 100);
    session.reset();  // range files are closed with the session
  }
  std::vector<const File*> files() const {
    std::vector<const File*> out;
    for (const auto& r : emitted.records) {
      if (auto* f = dynamic_cast<const File*>(r.get())) out.push_back(f);
    }
    return out;
  }
  std::string content(const File& f) const {
    std::ifstream in(dir / f.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

std::string gzip(const std::string& in) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
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

}  // namespace

TEST_CASE("http files: a response body named from Content-Disposition, else the URL path") {
  Fixture fx;
  fx.start();
  fx.send(C, "GET /dl/get.php?id=7 HTTP/1.1\r\nHost: example.org\r\n\r\n");
  fx.send(S,
          "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
          "filename=\"../../report.pdf\"\r\nContent-Length: 9\r\n\r\n%PDF-1.4\n",
          5);
  fx.send(C, "GET /img/logo.png?x=1 HTTP/1.1\r\nHost: example.org\r\n\r\n", 6);
  fx.send(S, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", 7);
  fx.end();
  const auto files = fx.files();
  REQUIRE(files.size() == 2);
  CHECK(files[0]->name() == "../../report.pdf");  // recorded, never a path
  CHECK(files[0]->declaredtype() == "application/pdf");
  CHECK(files[0]->mimetype() == "application/pdf");
  CHECK(files[0]->declaredsize() == 9);
  CHECK(files[0]->context() == "GET http://example.org/dl/get.php?id=7");
  CHECK(files[0]->host() == "example.org");
  CHECK(files[0]->direction() == "download");
  CHECK(files[0]->srcip() == "10.0.0.2");
  CHECK(files[0]->serverport() == 80);
  CHECK(files[0]->complete());
  CHECK(fx.content(*files[0]) == "%PDF-1.4\n");
  CHECK(files[1]->name() == "logo.png");
}

TEST_CASE("http files: a multipart/form-data upload is split into its file parts") {
  Fixture fx;
  fx.start();
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nalice\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../etc/cron.d/x\"\r\n"
      "Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"g\"; filename=\"b.bin\"\r\n\r\n\x01\x02\r\n"
      "--XyZ--\r\n";
  fx.send(C,
          "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; "
          "boundary=XyZ\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
  fx.send(S, "HTTP/1.1 204 No Content\r\n\r\n", 2);
  fx.end();
  const auto files = fx.files();
  REQUIRE(files.size() == 2);
  CHECK(files[0]->name() == "../../etc/cron.d/x");
  CHECK(files[0]->direction() == "upload");
  CHECK(files[0]->declaredtype() == "text/plain");
  CHECK(files[0]->srcip() == "10.0.0.1");
  CHECK(fx.content(*files[0]) == "line one\r\nline two");
  CHECK(files[0]->messageid() == "0/1");
  CHECK(files[1]->name() == "b.bin");
  CHECK(fx.content(*files[1]) == "\x01\x02");
  CHECK(files[0]->path().rfind("files/", 0) == 0);
}

TEST_CASE("http files: 206 range responses are stitched by offset per URL") {
  Fixture fx;
  fx.start();
  fx.send(C, "GET /big.bin HTTP/1.1\r\nHost: h\r\nRange: bytes=5-9\r\n\r\n");
  fx.send(S,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-9/10\r\n"
          "Content-Length: 5\r\n\r\n56789",
          2);
  fx.send(C, "GET /big.bin HTTP/1.1\r\nHost: h\r\nRange: bytes=0-4\r\n\r\n", 3);
  fx.send(S,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/10\r\n"
          "Content-Length: 5\r\n\r\n01234",
          4);
  fx.end();
  const auto files = fx.files();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->size() == 10);
  CHECK(files[0]->declaredsize() == 10);
  CHECK(files[0]->missingbytes() == 0);
  CHECK(files[0]->complete());
  CHECK(fx.content(*files[0]) == "0123456789");
}

TEST_CASE("http files: a single range piece records the missing bytes") {
  Fixture fx;
  fx.start();
  fx.send(C, "GET /big.bin HTTP/1.1\r\nHost: h\r\n\r\n");
  fx.send(S,
          "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 2-3/8\r\n"
          "Content-Length: 2\r\n\r\nxy",
          2);
  fx.end();
  const auto files = fx.files();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->size() == 4);
  CHECK(files[0]->missingbytes() == 6);
  CHECK_FALSE(files[0]->complete());
}

TEST_CASE("http files: the decompression-bomb cap is recorded on the File record") {
  Fixture fx;
  fx.limits.max_decoded_body_bytes = 100000;
  fx.start();
  const std::string gz = gzip(std::string(10'000'000, '\0'));
  fx.send(C, "GET /bomb HTTP/1.1\r\nHost: h\r\n\r\n");
  fx.send(S, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                 std::to_string(gz.size()) + "\r\n\r\n" + gz);
  fx.end();
  const auto files = fx.files();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->truncated());
  CHECK(files[0]->truncatedreason().find("content decoding stopped") != std::string::npos);
  CHECK(files[0]->size() <= 100000);
  CHECK_FALSE(files[0]->complete());
}

TEST_CASE("http files: no observer without a file sink") {
  Fixture fx;
  fx.start();
  AppContext plain(fx.flow, fx.limits, fx.emitted, fx.layer->expectations(), "http");
  CHECK(http::make_file_observer(plain) == nullptr);
  CHECK(http::make_file_observer(*fx.ctx) != nullptr);
}
