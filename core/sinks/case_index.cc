#include "core/sinks/case_index.h"

#include <cstring>
#include <filesystem>

#include "core/sinks/record_catalog.h"
#include "proto/options.pb.h"

namespace netcap {

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::vector<std::string> record_key_columns(const google::protobuf::Descriptor& descriptor) {
  std::vector<std::string> columns;
  const std::string& key = descriptor.options().GetExtension(record_key);
  size_t start = 0;
  while (start < key.size()) {
    size_t comma = key.find(',', start);
    if (comma == std::string::npos) comma = key.size();
    std::string name = key.substr(start, comma - start);
    if (!name.empty()) columns.push_back(std::move(name));
    start = comma + 1;
  }
  return columns;
}

std::string record_key_index_sql(const google::protobuf::Descriptor& descriptor,
                                 std::string_view table) {
  std::vector<std::string> columns = record_key_columns(descriptor);
  if (columns.empty()) return "";
  std::string sql = "CREATE UNIQUE INDEX IF NOT EXISTS " +
                    quote_identifier("key_" + std::string(table)) + " ON " +
                    quote_identifier(table) + "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += quote_identifier(columns[i]);
  }
  return sql + ")";
}

std::string_view record_insert_verb(const google::protobuf::Descriptor& descriptor) {
  return descriptor.options().GetExtension(record_key).empty() ? "INSERT" : "INSERT OR REPLACE";
}

namespace {

// Address space mapped per read-only connection (the OS shares and pages it).
constexpr int64_t kReadMmapBytes = int64_t{1} << 30;

struct StatementCloser {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementCloser>;

}  // namespace

Status bind_params(sqlite3* db, sqlite3_stmt* stmt, std::span<const SqlValue> params) {
  for (size_t i = 0; i < params.size(); ++i) {
    int slot = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    const SqlValue& p = params[i];
    if (std::holds_alternative<std::monostate>(p)) {
      rc = sqlite3_bind_null(stmt, slot);
    } else if (const auto* v = std::get_if<int64_t>(&p)) {
      rc = sqlite3_bind_int64(stmt, slot, *v);
    } else if (const auto* d = std::get_if<double>(&p)) {
      rc = sqlite3_bind_double(stmt, slot, *d);
    } else if (const auto* s = std::get_if<std::string>(&p)) {
      rc = sqlite3_bind_text(stmt, slot, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else if (const auto* b = std::get_if<SqlBlob>(&p)) {
      rc = sqlite3_bind_blob(stmt, slot, b->bytes.data(), static_cast<int>(b->bytes.size()),
                             SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) return Status::error(std::string("binding: ") + sqlite3_errmsg(db));
  }
  return Status::ok();
}

namespace {

Expected<ResultSet> collect(sqlite3* db, sqlite3_stmt* stmt, size_t max_rows) {
  ResultSet result;
  int count = sqlite3_column_count(stmt);
  const RecordCatalog& catalog = record_catalog();
  for (int i = 0; i < count; ++i) {
    ResultColumn column;
    const char* name = sqlite3_column_name(stmt, i);
    column.name = name != nullptr ? name : "";
    // A column read straight from a record table keeps the field's time/duration meaning.
    const char* table = sqlite3_column_table_name(stmt, i);
    const char* origin = sqlite3_column_origin_name(stmt, i);
    if (table != nullptr && origin != nullptr) {
      if (const RecordType* type = catalog.find(std::string_view(table))) {
        if (const auto* field = type->descriptor->FindFieldByName(origin)) {
          column.is_time = field->options().GetExtension(time_ns);
          column.is_duration = field->options().GetExtension(duration_ns);
        }
      }
    }
    result.columns.push_back(std::move(column));
  }
  while (true) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Status::error(sqlite3_errmsg(db));
    if (result.rows.size() >= max_rows) {
      result.truncated = true;
      break;
    }
    std::vector<SqlValue> row;
    row.reserve(count);
    for (int i = 0; i < count; ++i) {
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
          break;
        case SQLITE_FLOAT:
          row.emplace_back(sqlite3_column_double(stmt, i));
          break;
        case SQLITE_TEXT: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
          row.emplace_back(std::string(text, sqlite3_column_bytes(stmt, i)));
          break;
        }
        case SQLITE_BLOB: {
          const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, i));
          int size = sqlite3_column_bytes(stmt, i);
          row.emplace_back(SqlBlob{blob != nullptr ? std::string(blob, size) : std::string()});
          break;
        }
        default:
          row.emplace_back(std::monostate{});
      }
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

// Authorizer for user SQL: reading only. SQLITE_OPEN_READONLY and query_only already stop
// writes to the file; this also stops ATTACH (which sqlite3_stmt_readonly() calls read-only),
// pragmas that change connection state, and anything else that is not a plain query.
int user_sql_authorizer(void*, int action, const char* arg1, const char* arg2, const char*,
                        const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_PRAGMA: {
      // Introspection pragmas only (also reachable as pragma_table_info(...) functions).
      static const char* const kAllowed[] = {"table_info", "table_xinfo", "index_list",
                                             "index_info", "index_xinfo", "table_list"};
      for (const char* allowed : kAllowed) {
        if (arg1 != nullptr && sqlite3_stricmp(arg1, allowed) == 0) return SQLITE_OK;
      }
      // Reading user_version / schema_version without an argument is harmless.
      if (arg1 != nullptr && arg2 == nullptr &&
          (sqlite3_stricmp(arg1, "user_version") == 0 ||
           sqlite3_stricmp(arg1, "schema_version") == 0)) {
        return SQLITE_OK;
      }
      return SQLITE_DENY;
    }
    default:
      return SQLITE_DENY;
  }
}

}  // namespace

Expected<ResultSet> run_query(sqlite3* db, std::string_view sql, std::span<const SqlValue> params,
                              size_t max_rows) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return Status::error(sqlite3_errmsg(db));
  }
  StatementPtr stmt(raw);
  if (stmt == nullptr) return Status::error("empty statement");
  if (Status s = bind_params(db, stmt.get(), params); !s) return s;
  return collect(db, stmt.get(), max_rows);
}

