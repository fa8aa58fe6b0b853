// The case index (CASE/index.db) as readers see it: schema version, read-only opening, and a
// small query runner with bound parameters. The writer is open_index_sink (record_sink.h).
//
// Layout (all derived from the descriptors, see index_sink.cc):
//   one table per record type, named after the message ("Connection"), with
//   `id INTEGER PRIMARY KEY` and one column per field (record_format.h: record_columns);
//   an index "idx_<Table>_<Column>" on every (index) and every (time_ns) column;
//   a unique index "key_<Table>" on the (record_key) columns of summary types (replace by key);
//   meta(key TEXT PRIMARY KEY, value TEXT): netcap_version, schema_version, input_source,
//   created, and whatever RecordSink::set_meta added;
//   answer_<Transform> and answer_meta: the transforms' precomputed answers, written after the
//   capture by transforms/catalog/precomputed_answers.h (derived data, never records).
//   PRAGMA user_version = kIndexSchemaVersion.
#pragma once

#include <google/protobuf/descriptor.h>
#include <sqlite3.h>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/util/status.h"

namespace netcap {

// Bump on any incompatible change of the index layout; readers refuse newer versions.
inline constexpr int kIndexSchemaVersion = 1;

// Name of the primary-key column every record table has.
inline constexpr std::string_view kIndexIdColumn = "id";

// "name" with embedded quotes doubled: an SQL identifier that cannot break out.
std::string quote_identifier(std::string_view name);

// Replace-by-key tables (the (record_key) message option, proto/options.proto): summary records
// that are rewritten while a capture runs keep one row per key. Empty when the message has no
// key; otherwise the key's column names in order.
std::vector<std::string> record_key_columns(const google::protobuf::Descriptor& descriptor);
// "CREATE UNIQUE INDEX ..." over the key columns of `table`, or "" when the type has no key.
std::string record_key_index_sql(const google::protobuf::Descriptor& descriptor,
                                 std::string_view table);
// The verb for inserting a record of this type: "INSERT OR REPLACE" for keyed types, else
// "INSERT".
std::string_view record_insert_verb(const google::protobuf::Descriptor& descriptor);

// BLOB values are kept apart from TEXT.
struct SqlBlob {
  std::string bytes;
  bool operator==(const SqlBlob&) const = default;
};
using SqlValue = std::variant<std::monostate, int64_t, double, std::string, SqlBlob>;

struct ResultColumn {
  std::string name;
  bool is_time = false;      // Unix ns (from a (time_ns) field, or marked by the caller)
  bool is_duration = false;  // ns duration
};

struct ResultSet {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<SqlValue>> rows;
  bool truncated = false;  // more rows than max_rows existed
};

// Binds `params` to ?1, ?2, ... of `stmt` (values are copied).
Status bind_params(sqlite3* db, sqlite3_stmt* stmt, std::span<const SqlValue> params);

// True when `db`'s main schema has a table named `name`.
bool table_exists(sqlite3* db, std::string_view name);

// Runs one prepared statement with bound parameters (?1, ?2, ... in order). Columns that come
// straight from a record table field carry that field's time/duration marks.
Expected<ResultSet> run_query(sqlite3* db, std::string_view sql, std::span<const SqlValue> params,
                              size_t max_rows = std::numeric_limits<size_t>::max());

// A read-only connection to CASE/index.db. Movable, not copyable; not thread-safe (one per
// thread).
class CaseIndex {
 public:
  // Fails with a one-line message when the case or its index does not exist, is not a netcap
  // index, or has a newer schema version than this build understands.
  static Expected<CaseIndex> open_read_only(const std::string& case_dir);

  CaseIndex(CaseIndex&& other) noexcept : db_(other.db_), version_(other.version_) {
    other.db_ = nullptr;
  }
  CaseIndex& operator=(CaseIndex&& other) noexcept;
  CaseIndex(const CaseIndex&) = delete;
  CaseIndex& operator=(const CaseIndex&) = delete;
  ~CaseIndex();

  sqlite3* db() const { return db_; }
  int schema_version() const { return version_; }
  bool has_table(std::string_view name) const;
  bool has_column(std::string_view table, std::string_view column) const;

  // A user-supplied statement: exactly one statement, read-only, no ATTACH/DETACH, no writes,
  // no pragmas other than a few introspection ones (enforced by an SQLite authorizer on top of
  // SQLITE_OPEN_READONLY and PRAGMA query_only).
  Expected<ResultSet> run_user_sql(std::string_view sql, size_t max_rows) const;

 private:
  CaseIndex(sqlite3* db, int version) : db_(db), version_(version) {}
  sqlite3* db_ = nullptr;
  int version_ = 0;
};

}  // namespace netcap
