// netcap query: named, read-only queries over a case index (CASE/index.db), or one read-only SQL
// statement. Every parameter is bound, every result ordered, every output deterministic.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <optional>
#include <set>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/sinks/case_index.h"
#include "core/sinks/record_catalog.h"
#include "core/sinks/record_format.h"
#include "core/sinks/text_table.h"

namespace netcap {

namespace cli {

namespace {

enum class OutputFormat { kTable, kCsv, kJson };

struct Section {
  std::string title;
  ResultSet result;
};

const CommandSpec& query_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "query";
    spec.summary = "answer questions from a case index (summary, hosts, connections, anomalies)";
    spec.usage =
        "CASE NAME [FILTERS] [--format table|csv|json]\n    netcap query CASE --sql "
        "\"SELECT ...\"";
    spec.description =
        "Runs a named query over CASE/index.db, the SQLite index written by 'netcap capture'.\n"
        "The index is opened read-only; nothing in the case is changed.\n"
        "\n"
        "Named queries:\n"
        "  summary      meta data of the capture, record counts per table, the time span of\n"
        "               all records and the top 10 talkers by bytes.\n"
        "  hosts        one row per IP address seen in Connection records: packets, bytes sent\n"
        "               and received, connections as originator and as responder, distinct\n"
        "               peers, first and last seen. Filters: --host, --limit.\n"
        "  connections  Connection records ordered by start time then UID. Filters: --host\n"
        "               (either side), --port (either side), --proto (tcp, udp, icmp, ...),\n"
        "               --since/--until (connections overlapping the interval), --limit, --wide\n"
        "               (every column instead of the usual ones).\n"
        "  anomalies    Anomaly records ordered by time. Filters: --name (exact name or a glob\n"
        "               such as 'tcp.*'), --host, --since, --until, --limit; --group counts\n"
        "               anomalies per name instead.\n"
        "\n"
        "--sql runs one read-only SQL statement of your own (SELECT/WITH; introspection like\n"
        "pragma_table_info('Connection') is allowed). Writes, ATTACH, PRAGMA assignments and\n"
        "multiple statements are refused. Tables are named after record types (Connection,\n"
        "Anomaly, ...), columns after fields; times are Unix nanoseconds.\n"
        "\n"
        "TIME values for --since/--until are RFC 3339 (2013-03-07T21:42:06Z, offsets allowed)\n"
        "or Unix seconds (1362692526 or 1362692526.5).\n"
        "\n"
        "Output is an aligned table when standard output is a terminal and CSV otherwise, unless\n"
        "--format says so. JSON is an array of objects (an object of arrays for summary). In\n"
        "table and CSV output, time columns are RFC 3339 UTC and durations seconds, unless\n"
        "--raw-time; JSON keeps raw nanoseconds. When more rows exist than --limit, a note goes\n"
        "to standard error.";
    spec.positionals = {
        {"CASE", "The case directory (holds index.db)."},
        {"NAME", "summary, hosts, connections or anomalies (omit with --sql).", false}};
    spec.options = {
        {"format", 'f', "FORMAT", "Output format: table, csv or json.",
         "table on a terminal, csv otherwise"},
        {"raw-time", 0, "", "Print time columns as raw Unix nanoseconds in table and CSV output.",
         ""},
        {"host", 0, "IP", "Only rows involving this IP address (either side).", ""},
        {"port", 'p', "N", "connections: only flows with this port on either side.", ""},
        {"proto", 0, "PROTO", "connections: only this transport protocol (tcp, udp, icmp, ...).",
         ""},
        {"since", 0, "TIME", "Only rows at or after TIME.", ""},
        {"until", 0, "TIME", "Only rows at or before TIME.", ""},
        {"name", 0, "NAME", "anomalies: only this anomaly name or glob ('tcp.*').", ""},
        {"group", 0, "", "anomalies: count per name (with first and last time).", ""},
        {"wide", 0, "", "connections: print every column.", ""},
        {"limit", 'n', "N", "At most N rows (0: no limit).", "1000"},
        {"sql", 0, "SQL", "Run this read-only SQL statement instead of a named query.", ""},
    };
    spec.examples =
        "netcap query case summary\n"
        "netcap query case hosts --format json\n"
        "netcap query case connections --host 192.168.1.5 --proto tcp --port 443\n"
        "netcap query case connections --since 2013-03-07T21:00:00Z --until 1362693600\n"
        "netcap query case anomalies --name 'tcp.*' --group\n"
        "netcap query case --sql \"SELECT DstPort, count(*) AS n FROM Connection GROUP BY DstPort "
        "ORDER BY n DESC\"";
    spec.exit_status =
        "0 on success (also when no rows match), 1 when the case or its index is missing or\n"
        "the query fails, 2 for a bad command line.";
    return spec;
  }();
  return kSpec;
}

// --- rendering ---

std::string cell_text(const SqlValue& value, const ResultColumn& column, bool raw_time) {
  if (std::holds_alternative<std::monostate>(value)) return "";
  if (const auto* n = std::get_if<int64_t>(&value)) {
    if (!raw_time && column.is_time) return format_time_ns(*n);
    if (!raw_time && column.is_duration) return format_duration_ns(*n);
    return std::to_string(*n);
  }
  if (const auto* d = std::get_if<double>(&value)) return format_double(*d);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return base64_encode(std::get<SqlBlob>(value).bytes);
}

void append_json_value(const SqlValue& value, std::string* out) {
  if (std::holds_alternative<std::monostate>(value)) {
    out->append("null");
  } else if (const auto* n = std::get_if<int64_t>(&value)) {
    out->append(std::to_string(*n));
  } else if (const auto* d = std::get_if<double>(&value)) {
    std::string text = format_double(*d);
    if (std::isfinite(*d)) {
      out->append(text);
    } else {
      append_json_string(text, out);
    }
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    append_json_string(*s, out);
  } else {
    append_json_string(base64_encode(std::get<SqlBlob>(value).bytes), out);
  }
}

void append_json_rows(const ResultSet& result, std::string* out) {
  out->append("[");
  for (size_t r = 0; r < result.rows.size(); ++r) {
    out->append(r == 0 ? "\n  {" : ",\n  {");
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) out->append(", ");
      append_json_string(result.columns[c].name, out);
      out->append(": ");
      append_json_value(result.rows[r][c], out);
    }
    out->append("}");
  }
  out->append(result.rows.empty() ? "]" : "\n]");
}

