// Reflection-based rendering of any record message, shared by every output (index, JSONL, CSV,
// dump, query). Nothing here names a record type: columns come from the descriptor and the custom
// field options of proto/options.proto (`index`, `time_ns`, `duration_ns`).
//
// Conventions (documented for users in `netcap dump --help`):
//  - JSON: one object per record, keys are the field names as written in the .proto, every field
//    is present (proto3 defaults included) so that every line has the same keys; integers
//    (int64/uint64 too) are JSON numbers; enums are their value names; bytes are base64 (RFC 4648,
//    with padding, as in the proto3 JSON mapping); unset sub-messages are null; maps are objects;
//    NaN/Infinity doubles are the strings "NaN"/"Infinity"/"-Infinity".
//  - Strings that are not valid UTF-8 are rendered with each invalid byte replaced by U+FFFD, so
//    that every output is valid UTF-8 (packet data is hostile).
//  - CSV: RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled, records end
//    with CRLF. Repeated fields and sub-messages are one column holding their JSON text.
//  - Times (when FormatOptions::human_times): time_ns fields as RFC 3339 UTC with nanoseconds
//    ("2013-03-07T21:42:06.869344000Z"), duration_ns fields as seconds with 9 decimals.
// All functions are pure and thread-safe.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace netcap {

// SQL storage class of a column.
enum class ColumnType { kInteger, kReal, kText, kBlob };

struct Column {
  std::string name;  // field name as in the .proto
  const google::protobuf::FieldDescriptor* field;
  ColumnType type;
  bool is_json = false;      // repeated field or sub-message: one JSON-text column
  bool is_time = false;      // (time_ns)
  bool is_duration = false;  // (duration_ns)
  bool indexed = false;      // (index)
};

// The flat column list of a message type, in field declaration order.
std::vector<Column> record_columns(const google::protobuf::Descriptor& descriptor);

// "INTEGER" / "REAL" / "TEXT" / "BLOB".
std::string_view column_type_name(ColumnType type);
// The .proto type of a column for listings: "int64", "string", "repeated string", "Part", ...
std::string column_proto_type(const Column& column);

struct FormatOptions {
  // Render time_ns / duration_ns fields as RFC 3339 / seconds instead of raw nanoseconds.
  bool human_times = false;
  // Inside JSON objects, leave out fields that hold their proto3 default (zero, empty string,
  // empty list, unset sub-message), as the proto3 JSON printer does by default. The case index
  // uses this for its JSON columns: nested records such as DNS resource records declare many
  // type-specific fields of which one or two are set, and printing all of them made the JSON
  // five times larger than its content. Readers treat a missing key as the default
  // (json_extract gives NULL). Top-level JSONL/CSV output keeps every key (see above).
  bool omit_defaults = false;
};

// --- building blocks ---
bool is_valid_utf8(std::string_view text);
// Invalid sequences replaced by U+FFFD, one per invalid byte (valid input is returned unchanged).
std::string sanitize_utf8(std::string_view text);
std::string base64_encode(std::string_view bytes);
// RFC 3339 UTC with nanoseconds: "2013-03-07T21:42:06.869344000Z". Negative values work.
std::string format_time_ns(int64_t unix_ns);
// Seconds with 9 decimals: 1500000000 -> "1.500000000", -1 -> "-0.000000001".
std::string format_duration_ns(int64_t ns);
// Accepts RFC 3339 ("2013-03-07T21:42:06Z", fractional seconds, "+01:00" or "+0100" offsets, a
// space instead of 'T'; within the int64 nanosecond range, 1677-2262) or Unix seconds with
// optional decimals ("1362692526", "1362692526.5").
Expected<int64_t> parse_time(std::string_view text);
// Shortest text that round-trips the double; NaN/Infinity/-Infinity as words.
std::string format_double(double value);

// Appends `text` as a JSON string literal (quotes included), escaping and sanitising UTF-8.
void append_json_string(std::string_view text, std::string* out);
// Appends one CSV field with RFC 4180 quoting when needed (`text` is sanitised first).
void append_csv_field(std::string_view text, std::string* out);

// --- whole records ---
// JSON object of every field of `message`.
void append_json_object(const google::protobuf::Message& message, const FormatOptions& options,
                        std::string* out);
// JSON object of the given columns only (columns must belong to the message's type).
void append_json_columns(const google::protobuf::Message& message, std::span<const Column> columns,
                         const FormatOptions& options, std::string* out);
// JSON value of one field (array for repeated, object for maps and sub-messages).
void append_json_field(const google::protobuf::Message& message,
                       const google::protobuf::FieldDescriptor& field, const FormatOptions& options,
                       std::string* out);
// Text of one column as CSV and tables show it (JSON text for repeated/nested columns; strings
// sanitised; bytes base64; bools "true"/"false"; enums by name).
std::string column_text(const google::protobuf::Message& message, const Column& column,
                        const FormatOptions& options);
// CSV header line (column names) and one CSV row, each terminated by CRLF.
void append_csv_header(std::span<const Column> columns, std::string* out);
void append_csv_row(const google::protobuf::Message& message, std::span<const Column> columns,
                    const FormatOptions& options, std::string* out);

// Replaces every invalid UTF-8 string (also inside sub-messages and repeated fields) with its
// sanitised form. Returns true when something was changed. proto3 parsers reject invalid UTF-8 in
// `string` fields, so binary outputs sanitise before serialising.
bool sanitize_message_strings(google::protobuf::Message* message);
// True when every string field (recursively) is valid UTF-8.
bool message_strings_valid(const google::protobuf::Message& message);
// Installs a protobuf log handler that drops the serializer's "invalid UTF-8" errors (the sinks
// check the serialized bytes and repair the strings themselves, so the message would only be
// noise about hostile packet data) and writes every other protobuf message to stderr as the
// default handler does. Call once at program start.
void filter_protobuf_utf8_errors();
// The same check on the serialized form of a message of type `descriptor`: walks the wire format
// (no reflection calls), validating length-delimited fields declared `string` and descending
// into sub-messages. False also when `wire` is not a well-formed encoding.
bool serialized_strings_valid(const google::protobuf::Descriptor& descriptor,
                              std::span<const uint8_t> wire);

}  // namespace netcap