Expected<CaseIndex> CaseIndex::open_read_only(const std::string& case_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(case_dir, ec)) {
    return Status::error("case directory '" + case_dir + "' does not exist");
  }
  std::string path = (fs::path(case_dir) / "index.db").string();
  if (!fs::is_regular_file(path, ec)) {
    return Status::error("no index.db in '" + case_dir + "' (run 'netcap capture' first)");
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::error("opening " + path + ": " + message);
  }
  CaseIndex index(db, 0);
  sqlite3_busy_timeout(db, 5000);  // a capture may still be writing (WAL allows reading)
  sqlite3_exec(db, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
  // Pages are read through a memory map shared by every connection to the case (the transform
  // server opens one per request) instead of being copied into each connection's page cache.
  const std::string mmap_pragma = "PRAGMA mmap_size=" + std::to_string(kReadMmapBytes);
  sqlite3_exec(db, mmap_pragma.c_str(), nullptr, nullptr, nullptr);
  auto version = run_query(db, "PRAGMA user_version", {});
  if (!version) return Status::error("reading " + path + ": " + version.status().message());
  int64_t v = 0;
  if (!version->rows.empty()) {
    if (const auto* n = std::get_if<int64_t>(&version->rows[0][0])) v = *n;
  }
  if (v == 0) return Status::error(path + " is not a netcap case index (user_version 0)");
  if (v > kIndexSchemaVersion) {
    return Status::error(path + " has index schema version " + std::to_string(v) +
                         ", newer than this netcap understands (" +
                         std::to_string(kIndexSchemaVersion) + "); upgrade netcap");
  }
  index.version_ = static_cast<int>(v);
  return index;
}

CaseIndex& CaseIndex::operator=(CaseIndex&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = other.db_;
    version_ = other.version_;
    other.db_ = nullptr;
  }
  return *this;
}

CaseIndex::~CaseIndex() { sqlite3_close(db_); }

bool table_exists(sqlite3* db, std::string_view name) {
  SqlValue param = std::string(name);
  auto result = run_query(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1",
                          std::span<const SqlValue>(&param, 1));
  return result && !result->rows.empty();
}

bool CaseIndex::has_table(std::string_view name) const { return table_exists(db_, name); }

bool CaseIndex::has_column(std::string_view table, std::string_view column) const {
  SqlValue params[] = {std::string(table), std::string(column)};
  auto result = run_query(db_, "SELECT 1 FROM pragma_table_info(?1) WHERE name=?2", params);
  return result && !result->rows.empty();
}

Expected<ResultSet> CaseIndex::run_user_sql(std::string_view sql, size_t max_rows) const {
  sqlite3_set_authorizer(db_, user_sql_authorizer, nullptr);
  struct ResetAuthorizer {
    sqlite3* db;
    ~ResetAuthorizer() { sqlite3_set_authorizer(db, nullptr, nullptr); }
  } reset{db_};

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail) != SQLITE_OK) {
    if (sqlite3_errcode(db_) == SQLITE_AUTH) {
      return Status::error(
          "only read-only queries are allowed (SELECT/WITH; no writes, ATTACH "
          "or PRAGMA changes)");
    }
    return Status::error(sqlite3_errmsg(db_));
  }
  StatementPtr stmt(raw);
  if (stmt == nullptr) return Status::error("empty SQL statement");
  // Exactly one statement: whatever follows may only be whitespace and comments, which prepare
  // to no statement at all.
  const char* end = sql.data() + sql.size();
  if (tail != nullptr && tail < end) {
    sqlite3_stmt* next = nullptr;
    int rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &next, nullptr);
    sqlite3_finalize(next);
    if (rc != SQLITE_OK || next != nullptr) {
      return Status::error("only a single SQL statement is allowed");
    }
  }
  if (!sqlite3_stmt_readonly(stmt.get())) {
    return Status::error("only read-only statements are allowed");
  }
  return collect(db_, stmt.get(), max_rows);
}

}  // namespace netcap