void append_csv(const ResultSet& result, bool raw_time, std::string* out) {
  for (size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) out->push_back(',');
    append_csv_field(result.columns[c].name, out);
  }
  out->append("\r\n");
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) out->push_back(',');
      append_csv_field(cell_text(row[c], result.columns[c], raw_time), out);
    }
    out->append("\r\n");
  }
}

void append_table(const ResultSet& result, bool raw_time, std::string* out) {
  std::vector<std::string> headers;
  for (const ResultColumn& column : result.columns) headers.push_back(column.name);
  std::vector<std::vector<std::string>> rows;
  rows.reserve(result.rows.size());
  for (const auto& row : result.rows) {
    std::vector<std::string> cells;
    for (size_t c = 0; c < result.columns.size(); ++c) {
      cells.push_back(cell_text(row[c], result.columns[c], raw_time));
    }
    rows.push_back(std::move(cells));
  }
  append_text_table(headers, rows, {}, out);
}

std::string render(const std::vector<Section>& sections, OutputFormat format, bool raw_time) {
  std::string out;
  const bool single = sections.size() == 1;
  if (format == OutputFormat::kJson) {
    if (single) {
      append_json_rows(sections[0].result, &out);
    } else {
      out.append("{");
      for (size_t i = 0; i < sections.size(); ++i) {
        out.append(i == 0 ? "\n\"" : ",\n\"");
        out.append(sections[i].title);
        out.append("\": ");
        append_json_rows(sections[i].result, &out);
      }
      out.append("\n}");
    }
    out.append("\n");
    return out;
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    if (!single) {
      if (i > 0) out.append("\n");
      out.append(format == OutputFormat::kCsv ? "# " : "== ");
      out.append(sections[i].title);
      out.append(format == OutputFormat::kCsv ? "\n" : " ==\n");
    }
    if (format == OutputFormat::kCsv) {
      append_csv(sections[i].result, raw_time, &out);
    } else {
      append_table(sections[i].result, raw_time, &out);
    }
  }
  return out;
}

