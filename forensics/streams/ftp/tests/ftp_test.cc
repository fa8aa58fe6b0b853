// FTP: parser units, control/data session behaviour and the shared FTP captures.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/ftp/ftp_parser.h"
#include "forensics/streams/ftp/ftp_session.h"
#include "proto/anomaly.pb.h"
#include "proto/ftp.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::ftp;

namespace {

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
  std::vector<std::string> anomalies() const {
    std::vector<std::string> out;
    for (const Anomaly* a : of<Anomaly>()) out.push_back(a->name());
    return out;
  }
};

// Records what an observer sees.
struct SeenTransfer {
  DataTransfer info;
  std::string bytes;
  uint64_t gaps = 0;
  bool ended = false, complete = false;
};
struct TestObserver : DataObserver {
  SeenTransfer& seen;
  explicit TestObserver(SeenTransfer& s) : seen(s) {}
  void on_begin(const DataTransfer& t, int64_t) override { seen.info = t; }
  void on_data(std::span<const uint8_t> b, int64_t) override {
    seen.bytes += std::string(as_text(b));
  }
  void on_gap(uint64_t n, int64_t) override { seen.gaps += n; }
  void on_end(bool complete, int64_t) override {
    seen.ended = true;
    seen.complete = complete;
  }
};

// A control connection plus data connections created the way the app layer does it.
struct Harness {
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations{limits, emitted};

  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<AppSession> control;
  std::vector<std::unique_ptr<FlowInfo>> data_flows;
  std::vector<std::unique_ptr<AppContext>> data_ctx;
  Harness() {
    flow.flow_id = "Cctl";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 50000;
    flow.server_port = 21;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "ftp");
    control = make_control_session(*ctx);
  }
  void client(const std::string& s, int64_t ts = 1) {
    control->on_data(StreamDirection::kClientToServer, as_bytes(s), ts);
  }
  void server(const std::string& s, int64_t ts = 1) {
    control->on_data(StreamDirection::kServerToClient, as_bytes(s), ts);
  }
  // A new data flow; nullptr when no expectation matches it.
  std::unique_ptr<AppSession> connect(const std::string& from, const std::string& to, uint16_t port,
                                      SeenTransfer* seen = nullptr) {
    auto f = std::make_unique<FlowInfo>();
    f->flow_id = "Cdata" + std::to_string(data_flows.size());
    f->ip_protocol = 6;
    IpAddress::parse(from, f->client);
    IpAddress::parse(to, f->server);
    f->client_port = 40000;
    f->server_port = port;
    f->first_ts_ns = 5;
    Expectation e;
    if (!expectations.take(*f, e)) return nullptr;
    auto c = std::make_unique<AppContext>(*f, limits, emitted, expectations, "ftp-data");
    c->set_matched_expectation(e);
    auto s = make_data_session(*c, seen ? std::make_unique<TestObserver>(*seen) : nullptr);
    data_flows.push_back(std::move(f));
    data_ctx.push_back(std::move(c));
    return s;
  }
};

ProbeInput probe_input(const std::string& client, const std::string& server) {
  ProbeInput in;
  in.client = as_bytes(client);
  in.server = as_bytes(server);
  in.client_port = 50000;
  in.server_port = 2121;
  return in;
}

}  // namespace

TEST_CASE("ftp commands and replies") {
  Command c = parse_command("retr my file.txt");
  CHECK(c.verb == "RETR");
  CHECK(c.argument == "my file.txt");
  CHECK(parse_command("PASV").argument.empty());
  CHECK(transfer_direction("STOR") == "upload");
  CHECK(transfer_direction("NLST") == "listing");
  CHECK_FALSE(is_transfer_command("SIZE"));

  ReplyAssembler a(1024);
  Reply r;
  CHECK(a.line("230-Welcome", r) == ReplyAssembler::Result::kNone);
  CHECK(a.line(" to the server", r) == ReplyAssembler::Result::kNone);
  CHECK(a.line("230-still more", r) == ReplyAssembler::Result::kNone);
  CHECK(a.line("230 Login ok", r) == ReplyAssembler::Result::kReply);
  CHECK(r.code == 230);
  CHECK(r.text == "Welcome\n to the server\n230-still more\nLogin ok");
  CHECK(a.line("226 Done", r) == ReplyAssembler::Result::kReply);
  CHECK(r.text == "Done");
  CHECK(a.line("hello", r) == ReplyAssembler::Result::kBadLine);
  CHECK(a.line("999 x", r) == ReplyAssembler::Result::kBadLine);
}

