#include "core/sinks/record_format.h"

#include <google/protobuf/reflection.h>
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "proto/options.pb.h"

namespace netcap {

namespace pb = google::protobuf;

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at text[i], or 0 when invalid (RFC 3629 §4:
// no overlongs, no surrogates, nothing above U+10FFFF).
size_t utf8_sequence_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t remaining = text.size() - i;
  auto cont = [&](size_t k) { return (byte(i + k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return remaining >= 2 && cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (remaining < 3 || !cont(1) || !cont(2)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 > 0x9F) return 0;  // UTF-16 surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (remaining < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm, proleptic Gregorian).
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

const char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool field_is_json(const pb::FieldDescriptor& field) {
  return field.is_repeated() || field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
}

// True when `json` is how a singular scalar `field` holding its proto3 default is rendered.
bool is_default_json(const pb::FieldDescriptor& field, std::string_view json) {
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return json == "\"\"";
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return json == "false";
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      if (json == "0") return true;
      const pb::EnumValueDescriptor* zero = field.enum_type()->FindValueByNumber(0);
      return zero != nullptr && json.size() == zero->name().size() + 2 &&
             json.substr(1, zero->name().size()) == zero->name();
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return false;
    default:  // numbers (a time rendered as text is never "0")
      return json == "0";
  }
}

// JSON of one scalar value (a singular field or one element of a repeated field).
void append_json_scalar(const pb::Message& message, const pb::FieldDescriptor& field, int index,
                        const FormatOptions& options, std::string* out);

void append_json_map(const pb::Message& message, const pb::FieldDescriptor& field,
                     const FormatOptions& options, std::string* out) {
  const pb::Reflection* reflection = message.GetReflection();
  const pb::Descriptor* entry_type = field.message_type();
  const pb::FieldDescriptor* key_field = entry_type->map_key();
  const pb::FieldDescriptor* value_field = entry_type->map_value();
  // Map order on the wire is unspecified; sort by key text for deterministic output.
  std::vector<std::pair<std::string, std::string>> entries;
  int size = reflection->FieldSize(message, &field);
  for (int i = 0; i < size; ++i) {
    const pb::Message& entry = reflection->GetRepeatedMessage(message, &field, i);
    std::string key;
    if (key_field->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
      key = entry.GetReflection()->GetString(entry, key_field);
    } else {
      std::string scalar;
      append_json_scalar(entry, *key_field, -1, options, &scalar);
      key = scalar;
    }
    std::string value;
    append_json_scalar(entry, *value_field, -1, options, &value);
    entries.emplace_back(std::move(key), std::move(value));
  }
  std::sort(entries.begin(), entries.end());
  out->push_back('{');
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out->push_back(',');
    append_json_string(entries[i].first, out);
    out->push_back(':');
    out->append(entries[i].second);
  }
  out->push_back('}');
}

template <typename T>
void append_number(T value, std::string* out) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
}

void append_json_double(double value, std::string* out) {
  if (std::isfinite(value)) {
    out->append(format_double(value));
  } else {
    // JSON has no NaN/Infinity; the proto3 JSON mapping uses these strings.
    out->push_back('"');
    out->append(format_double(value));
    out->push_back('"');
  }
}

void append_json_scalar(const pb::Message& message, const pb::FieldDescriptor& field, int index,
                        const FormatOptions& options, std::string* out) {
  const pb::Reflection* r = message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      append_number(
          repeated ? r->GetRepeatedInt32(message, &field, index) : r->GetInt32(message, &field),
          out);
      return;
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      int64_t v =
          repeated ? r->GetRepeatedInt64(message, &field, index) : r->GetInt64(message, &field);
      if (options.human_times && field.options().GetExtension(time_ns)) {
        append_json_string(format_time_ns(v), out);
      } else if (options.human_times && field.options().GetExtension(duration_ns)) {
        out->append(format_duration_ns(v));  // a JSON number in seconds
      } else {
        append_number(v, out);
      }
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      append_number(
          repeated ? r->GetRepeatedUInt32(message, &field, index) : r->GetUInt32(message, &field),
          out);
      return;
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      append_number(
          repeated ? r->GetRepeatedUInt64(message, &field, index) : r->GetUInt64(message, &field),
          out);
      return;
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      append_json_double(
          repeated ? r->GetRepeatedDouble(message, &field, index) : r->GetDouble(message, &field),
          out);
      return;
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      append_json_double(
          repeated ? r->GetRepeatedFloat(message, &field, index) : r->GetFloat(message, &field),
          out);
      return;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      out->append(
          (repeated ? r->GetRepeatedBool(message, &field, index) : r->GetBool(message, &field))
              ? "true"
              : "false");
      return;
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      int number = repeated ? r->GetRepeatedEnumValue(message, &field, index)
                            : r->GetEnumValue(message, &field);
      const pb::EnumValueDescriptor* value = field.enum_type()->FindValueByNumber(number);
      // Unknown enum numbers (open proto3 enums) stay numbers.
      if (value != nullptr) {
        append_json_string(value->name(), out);
      } else {
        append_number(number, out);
      }
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& v = repeated
                                 ? r->GetRepeatedStringReference(message, &field, index, &scratch)
                                 : r->GetStringReference(message, &field, &scratch);
      if (field.type() == pb::FieldDescriptor::TYPE_BYTES) {
        out->push_back('"');
        out->append(base64_encode(v));
        out->push_back('"');
      } else {
        append_json_string(v, out);
      }
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!repeated && !r->HasField(message, &field)) {
        out->append("null");
        return;
      }
      const pb::Message& sub =
          repeated ? r->GetRepeatedMessage(message, &field, index) : r->GetMessage(message, &field);
      append_json_object(sub, options, out);
      return;
    }
  }
}

}  // namespace

