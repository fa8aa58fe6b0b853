// netcap dump: print the records of one .ncap.gz file as JSON lines, CSV or an aligned table.
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/sinks/ncap_reader.h"
#include "core/sinks/record_format.h"
#include "core/sinks/text_table.h"

namespace netcap {

namespace cli {

namespace {

// Table output buffers this many rows to size its columns, then starts a new block (with the
// header repeated), so memory stays bounded for any file size.
constexpr size_t kTableBlockRows = 5000;

const CommandSpec& dump_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "dump";
    spec.summary = "print the records of a .ncap.gz file";
    spec.usage =
        "FILE.ncap.gz [--json|--csv|--table] [--select F1,F2] [--fields] [--header] "
        "[--utc]";
    spec.description =
        "Reads a record file written by 'netcap capture' (CASE/records/<Type>.ncap.gz: a netcap\n"
        "Header followed by length-delimited protobuf records) and prints its records. The record\n"
        "type comes from the file's Header; every type of the schema works.\n"
        "\n"
        "Output formats:\n"
        "  JSON lines (default): one object per record, keys as in the .proto, every field\n"
        "    present, 64-bit integers as numbers, enums by name, bytes as base64, repeated\n"
        "    fields as arrays and sub-messages as objects.\n"
        "  CSV (RFC 4180): a header line, then one line per record; repeated fields and\n"
        "    sub-messages are one column holding JSON text.\n"
        "  Table: aligned columns for reading on a terminal; long cells are cut with '...'.\n"
        "Strings that are not valid UTF-8 are shown with U+FFFD replacement characters.\n"
        "\n"
        "Time fields (Unix nanoseconds) are printed raw unless --utc is given, which renders\n"
        "them as RFC 3339 UTC with nanoseconds and durations as seconds with decimals.\n"
        "A truncated file prints the records before the damage, then an error.";
    spec.positionals = {{"FILE", "The .ncap.gz file to read."}};
    spec.options = {
        {"json", 0, "", "Print JSON lines (the default).", ""},
        {"csv", 0, "", "Print CSV with a header line.", ""},
        {"table", 0, "", "Print an aligned table.", ""},
        {"select", 's', "F1,F2", "Print only these fields, in this order (names as in --fields).",
         "all fields"},
        {"fields", 0, "",
         "List the fields of the file's record type (name, .proto type, SQL type, "
         "marks) instead of the records.",
         ""},
        {"header", 0, "", "Print the file's Header record before the records.", ""},
        {"utc", 'u', "", "Render time fields as RFC 3339 UTC and durations as seconds.", ""},
        {"limit", 'n', "N", "Stop after N records (0: no limit).", "0"},
    };
    spec.examples =
        "netcap dump case/records/Connection.ncap.gz | head\n"
        "netcap dump case/records/Connection.ncap.gz --table --utc --select "
        "TimestampFirst,SrcIP,DstIP,DstPort\n"
        "netcap dump case/records/Anomaly.ncap.gz --csv > anomalies.csv\n"
        "netcap dump case/records/DNS.ncap.gz --fields";
    spec.exit_status =
        "0 when every record was printed, 1 when the file cannot be read or is truncated or\n"
        "corrupt (records before the damage are printed), 2 for a bad command line.";
    return spec;
  }();
  return kSpec;
}

Expected<std::vector<Column>> select_columns(const google::protobuf::Descriptor& descriptor,
                                             const std::string& list) {
  std::vector<Column> all = record_columns(descriptor);
  if (list.empty()) return all;
  std::vector<Column> chosen;
  std::stringstream stream(list);
  std::string name;
  while (std::getline(stream, name, ',')) {
    if (name.empty()) continue;
    auto it = std::find_if(all.begin(), all.end(), [&](const Column& c) { return c.name == name; });
    if (it == all.end()) {
      return Status::error("unknown field '" + name + "' in --select (" + descriptor.name() +
                           " fields: see --fields)");
    }
    chosen.push_back(*it);
  }
  if (chosen.empty()) return Status::error("--select names no fields");
  return chosen;
}

std::string marks_of(const Column& column) {
  std::string marks;
  auto add = [&](const char* mark) {
    if (!marks.empty()) marks += ",";
    marks += mark;
  };
  if (column.is_time) add("time");
  if (column.is_duration) add("duration");
  if (column.indexed) add("indexed");
  if (column.is_json) add("json");
  return marks;
}

}  // namespace