TEST_CASE("ftp data channel arguments: PORT, PASV, EPRT, EPSV") {
  auto p = parse_port("172,23,0,3,174,127");
  REQUIRE(p);
  CHECK(p->ip == "172.23.0.3");
  CHECK(p->port == 174 * 256 + 127);
  CHECK_FALSE(parse_port("1,2,3,4,5"));
  CHECK_FALSE(parse_port("1,2,3,4,5,256"));
  CHECK_FALSE(parse_port("a,b,c,d,e,f"));
  p = parse_pasv_reply("Entering Passive Mode (192,168,1,32,160,191).");
  REQUIRE(p);
  CHECK(p->ip == "192.168.1.32");
  CHECK(p->port == 41151);
  p = parse_pasv_reply("Entering Passive Mode 10,0,0,9,4,1");
  REQUIRE(p);
  CHECK(p->port == 1025);
  CHECK_FALSE(parse_pasv_reply("Entering Passive Mode"));
  p = parse_eprt("|2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|");
  REQUIRE(p);
  CHECK(p->ip == "2001:470:1f11:81f:c999:d94:aa7c:2e3e");
  CHECK(p->port == 49189);
  CHECK(parse_eprt("!1!132.235.1.2!6275!"));
  CHECK_FALSE(parse_eprt("|1|2001::1|21|"));
  CHECK_FALSE(parse_eprt("|1|1.2.3.4|70000|"));
  p = parse_epsv_reply("Entering Extended Passive Mode (|||57086|)");
  REQUIRE(p);
  CHECK(p->ip.empty());
  CHECK(p->port == 57086);
  CHECK_FALSE(parse_epsv_reply("Entering Extended Passive Mode (|1|x|)"));
}

TEST_CASE("ftp probe: greeting plus an FTP command, not SMTP") {
  CHECK(probe(probe_input("", "220 ready\r\n")) == ProbeResult::kNeedMore);
  CHECK(probe(probe_input("USER bob\r\n", "220 ready\r\n")) == ProbeResult::kYes);
  CHECK(probe(probe_input("AUTH TLS\r\n", "220-hi\r\n")) == ProbeResult::kYes);
  CHECK(probe(probe_input("EHLO x\r\n", "220 mail ESMTP\r\n")) == ProbeResult::kNo);
  CHECK(probe(probe_input("", "SSH-2.0-x\r\n")) == ProbeResult::kNo);
  CHECK(probe(probe_input("US", "220 x\r\n")) == ProbeResult::kNeedMore);
}

TEST_CASE("ftp session: command/reply pairs, multi-line, preliminary, credentials") {
  Harness h;
  h.server("220-Welcome\r\n220 ready\r\n", 1);
  h.client("USER alice\r\nPASS s3cret\r\n", 2);  // pipelined
  h.server("331 Password?\r\n", 3);
  h.server("230 OK\r\n", 4);
  h.client("SIZE a.bin\r\nQUIT\r\n", 5);
  h.server("213 77\r\n", 6);
  h.control->on_end(StreamEndReason::kFin, 7);
  auto recs = h.emitted.of<FTP>();
  REQUIRE(recs.size() == 5);
  CHECK(recs[0]->command().empty());
  CHECK(recs[0]->replycode() == 220);
  CHECK(recs[0]->replytext() == "Welcome\nready");
  CHECK(recs[1]->command() == "USER");
  CHECK(recs[1]->argument() == "alice");
  CHECK(recs[1]->replycode() == 331);
  CHECK(recs[2]->command() == "PASS");
  CHECK(recs[2]->password() == "s3cret");
  CHECK(recs[2]->user() == "alice");
  CHECK(recs[2]->timestamp() == 2);
  CHECK(recs[2]->replytimestamp() == 4);
  CHECK(recs[3]->replycode() == 213);
  CHECK(recs[4]->command() == "QUIT");
  CHECK(recs[4]->replycode() == 0);
  CHECK(recs[4]->flowid() == "Cctl");
  CHECK(recs[4]->serverport() == 21);
}