std::vector<Column> record_columns(const pb::Descriptor& descriptor) {
  std::vector<Column> columns;
  columns.reserve(descriptor.field_count());
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor.field(i);
    Column column;
    column.name = field->name();
    column.field = field;
    column.is_json = field_is_json(*field);
    column.is_time = field->options().GetExtension(time_ns);
    column.is_duration = field->options().GetExtension(duration_ns);
    column.indexed = field->options().GetExtension(index);
    if (column.is_json) {
      column.type = ColumnType::kText;
    } else {
      switch (field->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_INT32:
        case pb::FieldDescriptor::CPPTYPE_INT64:
        case pb::FieldDescriptor::CPPTYPE_UINT32:
        case pb::FieldDescriptor::CPPTYPE_UINT64:
        case pb::FieldDescriptor::CPPTYPE_BOOL:
          column.type = ColumnType::kInteger;
          break;
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        case pb::FieldDescriptor::CPPTYPE_FLOAT:
          column.type = ColumnType::kReal;
          break;
        case pb::FieldDescriptor::CPPTYPE_ENUM:  // stored by value name
          column.type = ColumnType::kText;
          break;
        case pb::FieldDescriptor::CPPTYPE_STRING:
          column.type = field->type() == pb::FieldDescriptor::TYPE_BYTES ? ColumnType::kBlob
                                                                         : ColumnType::kText;
          break;
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
          column.type = ColumnType::kText;
          break;
      }
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string_view column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
    case ColumnType::kText:
      return "TEXT";
    case ColumnType::kBlob:
      return "BLOB";
  }
  return "TEXT";
}

std::string column_proto_type(const Column& column) {
  const pb::FieldDescriptor& field = *column.field;
  std::string type;
  if (field.is_map()) {
    const pb::Descriptor* entry = field.message_type();
    auto name_of = [](const pb::FieldDescriptor* f) {
      if (f->message_type() != nullptr) return f->message_type()->name();
      if (f->enum_type() != nullptr) return f->enum_type()->name();
      return std::string(f->type_name());
    };
    return "map<" + name_of(entry->map_key()) + ", " + name_of(entry->map_value()) + ">";
  }
  if (field.is_repeated()) type = "repeated ";
  if (field.message_type() != nullptr) {
    type += field.message_type()->name();
  } else if (field.enum_type() != nullptr) {
    type += field.enum_type()->name();
  } else {
    type += field.type_name();
  }
  return type;
}

bool is_valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    // Fast path for ASCII runs.
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(kBase64Alphabet[(v >> 6) & 63]);
    out.push_back(kBase64Alphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = b(i) << 16;
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(kBase64Alphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

std::string format_time_ns(int64_t unix_ns) {
  // Floor division so that times before 1970 get a positive fraction.
  int64_t seconds = unix_ns / kNanosPerSecond;
  int64_t nanos = unix_ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    seconds -= 1;
  }
  int64_t days = seconds / 86400;
  int64_t secs_of_day = seconds % 86400;
  if (secs_of_day < 0) {
    secs_of_day += 86400;
    days -= 1;
  }
  int64_t year;
  unsigned month, day;
  civil_from_days(days, &year, &month, &day);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04lld-%02u-%02uT%02d:%02d:%02d.%09lldZ",
                static_cast<long long>(year), month, day, static_cast<int>(secs_of_day / 3600),
                static_cast<int>(secs_of_day / 60 % 60), static_cast<int>(secs_of_day % 60),
                static_cast<long long>(nanos));
  return buffer;
}

