#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>

#include "core/sinks/case_index.h"
#include "core/sinks/ncap_reader.h"
#include "core/sinks/record_catalog.h"
#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"
#include "core/sinks/tests/sink_test_record.pb.h"
#include "core/sinks/tests/test_support.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"

namespace netcap {
namespace {

namespace pb = google::protobuf;
namespace fs = std::filesystem;
using testing::TempDir;

// Records with every awkward value the outputs must survive.
std::vector<std::unique_ptr<pb::Message>> awkward_records() {
  std::vector<std::unique_ptr<pb::Message>> records;
  auto c1 = std::make_unique<Connection>();
  c1->set_timestampfirst(1362692526869344000);
  c1->set_timestamplast(std::numeric_limits<int64_t>::max());
  c1->set_duration(std::numeric_limits<int64_t>::max() - 1362692526869344000);
  c1->set_srcip("10.0.0.1");
  c1->set_dstip("bad\xFF\xFEip");  // invalid UTF-8
  c1->set_srcport(65535);
  c1->set_dstport(80);
  c1->set_transportproto("tcp");
  c1->set_history("Sh,\"AD\"\nFf\r\n");  // comma, quotes, newlines
  c1->set_totalsize(std::numeric_limits<int64_t>::max());
  c1->set_firstframe(std::numeric_limits<uint64_t>::max() >> 1);
  c1->set_uid("C0000000000000001");
  records.push_back(std::move(c1));
  auto c2 = std::make_unique<Connection>();  // all defaults: empty strings, zeros
  c2->set_uid("");
  records.push_back(std::move(c2));
  auto a1 = std::make_unique<Anomaly>();
  a1->set_timestamp(-1);
  a1->set_name("tcp.overlap_mismatch");
  a1->set_detail("a \"quoted\", multi\nline \x01 detail \xC0\xAF");
  a1->set_frame(7);
  records.push_back(std::move(a1));
  auto t1 = std::make_unique<SinkTestRecord>();
  t1->set_timestamp(5);
  t1->set_text("nested\xFF");
  t1->set_raw(std::string("\x00\x01\x02\xFF", 4));
  t1->set_big(std::numeric_limits<uint64_t>::max());
  t1->set_ratio(-2.5);
  t1->set_flag(true);
  t1->set_color(RED);
  t1->mutable_part()->set_label("part \"one\"");
  t1->mutable_part()->set_value(-9);
  t1->add_parts()->set_label("p1");
  t1->add_parts()->set_label("p2\xFF");
  (*t1->mutable_counts())["k"] = 1;
  records.push_back(std::move(t1));
  auto t2 = std::make_unique<SinkTestRecord>();  // empty repeated, unset sub-message
  t2->set_text("x");
  records.push_back(std::move(t2));
  return records;
}

std::unique_ptr<pb::Message> sanitized(const pb::Message& message) {
  std::unique_ptr<pb::Message> copy(message.New());
  copy->CopyFrom(message);
  sanitize_message_strings(copy.get());
  return copy;
}

void write_all(RecordSink& sink, const std::vector<std::unique_ptr<pb::Message>>& records) {
  for (const auto& record : records) {
    Status s = sink.write(*record);
    INFO(s.message());
    REQUIRE(s.is_ok());
  }
  REQUIRE(sink.flush().is_ok());
  REQUIRE(sink.close().is_ok());
  REQUIRE(sink.close().is_ok());  // idempotent
}

SinkOptions options_for(const TempDir& dir) {
  SinkOptions options;
  options.case_dir = dir.path() + "/case";
  options.input_source = "in\xFF.pcap";
  return options;
}

std::vector<const pb::Message*> of_type(const std::vector<std::unique_ptr<pb::Message>>& records,
                                        const pb::Descriptor* type) {
  std::vector<const pb::Message*> out;
  for (const auto& r : records) {
    if (r->GetDescriptor() == type) out.push_back(r.get());
  }
  return out;
}

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  }
  ~Db() { sqlite3_close(db); }
  ResultSet query(const std::string& sql) {
    auto result = run_query(db, sql, {});
    INFO(sql);
    REQUIRE(result.has_value());
    return std::move(result).value();
  }
};

