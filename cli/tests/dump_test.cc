// netcap dump on files written by the ncap sink.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/sinks/record_sink.h"
#include "core/sinks/tests/test_support.h"
#include "proto/anomaly.pb.h"

namespace netcap {
namespace {

using testing::TempDir;

struct Run {
  int code;
  std::string out, err;
};

Run dump(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = cli::dump_main(args, out, err);
  return {code, out.str(), err.str()};
}

std::string make_file(const TempDir& dir, int count) {
  SinkOptions options;
  options.case_dir = dir.path();
  options.input_source = "x.pcap";
  auto sink = open_ncap_sink(options);
  REQUIRE(sink.has_value());
  for (int i = 0; i < count; ++i) {
    Anomaly a;
    a.set_timestamp(1362692526869344000 + i);
    a.set_name("tcp.bad_checksum");
    a.set_detail(i == 0 ? "comma, \"quote\"" : "plain");
    a.set_frame(static_cast<uint64_t>(i + 1));
    REQUIRE((*sink)->write(a).is_ok());
  }
  REQUIRE((*sink)->close().is_ok());
  return dir.path() + "/records/Anomaly.ncap.gz";
}

TEST_CASE("dump prints JSON lines by default, with --select and --utc") {
  TempDir dir;
  std::string file = make_file(dir, 3);
  auto run = dump({file, "--select", "Frame,Timestamp"});
  REQUIRE(run.code == 0);
  CHECK(run.out ==
        "{\"Frame\":1,\"Timestamp\":1362692526869344000}\n"
        "{\"Frame\":2,\"Timestamp\":1362692526869344001}\n"
        "{\"Frame\":3,\"Timestamp\":1362692526869344002}\n");
  auto utc = dump({file, "--select", "Timestamp", "--utc", "--limit", "1"});
  CHECK(utc.out == "{\"Timestamp\":\"2013-03-07T21:42:06.869344000Z\"}\n");
}

TEST_CASE("dump --csv, --table, --fields and --header") {
  TempDir dir;
  std::string file = make_file(dir, 2);
  auto csv = dump({file, "--csv", "--select", "Frame,Detail"});
  CHECK(csv.out == "Frame,Detail\r\n1,\"comma, \"\"quote\"\"\"\r\n2,plain\r\n");
  auto table = dump({file, "--table", "--select", "Frame,Name"});
  CHECK(table.out ==
        "Frame  Name\n"
        "-----  ----------------\n"
        "    1  tcp.bad_checksum\n"
        "    2  tcp.bad_checksum\n");
  auto fields = dump({file, "--fields", "--table"});
  CHECK(fields.out.find("Timestamp  int64") != std::string::npos);
  CHECK(fields.out.find("time,indexed") != std::string::npos);
  auto header = dump({file, "--header", "--select", "Frame", "--limit", "1"});
  CHECK(header.out.find("\"Type\":\"Anomaly\"") != std::string::npos);
  CHECK(header.out.find("\"InputSource\":\"x.pcap\"") != std::string::npos);
}

TEST_CASE("dump reports bad files and usage") {
  TempDir dir;
  std::string file = make_file(dir, 200);
  CHECK(dump({file, "--select", "Nope"}).code == 2);
  CHECK(dump({file, "--csv", "--table"}).code == 2);
  CHECK(dump({dir.path() + "/missing.ncap.gz"}).code == 1);
  // Cut the file: records before the damage are printed, then an error, exit 1.
  std::string bytes = testing::read_file(file);
  std::string cut = dir.path() + "/cut.ncap.gz";
  { std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2); }
  auto run = dump({cut});
  CHECK(run.code == 1);
  CHECK(run.err.find("truncated") != std::string::npos);
}

}  // namespace
}  // namespace netcap