TEST_CASE(
    "ftp passive: data connection opened before RETR gets the command through the expectation "
    "link") {
  Harness h;
  h.server("220 x\r\n");
  h.client("PASV\r\n");
  h.server("227 Entering Passive Mode (10,0,0,2,100,1).\r\n");
  SeenTransfer seen;
  auto data = h.connect("10.0.0.1", "10.0.0.2", 100 * 256 + 1, &seen);
  REQUIRE(data != nullptr);
  h.client("RETR report.pdf\r\n");
  h.server("150 Opening\r\n");
  data->on_data(StreamDirection::kServerToClient, as_bytes("%PDF-1.4 hello"), 6);
  data->on_data(StreamDirection::kClientToServer, as_bytes("junk"), 6);
  data->on_end(StreamEndReason::kFin, 7);
  h.server("226 Done\r\n");
  auto d = h.emitted.of<FTPData>();
  REQUIRE(d.size() == 1);
  CHECK(d[0]->command() == "RETR");
  CHECK(d[0]->filename() == "report.pdf");
  CHECK(d[0]->direction() == "download");
  CHECK(d[0]->mode() == "passive");
  CHECK(d[0]->bytes() == 14);
  CHECK(d[0]->complete());
  CHECK(d[0]->parentflowid() == "Cctl");
  CHECK(d[0]->flowid() == "Cdata0");
  CHECK(seen.info.file_name == "report.pdf");
  CHECK(seen.bytes == "%PDF-1.4 hello");
  CHECK(seen.ended);
  auto c = h.emitted.of<FTP>();
  REQUIRE(c.size() == 3);
  CHECK(c[1]->command() == "PASV");
  CHECK(c[1]->dataip() == "10.0.0.2");
  CHECK(c[1]->dataport() == 25601);
  CHECK(c[2]->preliminarycode() == 150);
  CHECK(c[2]->replycode() == 226);
}

TEST_CASE("ftp active: PORT then STOR; the server connects after the command") {
  Harness h;
  h.client("PORT 10,0,0,1,200,10\r\n");
  h.server("200 PORT ok\r\n");
  h.client("STOR up.txt\r\n");
  // The server connects from its address to the announced one.
  SeenTransfer seen;
  auto data = h.connect("10.0.0.2", "10.0.0.1", 200 * 256 + 10, &seen);
  REQUIRE(data != nullptr);
  data->on_data(StreamDirection::kServerToClient, as_bytes("upload!"), 6);
  data->on_gap(StreamDirection::kServerToClient, 100, 6);
  data->on_end(StreamEndReason::kFin, 7);
  auto d = h.emitted.of<FTPData>();
  REQUIRE(d.size() == 1);
  CHECK(d[0]->command() == "STOR");
  CHECK(d[0]->filename() == "up.txt");
  CHECK(d[0]->direction() == "upload");
  CHECK(d[0]->mode() == "active");
  CHECK(d[0]->bytes() == 7);
  CHECK(d[0]->missingbytes() == 100);
  CHECK_FALSE(d[0]->complete());
  CHECK(seen.bytes == "upload!");
  CHECK(seen.gaps == 100);
}

TEST_CASE("ftp: bad PORT/PASV arguments and long lines are anomalies; AUTH TLS stops parsing") {
  Harness h;
  h.limits.max_line_bytes = 32;
  h.ctx = std::make_unique<AppContext>(h.flow, h.limits, h.emitted, h.expectations, "ftp");
  h.control = make_control_session(*h.ctx);
  h.client("PORT 1,2,3\r\n");
  h.server("500 bad\r\n");
  h.client("PASV\r\n");
  h.server("227 no numbers here\r\n");
  h.client("RETR " + std::string(100, 'a') + "\r\n");
  h.server("550 no\r\n");
  h.client("AUTH TLS\r\n");
  CHECK(h.ctx->take_protocol_switch().empty());
  h.server("234 go ahead\r\n");
  CHECK(h.ctx->take_protocol_switch() == "tls");  // RFC 4217 section 4
  h.client("\x16\x03\x01 binary tls\r\n");
  h.control->on_end(StreamEndReason::kFin, 2);
  auto a = h.emitted.anomalies();
  CHECK(std::count(a.begin(), a.end(), "ftp.bad_port_argument") == 1);
  CHECK(std::count(a.begin(), a.end(), "ftp.bad_passive_reply") == 1);
  CHECK(std::count(a.begin(), a.end(), "ftp.line_too_long") == 1);
  CHECK(h.emitted.of<FTP>().size() == 4);
  CHECK(h.expectations.size() == 0);
}