// Compares one SQLite row (id first) with the record, field by field, from the descriptor.
void check_row(const std::vector<SqlValue>& row, const pb::Message& record) {
  auto columns = record_columns(*record.GetDescriptor());
  REQUIRE(row.size() == columns.size() + 1);
  const pb::Reflection* r = record.GetReflection();
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& column = columns[i];
    const SqlValue& value = row[i + 1];
    const pb::FieldDescriptor* f = column.field;
    INFO("column " << column.name);
    if (column.is_json) {
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !f->is_repeated() &&
          !r->HasField(record, f)) {
        CHECK(std::holds_alternative<std::monostate>(value));
      } else {
        std::string json;
        FormatOptions index_format;  // the index leaves default fields out of JSON objects
        index_format.omit_defaults = true;
        append_json_field(record, *f, index_format, &json);
        CHECK(std::get<std::string>(value) == json);
      }
      continue;
    }
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        CHECK(std::get<int64_t>(value) == r->GetInt32(record, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        CHECK(std::get<int64_t>(value) == r->GetInt64(record, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        CHECK(std::get<int64_t>(value) == r->GetUInt32(record, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = r->GetUInt64(record, f);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          CHECK(std::get<double>(value) == static_cast<double>(v));
        } else {
          CHECK(std::get<int64_t>(value) == static_cast<int64_t>(v));
        }
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        CHECK(std::get<int64_t>(value) == (r->GetBool(record, f) ? 1 : 0));
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        CHECK(std::get<double>(value) == r->GetDouble(record, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        CHECK(std::get<double>(value) == r->GetFloat(record, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        CHECK(std::get<std::string>(value) == r->GetEnum(record, f)->name());
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (f->type() == pb::FieldDescriptor::TYPE_BYTES) {
          CHECK(std::get<SqlBlob>(value).bytes == r->GetString(record, f));
        } else {
          CHECK(std::get<std::string>(value) == sanitize_utf8(r->GetString(record, f)));
        }
        break;
      default:
        FAIL("unexpected column type");
    }
  }
}

TEST_CASE("index sink stores every field of every record") {
  TempDir dir;
  auto records = awkward_records();
  SinkOptions options = options_for(dir);
  Limits limits;
  limits.sqlite_rows_per_transaction = 2;  // exercise the mid-batch commits
  options.limits = &limits;
  auto sink = open_index_sink(options);
  REQUIRE(sink.has_value());
  CHECK((*sink)->name() == "index");
  REQUIRE((*sink)->set_meta("packets", "42").is_ok());
  write_all(**sink, records);

  Db db(options.case_dir + "/index.db");
  for (const pb::Descriptor* type :
       {Connection::descriptor(), Anomaly::descriptor(), SinkTestRecord::descriptor()}) {
    INFO("table " << type->name());
    auto expected = of_type(records, type);
    ResultSet rows = db.query("SELECT * FROM \"" + type->name() + "\" ORDER BY id");
    REQUIRE(rows.rows.size() == expected.size());
    CHECK(rows.columns[0].name == "id");
    for (size_t i = 0; i < expected.size(); ++i) check_row(rows.rows[i], *expected[i]);
  }
  ResultSet meta = db.query("SELECT key, value FROM meta ORDER BY key");
  std::map<std::string, std::string> m;
  for (const auto& row : meta.rows)
    m[std::get<std::string>(row[0])] = std::get<std::string>(row[1]);
  CHECK(m["packets"] == "42");
  CHECK(m["input_source"] == "in\xEF\xBF\xBD.pcap");
  CHECK(m["schema_version"] == std::to_string(kIndexSchemaVersion));
  CHECK(m["netcap_version"] == std::string(netcap_version()));
  CHECK(parse_time(m["created"]).has_value());
}

TEST_CASE("index has user_version, WAL mode and an index per (index)/(time_ns) column") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  auto sink = open_index_sink(options);
  REQUIRE(sink.has_value());
  Connection c;
  c.set_uid("C1");
  REQUIRE((*sink)->write(c).is_ok());
  REQUIRE((*sink)->close().is_ok());

  Db db(options.case_dir + "/index.db");
  CHECK(std::get<int64_t>(db.query("PRAGMA user_version").rows.at(0).at(0)) == kIndexSchemaVersion);
  CHECK(std::get<std::string>(db.query("PRAGMA journal_mode").rows.at(0).at(0)) == "wal");
  for (const pb::Descriptor* type : {Connection::descriptor(), Anomaly::descriptor()}) {
    std::set<std::string> expected;
    for (const Column& column : record_columns(*type)) {
      if (column.indexed) expected.insert("idx_" + type->name() + "_" + column.name);
    }
    std::set<std::string> actual;
    for (const auto& row : db.query("PRAGMA index_list(\"" + type->name() + "\")").rows) {
      actual.insert(std::get<std::string>(row.at(1)));
    }
    INFO(type->name());
    CHECK(actual == expected);
    CHECK(actual.count("idx_" + type->name() + "_" + record_columns(*type)[0].name) == 1);
  }
  // Anomaly got no rows but its table exists (FORENSIC tables are created up-front).
  CHECK(std::get<int64_t>(db.query("SELECT count(*) FROM Anomaly").rows.at(0).at(0)) == 0);
  // The index on Connection.SrcIP is really used for lookups.
  auto plan = db.query("EXPLAIN QUERY PLAN SELECT * FROM Connection WHERE SrcIP='x'");
  CHECK(std::get<std::string>(plan.rows.at(0).back()).find("idx_Connection_SrcIP") !=
        std::string::npos);
}

TEST_CASE("index sink skips LAYER records unless asked") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  SinkTestLayer layer;
  layer.set_timestamp(1);
  layer.set_length(60);
  for (bool include : {false, true}) {
    options.layer_records_in_index = include;
    auto sink = open_index_sink(options);
    REQUIRE(sink.has_value());
    REQUIRE((*sink)->write(layer).is_ok());
    REQUIRE((*sink)->close().is_ok());
    Db db(options.case_dir + "/index.db");
    auto tables =
        db.query("SELECT name FROM sqlite_master WHERE type='table' AND name='SinkTestLayer'");
    CHECK(tables.rows.size() == (include ? 1u : 0u));
    if (include) {
      CHECK(std::get<int64_t>(db.query("SELECT Length FROM SinkTestLayer").rows.at(0).at(0)) == 60);
    }
  }
}

TEST_CASE("re-running into the same case replaces the index and record files") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  auto records = awkward_records();
  {
    auto index = open_index_sink(options);
    REQUIRE(index.has_value());
    write_all(**index, records);
    auto jsonl = open_jsonl_sink(options);
    REQUIRE(jsonl.has_value());
    write_all(**jsonl, records);
  }
  // A stale WAL file must not be replayed into the new index.
  { std::ofstream(options.case_dir + "/index.db-wal") << "garbage"; }
  Anomaly only;
  only.set_name("second.run");
  auto index = open_index_sink(options);
  REQUIRE(index.has_value());
  REQUIRE((*index)->write(only).is_ok());
  REQUIRE((*index)->close().is_ok());
  auto jsonl = open_jsonl_sink(options);
  REQUIRE(jsonl.has_value());
  REQUIRE((*jsonl)->write(only).is_ok());
  REQUIRE((*jsonl)->close().is_ok());

  Db db(options.case_dir + "/index.db");
  CHECK(std::get<int64_t>(db.query("SELECT count(*) FROM Connection").rows.at(0).at(0)) == 0);
  auto names = db.query("SELECT Name FROM Anomaly");
  REQUIRE(names.rows.size() == 1);
  CHECK(std::get<std::string>(names.rows[0][0]) == "second.run");
  CHECK_FALSE(fs::exists(options.case_dir + "/records/Connection.jsonl"));
  CHECK(fs::exists(options.case_dir + "/records/Anomaly.jsonl"));
}

TEST_CASE("ncap.gz files read back equal to the written records") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  setenv("SOURCE_DATE_EPOCH", "1362692526", 1);
  auto sink = open_ncap_sink(options);
  REQUIRE(sink.has_value());
  auto records = awkward_records();
  write_all(**sink, records);
  unsetenv("SOURCE_DATE_EPOCH");

  for (const pb::Descriptor* type :
       {Connection::descriptor(), Anomaly::descriptor(), SinkTestRecord::descriptor()}) {
    INFO(type->name());
    std::string path = options.case_dir + "/records/" + type->name() + ".ncap.gz";
    auto reader = NcapReader::open(path);
    INFO(reader.status().message());
    REQUIRE(reader.has_value());
    CHECK(reader->header().type() == type->name());
    CHECK(reader->header().created() == 1362692526000000000);
    CHECK(reader->header().inputsource() == "in\xEF\xBF\xBD.pcap");
    CHECK(reader->header().version() == std::string(netcap_version()));
    CHECK_FALSE(reader->header().containspayloads());
    CHECK(reader->record_descriptor() == type);
    auto expected = of_type(records, type);
    auto record = reader->new_record();
    for (const pb::Message* want : expected) {
      auto got = reader->next(*record);
      REQUIRE(got.has_value());
      REQUIRE(*got);
      // Strings are sanitised (proto3 rejects invalid UTF-8); everything else is identical.
      CHECK(pb::util::MessageDifferencer::Equals(*sanitized(*want), *record));
    }
    auto end = reader->next(*record);
    REQUIRE(end.has_value());
    CHECK_FALSE(*end);
    CHECK(reader->records_read() == expected.size());
  }
}

TEST_CASE("ncap.gz files of several gzip members read back whole and in order") {
  // The writer compresses blocks of 256 KiB as separate gzip members (RFC 1952 section 2.2);
  // readers must see one stream.
  TempDir dir;
  SinkOptions options = options_for(dir);
  auto sink = open_ncap_sink(options);
  REQUIRE(sink.has_value());
  Connection c;
  for (int i = 0; i < 3000; ++i) {
    c.set_numpackets(i);
    c.set_history(std::string(static_cast<size_t>(300 + i % 97), static_cast<char>('a' + i % 26)));
    REQUIRE((*sink)->write(c).is_ok());
  }
  REQUIRE((*sink)->close().is_ok());
  const std::string path = options.case_dir + "/records/Connection.ncap.gz";
  // More than one member: the gzip magic and deflate method start the file and appear again.
  const std::string bytes = testing::read_file(path);
  CHECK(bytes.find("\x1f\x8b\x08", 1) != std::string::npos);
  auto reader = NcapReader::open(path);
  REQUIRE(reader.has_value());
  Connection record;
  int64_t expected = 0;
  while (true) {
    auto got = reader->next(record);
    REQUIRE(got.has_value());
    if (!*got) break;
    CHECK(record.numpackets() == expected);
    CHECK(record.history().size() == static_cast<size_t>(300 + expected % 97));
    ++expected;
  }
  CHECK(expected == 3000);
}

TEST_CASE("NcapReader reports truncated and foreign files clearly") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  auto sink = open_ncap_sink(options);
  REQUIRE(sink.has_value());
  Connection c;
  c.set_history(std::string(5000, 'x'));  // big enough that truncation cuts a record
  for (int i = 0; i < 50; ++i) {
    c.set_numpackets(i);
    REQUIRE((*sink)->write(c).is_ok());
  }
  REQUIRE((*sink)->close().is_ok());
  std::string path = options.case_dir + "/records/Connection.ncap.gz";
  std::string bytes = testing::read_file(path);
  REQUIRE(bytes.size() > 100);

  std::string cut = dir.path() + "/cut.ncap.gz";
  { std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 20); }
  auto reader = NcapReader::open(cut);
  REQUIRE(reader.has_value());
  Connection record;
  Status failure;
  int read = 0;
  while (true) {
    auto got = reader->next(record);
    if (!got) {
      failure = got.status();
      break;
    }
    if (!*got) break;
    ++read;
  }
  INFO(failure.message());
  CHECK_FALSE(failure.is_ok());
  CHECK(failure.message().find("truncated") != std::string::npos);
  CHECK(read < 50);

  std::string foreign = dir.path() + "/foreign.ncap.gz";
  { std::ofstream(foreign, std::ios::binary) << "\x05hello world, not protobuf"; }
  CHECK_FALSE(NcapReader::open(foreign).has_value());
  std::string empty = dir.path() + "/empty.ncap.gz";
  { std::ofstream(empty, std::ios::binary); }
  CHECK(NcapReader::open(empty).status().message().find("empty") != std::string::npos);
  CHECK_FALSE(NcapReader::open(dir.path() + "/missing.ncap.gz").has_value());

  // A reader refuses a message of another type.
  auto good = NcapReader::open(path);
  REQUIRE(good.has_value());
  Anomaly wrong;
  CHECK_FALSE(good->next(wrong).has_value());
}

