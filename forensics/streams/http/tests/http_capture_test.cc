// Real captures through the whole engine. Expected values are from tshark's oracle tables
// (shared/pcaps/oracle/<name>.http.tsv) and its exported objects (<name>.objects.tsv: body
// sizes after de-chunking and decompression).
#include <catch2/catch.hpp>

#include "forensics/app/testing/capture_runner.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"
#include "proto/http.pb.h"

using namespace netcap;
using namespace netcap::app::testing;

namespace {

std::vector<const HTTP*> run_http(const std::string& path, CaptureRun& keep) {
  auto run = run_capture(path);
  REQUIRE(run.has_value());
  keep = std::move(run.value());
  return keep.of<HTTP>();
}

}  // namespace

TEST_CASE("capture: http-gzip-json (gzip response decoded)") {
  CaptureRun run;
  auto h = run_http(sample_capture("http-gzip-json.pcap"), run);
  REQUIRE(h.size() == 1);
  CHECK(h[0]->method() == "GET");
  CHECK(h[0]->host() == "httpbin.org");
  CHECK(h[0]->uri() == "/gzip");
  CHECK(h[0]->useragent() == "curl/7.29.0");
  CHECK(h[0]->clientip() == "141.142.228.5");
  CHECK(h[0]->clientport() == 50153);
  CHECK(h[0]->serverip() == "54.243.118.187");
  CHECK(h[0]->timestamp() == 1363624631406021000);
  CHECK(h[0]->statuscode() == 200);
  CHECK(h[0]->rescontenttype() == "application/json");
  CHECK(h[0]->rescontentlength() == 165);
  CHECK(h[0]->rescontentencoding() == "gzip");
  CHECK(h[0]->responsebodyencodedsize() == 165);
  CHECK(h[0]->responsebodysize() == 197);  // tshark's exported object
  CHECK(h[0]->done());
  CHECK(run.of<Anomaly>().empty());
  bool app_proto = false;
  for (const Connection* c : run.of<Connection>()) app_proto |= c->applicationproto() == "http";
  CHECK(app_proto);
}

TEST_CASE("capture: vlan-http") {
  CaptureRun run;
  auto h = run_http(sample_capture("vlan-http.pcap"), run);
  REQUIRE(h.size() == 1);
  CHECK(h[0]->host() == "bro.org");
  CHECK(h[0]->uri() == "/download/CHANGES.bro-aux.txt");
  CHECK(h[0]->useragent() == "Wget/1.14 (darwin12.2.0)");
  CHECK(h[0]->rescontenttype() == "text/plain; charset=UTF-8");
  CHECK(h[0]->responsebodysize() == 4705);
  CHECK(h[0]->done());
}

TEST_CASE("capture: tcp-retrans-ooo-http (retransmissions, chunked responses)") {
  CaptureRun run;
  auto h = run_http(sample_capture("tcp-retrans-ooo-http.pcap"), run);
  REQUIRE(h.size() == 4);
  const int64_t sizes[] = {1090, 1121, 1098, 1121};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(h[i]->method() == "POST");
    CHECK(h[i]->uri() == "/exhmedmx");
    CHECK(h[i]->useragent() == "Nokia-eheprb/1");
    CHECK(h[i]->reqcontenttype() == "text/xml");
    CHECK(h[i]->reqcontentlength() == sizes[i]);
    CHECK(h[i]->requestbodysize() == sizes[i]);
    CHECK(h[i]->statuscode() == 200);
    CHECK(h[i]->restransferencoding() == "chunked");
    CHECK(h[i]->responsebodysize() == 0);
    CHECK(h[i]->done());
  }
}

TEST_CASE("capture: shared http-chunked-gzip-keepalive") {
  const std::string path = shared_capture("http-chunked-gzip-keepalive.pcap");
  if (path.empty()) return;
  CaptureRun run;
  auto h = run_http(path, run);
  REQUIRE(h.size() == 3);
  CHECK(h[0]->host() == "ca.msn.com");
  CHECK(h[0]->restransferencoding() == "chunked");
  CHECK(h[0]->rescontentencoding() == "gzip");
  CHECK(h[0]->responsebodysize() == 85419);
  CHECK(h[1]->uri() == "/ajax/Horoscope.aspx?zodiacsign=ari&lcid=en-ca");
  CHECK(h[1]->rescontentlength() == 382);
  CHECK(h[1]->responsebodysize() == 659);
  REQUIRE(h[1]->parameters_size() == 2);
  CHECK(h[1]->parameters(0).name() == "zodiacsign");
  CHECK(h[1]->parameters(0).value() == "ari");
  CHECK(h[2]->responsebodysize() == 50);
  for (const HTTP* x : h) CHECK(x->done());
}

TEST_CASE("capture: shared http-pipelined-keepalive-images") {
  const std::string path = shared_capture("http-pipelined-keepalive-images.pcap");
  if (path.empty()) return;
  CaptureRun run;
  auto h = run_http(path, run);
  REQUIRE(h.size() == 5);
  CHECK(h[0]->uri() == "/style/enhanced.css");
  CHECK(h[0]->responsebodysize() == 2675);
  CHECK(h[1]->uri() == "/script/urchin.js");
  CHECK(h[1]->responsebodysize() == 21421);
  CHECK(h[2]->responsebodysize() == 94);
  CHECK(h[3]->responsebodysize() == 2349);
  CHECK(h[4]->uri() == "/projects/calendar/images/header-sunbird.png");
  CHECK(h[4]->rescontenttype() == "image/png");
  CHECK(h[4]->responsebodysize() == 27579);
  for (const HTTP* x : h) CHECK(x->done());
}

TEST_CASE("capture: shared http-post-urlencoded (form parameters)") {
  const std::string path = shared_capture("http-post-urlencoded.pcap");
  if (path.empty()) return;
  CaptureRun run;
  auto h = run_http(path, run);
  REQUIRE(h.size() == 1);
  CHECK(h[0]->method() == "POST");
  CHECK(h[0]->uri() == "/post");
  CHECK(h[0]->reqcontenttype() == "application/x-www-form-urlencoded");
  CHECK(h[0]->reqcontentlength() == 11);
  CHECK(h[0]->requestbodysize() == 11);
  CHECK(h[0]->parameters_size() >= 1);
  CHECK(h[0]->responsebodysize() == 366);
}

TEST_CASE("capture: shared http-post-multipart-upload") {
  const std::string path = shared_capture("http-post-multipart-upload.pcap");
  if (path.empty()) return;
  CaptureRun run;
  auto h = run_http(path, run);
  REQUIRE(h.size() == 3);
  CHECK(h[0]->host() == "192.168.57.14:8080");
  CHECK(h[0]->responsebodysize() == 468);
  CHECK(h[2]->method() == "POST");
  CHECK(h[2]->reqcontentlength() == 449);
  CHECK(h[2]->requestbodysize() == 449);
  CHECK(h[2]->responsebodysize() == 144);
}

TEST_CASE("capture: shared http-keepalive-gzip-many") {
  const std::string path = shared_capture("http-keepalive-gzip-many.pcap");
  if (path.empty()) return;
  CaptureRun run;
  auto h = run_http(path, run);
  CHECK(h.size() >= 57);
  size_t decoded = 0;
  for (const HTTP* x : h) {
    if (x->rescontentencoding() == "gzip" && x->responsecomplete() && x->decodeerror().empty())
      ++decoded;
  }
  CHECK(decoded > 40);
}