namespace {

struct Transfer {
  std::string command, file, direction, parent;
  int64_t bytes;
  bool complete;
};

std::vector<Transfer> transfers(const testing::CaptureRun& run) {
  std::vector<Transfer> out;
  for (const FTPData* d : run.of<FTPData>()) {
    out.push_back({d->command(), d->filename(), d->direction(), d->parentflowid(), d->bytes(),
                   d->complete()});
  }
  return out;
}

}  // namespace

TEST_CASE("ftp-active-download: PORT channels linked to NLST, RETR, NLST") {
  const std::string path = testing::shared_capture("ftp-active-download.pcap");
  if (path.empty()) return;
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  auto t = transfers(run.value());
  REQUIRE(t.size() == 3);
  std::sort(t.begin(), t.end(),
            [](const Transfer& a, const Transfer& b) { return a.command < b.command; });
  CHECK(t[0].command == "NLST");
  CHECK(t[2].command == "RETR");
  CHECK(t[2].file == "index.html");
  CHECK(t[2].direction == "download");
  CHECK(t[2].bytes == 39);  // objects.tsv: index.html 39
  CHECK(t[2].complete);
  auto ftp = run.value().of<FTP>();
  REQUIRE(!ftp.empty());
  CHECK(t[2].parent == ftp[0]->flowid());
  bool pass_seen = false;
  for (const FTP* f : ftp) {
    if (f->command() == "PASS") {
      pass_seen = true;
      CHECK(f->user() == "bob");  // creds.tsv: bob
      CHECK(f->password() == "password");
      CHECK(f->replycode() == 230);
    }
    if (f->command() == "PORT") CHECK(f->dataip() == "172.23.0.3");
  }
  CHECK(pass_seen);
}

TEST_CASE("ftp-ipv6-epsv-eprt: EPSV and EPRT channels, multi-line replies") {
  const std::string path = testing::shared_capture("ftp-ipv6-epsv-eprt.pcap");
  if (path.empty()) return;
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  auto t = transfers(run.value());
  REQUIRE(t.size() == 5);  // flows.tsv: streams 1-5
  std::vector<std::string> got;
  for (const Transfer& x : t)
    got.push_back(x.command + " " + x.file + " " + std::to_string(x.bytes));
  std::sort(got.begin(), got.end());
  // Listings' sizes are whatever they are; the two RETRs are robots.txt, 77 bytes (objects.tsv).
  CHECK(std::count(got.begin(), got.end(), "RETR robots.txt 77") == 2);
  CHECK(std::count_if(got.begin(), got.end(),
                      [](const std::string& s) { return s.rfind("LIST ", 0) == 0; }) == 2);
  CHECK(std::count_if(got.begin(), got.end(),
                      [](const std::string& s) { return s.rfind("NLST ", 0) == 0; }) == 1);
  for (const FTP* f : run.value().of<FTP>()) {
    if (f->command() == "PASS") {
      CHECK(f->user() == "anonymous");
      CHECK(f->replycode() == 230);
      CHECK(f->replytext().find("NetBSD Project FTP Server") != std::string::npos);
    }
    if (f->command() == "EPRT") CHECK(f->dataip() == "2001:470:1f11:81f:c999:d94:aa7c:2e3e");
  }
}

TEST_CASE("ftp captures give the same records with 1 and 4 workers") {
  const std::string path = testing::shared_capture("ftp-passive-exe-downloads.pcap");
  if (path.empty()) return;
  auto one = testing::run_capture(path, 1);
  auto four = testing::run_capture(path, 4);
  REQUIRE(one.has_value());
  REQUIRE(four.has_value());
  auto a = transfers(one.value());
  auto b = transfers(four.value());
  REQUIRE(a.size() == b.size());
  CHECK(a.size() == 5);
}
