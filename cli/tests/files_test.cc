// netcap files / netcap extract on a handmade case: the listing and its filters, and copies
// out under safe names (a hostile name from the wire never becomes a path).
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "cli/commands.h"
#include "core/sinks/record_sink.h"
#include "core/sinks/tests/test_support.h"
#include "forensics/files/file_store.h"
#include "proto/file.pb.h"

namespace netcap {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct Run {
  int code;
  std::string out, err;
};

// Two files stored through the real store, their records in the index.
std::string make_case(const TempDir& dir, std::string& evil_sha) {
  const std::string case_dir = dir.path() + "/case";
  SinkOptions options;
  options.case_dir = case_dir;
  options.input_source = "handmade.pcap";
  auto sink = open_index_sink(options);
  REQUIRE(sink.has_value());
  auto store = files::FileStore::create(case_dir);
  REQUIRE(store.has_value());
  struct Spec {
    const char* name;
    const char* proto;
    const char* content;
    const char* server;
  };
  const Spec specs[] = {{"../../../etc/evil.sh", "http", "#!/bin/sh\necho hi\n", "10.0.0.2"},
                        {"report.pdf", "ftp", "%PDF-1.4\n%x\n", "10.0.0.3"}};
  int64_t ts = 1000;
  for (const Spec& s : specs) {
    app::FileOrigin o;
    o.protocol = s.proto;
    o.name = s.name;
    o.ts_ns = ts;
    auto w = (*store)->open(o);
    const std::string_view c = s.content;
    w->write(0, {reinterpret_cast<const uint8_t*>(c.data()), c.size()}, ts);
    auto rec = w->close(true, "", ts + 1);
    REQUIRE(rec);
    rec->set_clientip("10.0.0.1");
    rec->set_serverip(s.server);
    rec->set_flowid("C" + std::to_string(ts));
    if (std::string(s.proto) == "http") evil_sha = rec->sha256();
    REQUIRE((*sink)->write(*rec).is_ok());
    ts += 1000;
  }
  REQUIRE((*sink)->close().is_ok());
  return case_dir;
}

Run files(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = cli::files_main(args, out, err, false);
  return {code, out.str(), err.str()};
}

Run extract(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = cli::extract_main(args, out, err);
  return {code, out.str(), err.str()};
}

TEST_CASE("files: listing and filters") {
  TempDir dir;
  std::string sha;
  const std::string c = make_case(dir, sha);
  Run all = files({c, "--format", "csv"});
  REQUIRE(all.code == 0);
  CHECK(all.out.find("evil.sh") != std::string::npos);
  CHECK(all.out.find("report.pdf") != std::string::npos);
  Run pdf = files({c, "--format", "csv", "--mime", "pdf"});
  CHECK(pdf.out.find("report.pdf") != std::string::npos);
  CHECK(pdf.out.find("evil.sh") == std::string::npos);
  Run host = files({c, "--format", "csv", "--host", "10.0.0.2"});
  CHECK(host.out.find("evil.sh") != std::string::npos);
  CHECK(host.out.find("report.pdf") == std::string::npos);
  Run proto = files({c, "--format", "csv", "--proto", "FTP"});
  CHECK(proto.out.find("report.pdf") != std::string::npos);
  CHECK(proto.out.find("evil.sh") == std::string::npos);
  Run by_sha = files({c, "--format", "csv", "--sha256", sha});
  CHECK(by_sha.out.find("evil.sh") != std::string::npos);
  CHECK(by_sha.out.find("report.pdf") == std::string::npos);
  Run quoted = files({c, "--format", "csv", "--name", "x' OR '1'='1"});
  CHECK(quoted.code == 0);
  CHECK(quoted.out.find("evil.sh") == std::string::npos);
}

TEST_CASE("extract: safe names, only inside the output directory") {
  TempDir dir;
  std::string sha;
  const std::string c = make_case(dir, sha);
  const std::string out_dir = dir.path() + "/out/deep";
  Run r = extract({c, "--all", "-o", out_dir});
  REQUIRE(r.code == 0);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out_dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  REQUIRE(names.size() == 2);
  CHECK(names[0] == "evil_" + sha.substr(0, 12) + ".sh");
  CHECK(names[1].rfind("report_", 0) == 0);
  CHECK_FALSE(fs::exists(dir.path() + "/etc"));
  CHECK_FALSE(fs::exists(dir.path() + "/out/etc"));

  const std::string one = dir.path() + "/one";
  CHECK(extract({c, "--sha256", sha, "-o", one}).code == 0);
  CHECK(fs::exists(one + "/evil_" + sha.substr(0, 12) + ".sh"));
  CHECK(extract({c, "--sha256", std::string(64, 'a'), "-o", one}).code == 1);
  CHECK(extract({c, "--sha256", "../x", "-o", one}).code == 2);
  CHECK(extract({c, "-o", one}).code == 2);
  CHECK(extract({c, "--all"}).code == 2);
}

}  // namespace
}  // namespace netcap