std::string format_duration_ns(int64_t ns) {
  // Work in unsigned magnitude so that INT64_MIN does not overflow.
  bool negative = ns < 0;
  uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%s%llu.%09llu", negative ? "-" : "",
                static_cast<unsigned long long>(magnitude / kNanosPerSecond),
                static_cast<unsigned long long>(magnitude % kNanosPerSecond));
  return buffer;
}

Expected<int64_t> parse_time(std::string_view text) {
  auto bad = [&]() {
    return Status::error("bad time '" + std::string(text) +
                         "' (want RFC 3339 like 2013-03-07T21:42:06Z or Unix seconds)");
  };
  if (text.empty()) return bad();
  auto digits = [&](size_t pos, size_t count, int64_t* value) {
    if (pos + count > text.size()) return false;
    int64_t v = 0;
    for (size_t i = pos; i < pos + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *value = v;
    return true;
  };
  // Fraction ".123456789" at pos: returns nanoseconds, advances pos. More than 9 digits truncate.
  auto fraction = [&](size_t* pos, int64_t* nanos) {
    *nanos = 0;
    if (*pos >= text.size() || text[*pos] != '.') return true;
    ++*pos;
    size_t start = *pos;
    int64_t scale = 100'000'000;
    while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
      *nanos += (text[*pos] - '0') * scale;
      scale /= 10;
      ++*pos;
    }
    return *pos > start;
  };

  bool looks_rfc3339 = text.size() >= 10 && text[4] == '-' && text[7] == '-';
  if (!looks_rfc3339) {
    // Unix seconds, optionally negative, optionally with decimals.
    size_t pos = 0;
    bool negative = text[0] == '-';
    if (negative) pos = 1;
    size_t start = pos;
    int64_t seconds = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (seconds > std::numeric_limits<int64_t>::max() / kNanosPerSecond / 10) return bad();
      seconds = seconds * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) return bad();
    int64_t nanos = 0;
    if (!fraction(&pos, &nanos) || pos != text.size()) return bad();
    int64_t total = seconds * kNanosPerSecond + nanos;
    return negative ? -total : total;
  }

  int64_t year, month, day, hour = 0, minute = 0, second = 0, nanos = 0;
  if (!digits(0, 4, &year) || !digits(5, 2, &month) || !digits(8, 2, &day)) return bad();
  if (month < 1 || month > 12 || day < 1 || day > 31) return bad();
  size_t pos = 10;
  int64_t offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
    if (!digits(pos + 1, 2, &hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(pos + 4, 2, &minute) || pos + 6 >= text.size() || text[pos + 6] != ':' ||
        !digits(pos + 7, 2, &second)) {
      return bad();
    }
    // RFC 3339 §5.6 allows second 60 (leap second); Unix time folds it into the next second.
    if (hour > 23 || minute > 59 || second > 60) return bad();
    pos += 9;
    if (!fraction(&pos, &nanos)) return bad();
    if (pos >= text.size()) return bad();  // RFC 3339 requires an offset
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      // "+hh:mm" (RFC 3339) or ISO 8601's basic "+hhmm" (Suricata's EVE timestamps).
      const bool colon = pos + 3 < text.size() && text[pos + 3] == ':';
      int64_t oh, om;
      if (!digits(pos + 1, 2, &oh) || !digits(pos + (colon ? 4 : 3), 2, &om) || oh > 23 ||
          om > 59) {
        return bad();
      }
      offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
      pos += colon ? 6 : 5;
    } else {
      return bad();
    }
    if (pos != text.size()) return bad();
  }
  int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  // Unix nanoseconds in an int64 span 1677-09-21 .. 2262-04-11.
  if (seconds >= std::numeric_limits<int64_t>::max() / kNanosPerSecond ||
      seconds <= std::numeric_limits<int64_t>::min() / kNanosPerSecond) {
    return bad();
  }
  return seconds * kNanosPerSecond + nanos;
}

std::string format_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

