#include "core/sinks/case_index.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/sinks/record_sink.h"
#include "core/sinks/tests/test_support.h"
#include "proto/connection.pb.h"

namespace netcap {
namespace {

using testing::TempDir;

std::string make_case(const TempDir& dir) {
  SinkOptions options;
  options.case_dir = dir.path() + "/case";
  auto sink = open_index_sink(options);
  REQUIRE(sink.has_value());
  for (int i = 0; i < 3; ++i) {
    Connection c;
    c.set_uid("C" + std::to_string(i));
    c.set_timestampfirst(1000 + i);
    c.set_duration(5);
    REQUIRE((*sink)->write(c).is_ok());
  }
  REQUIRE((*sink)->close().is_ok());
  return options.case_dir;
}

TEST_CASE("CaseIndex opens read-only and marks time columns") {
  TempDir dir;
  std::string case_dir = make_case(dir);
  auto index = CaseIndex::open_read_only(case_dir);
  REQUIRE(index.has_value());
  CHECK(index->schema_version() == kIndexSchemaVersion);
  CHECK(index->has_table("Connection"));
  CHECK_FALSE(index->has_table("Nope"));
  CHECK(index->has_column("Connection", "SrcIP"));
  CHECK_FALSE(index->has_column("Connection", "Bogus"));

  auto result = index->run_user_sql(
      "SELECT UID, TimestampFirst, Duration, TimestampFirst + 1 AS t FROM Connection ORDER BY UID",
      100);
  REQUIRE(result.has_value());
  REQUIRE(result->rows.size() == 3);
  CHECK(std::get<std::string>(result->rows[2][0]) == "C2");
  CHECK(std::get<int64_t>(result->rows[2][1]) == 1002);
  CHECK_FALSE(result->columns[0].is_time);
  CHECK(result->columns[1].is_time);
  CHECK(result->columns[2].is_duration);
  CHECK_FALSE(result->columns[3].is_time);  // computed: no origin

  auto limited = index->run_user_sql("SELECT UID FROM Connection ORDER BY UID", 2);
  REQUIRE(limited.has_value());
  CHECK(limited->rows.size() == 2);
  CHECK(limited->truncated);

  // Trailing semicolon, whitespace and comments are one statement.
  CHECK(index->run_user_sql("SELECT 1;  -- done\n", 10).has_value());
  CHECK(index->run_user_sql("SELECT * FROM pragma_table_info('Connection')", 100).has_value());
  CHECK(index
            ->run_user_sql("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM n "
                           "WHERE x < 5) SELECT count(*) FROM n",
                           10)
            .has_value());
}

TEST_CASE("CaseIndex rejects writes, ATTACH and multiple statements") {
  TempDir dir;
  std::string case_dir = make_case(dir);
  auto index = CaseIndex::open_read_only(case_dir);
  REQUIRE(index.has_value());
  for (const char* sql :
       {"DELETE FROM Connection", "UPDATE Connection SET UID='x'",
        "INSERT INTO meta VALUES('a','b')", "DROP TABLE Connection", "CREATE TABLE t(x)",
        "ATTACH DATABASE ':memory:' AS other", "ATTACH DATABASE '/tmp/netcap-attack.db' AS other",
        "DETACH main", "SELECT 1; SELECT 2", "SELECT 1; DELETE FROM Connection",
        "PRAGMA user_version=5", "PRAGMA query_only=0", "VACUUM", "", "  ",
        "SELECT load_extension('x')"}) {
    INFO(sql);
    auto result = index->run_user_sql(sql, 10);
    CHECK_FALSE(result.has_value());
  }
  auto count = index->run_user_sql("SELECT count(*) FROM Connection", 10);
  REQUIRE(count.has_value());
  CHECK(std::get<int64_t>(count->rows.at(0).at(0)) == 3);
  CHECK_FALSE(std::filesystem::exists("/tmp/netcap-attack.db"));
}

TEST_CASE("CaseIndex refuses missing cases and newer schema versions") {
  TempDir dir;
  auto missing = CaseIndex::open_read_only(dir.path() + "/nothing");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.status().message().find("does not exist") != std::string::npos);
  auto no_index = CaseIndex::open_read_only(dir.path());
  REQUIRE_FALSE(no_index.has_value());
  CHECK(no_index.status().message().find("no index.db") != std::string::npos);

  std::string case_dir = make_case(dir);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((case_dir + "/index.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       ("PRAGMA user_version=" + std::to_string(kIndexSchemaVersion + 1)).c_str(),
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto newer = CaseIndex::open_read_only(case_dir);
  REQUIRE_FALSE(newer.has_value());
  CHECK(newer.status().message().find("newer") != std::string::npos);
}

}  // namespace
}  // namespace netcap
