// The case index writer: CASE/index.db, one table per record type, derived from the descriptors.
#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <unordered_map>

#include "core/sinks/case_index.h"
#include "core/sinks/record_catalog.h"
#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"

namespace netcap {

namespace {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

Status exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    return Status::error(message);
  }
  return Status::ok();
}

// The first column of the first row of `sql` as an integer.
Expected<int64_t> query_int(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return Status::error(sqlite3_errmsg(db));
  }
  int rc = sqlite3_step(stmt);
  int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Status::error(sqlite3_errmsg(db));
  return value;
}

class IndexSink final : public RecordSink {
 public:
  IndexSink(sqlite3* db, const SinkOptions& options)
      : db_(db),
        layer_records_(options.layer_records_in_index),
        on_rows_committed_(options.on_rows_committed),
        before_checkpoint_(options.before_checkpoint),
        rows_per_transaction_(options.limits != nullptr &&
                                      options.limits->sqlite_rows_per_transaction > 0
                                  ? options.limits->sqlite_rows_per_transaction
                                  : Limits{}.sqlite_rows_per_transaction) {}
  ~IndexSink() override { (void)close(); }

  std::string_view name() const override { return "index"; }

  Status init(const SinkOptions& options) {
    // WAL lets readers (the transform server, `netcap query`) read while a capture writes.
    // No fsync while loading: the index is derived from the capture, and a capture that dies
    // half-way is re-run anyway; close() makes the finished index durable with one checkpoint.
    // A larger page cache keeps the index builds at close in memory.
    if (Status s = exec(db_, "PRAGMA journal_mode=WAL"); !s) return s;
    if (Status s = exec(db_, "PRAGMA synchronous=OFF"); !s) return s;
    if (Status s = exec(db_, "PRAGMA cache_size=-65536"); !s) return s;
    if (Status s = exec(db_, "PRAGMA temp_store=MEMORY"); !s) return s;
    if (options.append) {
      auto version = query_int(db_, "PRAGMA user_version");
      if (!version) return version.status();
      if (*version != kIndexSchemaVersion) {
        return Status::error("not a netcap case index of schema version " +
                             std::to_string(kIndexSchemaVersion) + " (found " +
                             std::to_string(*version) + ")");
      }
    } else {
      if (Status s = exec(db_, "PRAGMA user_version=" + std::to_string(kIndexSchemaVersion)); !s) {
        return s;
      }
      if (Status s = exec(db_, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)"); !s) {
        return s;
      }
      if (Status s = set_meta("netcap_version", std::string(netcap_version())); !s) return s;
      if (Status s = set_meta("schema_version", std::to_string(kIndexSchemaVersion)); !s) return s;
      if (Status s = set_meta("input_source", options.input_source); !s) return s;
      if (Status s = set_meta("created", format_time_ns(creation_time_ns())); !s) return s;
    }
    // Empty tables for every forensic type make queries simpler (no "no such table").
    for (const RecordType& type : record_catalog().types()) {
      if (type.record_class != FORENSIC) continue;
      auto table = table_for(type.descriptor);
      if (!table) return table.status();
    }
    for (const std::string& name : options.replace_types) {
      const RecordType* type = record_catalog().find(name);
      if (type == nullptr) return Status::error("unknown record type " + name);
      auto table = table_for(type->descriptor);
      if (!table) return table.status();
      if (Status s = exec(db_, "DELETE FROM " + quote_identifier((*table)->name)); !s) return s;
    }
    return Status::ok();
  }

  Status write(const pb::Message& record) override {
    if (db_ == nullptr) return Status::error("index.db: write after close");
    const pb::Descriptor* descriptor = record.GetDescriptor();
    if (!layer_records_ && record_class_of(*descriptor) == LAYER) return Status::ok();
    auto table = table_for(descriptor);
    if (!table) return table.status();
    if (!in_transaction_) {
      if (Status s = exec(db_, "BEGIN"); !s) return std::move(s).with_context("index.db");
      in_transaction_ = true;
    }
    if (Status s = insert(**table, record); !s) {
      return std::move(s).with_context("index.db: inserting into " + (*table)->name);
    }
    if (++rows_in_transaction_ >= rows_per_transaction_) return commit();
    return Status::ok();
  }