// --- the named queries ---

struct QueryContext {
  const CaseIndex* index;
  const ParsedArgs* args;
  int64_t limit;  // 0: none
  std::optional<int64_t> since, until;
};

// Appends "LIMIT ?n" with limit+1 (one extra row tells whether there were more).
void add_limit(const QueryContext& ctx, std::string* sql, std::vector<SqlValue>* params) {
  if (ctx.limit <= 0) return;
  params->push_back(ctx.limit + 1);
  *sql += " LIMIT ?" + std::to_string(params->size());
}

std::string add_param(std::vector<SqlValue>* params, SqlValue value) {
  params->push_back(std::move(value));
  return "?" + std::to_string(params->size());
}

Expected<ResultSet> run(const QueryContext& ctx, const std::string& sql,
                        const std::vector<SqlValue>& params) {
  size_t max_rows =
      ctx.limit > 0 ? static_cast<size_t>(ctx.limit) : std::numeric_limits<size_t>::max();
  return run_query(ctx.index->db(), sql, params, max_rows);
}

Status require_columns(const CaseIndex& index, const std::string& table,
                       std::initializer_list<const char*> columns) {
  if (!index.has_table(table)) return Status::error("the index has no " + table + " table");
  for (const char* column : columns) {
    if (!index.has_column(table, column)) {
      return Status::error("the index's " + table + " table has no column " + column);
    }
  }
  return Status::ok();
}

Expected<std::vector<Section>> query_summary(const QueryContext& ctx) {
  std::vector<Section> sections;
  auto meta =
      run_query(ctx.index->db(), "SELECT key AS Key, value AS Value FROM meta ORDER BY key", {});
  if (!meta) return meta.status();
  sections.push_back({"meta", std::move(*meta)});

  auto tables = run_query(ctx.index->db(),
                          "SELECT name FROM sqlite_master WHERE type='table' AND name != 'meta' "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                          {});
  if (!tables) return tables.status();
  ResultSet counts;
  counts.columns = {{"Table"}, {"Records"}};
  std::optional<int64_t> first, last;
  for (const auto& row : tables->rows) {
    const std::string& table = std::get<std::string>(row[0]);
    // Record tables only (not the transforms' precomputed answer_* tables).
    const RecordType* type = record_catalog().find(table);
    if (type == nullptr) continue;
    auto count = run_query(ctx.index->db(), "SELECT count(*) FROM " + quote_identifier(table), {});
    if (!count) return count.status();
    counts.rows.push_back({table, count->rows.at(0).at(0)});
    // Time span over every time field of every record type.
    for (const Column& column : record_columns(*type->descriptor)) {
      if (!column.is_time || !ctx.index->has_column(table, column.name)) continue;
      std::string col = quote_identifier(column.name);
      auto span = run_query(ctx.index->db(),
                            "SELECT min(" + col + "), max(" + col + ") FROM " +
                                quote_identifier(table) + " WHERE " + col + " != 0",
                            {});
      if (!span) return span.status();
      if (const auto* lo = std::get_if<int64_t>(&span->rows.at(0).at(0))) {
        first = first ? std::min(*first, *lo) : *lo;
      }
      if (const auto* hi = std::get_if<int64_t>(&span->rows.at(0).at(1))) {
        last = last ? std::max(*last, *hi) : *hi;
      }
    }
  }
  sections.push_back({"records", std::move(counts)});

  ResultSet span;
  span.columns = {{"First", true, false}, {"Last", true, false}, {"Duration", false, true}};
  if (first && last) span.rows.push_back({*first, *last, *last - *first});
  sections.push_back({"time_span", std::move(span)});

  if (require_columns(*ctx.index, "Connection", {"SrcIP", "DstIP", "TotalSize", "NumPackets"})) {
    auto talkers = run_query(
        ctx.index->db(),
        "SELECT ip AS IP, sum(bytes) AS Bytes, sum(packets) AS Packets, count(*) AS Connections "
        "FROM (SELECT SrcIP AS ip, TotalSize AS bytes, NumPackets AS packets FROM Connection "
        "UNION ALL SELECT DstIP, TotalSize, NumPackets FROM Connection) "
        "WHERE ip != '' GROUP BY ip ORDER BY Bytes DESC, IP LIMIT 10",
        {});
    if (!talkers) return talkers.status();
    sections.push_back({"top_talkers", std::move(*talkers)});
  }
  return sections;
}

