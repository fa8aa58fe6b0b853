#include "core/sinks/record_format.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <limits>

#include "core/sinks/record_catalog.h"
#include "core/sinks/tests/sink_test_record.pb.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"

namespace netcap {
namespace {

const Column& column_named(const std::vector<Column>& columns, const std::string& name) {
  for (const Column& c : columns) {
    if (c.name == name) return c;
  }
  FAIL("no column " << name);
  throw 0;
}

TEST_CASE("format_time_ns renders RFC 3339 UTC with nanoseconds") {
  CHECK(format_time_ns(1362692526869344000) == "2013-03-07T21:42:06.869344000Z");
  CHECK(format_time_ns(0) == "1970-01-01T00:00:00.000000000Z");
  CHECK(format_time_ns(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(format_time_ns(951782400LL * 1000000000) == "2000-02-29T00:00:00.000000000Z");
  CHECK(format_time_ns(std::numeric_limits<int64_t>::max()) == "2262-04-11T23:47:16.854775807Z");
}

TEST_CASE("format_duration_ns renders seconds with decimals") {
  CHECK(format_duration_ns(1'500'000'000) == "1.500000000");
  CHECK(format_duration_ns(0) == "0.000000000");
  CHECK(format_duration_ns(-1) == "-0.000000001");
  CHECK(format_duration_ns(std::numeric_limits<int64_t>::min()) == "-9223372036.854775808");
}

TEST_CASE("parse_time accepts RFC 3339 and Unix seconds") {
  CHECK(parse_time("2013-03-07T21:42:06.869344Z").value() == 1362692526869344000);
  CHECK(parse_time("2013-03-07T22:42:06.869344+01:00").value() == 1362692526869344000);
  CHECK(parse_time("2013-03-07 21:42:06Z").value() == 1362692526000000000);
  CHECK(parse_time("2013-03-07").value() == 1362614400000000000);
  CHECK(parse_time("1362692526").value() == 1362692526000000000);
  CHECK(parse_time("1362692526.5").value() == 1362692526500000000);
  CHECK(parse_time("-1").value() == -1000000000);
  for (int64_t t : {int64_t{0}, int64_t{1362692526869344000}, int64_t{-123456789}}) {
    CHECK(parse_time(format_time_ns(t)).value() == t);
  }
  for (const char* bad : {"", "yesterday", "2013-13-07", "2013-03-07T21:42:06", "12x",
                          "2013-03-07T25:00:00Z", "2013-03-07T21:42:06Zjunk", "1.", "."}) {
    INFO(bad);
    CHECK_FALSE(parse_time(bad).has_value());
  }
}

TEST_CASE("sanitize_utf8 replaces each invalid byte with U+FFFD") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(sanitize_utf8("plain") == "plain");
  CHECK(sanitize_utf8("a\xFF"
                      "b") == "a" + fffd + "b");
  CHECK(sanitize_utf8("\xC0\xAF") == fffd + fffd);                        // overlong '/'
  CHECK(sanitize_utf8("\xED\xA0\x80") == fffd + fffd + fffd);             // surrogate
  CHECK(sanitize_utf8("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // > U+10FFFF
  CHECK(sanitize_utf8("\xE2\x82") == fffd + fffd);                        // cut sequence
  CHECK(sanitize_utf8("\xF0\x9F\x98\x80 \xC3\xA9") == "\xF0\x9F\x98\x80 \xC3\xA9");
  CHECK(is_valid_utf8("\xC3\xA9"));
  CHECK_FALSE(is_valid_utf8("\xC3"));
  CHECK(is_valid_utf8(sanitize_utf8("\x80\x81\xFE junk \xE0\x80")));
}

TEST_CASE("JSON strings are escaped and always valid UTF-8") {
  std::string out;
  append_json_string("q\"b\\n\n\r\t\x01\x7F\xFF", &out);
  CHECK(out == "\"q\\\"b\\\\n\\n\\r\\t\\u0001\\u007f\xEF\xBF\xBD\"");
}

TEST_CASE("base64 follows RFC 4648 test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string("\x00\xFF", 2)) == "AP8=");
}

TEST_CASE("CSV fields are quoted per RFC 4180") {
  auto field = [](std::string_view text) {
    std::string out;
    append_csv_field(text, &out);
    return out;
  };
  CHECK(field("plain") == "plain");
  CHECK(field("a,b") == "\"a,b\"");
  CHECK(field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(field("two\nlines") == "\"two\nlines\"");
  CHECK(field("cr\r") == "\"cr\r\"");
  CHECK(field("") == "");
  CHECK(field("\xFF") == "\xEF\xBF\xBD");
}

TEST_CASE("record catalog lists record messages sorted by name") {
  const RecordCatalog& catalog = record_catalog();
  REQUIRE(catalog.find("Connection") != nullptr);
  REQUIRE(catalog.find("Anomaly") != nullptr);
  CHECK(catalog.find("Connection")->record_class == FORENSIC);
  CHECK(catalog.find("Connection")->descriptor == Connection::descriptor());
  CHECK(catalog.find("Connection")->prototype->GetDescriptor() == Connection::descriptor());
  CHECK(catalog.find(Anomaly::descriptor())->name == "Anomaly");
  CHECK(catalog.find("Header") == nullptr);          // no record_class: not a record
  CHECK(catalog.find("SinkTestRecord") == nullptr);  // not in schema_file_names()
  for (size_t i = 1; i < catalog.types().size(); ++i) {
    CHECK(catalog.types()[i - 1].name < catalog.types()[i].name);
  }
}

TEST_CASE("record_columns derives types and options from the descriptor") {
  auto columns = record_columns(*Connection::descriptor());
  REQUIRE(columns.size() == static_cast<size_t>(Connection::descriptor()->field_count()));
  CHECK(columns[0].name == "TimestampFirst");
  CHECK(columns[0].is_time);
  CHECK(columns[0].indexed);
  CHECK(column_named(columns, "Duration").is_duration);
  CHECK(column_named(columns, "SrcIP").type == ColumnType::kText);
  CHECK(column_named(columns, "SrcIP").indexed);
  CHECK_FALSE(column_named(columns, "History").indexed);
  CHECK(column_named(columns, "NumPackets").type == ColumnType::kInteger);

  auto test_columns = record_columns(*SinkTestRecord::descriptor());
  CHECK(column_named(test_columns, "Raw").type == ColumnType::kBlob);
  CHECK(column_named(test_columns, "Ratio").type == ColumnType::kReal);
  CHECK(column_named(test_columns, "Part").is_json);
  CHECK(column_named(test_columns, "Tags").is_json);
  CHECK(column_named(test_columns, "Counts").is_json);
  CHECK_FALSE(column_named(test_columns, "Text").is_json);
  CHECK(column_proto_type(column_named(test_columns, "Tags")) == "repeated string");
  CHECK(column_proto_type(column_named(test_columns, "Counts")) == "map<string, int64>");
  CHECK(column_proto_type(column_named(test_columns, "Part")) == "SinkTestPart");
}

TEST_CASE("JSON object of a record parses back to the same message") {
  SinkTestRecord record;
  record.set_timestamp(std::numeric_limits<int64_t>::max());
  record.set_elapsed(-5);
  record.set_text("quote \" comma , newline \n tab \t");
  record.set_raw(std::string("\x00\x01\xFF", 3));
  record.set_big(std::numeric_limits<uint64_t>::max());
  record.set_ratio(0.1);
  record.set_flag(true);
  record.set_color(GREEN);
  record.mutable_part()->set_label("inner");
  record.mutable_part()->set_value(std::numeric_limits<int64_t>::min());
  record.add_tags("a");
  record.add_tags("b,c");
  (*record.mutable_counts())["x"] = 3;
  (*record.mutable_counts())["a"] = -4;
  record.set_single(1.5f);

  std::string json;
  append_json_object(record, FormatOptions{}, &json);
  INFO(json);
  CHECK(json.find("\"Timestamp\":9223372036854775807") != std::string::npos);  // a number
  CHECK(json.find("\"Color\":\"GREEN\"") != std::string::npos);
  CHECK(json.find("\"Raw\":\"AAH/\"") != std::string::npos);
  CHECK(json.find("\"Counts\":{\"a\":-4,\"x\":3}") != std::string::npos);  // sorted keys
  CHECK(json.find("\"Parts\":[]") != std::string::npos);

  SinkTestRecord parsed;
  auto status = google::protobuf::util::JsonStringToMessage(json, &parsed);
  REQUIRE(status.ok());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(record, parsed));

  // Unset sub-message is null; human times render as RFC 3339 strings.
  SinkTestRecord empty;
  empty.set_timestamp(1362692526869344000);
  empty.set_elapsed(1'500'000'000);
  std::string human;
  append_json_object(empty, FormatOptions{.human_times = true}, &human);
  CHECK(human.find("\"Part\":null") != std::string::npos);
  CHECK(human.find("\"Timestamp\":\"2013-03-07T21:42:06.869344000Z\"") != std::string::npos);
  CHECK(human.find("\"Elapsed\":1.500000000") != std::string::npos);
}

TEST_CASE("column_text renders scalars, times and JSON columns") {
  SinkTestRecord record;
  record.set_timestamp(1362692526869344000);
  record.set_elapsed(2'000'000'001);
  record.set_flag(true);
  record.set_color(RED);
  record.set_text("bad \xFF");
  record.add_parts()->set_label("p");
  auto columns = record_columns(*SinkTestRecord::descriptor());
  FormatOptions raw, human{.human_times = true};
  CHECK(column_text(record, column_named(columns, "Timestamp"), raw) == "1362692526869344000");
  CHECK(column_text(record, column_named(columns, "Timestamp"), human) ==
        "2013-03-07T21:42:06.869344000Z");
  CHECK(column_text(record, column_named(columns, "Elapsed"), human) == "2.000000001");
  CHECK(column_text(record, column_named(columns, "Flag"), raw) == "true");
  CHECK(column_text(record, column_named(columns, "Color"), raw) == "RED");
  CHECK(column_text(record, column_named(columns, "Text"), raw) == "bad \xEF\xBF\xBD");
  CHECK(column_text(record, column_named(columns, "Part"), raw) == "");
  CHECK(column_text(record, column_named(columns, "Parts"), raw) ==
        "[{\"Label\":\"p\",\"Value\":0}]");
}

TEST_CASE("sanitize_message_strings fixes nested and repeated strings only") {
  SinkTestRecord record;
  record.set_text("ok");
  record.set_raw("\xFF");  // bytes are not text: untouched
  record.add_tags("\xFF");
  record.mutable_part()->set_label("x\xC0");
  CHECK_FALSE(message_strings_valid(record));
  CHECK(sanitize_message_strings(&record));
  CHECK(message_strings_valid(record));
  CHECK(record.tags(0) == "\xEF\xBF\xBD");
  CHECK(record.part().label() == "x\xEF\xBF\xBD");
  CHECK(record.raw() == "\xFF");
  CHECK_FALSE(sanitize_message_strings(&record));
}

TEST_CASE("serialized_strings_valid agrees with message_strings_valid on the wire form") {
  auto valid_on_wire = [](const SinkTestRecord& record) {
    const std::string wire = record.SerializeAsString();
    return serialized_strings_valid(*record.GetDescriptor(),
                                    {reinterpret_cast<const uint8_t*>(wire.data()), wire.size()});
  };
  SinkTestRecord record;
  record.set_text("ok \xC3\xA9");
  record.set_raw("\xFF");  // bytes are not text
  record.add_tags("fine");
  record.mutable_part()->set_label("nested");
  (*record.mutable_counts())["key"] = 7;
  CHECK(valid_on_wire(record));
  SECTION("invalid top-level string") {
    record.set_text("bad \xC0");
    CHECK_FALSE(valid_on_wire(record));
  }
  SECTION("invalid repeated string") {
    record.add_tags("\xFF");
    CHECK_FALSE(valid_on_wire(record));
  }
  SECTION("invalid string in a sub-message") {
    record.add_parts()->set_label("x\xE2\x82");
    CHECK_FALSE(valid_on_wire(record));
  }
  SECTION("invalid map key") {
    (*record.mutable_counts())["\xFE"] = 1;
    CHECK_FALSE(valid_on_wire(record));
  }
  SECTION("malformed wire bytes") {
    const uint8_t cut[] = {0x1A, 0x05, 'a'};  // field 3, length 5, one byte present
    CHECK_FALSE(serialized_strings_valid(*record.GetDescriptor(), cut));
  }
}

TEST_CASE("omit_defaults leaves default fields out of JSON objects") {
  SinkTestRecord record;
  record.add_parts()->set_label("p");
  record.add_parts();
  FormatOptions compact;
  compact.omit_defaults = true;
  std::string out;
  append_json_field(record, *record.GetDescriptor()->FindFieldByName("Parts"), compact, &out);
  CHECK(out == "[{\"Label\":\"p\"},{}]");
  out.clear();
  append_json_field(record, *record.GetDescriptor()->FindFieldByName("Parts"), FormatOptions{},
                    &out);
  CHECK(out == "[{\"Label\":\"p\",\"Value\":0},{\"Label\":\"\",\"Value\":0}]");
}

}  // namespace
}  // namespace netcap
