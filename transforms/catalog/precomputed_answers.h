// Precomputed answers: the table-driven transforms' query results written into the case index
// when a capture ends, so that a transform over a whole table (every host, every DNS name, a
// value distribution) reads its answer in order and up to the entity limit instead of
// aggregating hundreds of thousands of rows on every request.
//
// Layout in CASE/index.db:
//   answer_<Name>: a case transform's rows exactly as its `sql` returns them, in rowid order;
//     an input transform's rows for every input: InputKey, then `sql`'s columns, indexed on
//     InputKey (rowid order within one key is `sql`'s order);
//   answer_meta(name TEXT PRIMARY KEY, fingerprint TEXT): per answer table, the state of the
//     record tables it was computed from ("DNS:156558;HTTP:-": max(rowid) per table, "-" when
//     the table is absent).
// A reader uses an answer only when its fingerprint matches the record tables as they are now:
// records written later (a live capture still running, a capture into the same case) make the
// transform query the records again rather than answer from a stale summary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sinks/case_index.h"
#include "core/util/status.h"
#include "transforms/catalog/query_transform.h"
#include "transforms/registry.h"

namespace netcap::catalog {

struct PrecomputeReport {
  size_t answers = 0;      // answer tables written
  size_t not_in_case = 0;  // transforms whose record tables the case does not have
  uint64_t rows = 0;       // rows written over all answer tables
};

// Answers computed and held in memory until they are written.
struct ComputedAnswer {
  std::string table;        // answer_<Name>
  std::string fingerprint;  // of the record tables read
  bool by_input = false;    // column 0 is InputKey
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
};
struct ComputedAnswers {
  std::vector<ComputedAnswer> answers;
  std::vector<std::string> not_in_case;  // answer tables that have no record tables
};

// Runs every precomputable query of `registry` over CASE/index.db on a read-only connection of
// its own: only reads, so it may overlap the index writer's index build (SinkOptions::
// on_rows_committed) as long as it ends before the writer's final checkpoint.
Expected<ComputedAnswers> compute_answers(const std::string& case_dir,
                                          const TransformRegistry& registry);

// Writes `computed` into CASE/index.db in one transaction, replacing earlier answers.
Expected<PrecomputeReport> write_answers(const std::string& case_dir,
                                         const ComputedAnswers& computed);

// compute_answers then write_answers (a case whose capture did not precompute them).
Expected<PrecomputeReport> precompute_answers(const std::string& case_dir,
                                              const TransformRegistry& registry);

// `spec.sql` (or `sql_text`) with "{sources}" replaced by the UNION ALL of the sources whose
// table exists in `db`; nullopt when `spec` has sources and none exists (an empty answer).
Expected<std::optional<std::string>> resolve_sources(sqlite3* db, const QueryTransform& spec,
                                                     std::string_view sql_text);

struct PrecomputedRows {
  ResultSet rows;      // as `spec.sql` returns them (InputKey removed), at most max_rows
  uint64_t total = 0;  // rows of the whole answer (for this input)
};

// Reads the precomputed answer of `spec` for `input` (ignored for case transforms). nullopt
// when the case has none that is current: the caller then runs `spec.sql`.
Expected<std::optional<PrecomputedRows>> read_precomputed(const CaseIndex& index,
                                                          const QueryTransform& spec,
                                                          const std::string& input,
                                                          size_t max_rows);

// "answer_<Name>".
std::string answer_table(const QueryTransform& spec);

// True when `spec` is precomputed (case transform, or input transform with by_input_sql).
bool is_precomputable(const QueryTransform& spec);

}  // namespace netcap::catalog