Expected<std::vector<Section>> query_hosts(const QueryContext& ctx) {
  if (Status s = require_columns(*ctx.index, "Connection",
                                 {"SrcIP", "DstIP", "NumPackets", "BytesClientToServer",
                                  "BytesServerToClient", "TimestampFirst", "TimestampLast"});
      !s) {
    return s;
  }
  std::vector<SqlValue> params;
  std::string where;
  if (ctx.args->has("host"))
    where = " WHERE ip = " + add_param(&params, ctx.args->get("host"));
  else
    where = " WHERE ip != ''";
  // Each connection counts for both of its endpoints: bytes the originator sent are bytes the
  // responder received.
  std::string sql =
      "SELECT ip AS IP, sum(packets) AS Packets, sum(sent) AS BytesSent, "
      "sum(received) AS BytesReceived, sum(originator) AS AsOriginator, "
      "sum(1 - originator) AS AsResponder, count(DISTINCT peer) AS Peers, "
      "min(first) AS FirstSeen, max(last) AS LastSeen FROM ("
      "SELECT SrcIP AS ip, DstIP AS peer, 1 AS originator, NumPackets AS packets, "
      "BytesClientToServer AS sent, BytesServerToClient AS received, TimestampFirst AS first, "
      "TimestampLast AS last FROM Connection "
      "UNION ALL SELECT DstIP, SrcIP, 0, NumPackets, BytesServerToClient, BytesClientToServer, "
      "TimestampFirst, TimestampLast FROM Connection)" +
      where + " GROUP BY ip ORDER BY BytesSent + BytesReceived DESC, IP";
  add_limit(ctx, &sql, &params);
  auto result = run(ctx, sql, params);
  if (!result) return result.status();
  for (ResultColumn& column : result->columns) {
    column.is_time = column.name == "FirstSeen" || column.name == "LastSeen";
  }
  return std::vector<Section>{{"hosts", std::move(*result)}};
}

