// netcap query on a small handmade case: filters, ordering, formats and SQL safety.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/sinks/record_sink.h"
#include "core/sinks/tests/test_support.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"

namespace netcap {
namespace {

using testing::TempDir;

constexpr int64_t kBase = 1362692526000000000;  // 2013-03-07T21:42:06Z

Connection conn(const std::string& uid, int64_t start_s, const std::string& src, int src_port,
                const std::string& dst, int dst_port, const std::string& proto, int64_t c2s,
                int64_t s2c) {
  Connection c;
  c.set_uid(uid);
  c.set_timestampfirst(kBase + start_s * 1'000'000'000);
  c.set_timestamplast(kBase + (start_s + 10) * 1'000'000'000);
  c.set_duration(10'000'000'000);
  c.set_srcip(src);
  c.set_srcport(src_port);
  c.set_dstip(dst);
  c.set_dstport(dst_port);
  c.set_transportproto(proto);
  c.set_bytesclienttoserver(c2s);
  c.set_bytesservertoclient(s2c);
  c.set_totalsize(c2s + s2c);
  c.set_numpackets(2);
  return c;
}

std::string make_case(const TempDir& dir) {
  SinkOptions options;
  options.case_dir = dir.path() + "/case";
  options.input_source = "handmade.pcap";
  auto sink = open_index_sink(options);
  REQUIRE(sink.has_value());
  // Written out of time order on purpose: queries must sort.
  std::vector<Connection> conns = {
      conn("C3", 100, "10.0.0.1", 40001, "10.0.0.9", 53, "udp", 60, 120),
      conn("C1", 0, "10.0.0.1", 40000, "10.0.0.2", 80, "tcp", 100, 1000),
      conn("C2", 50, "10.0.0.2", 5555, "10.0.0.3", 443, "tcp", 10, 20),
      conn("C0", 0, "10.0.0.3", 1, "10.0.0.1", 80, "tcp", 1, 2),  // same start as C1
  };
  for (const Connection& c : conns) REQUIRE((*sink)->write(c).is_ok());
  const char* names[] = {"tcp.overlap_mismatch", "ipv4.bad_header_length", "tcp.bad_checksum",
                         "tcp.overlap_mismatch"};
  for (int i = 0; i < 4; ++i) {
    Anomaly a;
    a.set_timestamp(kBase + int64_t{3 - i} * 1'000'000'000);
    a.set_name(names[i]);
    a.set_srcip(i == 2 ? "10.0.0.7" : "10.0.0.1");
    REQUIRE((*sink)->write(a).is_ok());
  }
  REQUIRE((*sink)->set_meta("packets", "8").is_ok());
  REQUIRE((*sink)->close().is_ok());
  return options.case_dir;
}

struct Run {
  int code;
  std::string out, err;
};

Run query(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = cli::query_main(args, out, err, false);
  return {code, out.str(), err.str()};
}

// CSV rows (header first) of a query, with plain fields only (our test data has no quotes).
std::vector<std::vector<std::string>> csv_rows(const Run& run) {
  std::vector<std::vector<std::string>> rows;
  REQUIRE(testing::parse_csv(run.out, &rows));
  return rows;
}

std::vector<std::string> column(const std::vector<std::vector<std::string>>& rows,
                                const std::string& name) {
  REQUIRE_FALSE(rows.empty());
  auto it = std::find(rows[0].begin(), rows[0].end(), name);
  REQUIRE(it != rows[0].end());
  size_t index = static_cast<size_t>(it - rows[0].begin());
  std::vector<std::string> values;
  for (size_t i = 1; i < rows.size(); ++i) values.push_back(rows[i].at(index));
  return values;
}

using Strings = std::vector<std::string>;

TEST_CASE("query connections filters and orders by time then UID") {
  TempDir dir;
  std::string c = make_case(dir);
  auto all = query({c, "connections", "--format", "csv"});
  REQUIRE(all.code == 0);
  CHECK(column(csv_rows(all), "UID") == Strings{"C0", "C1", "C2", "C3"});
  CHECK(column(csv_rows(all), "TimestampFirst")[0] == "2013-03-07T21:42:06.000000000Z");
  CHECK(column(csv_rows(all), "Duration")[0] == "10.000000000");

  CHECK(column(csv_rows(query({c, "connections", "--format", "csv", "--host", "10.0.0.1"})),
               "UID") == Strings{"C0", "C1", "C3"});
  CHECK(column(csv_rows(query({c, "connections", "--format", "csv", "--port", "80"})), "UID") ==
        Strings{"C0", "C1"});
  CHECK(column(csv_rows(query({c, "connections", "--format", "csv", "--proto", "UDP"})), "UID") ==
        Strings{"C3"});
  // C2 runs 50..60 s; C3 100..110 s. Overlap with [55 s, 105 s]:
  CHECK(
      column(csv_rows(query({c, "connections", "--format", "csv", "--since", "2013-03-07T21:43:01Z",
                             "--until", std::to_string(kBase / 1'000'000'000 + 105)})),
             "UID") == Strings{"C2", "C3"});
  auto limited = query({c, "connections", "--format", "csv", "--limit", "2"});
  CHECK(column(csv_rows(limited), "UID") == Strings{"C0", "C1"});
  CHECK(limited.err.find("more exist") != std::string::npos);
  auto raw = query({c, "connections", "--format", "csv", "--raw-time", "--limit", "1"});
  CHECK(column(csv_rows(raw), "TimestampFirst") == Strings{std::to_string(kBase)});
  auto wide = query({c, "connections", "--format", "csv", "--wide", "--limit", "1"});
  // id + every Connection field
  CHECK(csv_rows(wide)[0].size() ==
        1u + static_cast<size_t>(Connection::descriptor()->field_count()));
  auto none = query({c, "connections", "--format", "csv", "--host", "192.0.2.1"});
  CHECK(none.code == 0);
  CHECK(csv_rows(none).size() == 1u);  // header only
}

TEST_CASE("query hosts aggregates both sides of each connection") {
  TempDir dir;
  std::string c = make_case(dir);
  auto rows = csv_rows(query({c, "hosts", "--format", "csv"}));
  // 10.0.0.1: sent 100+60+2, received 1000+120+1; originator twice, responder once.
  CHECK(column(rows, "IP") == Strings{"10.0.0.1", "10.0.0.2", "10.0.0.9", "10.0.0.3"});
  CHECK(column(rows, "BytesSent")[0] == "162");
  CHECK(column(rows, "BytesReceived")[0] == "1121");
  CHECK(column(rows, "AsOriginator")[0] == "2");
  CHECK(column(rows, "AsResponder")[0] == "1");
  CHECK(column(rows, "Peers")[0] == "3");
  CHECK(column(rows, "FirstSeen")[0] == "2013-03-07T21:42:06.000000000Z");
  auto one = csv_rows(query({c, "hosts", "--format", "csv", "--host", "10.0.0.9"}));
  CHECK(column(one, "IP") == Strings{"10.0.0.9"});
  CHECK(column(one, "BytesSent") == Strings{"120"});
}

TEST_CASE("query anomalies filters by name glob and host, and groups") {
  TempDir dir;
  std::string c = make_case(dir);
  auto all = csv_rows(query({c, "anomalies", "--format", "csv"}));
  CHECK(column(all, "Name") == Strings{"tcp.overlap_mismatch", "tcp.bad_checksum",
                                       "ipv4.bad_header_length", "tcp.overlap_mismatch"});
  CHECK(column(csv_rows(query({c, "anomalies", "--format", "csv", "--name", "tcp.*"})), "Name")
            .size() == 3u);
  CHECK(column(csv_rows(
                   query({c, "anomalies", "--format", "csv", "--name", "ipv4.bad_header_length"})),
               "Name") == Strings{"ipv4.bad_header_length"});
  CHECK(column(csv_rows(query({c, "anomalies", "--format", "csv", "--host", "10.0.0.7"})),
               "Name") == Strings{"tcp.bad_checksum"});
  CHECK(column(csv_rows(query({c, "anomalies", "--format", "csv", "--since",
                               std::to_string(kBase / 1'000'000'000 + 2)})),
               "Name")
            .size() == 2u);
  auto grouped = csv_rows(query({c, "anomalies", "--format", "csv", "--group"}));
  CHECK(column(grouped, "Name") ==
        Strings{"tcp.overlap_mismatch", "ipv4.bad_header_length", "tcp.bad_checksum"});
  CHECK(column(grouped, "Count") == Strings{"2", "1", "1"});
}

TEST_CASE("query summary counts records and reports the time span") {
  TempDir dir;
  std::string c = make_case(dir);
  auto run = query({c, "summary", "--format", "json"});
  REQUIRE(run.code == 0);
  CHECK(run.out.find("{\"Table\": \"Connection\", \"Records\": 4}") != std::string::npos);
  CHECK(run.out.find("{\"Table\": \"Anomaly\", \"Records\": 4}") != std::string::npos);
  CHECK(run.out.find("{\"Key\": \"packets\", \"Value\": \"8\"}") != std::string::npos);
  CHECK(run.out.find("\"First\": " + std::to_string(kBase)) != std::string::npos);
  CHECK(run.out.find("\"Last\": " + std::to_string(kBase + 110'000'000'000)) != std::string::npos);
  CHECK(run.out.find("{\"IP\": \"10.0.0.1\", \"Bytes\": 1283") != std::string::npos);
  auto table = query({c, "summary", "--format", "table"});
  CHECK(table.out.find("== records ==") != std::string::npos);
}

TEST_CASE("query --sql is read-only and single-statement") {
  TempDir dir;
  std::string c = make_case(dir);
  auto ok = query({c, "--sql", "SELECT UID FROM Connection WHERE DstPort = 80 ORDER BY UID",
                   "--format", "json"});
  REQUIRE(ok.code == 0);
  CHECK(ok.out == "[\n  {\"UID\": \"C0\"},\n  {\"UID\": \"C1\"}\n]\n");
  for (const char* sql : {"DELETE FROM Connection", "ATTACH DATABASE ':memory:' AS x",
                          "SELECT 1; DROP TABLE Connection", "PRAGMA journal_mode=DELETE"}) {
    INFO(sql);
    auto bad = query({c, "--sql", sql});
    CHECK(bad.code == 1);
    CHECK(bad.err.rfind("netcap query: --sql: ", 0) == 0);
  }
  auto count = query({c, "--sql", "SELECT count(*) AS n FROM Connection", "--format", "csv"});
  CHECK(count.out == "n\r\n4\r\n");
}

TEST_CASE("query reports missing cases and bad usage with the right exit codes") {
  TempDir dir;
  auto missing = query({dir.path() + "/nope", "summary"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("does not exist") != std::string::npos);
  auto no_index = query({dir.path(), "summary"});
  CHECK(no_index.code == 1);
  CHECK(no_index.err.find("no index.db") != std::string::npos);
  std::string c = make_case(dir);
  CHECK(query({c, "bogus"}).code == 2);
  CHECK(query({c, "summary", "--port", "80"}).code == 2);
  CHECK(query({c, "connections", "--port", "99999"}).code == 1);
  CHECK(query({c, "connections", "--since", "yesterday"}).code == 2);
  CHECK(query({c, "connections", "--format", "xml"}).code == 2);
  auto unknown = query({c, "connections", "--frobnicate"});
  CHECK(unknown.code == 2);
  CHECK(unknown.err == "netcap query: unknown option --frobnicate\ntry 'netcap query --help'\n");
  auto help = query({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("EXIT STATUS") != std::string::npos);
}

}  // namespace
}  // namespace netcap