TEST_CASE("JSONL lines parse back to the records") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  auto sink = open_jsonl_sink(options);
  REQUIRE(sink.has_value());
  auto records = awkward_records();
  write_all(**sink, records);
  for (const pb::Descriptor* type :
       {Connection::descriptor(), Anomaly::descriptor(), SinkTestRecord::descriptor()}) {
    INFO(type->name());
    std::string text = testing::read_file(options.case_dir + "/records/" + type->name() + ".jsonl");
    CHECK(is_valid_utf8(text));
    auto expected = of_type(records, type);
    std::istringstream lines(text);
    std::string line;
    size_t n = 0;
    while (std::getline(lines, line)) {
      REQUIRE(n < expected.size());
      INFO(line);
      std::unique_ptr<pb::Message> parsed(expected[n]->New());
      auto status = pb::util::JsonStringToMessage(line, parsed.get());
      REQUIRE(status.ok());
      CHECK(pb::util::MessageDifferencer::Equals(*sanitized(*expected[n]), *parsed));
      ++n;
    }
    CHECK(n == expected.size());
  }
}

TEST_CASE("CSV files have a header and the same number of columns on every record") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  auto sink = open_csv_sink(options);
  REQUIRE(sink.has_value());
  auto records = awkward_records();
  write_all(**sink, records);
  for (const pb::Descriptor* type :
       {Connection::descriptor(), Anomaly::descriptor(), SinkTestRecord::descriptor()}) {
    INFO(type->name());
    std::string text = testing::read_file(options.case_dir + "/records/" + type->name() + ".csv");
    CHECK(is_valid_utf8(text));
    std::vector<std::vector<std::string>> rows;
    REQUIRE(testing::parse_csv(text, &rows));
    auto columns = record_columns(*type);
    auto expected = of_type(records, type);
    REQUIRE(rows.size() == expected.size() + 1);
    for (size_t c = 0; c < columns.size(); ++c) CHECK(rows[0][c] == columns[c].name);
    for (size_t i = 0; i < expected.size(); ++i) {
      REQUIRE(rows[i + 1].size() == columns.size());
      for (size_t c = 0; c < columns.size(); ++c) {
        CHECK(rows[i + 1][c] == column_text(*expected[i], columns[c], FormatOptions{}));
      }
    }
  }
}