void append_json_string(std::string_view text, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
    // Copy the run of printable ASCII bytes that need no escaping in one append.
    size_t run = i;
    while (run < text.size()) {
      unsigned char b = static_cast<unsigned char>(text[run]);
      if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') break;
      ++run;
    }
    if (run > i) {
      out->append(text.data() + i, run - i);
      i = run;
      if (i == text.size()) break;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out->append(kReplacement);
        ++i;
      } else {
        out->append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {  // RFC 8259 §7: control characters must be escaped
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

void append_csv_field(std::string_view text, std::string* out) {
  std::string clean;
  if (!is_valid_utf8(text)) {
    clean = sanitize_utf8(text);
    text = clean;
  }
  // RFC 4180 §2.6-2.7: quote fields with separators, quotes or line breaks; double the quotes.
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void append_json_object(const pb::Message& message, const FormatOptions& options,
                        std::string* out) {
  const pb::Descriptor* descriptor = message.GetDescriptor();
  const pb::Reflection* reflection = message.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    const bool is_message = field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
    if (options.omit_defaults &&
        (field->is_repeated() ? reflection->FieldSize(message, field) == 0
                              : is_message && !reflection->HasField(message, field))) {
      continue;
    }
    const size_t start = out->size();
    if (!first) out->push_back(',');
    append_json_string(field->name(), out);
    out->push_back(':');
    const size_t value_start = out->size();
    append_json_field(message, *field, options, out);
    // A singular scalar is rendered first and taken back when it is the default: cheaper than
    // asking reflection whether it is set (HasField compares by type for proto3 scalars).
    if (options.omit_defaults && !field->is_repeated() && !is_message &&
        is_default_json(*field, std::string_view(*out).substr(value_start))) {
      out->resize(start);
      continue;
    }
    first = false;
  }
  out->push_back('}');
}

void append_json_columns(const pb::Message& message, std::span<const Column> columns,
                         const FormatOptions& options, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const Column& column : columns) {
    if (!first) out->push_back(',');
    first = false;
    append_json_string(column.name, out);
    out->push_back(':');
    append_json_field(message, *column.field, options, out);
  }
  out->push_back('}');
}

void append_json_field(const pb::Message& message, const pb::FieldDescriptor& field,
                       const FormatOptions& options, std::string* out) {
  if (field.is_map()) {
    append_json_map(message, field, options, out);
    return;
  }
  if (field.is_repeated()) {
    int size = message.GetReflection()->FieldSize(message, &field);
    out->push_back('[');
    for (int i = 0; i < size; ++i) {
      if (i > 0) out->push_back(',');
      append_json_scalar(message, field, i, options, out);
    }
    out->push_back(']');
    return;
  }
  append_json_scalar(message, field, -1, options, out);
}

std::string column_text(const pb::Message& message, const Column& column,
                        const FormatOptions& options) {
  const pb::FieldDescriptor& field = *column.field;
  const pb::Reflection* r = message.GetReflection();
  std::string out;
  if (column.is_json) {
    if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !field.is_repeated() &&
        !r->HasField(message, &field)) {
      return out;  // unset sub-message: empty cell
    }
    append_json_field(message, field, options, &out);
    return out;
  }
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = r->GetInt64(message, &field);
      if (options.human_times && column.is_time) return format_time_ns(v);
      if (options.human_times && column.is_duration) return format_duration_ns(v);
      append_number(v, &out);
      return out;
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& v = r->GetStringReference(message, &field, &scratch);
      if (field.type() == pb::FieldDescriptor::TYPE_BYTES) return base64_encode(v);
      return is_valid_utf8(v) ? v : sanitize_utf8(v);
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* value = r->GetEnum(message, &field);
      return value->name();
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return format_double(r->GetDouble(message, &field));
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return format_double(r->GetFloat(message, &field));
    default:
      append_json_scalar(message, field, -1, options, &out);
      return out;
  }
}

void append_csv_header(std::span<const Column> columns, std::string* out) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out->push_back(',');
    append_csv_field(columns[i].name, out);
  }
  out->append("\r\n");
}

void append_csv_row(const pb::Message& message, std::span<const Column> columns,
                    const FormatOptions& options, std::string* out) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out->push_back(',');
    append_csv_field(column_text(message, columns[i], options), out);
  }
  out->append("\r\n");
}

