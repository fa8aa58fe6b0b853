#include "transforms/catalog/precomputed_answers.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

namespace netcap::catalog {

namespace {

constexpr std::string_view kMetaTable = "answer_meta";
constexpr std::string_view kPlaceholder = "{sources}";

// Every record table `spec` reads, in declaration order.
std::vector<std::string_view> source_tables(const QueryTransform& spec) {
  std::vector<std::string_view> tables;
  for (std::string_view table : spec.tables) {
    if (!table.empty()) tables.push_back(table);
  }
  for (const UnionSource& source : spec.sources) {
    if (!source.table.empty()) tables.push_back(source.table);
  }
  return tables;
}

// "DNS:156558;HTTP:-": what the answer was computed from. Any insert moves max(rowid) (keyed
// summary tables replace rows, which gives the new row a new rowid too).
Expected<std::string> fingerprint(sqlite3* db, const QueryTransform& spec) {
  std::string out;
  for (std::string_view table : source_tables(spec)) {
    if (!out.empty()) out += ';';
    out += table;
    out += ':';
    if (!table_exists(db, table)) {
      out += '-';
      continue;
    }
    Expected<ResultSet> rows =
        run_query(db, "SELECT COALESCE(MAX(rowid), 0) FROM " + quote_identifier(table), {});
    if (!rows) return rows.status();
    const SqlValue& value = rows->rows.at(0).at(0);
    out += std::to_string(std::holds_alternative<int64_t>(value) ? std::get<int64_t>(value) : 0);
  }
  return out;
}

bool required_tables_exist(sqlite3* db, const QueryTransform& spec) {
  for (std::string_view table : spec.tables) {
    if (!table.empty() && !table_exists(db, table)) return false;
  }
  return true;
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

Status exec(sqlite3* db, std::string_view sql) {
  Expected<ResultSet> result = run_query(db, sql, {});
  return result ? Status::ok() : result.status();
}

}  // namespace

std::string answer_table(const QueryTransform& spec) { return "answer_" + std::string(spec.name); }

bool is_precomputable(const QueryTransform& spec) {
  return spec.input == QueryInput::kCase || !spec.by_input_sql.empty();
}

Expected<std::optional<std::string>> resolve_sources(sqlite3* db, const QueryTransform& spec,
                                                     std::string_view sql_text) {
  std::string sql(sql_text);
  if (spec.sources[0].table.empty()) return std::optional<std::string>(std::move(sql));
  std::string branches;
  for (const UnionSource& source : spec.sources) {
    if (source.table.empty() || !table_exists(db, source.table)) continue;
    if (!branches.empty()) branches += " UNION ALL ";
    branches += source.sql;
  }
  if (branches.empty()) return std::optional<std::string>();
  const size_t at = sql.find(kPlaceholder);
  if (at == std::string::npos) {
    return Status::error("transform " + std::string(spec.name) + " has sources but no {sources}");
  }
  sql.replace(at, kPlaceholder.size(), branches);
  return std::optional<std::string>(std::move(sql));
}

namespace {

Expected<std::unique_ptr<sqlite3, CloseDb>> open_index(const std::string& case_dir, int flags) {
  const std::string path = (std::filesystem::path(case_dir) / "index.db").string();
  sqlite3* raw = nullptr;
  // NOMUTEX: each connection here is used by one thread only.
  if (sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close_v2(raw);
    return Status::error("opening " + path + ": " + message);
  }
  std::unique_ptr<sqlite3, CloseDb> db(raw);
  sqlite3_busy_timeout(db.get(), 5000);
  // GROUP BY and DISTINCT sort in memory: the answers are small next to the records.
  if (Status s = exec(db.get(), "PRAGMA temp_store=MEMORY"); !s) return s;
  return db;
}

// Column names for the answer table: the query's names made unique (two COUNT(*) columns).
std::string column_list(const ComputedAnswer& answer) {
  std::string out;
  std::map<std::string, int> seen;
  for (size_t i = 0; i < answer.columns.size(); ++i) {
    std::string name = answer.by_input && i == 0 ? std::string("InputKey") : answer.columns[i];
    if (name.empty()) name = "c" + std::to_string(i);
    if (int n = seen[name]++; n > 0) name += "_" + std::to_string(n + 1);
    if (!out.empty()) out += ", ";
    out += quote_identifier(name);
  }
  return out;
}

}  // namespace

namespace {

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Whether `word` occurs in `sql` as a whole identifier (SQL identifiers ignore case).
bool mentions_identifier(std::string_view sql, std::string_view word) {
  if (word.empty()) return false;
  for (size_t at = 0; at + word.size() <= sql.size(); ++at) {
    if ((at > 0 && is_identifier_char(sql[at - 1])) ||
        (at + word.size() < sql.size() && is_identifier_char(sql[at + word.size()]))) {
      continue;
    }
    if (sqlite3_strnicmp(sql.data() + at, word.data(), static_cast<int>(word.size())) == 0) {
      return true;
    }
  }
  return false;
}

// A record table that several precomputed queries scan is first copied into a TEMP table of the
// same name holding only the columns those queries mention; SQLite resolves an unqualified name to
// the TEMP schema first, so the queries then scan the narrow copy. The record tables are wide
// (DNS rows carry their resource-record sections as JSON): one full scan to copy, then scans of
// the copy, instead of one full scan per query. Fingerprints are taken before (they read main).
// A query that selects `*` or the rowid keeps the table unnarrowed.
constexpr size_t kMinQueriesToNarrow = 3;

Status narrow_shared_tables(sqlite3* db, const std::vector<std::string>& queries,
                            const std::vector<std::vector<std::string_view>>& tables_of_query) {
  std::map<std::string_view, std::vector<size_t>> readers;
  for (size_t i = 0; i < queries.size(); ++i) {
    for (std::string_view table : tables_of_query[i]) {
      auto& list = readers[table];
      if (list.empty() || list.back() != i) list.push_back(i);
    }
  }
  for (const auto& [table, query_indexes] : readers) {
    if (query_indexes.size() < kMinQueriesToNarrow) continue;
    bool whole_rows = false;
    for (size_t i : query_indexes) {
      const std::string& sql = queries[i];
      if (mentions_identifier(sql, "rowid") || sql.find(".*") != std::string::npos ||
          sql.find("SELECT *") != std::string::npos) {
        whole_rows = true;
      }
    }
    if (whole_rows) continue;
    const SqlValue name = std::string(table);
    Expected<ResultSet> columns = run_query(db, "SELECT name FROM pragma_table_info(?1, 'main')",
                                            std::span<const SqlValue>(&name, 1));
    if (!columns) return columns.status();
    std::string select;
    for (const auto& row : columns->rows) {
      const auto* column = std::get_if<std::string>(&row.at(0));
      if (column == nullptr) continue;
      bool used = false;
      for (size_t i : query_indexes) used = used || mentions_identifier(queries[i], *column);
      if (!used) continue;
      if (!select.empty()) select += ", ";
      select += quote_identifier(*column);
    }
    if (select.empty()) select = "1 AS netcap_row";  // COUNT(*) only
    const std::string quoted = quote_identifier(table);
    if (Status s = exec(
            db, "CREATE TEMP TABLE " + quoted + " AS SELECT " + select + " FROM main." + quoted);
        !s) {
      return std::move(s).with_context("copying the columns of " + std::string(table));
    }
  }
  return Status::ok();
}

}  // namespace

Expected<ComputedAnswers> compute_answers(const std::string& case_dir,
                                          const TransformRegistry& registry) {
  auto db = open_index(case_dir, SQLITE_OPEN_READONLY);
  if (!db) return db.status();
  // One read transaction: every answer and its fingerprint come from the same snapshot.
  // The narrow copies (below) are temp tables: in a temp file with a bounded cache, so that
  // they do not add their size to the capture's peak memory.
  if (Status s = exec(db->get(), "PRAGMA temp_store=FILE"); !s) return s;
  if (Status s = exec(db->get(), "PRAGMA temp.cache_size=-16384"); !s) return s;
  if (Status s = exec(db->get(), "BEGIN"); !s) return s;
  ComputedAnswers out;
  std::vector<std::string> queries;
  std::vector<std::vector<std::string_view>> tables_of_query;
  for (const QueryTransform* spec : registry.precomputable()) {
    if (!is_precomputable(*spec)) continue;
    ComputedAnswer answer;
    answer.table = answer_table(*spec);
    answer.by_input = spec->input != QueryInput::kCase;
    if (!required_tables_exist(db->get(), *spec)) {
      out.not_in_case.push_back(answer.table);  // the transform answers nothing without them
      continue;
    }
    Expected<std::optional<std::string>> sql =
        resolve_sources(db->get(), *spec, answer.by_input ? spec->by_input_sql : spec->sql);
    if (!sql) return Status(sql.status()).with_context(answer.table);
    if (!*sql) {
      out.not_in_case.push_back(answer.table);
      continue;
    }
    Expected<std::string> print = fingerprint(db->get(), *spec);
    if (!print) return Status(print.status()).with_context(answer.table);
    answer.fingerprint = std::move(*print);
    queries.push_back(std::move(**sql));
    tables_of_query.push_back(source_tables(*spec));
    out.answers.push_back(std::move(answer));
  }
  if (Status s = narrow_shared_tables(db->get(), queries, tables_of_query); !s) return s;
  for (size_t i = 0; i < queries.size(); ++i) {
    ComputedAnswer& answer = out.answers[i];
    Expected<ResultSet> rows = run_query(db->get(), queries[i], {});
    if (!rows) return Status(rows.status()).with_context("precomputing " + answer.table);
    for (const ResultColumn& column : rows->columns) answer.columns.push_back(column.name);
    answer.rows = std::move(rows->rows);
  }
  (void)exec(db->get(), "COMMIT");
  return out;
}

Expected<PrecomputeReport> write_answers(const std::string& case_dir,
                                         const ComputedAnswers& computed) {
  auto opened = open_index(case_dir, SQLITE_OPEN_READWRITE);
  if (!opened) return opened.status();
  sqlite3* db = opened->get();
  if (Status s = exec(db, "BEGIN IMMEDIATE"); !s) return s;
  const auto fail = [&](Status status, std::string_view what) -> Status {
    (void)exec(db, "ROLLBACK");
    return std::move(status).with_context("writing " + std::string(what));
  };
  if (Status s = exec(db, "CREATE TABLE IF NOT EXISTS " + std::string(kMetaTable) +
                              " (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL)");
      !s) {
    return fail(s, kMetaTable);
  }
  const auto forget = [&](const std::string& table) -> Status {
    if (Status s = exec(db, "DROP TABLE IF EXISTS " + quote_identifier(table)); !s) return s;
    const SqlValue name = table;
    Expected<ResultSet> r = run_query(db, "DELETE FROM answer_meta WHERE name = ?1",
                                      std::span<const SqlValue>(&name, 1));
    return r ? Status::ok() : r.status();
  };
  for (const std::string& table : computed.not_in_case) {
    if (Status s = forget(table); !s) return fail(s, table);
  }
  PrecomputeReport report;
  report.not_in_case = computed.not_in_case.size();
  for (const ComputedAnswer& answer : computed.answers) {
    if (Status s = forget(answer.table); !s) return fail(s, answer.table);
    const std::string table = quote_identifier(answer.table);
    if (Status s = exec(db, "CREATE TABLE " + table + " (" + column_list(answer) + ")"); !s) {
      return fail(s, answer.table);
    }
    std::string insert = "INSERT INTO " + table + " VALUES (";
    for (size_t i = 0; i < answer.columns.size(); ++i) insert += i == 0 ? "?" : ", ?";
    insert += ")";
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, insert.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      return fail(Status::error(sqlite3_errmsg(db)), answer.table);
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
    // Rows go in in the query's order: rowid order is the answer's order.
    for (const auto& row : answer.rows) {
      if (Status s = bind_params(db, stmt.get(), row); !s) return fail(s, answer.table);
      if (sqlite3_step(stmt.get()) != SQLITE_DONE) {
        return fail(Status::error(sqlite3_errmsg(db)), answer.table);
      }
      sqlite3_reset(stmt.get());
    }
    if (answer.by_input) {
      if (Status s = exec(db, "CREATE INDEX " + quote_identifier(answer.table + "_key") + " ON " +
                                  table + " (InputKey)");
          !s) {
        return fail(s, answer.table);
      }
    }
    const SqlValue meta[] = {answer.table, answer.fingerprint};
    if (Expected<ResultSet> r =
            run_query(db, "INSERT INTO answer_meta (name, fingerprint) VALUES (?1, ?2)", meta);
        !r) {
      return fail(r.status(), answer.table);
    }
    report.rows += answer.rows.size();
    ++report.answers;
  }
  if (Status s = exec(db, "COMMIT"); !s) return fail(s, "the answers");
  return report;
}

Expected<PrecomputeReport> precompute_answers(const std::string& case_dir,
                                              const TransformRegistry& registry) {
  Expected<ComputedAnswers> computed = compute_answers(case_dir, registry);
  if (!computed) return computed.status();
  return write_answers(case_dir, *computed);
}

Expected<std::optional<PrecomputedRows>> read_precomputed(const CaseIndex& index,
                                                          const QueryTransform& spec,
                                                          const std::string& input,
                                                          size_t max_rows) {
  sqlite3* db = index.db();
  if (!is_precomputable(spec) || !table_exists(db, kMetaTable)) {
    return std::optional<PrecomputedRows>();
  }
  const std::string table = answer_table(spec);
  const SqlValue name = table;
  Expected<ResultSet> stored = run_query(db, "SELECT fingerprint FROM answer_meta WHERE name = ?1",
                                         std::span<const SqlValue>(&name, 1));
  if (!stored) return stored.status();
  if (stored->rows.empty()) return std::optional<PrecomputedRows>();
  Expected<std::string> now = fingerprint(db, spec);
  if (!now) return now.status();
  const auto* stored_print = std::get_if<std::string>(&stored->rows[0][0]);
  if (stored_print == nullptr || *stored_print != *now) return std::optional<PrecomputedRows>();

  const bool by_input = spec.input != QueryInput::kCase;
  const int64_t limit = static_cast<int64_t>(max_rows);
  std::string where;
  std::vector<SqlValue> params;
  if (by_input) {
    where = " WHERE InputKey = " + std::string(spec.input_key);
    params.emplace_back(input);
  }
  params.emplace_back(limit);
  const std::string limit_param = "?" + std::to_string(params.size());
  Expected<ResultSet> rows = run_query(
      db,
      "SELECT * FROM " + quote_identifier(table) + where + " ORDER BY rowid LIMIT " + limit_param,
      params);
  if (!rows) return rows.status();
  PrecomputedRows out;
  out.total = rows->rows.size();
  if (rows->rows.size() >= max_rows) {
    params.pop_back();
    Expected<ResultSet> count =
        run_query(db, "SELECT COUNT(*) FROM " + quote_identifier(table) + where, params);
    if (!count) return count.status();
    out.total = static_cast<uint64_t>(std::get<int64_t>(count->rows.at(0).at(0)));
  }
  if (by_input) {
    if (!rows->columns.empty()) rows->columns.erase(rows->columns.begin());
    for (auto& row : rows->rows) {
      if (!row.empty()) row.erase(row.begin());
    }
  }
  out.rows = std::move(*rows);
  return std::optional<PrecomputedRows>(std::move(out));
}

}  // namespace netcap::catalog