int dump_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const CommandSpec& spec = dump_spec();
  ParsedArgs parsed;
  int exit_code = kExitOk;
  if (!parse_or_report(spec, args, &parsed, &exit_code, out, err)) return exit_code;
  auto usage = [&](const std::string& message) {
    err << "netcap dump: " << message << "\ntry 'netcap dump --help'\n";
    return kExitUsage;
  };
  int formats = parsed.has("json") + parsed.has("csv") + parsed.has("table");
  if (formats > 1) return usage("choose one of --json, --csv, --table");
  auto limit = parsed.get_int("limit", 0, 0);
  if (!limit) return usage(limit.status().message());

  const std::string& path = parsed.positionals()[0];
  auto reader = NcapReader::open(path);
  if (!reader) {
    err << "netcap dump: " << reader.status().message() << "\n";
    return kExitFailure;
  }
  const google::protobuf::Descriptor& descriptor = *reader->record_descriptor();
  auto columns = select_columns(descriptor, parsed.get("select"));
  if (!columns) return usage(columns.status().message());
  FormatOptions options{.human_times = parsed.has("utc")};
  const bool csv = parsed.has("csv");
  const bool table = parsed.has("table");

  if (parsed.has("fields")) {
    std::vector<std::vector<std::string>> rows;
    for (const Column& column : *columns) {
      rows.push_back({column.name, column_proto_type(column),
                      std::string(column_type_name(column.type)), marks_of(column)});
    }
    std::string text;
    if (csv) {
      text = "Field,ProtoType,SqlType,Marks\r\n";
      for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) {
          if (i > 0) text += ",";
          append_csv_field(row[i], &text);
        }
        text += "\r\n";
      }
    } else if (table) {
      append_text_table({"Field", "ProtoType", "SqlType", "Marks"}, rows, {}, &text);
    } else {
      for (const auto& row : rows) {
        text += "{\"Field\":";
        append_json_string(row[0], &text);
        text += ",\"ProtoType\":";
        append_json_string(row[1], &text);
        text += ",\"SqlType\":";
        append_json_string(row[2], &text);
        text += ",\"Marks\":";
        append_json_string(row[3], &text);
        text += "}\n";
      }
    }
    out << text;
    return kExitOk;
  }

  if (parsed.has("header")) {
    std::string text;
    if (csv || table) {
      // A commented line keeps CSV parsers that skip '#' lines working and tables readable.
      text = "# ";
      append_json_object(reader->header(), options, &text);
      text += "\n";
    } else {
      append_json_object(reader->header(), options, &text);
      text += "\n";
    }
    out << text;
  }

  std::vector<std::string> headers;
  for (const Column& column : *columns) headers.push_back(column.name);
  std::vector<std::vector<std::string>> block;
  auto flush_block = [&]() {
    if (block.empty()) return;
    std::string text;
    append_text_table(headers, block, {}, &text);
    out << text;
    block.clear();
  };
  if (csv) {
    std::string text;
    append_csv_header(*columns, &text);
    out << text;
  }

  auto record = reader->new_record();
  std::string line;
  int64_t printed = 0;
  int status = kExitOk;
  while (*limit == 0 || printed < *limit) {
    auto got = reader->next(*record);
    if (!got) {
      if (table) flush_block();
      out.flush();
      err << "netcap dump: " << got.status().message() << "\n";
      status = kExitFailure;
      break;
    }
    if (!*got) break;
    ++printed;
    if (table) {
      std::vector<std::string> row;
      row.reserve(columns->size());
      for (const Column& column : *columns) row.push_back(column_text(*record, column, options));
      block.push_back(std::move(row));
      if (block.size() >= kTableBlockRows) {
        flush_block();
        out << "\n";
      }
      continue;
    }
    line.clear();
    if (csv) {
      append_csv_row(*record, *columns, options, &line);
    } else {
      append_json_columns(*record, *columns, options, &line);
      line.push_back('\n');
    }
    out << line;
  }
  if (table && status == kExitOk) flush_block();
  out.flush();
  if (!out) {
    err << "netcap dump: writing output failed\n";
    return kExitFailure;
  }
  return status;
}

}  // namespace cli

int run_dump(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return cli::dump_main(args, std::cout, std::cerr);
}

}  // namespace netcap