Expected<std::vector<Section>> query_connections(const QueryContext& ctx) {
  static const char* const kUsual[] = {
      "TimestampFirst", "Duration", "TransportProto", "ApplicationProto", "SrcIP",     "SrcPort",
      "DstIP",          "DstPort",  "NumPackets",     "TotalSize",        "ConnState", "UID"};
  if (Status s = require_columns(*ctx.index, "Connection",
                                 {"TimestampFirst", "TimestampLast", "UID", "SrcIP", "DstIP",
                                  "SrcPort", "DstPort", "TransportProto"});
      !s) {
    return s;
  }
  std::string select;
  if (ctx.args->has("wide")) {
    select = "*";
  } else {
    for (const char* column : kUsual) {
      if (!ctx.index->has_column("Connection", column)) continue;
      if (!select.empty()) select += ", ";
      select += quote_identifier(column);
    }
  }
  std::vector<SqlValue> params;
  std::vector<std::string> conditions;
  if (ctx.args->has("host")) {
    std::string p = add_param(&params, ctx.args->get("host"));
    conditions.push_back("(SrcIP = " + p + " OR DstIP = " + p + ")");
  }
  if (ctx.args->has("port")) {
    auto port = ctx.args->get_int("port", 0, 0, 65535);
    if (!port) return port.status();
    std::string p = add_param(&params, *port);
    conditions.push_back("(SrcPort = " + p + " OR DstPort = " + p + ")");
  }
  if (ctx.args->has("proto")) {
    std::string proto = ctx.args->get("proto");
    std::transform(proto.begin(), proto.end(), proto.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    conditions.push_back("TransportProto = " + add_param(&params, proto));
  }
  // A connection matches a time window when it overlaps it.
  if (ctx.since) conditions.push_back("TimestampLast >= " + add_param(&params, *ctx.since));
  if (ctx.until) conditions.push_back("TimestampFirst <= " + add_param(&params, *ctx.until));
  std::string sql = "SELECT " + select + " FROM Connection";
  for (size_t i = 0; i < conditions.size(); ++i) {
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  }
  sql += " ORDER BY TimestampFirst, UID, id";
  add_limit(ctx, &sql, &params);
  auto result = run(ctx, sql, params);
  if (!result) return result.status();
  return std::vector<Section>{{"connections", std::move(*result)}};
}

Expected<std::vector<Section>> query_anomalies(const QueryContext& ctx) {
  if (Status s = require_columns(*ctx.index, "Anomaly", {"Timestamp", "Name", "SrcIP", "DstIP"});
      !s) {
    return s;
  }
  std::vector<SqlValue> params;
  std::vector<std::string> conditions;
  if (ctx.args->has("name")) {
    // GLOB: exact names match themselves, 'tcp.*' matches a family (case-sensitive).
    conditions.push_back("Name GLOB " + add_param(&params, ctx.args->get("name")));
  }
  if (ctx.args->has("host")) {
    std::string p = add_param(&params, ctx.args->get("host"));
    conditions.push_back("(SrcIP = " + p + " OR DstIP = " + p + ")");
  }
  if (ctx.since) conditions.push_back("Timestamp >= " + add_param(&params, *ctx.since));
  if (ctx.until) conditions.push_back("Timestamp <= " + add_param(&params, *ctx.until));
  std::string where;
  for (size_t i = 0; i < conditions.size(); ++i) {
    where += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  }
  std::string sql;
  if (ctx.args->has("group")) {
    sql =
        "SELECT Name, count(*) AS Count, min(Timestamp) AS First, max(Timestamp) AS Last "
        "FROM Anomaly" +
        where + " GROUP BY Name ORDER BY Count DESC, Name";
  } else {
    std::string select;
    for (const char* column : {"Timestamp", "Name", "Layer", "SrcIP", "SrcPort", "DstIP", "DstPort",
                               "FlowID", "Frame", "Detail"}) {
      if (!ctx.index->has_column("Anomaly", column)) continue;
      if (!select.empty()) select += ", ";
      select += quote_identifier(column);
    }
    sql = "SELECT " + select + " FROM Anomaly" + where + " ORDER BY Timestamp, Name, id";
  }
  add_limit(ctx, &sql, &params);
  auto result = run(ctx, sql, params);
  if (!result) return result.status();
  for (ResultColumn& column : result->columns) {
    if (column.name == "First" || column.name == "Last") column.is_time = true;
  }
  return std::vector<Section>{{"anomalies", std::move(*result)}};
}

struct NamedQuery {
  const char* name;
  Expected<std::vector<Section>> (*run)(const QueryContext&);
  std::set<std::string> options;  // filters it accepts
};

const std::vector<NamedQuery>& named_queries() {
  static const std::vector<NamedQuery> kQueries = {
      {"summary", query_summary, {}},
      {"hosts", query_hosts, {"host", "limit"}},
      {"connections",
       query_connections,
       {"host", "port", "proto", "since", "until", "limit", "wide"}},
      {"anomalies", query_anomalies, {"name", "host", "since", "until", "limit", "group"}},
  };
  return kQueries;
}

}  // namespace