namespace {

// Sanitises every string (not bytes) field recursively.
bool sanitize_strings(pb::Message* message) {
  const pb::Descriptor* descriptor = message->GetDescriptor();
  const pb::Reflection* r = message->GetReflection();
  bool changed = false;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        int size = r->FieldSize(*message, field);
        for (int k = 0; k < size; ++k) {
          changed |= sanitize_strings(r->MutableRepeatedMessage(message, field, k));
        }
      } else if (r->HasField(*message, field)) {
        changed |= sanitize_strings(r->MutableMessage(message, field));
      }
      continue;
    }
    if (field->type() != pb::FieldDescriptor::TYPE_STRING) continue;
    if (field->is_repeated()) {
      int size = r->FieldSize(*message, field);
      for (int k = 0; k < size; ++k) {
        std::string scratch;
        const std::string& v = r->GetRepeatedStringReference(*message, field, k, &scratch);
        if (!is_valid_utf8(v)) {
          r->SetRepeatedString(message, field, k, sanitize_utf8(v));
          changed = true;
        }
      }
    } else {
      std::string scratch;
      const std::string& v = r->GetStringReference(*message, field, &scratch);
      if (!is_valid_utf8(v)) {
        r->SetString(message, field, sanitize_utf8(v));
        changed = true;
      }
    }
  }
  return changed;
}

}  // namespace

bool sanitize_message_strings(pb::Message* message) { return sanitize_strings(message); }

namespace {

// Protobuf varint (at most 10 bytes); false when `wire` ends inside it or it is too long.
bool read_wire_varint(std::span<const uint8_t> wire, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && pos < wire.size(); shift += 7) {
    const uint8_t byte = wire[pos++];
    value |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool wire_strings_valid(const pb::Descriptor& descriptor, std::span<const uint8_t> wire,
                        int depth) {
  if (depth > 64) return false;  // deeper than any record type: not one of ours
  size_t pos = 0;
  while (pos < wire.size()) {
    uint64_t tag = 0;
    if (!read_wire_varint(wire, pos, tag)) return false;
    switch (tag & 7) {
      case 0: {  // varint
        uint64_t ignored = 0;
        if (!read_wire_varint(wire, pos, ignored)) return false;
        break;
      }
      case 1:  // fixed64
        if (wire.size() - pos < 8) return false;
        pos += 8;
        break;
      case 5:  // fixed32
        if (wire.size() - pos < 4) return false;
        pos += 4;
        break;
      case 2: {  // length-delimited: string, bytes, sub-message, packed scalars
        uint64_t length = 0;
        if (!read_wire_varint(wire, pos, length) || length > wire.size() - pos) return false;
        const auto payload = wire.subspan(pos, static_cast<size_t>(length));
        pos += static_cast<size_t>(length);
        const pb::FieldDescriptor* field = descriptor.FindFieldByNumber(static_cast<int>(tag >> 3));
        if (field == nullptr) break;  // unknown field: kept as bytes by parsers
        if (field->type() == pb::FieldDescriptor::TYPE_STRING) {
          if (!is_valid_utf8({reinterpret_cast<const char*>(payload.data()), payload.size()})) {
            return false;
          }
        } else if (field->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
          if (!wire_strings_valid(*field->message_type(), payload, depth + 1)) return false;
        }
        break;
      }
      default:  // groups (3, 4) are not used by proto3 records
        return false;
    }
  }
  return true;
}

}  // namespace

void filter_protobuf_utf8_errors() {
  pb::SetLogHandler(
      [](pb::LogLevel level, const char* filename, int line, const std::string& message) {
        if (message.find("invalid UTF-8 data") != std::string::npos) return;
        static const char* const kLevels[] = {"INFO", "WARNING", "ERROR", "FATAL"};
        std::fprintf(stderr, "[libprotobuf %s %s:%d] %s\n", kLevels[level], filename, line,
                     message.c_str());
      });
}

bool serialized_strings_valid(const pb::Descriptor& descriptor, std::span<const uint8_t> wire) {
  return wire_strings_valid(descriptor, wire, 0);
}

bool message_strings_valid(const pb::Message& message) {
  const pb::Descriptor* descriptor = message.GetDescriptor();
  const pb::Reflection* r = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        int size = r->FieldSize(message, field);
        for (int k = 0; k < size; ++k) {
          if (!message_strings_valid(r->GetRepeatedMessage(message, field, k))) return false;
        }
      } else if (r->HasField(message, field) &&
                 !message_strings_valid(r->GetMessage(message, field))) {
        return false;
      }
      continue;
    }
    if (field->type() != pb::FieldDescriptor::TYPE_STRING) continue;
    std::string scratch;
    if (field->is_repeated()) {
      int size = r->FieldSize(message, field);
      for (int k = 0; k < size; ++k) {
        if (!is_valid_utf8(r->GetRepeatedStringReference(message, field, k, &scratch))) {
          return false;
        }
      }
    } else if (!is_valid_utf8(r->GetStringReference(message, field, &scratch))) {
      return false;
    }
  }
  return true;
}

}  // namespace netcap