TEST_CASE("open_sink picks sinks by kind and rejects unknown kinds") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  for (const char* kind : {"index", "ncap", "jsonl", "csv"}) {
    auto sink = open_sink(kind, options);
    REQUIRE(sink.has_value());
    CHECK((*sink)->name() == kind);
    CHECK((*sink)->close().is_ok());
  }
  CHECK_FALSE(open_sink("parquet", options).has_value());
  SinkOptions bad;
  bad.case_dir = "/proc/definitely/not/writable";
  CHECK_FALSE(open_index_sink(bad).has_value());
}

}  // namespace
}  // namespace netcap

namespace netcap {
namespace {

TEST_CASE("every catalog record type goes through every sink") {
  TempDir dir;
  SinkOptions options = options_for(dir);
  options.layer_records_in_index = true;
  std::vector<std::unique_ptr<RecordSink>> sinks;
  for (const char* kind : {"index", "ncap", "jsonl", "csv"}) {
    auto sink = open_sink(kind, options);
    REQUIRE(sink.has_value());
    sinks.push_back(std::move(sink).value());
  }
  const auto& types = record_catalog().types();
  REQUIRE(types.size() >= 2);
  for (const RecordType& type : types) {
    std::unique_ptr<pb::Message> record(type.prototype->New());
    for (auto& sink : sinks) {
      Status s = sink->write(*record);
      INFO(type.name << " -> " << sink->name() << ": " << s.message());
      REQUIRE(s.is_ok());
    }
  }
  for (auto& sink : sinks) REQUIRE(sink->close().is_ok());
  Db db(options.case_dir + "/index.db");
  for (const RecordType& type : types) {
    INFO(type.name);
    auto count = db.query("SELECT count(*) FROM " + quote_identifier(type.name));
    CHECK(std::get<int64_t>(count.rows.at(0).at(0)) == 1);
    auto reader = NcapReader::open(options.case_dir + "/records/" + type.name + ".ncap.gz");
    REQUIRE(reader.has_value());
    auto record = reader->new_record();
    auto got = reader->next(*record);
    REQUIRE(got.has_value());
    CHECK(*got);
  }
}

}  // namespace
}  // namespace netcap