int query_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               bool terminal_output) {
  const CommandSpec& spec = query_spec();
  ParsedArgs parsed;
  int exit_code = kExitOk;
  if (!parse_or_report(spec, args, &parsed, &exit_code, out, err)) return exit_code;
  auto usage = [&](const std::string& message) {
    err << "netcap query: " << message << "\ntry 'netcap query --help'\n";
    return kExitUsage;
  };
  auto failure = [&](const std::string& message) {
    err << "netcap query: " << message << "\n";
    return kExitFailure;
  };

  OutputFormat format = terminal_output ? OutputFormat::kTable : OutputFormat::kCsv;
  if (parsed.has("format")) {
    std::string f = parsed.get("format");
    if (f == "table") {
      format = OutputFormat::kTable;
    } else if (f == "csv") {
      format = OutputFormat::kCsv;
    } else if (f == "json") {
      format = OutputFormat::kJson;
    } else {
      return usage("--format wants table, csv or json, got '" + f + "'");
    }
  }
  auto limit = parsed.get_int("limit", 1000, 0);
  if (!limit) return usage(limit.status().message());
  QueryContext ctx{nullptr, &parsed, *limit, std::nullopt, std::nullopt};
  for (const char* name : {"since", "until"}) {
    if (!parsed.has(name)) continue;
    auto t = parse_time(parsed.get(name));
    if (!t) return usage("--" + std::string(name) + ": " + t.status().message());
    (std::string_view(name) == "since" ? ctx.since : ctx.until) = *t;
  }

  const NamedQuery* named = nullptr;
  const bool sql_mode = parsed.has("sql");
  if (sql_mode) {
    if (parsed.positionals().size() > 1) return usage("give either a query NAME or --sql");
    for (const char* filter :
         {"host", "port", "proto", "since", "until", "name", "group", "wide"}) {
      if (parsed.has(filter)) return usage("--" + std::string(filter) + " does not apply to --sql");
    }
  } else {
    if (parsed.positionals().size() < 2) {
      return usage("missing NAME (summary, hosts, connections, anomalies) or --sql");
    }
    const std::string& name = parsed.positionals()[1];
    for (const NamedQuery& q : named_queries()) {
      if (name == q.name) named = &q;
    }
    if (named == nullptr) {
      return usage("unknown query '" + name + "' (summary, hosts, connections, anomalies)");
    }
    for (const OptionSpec& option : spec.options) {
      static const std::set<std::string> kGeneral = {"format", "raw-time", "sql", "limit"};
      if (parsed.has(option.name) && !kGeneral.count(option.name) &&
          !named->options.count(option.name)) {
        return usage("--" + option.name + " does not apply to query '" + name + "'");
      }
    }
  }

  auto index = CaseIndex::open_read_only(parsed.positionals()[0]);
  if (!index) return failure(index.status().message());
  ctx.index = &*index;

  std::vector<Section> sections;
  if (sql_mode) {
    size_t max_rows =
        ctx.limit > 0 ? static_cast<size_t>(ctx.limit) : std::numeric_limits<size_t>::max();
    auto result = index->run_user_sql(parsed.get("sql"), max_rows);
    if (!result) return failure("--sql: " + result.status().message());
    sections.push_back({"result", std::move(*result)});
  } else {
    auto result = named->run(ctx);
    if (!result) return failure(std::string(named->name) + ": " + result.status().message());
    sections = std::move(*result);
  }
  out << render(sections, format, parsed.has("raw-time"));
  out.flush();
  for (const Section& section : sections) {
    if (section.result.truncated) {
      err << "netcap query: showing the first " << ctx.limit << " rows; more exist (use --limit)\n";
    }
  }
  if (!out) return failure("writing output failed");
  return kExitOk;
}

}  // namespace cli

int run_query(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return cli::query_main(args, std::cout, std::cerr, isatty(STDOUT_FILENO) != 0);
}

}  // namespace netcap