  Status flush() override { return commit(); }

  Status set_meta(const std::string& key, const std::string& value) override {
    if (db_ == nullptr) return Status::error("index.db: set_meta after close");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &stmt,
                           nullptr) != SQLITE_OK) {
      return Status::error(std::string("index.db: meta: ") + sqlite3_errmsg(db_));
    }
    std::string clean_key = sanitize_utf8(key), clean_value = sanitize_utf8(value);
    sqlite3_bind_text(stmt, 1, clean_key.data(), static_cast<int>(clean_key.size()), SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, clean_value.data(), static_cast<int>(clean_value.size()),
                      SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
      return Status::error(std::string("index.db: meta: ") + sqlite3_errmsg(db_));
    }
    return Status::ok();
  }

  Status close() override {
    if (db_ == nullptr) return Status::ok();
    Status result = commit();
    if (result && on_rows_committed_) on_rows_committed_();
    // Indexes are built once at the end: bulk inserts into unindexed tables are much faster
    // than maintaining every B-tree per row.
    if (result) result = create_indexes();
    for (auto& [descriptor, table] : tables_) sqlite3_finalize(table->insert);
    tables_.clear();
    if (result) result = exec(db_, "PRAGMA optimize");
    // Durable from here on: fold the WAL into the database file with one synced checkpoint.
    if (before_checkpoint_) before_checkpoint_();
    if (result) result = exec(db_, "PRAGMA synchronous=FULL");
    if (result) result = exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (sqlite3_close(db_) != SQLITE_OK && result) {
      result = Status::error(std::string("closing: ") + sqlite3_errmsg(db_));
    }
    db_ = nullptr;
    if (!result) return std::move(result).with_context("index.db");
    return result;
  }

 private:
  struct Table {
    std::string name;
    std::string id_column;
    std::vector<Column> columns;
    sqlite3_stmt* insert = nullptr;
  };

  Status commit() {
    if (!in_transaction_) return Status::ok();
    in_transaction_ = false;
    rows_in_transaction_ = 0;
    if (Status s = exec(db_, "COMMIT"); !s) return std::move(s).with_context("index.db: commit");
    return Status::ok();
  }

  Expected<Table*> table_for(const pb::Descriptor* descriptor) {
    if (auto it = tables_.find(descriptor); it != tables_.end()) return it->second.get();
    auto table = std::make_unique<Table>();
    table->name = descriptor->name();
    // Two packages with the same message name: the later one gets its full name.
    if (auto taken = table_names_.find(table->name); taken != table_names_.end()) {
      table->name = descriptor->full_name();
      for (char& c : table->name) {
        if (c == '.') c = '_';
      }
    }
    table->columns = record_columns(*descriptor);
    table->id_column = std::string(kIndexIdColumn);
    for (const Column& column : table->columns) {
      // SQLite identifiers are case-insensitive; keep the primary key apart from a field "id".
      if (sqlite3_stricmp(column.name.c_str(), table->id_column.c_str()) == 0) {
        table->id_column = "netcap_id";
      }
    }
    std::string create = "CREATE TABLE IF NOT EXISTS " + quote_identifier(table->name) + "(" +
                         quote_identifier(table->id_column) + " INTEGER PRIMARY KEY";
    // Summary types with a (record_key) keep one row per key: rewritten, not appended.
    std::string insert = std::string(record_insert_verb(*descriptor)) + " INTO " +
                         quote_identifier(table->name) + "(";
    std::string values = ") VALUES(";
    for (size_t i = 0; i < table->columns.size(); ++i) {
      const Column& column = table->columns[i];
      create +=
          ", " + quote_identifier(column.name) + " " + std::string(column_type_name(column.type));
      if (i > 0) {
        insert += ", ";
        values += ", ";
      }
      insert += quote_identifier(column.name);
      values += "?" + std::to_string(i + 1);
    }
    create += ")";
    if (table->columns.empty()) {
      insert = "INSERT INTO " + quote_identifier(table->name) + " DEFAULT VALUES";
    } else {
      insert += values + ")";
    }
    if (Status s = exec(db_, create); !s) {
      return std::move(s).with_context("index.db: creating table " + table->name);
    }
    if (std::string key = record_key_index_sql(*descriptor, table->name); !key.empty()) {
      if (Status s = exec(db_, key); !s) {
        return std::move(s).with_context("index.db: creating key of " + table->name);
      }
    }
    if (sqlite3_prepare_v3(db_, insert.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &table->insert,
                           nullptr) != SQLITE_OK) {
      return Status::error("index.db: preparing insert into " + table->name + ": " +
                           sqlite3_errmsg(db_));
    }
    table_names_.emplace(table->name, descriptor);
    Table* raw = table.get();
    tables_.emplace(descriptor, std::move(table));
    return raw;
  }

  Status insert(const Table& table, const pb::Message& record) {
    const pb::Reflection* r = record.GetReflection();
    sqlite3_stmt* stmt = table.insert;
    // Text bound with SQLITE_STATIC must stay alive until the step: JSON text and repaired
    // strings live in scratch_ (reused from row to row, so their buffers are allocated once);
    // valid strings are bound straight from the record, which outlives the step.
    size_t scratch_used = 0;
    // At most one scratch string per column: reserve now so no string moves after binding.
    if (scratch_.capacity() < table.columns.size()) scratch_.reserve(table.columns.size());
    auto next_scratch = [&]() -> std::string& {
      if (scratch_used == scratch_.size()) scratch_.emplace_back();
      std::string& s = scratch_[scratch_used++];
      s.clear();
      return s;
    };
    FormatOptions raw_options;  // the index stores raw ns; readers render times
    raw_options.omit_defaults = true;
    int slot = 0;
    for (const Column& column : table.columns) {
      ++slot;
      const pb::FieldDescriptor* field = column.field;
      int rc = SQLITE_OK;
      if (column.is_json) {
        if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated() &&
            !r->HasField(record, field)) {
          rc = sqlite3_bind_null(stmt, slot);
        } else {
          std::string& json = next_scratch();
          append_json_field(record, *field, raw_options, &json);
          rc = sqlite3_bind_text(stmt, slot, json.data(), static_cast<int>(json.size()),
                                 SQLITE_STATIC);
        }
      } else {
        switch (field->cpp_type()) {
          case pb::FieldDescriptor::CPPTYPE_INT32:
            rc = sqlite3_bind_int64(stmt, slot, r->GetInt32(record, field));
            break;
          case pb::FieldDescriptor::CPPTYPE_INT64:
            rc = sqlite3_bind_int64(stmt, slot, r->GetInt64(record, field));
            break;
          case pb::FieldDescriptor::CPPTYPE_UINT32:
            rc = sqlite3_bind_int64(stmt, slot, r->GetUInt32(record, field));
            break;
          case pb::FieldDescriptor::CPPTYPE_UINT64: {
            // SQLite integers are signed 64-bit; larger values are stored as REAL.
            uint64_t v = r->GetUInt64(record, field);
            rc = v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                     ? sqlite3_bind_int64(stmt, slot, static_cast<int64_t>(v))
                     : sqlite3_bind_double(stmt, slot, static_cast<double>(v));
            break;
          }
          case pb::FieldDescriptor::CPPTYPE_BOOL:
            rc = sqlite3_bind_int64(stmt, slot, r->GetBool(record, field) ? 1 : 0);
            break;
          case pb::FieldDescriptor::CPPTYPE_DOUBLE:
            rc = sqlite3_bind_double(stmt, slot, r->GetDouble(record, field));
            break;
          case pb::FieldDescriptor::CPPTYPE_FLOAT:
            rc = sqlite3_bind_double(stmt, slot, r->GetFloat(record, field));
            break;
          case pb::FieldDescriptor::CPPTYPE_ENUM: {
            const pb::EnumValueDescriptor* value = r->GetEnum(record, field);
            rc = sqlite3_bind_text(stmt, slot, value->name().data(),
                                   static_cast<int>(value->name().size()), SQLITE_STATIC);
            break;
          }
          case pb::FieldDescriptor::CPPTYPE_STRING: {
            std::string buffer;
            const std::string& v = r->GetStringReference(record, field, &buffer);
            const std::string* bound = &v;
            if (field->type() != pb::FieldDescriptor::TYPE_BYTES && !is_valid_utf8(v)) {
              bound = &(next_scratch() = sanitize_utf8(v));
            } else if (&v == &buffer) {
              bound = &(next_scratch() = v);  // `buffer` dies before the step
            }
            rc = field->type() == pb::FieldDescriptor::TYPE_BYTES
                     ? sqlite3_bind_blob(stmt, slot, bound->data(), static_cast<int>(bound->size()),
                                         SQLITE_STATIC)
                     : sqlite3_bind_text(stmt, slot, bound->data(), static_cast<int>(bound->size()),
                                         SQLITE_STATIC);
            break;
          }
          case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            rc = sqlite3_bind_null(stmt, slot);  // unreachable: messages are JSON columns
            break;
        }
      }
      if (rc != SQLITE_OK) return Status::error(sqlite3_errmsg(db_));
    }
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);  // every slot is bound again for the next row
    if (rc != SQLITE_DONE) return Status::error(sqlite3_errmsg(db_));
    return Status::ok();
  }

  Status create_indexes() {
    if (Status s = exec(db_, "BEGIN"); !s) return s;
    // Sorted by table name so that the schema is identical run to run.
    std::map<std::string, const Table*> sorted;
    for (const auto& [descriptor, table] : tables_) sorted.emplace(table->name, table.get());
    for (const auto& [name, table] : sorted) {
      for (const Column& column : table->columns) {
        if (!column.indexed) continue;  // time columns that analysts filter on are marked (index)
        std::string sql = "CREATE INDEX IF NOT EXISTS " +
                          quote_identifier("idx_" + table->name + "_" + column.name) + " ON " +
                          quote_identifier(table->name) + "(" + quote_identifier(column.name) + ")";
        if (Status s = exec(db_, sql); !s) {
          (void)exec(db_, "ROLLBACK");
          return std::move(s).with_context("creating index on " + name + "." + column.name);
        }
      }
    }
    return exec(db_, "COMMIT");
  }

  sqlite3* db_;
  bool layer_records_;
  std::function<void()> on_rows_committed_;
  std::function<void()> before_checkpoint_;
  size_t rows_per_transaction_;
  bool in_transaction_ = false;
  std::vector<std::string> scratch_;  // insert(): text kept alive until the step
  size_t rows_in_transaction_ = 0;
  std::unordered_map<const pb::Descriptor*, std::unique_ptr<Table>> tables_;
  std::map<std::string, const pb::Descriptor*> table_names_;
};

}  // namespace

Expected<std::unique_ptr<RecordSink>> open_index_sink(const SinkOptions& options) {
  std::error_code ec;
  fs::create_directories(options.case_dir, ec);
  if (ec) return Status::error("creating case directory " + options.case_dir + ": " + ec.message());
  fs::path path = fs::path(options.case_dir) / "index.db";
  if (options.append) {
    if (!fs::exists(path, ec)) return Status::error("no case index at " + path.string());
  } else {
    // Re-running a capture into the same case replaces the index, including WAL leftovers that
    // SQLite would otherwise try to replay into the new file.
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(path.string() + suffix, ec);
      if (ec) return Status::error("removing old " + path.string() + suffix + ": " + ec.message());
    }
  }
  sqlite3* db = nullptr;
  // NOMUTEX: the connection is used by one thread at a time (the writer, then the closing
  // thread), so SQLite's per-call connection mutex is pure overhead on every bind and step.
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::error("opening " + path.string() + ": " + message);
  }
  auto sink = std::make_unique<IndexSink>(db, options);
  if (Status s = sink->init(options); !s) return std::move(s).with_context(path.string());
  return std::unique_ptr<RecordSink>(std::move(sink));
}

}  // namespace netcap
