// RecordSink: where finished records go (the case index, .ncap.gz files, JSONL, CSV).
// Every sink handles any record message through reflection; none names a record type.
//
// Threading: a sink is owned and driven by exactly one writer thread; write/flush/close are never
// called concurrently. Different sinks may run on different threads.
// Files (relative to SinkOptions::case_dir):
//   index.db                    open_index_sink (replaced when it already exists)
//   records/<Type>.ncap.gz      open_ncap_sink  (files of the same kind from earlier runs removed)
//   records/<Type>.jsonl        open_jsonl_sink (idem)
//   records/<Type>.csv          open_csv_sink   (idem)
#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/limits.h"
#include "core/util/status.h"

namespace netcap {

struct SinkOptions {
  std::string case_dir;                 // CASE directory (created if missing)
  std::string input_source;             // for Header.InputSource and the index meta table
  bool layer_records_in_index = false;  // LAYER records go into index.db only when true
  const Limits* limits = nullptr;       // nullptr: defaults; must outlive the sink otherwise
  // Index sink only, both called from close() on the closing thread. `on_rows_committed` runs
  // once every row is committed, before the secondary indexes are built: readers opened from
  // here on see the complete data, so work that only scans (precomputed transform answers) can
  // overlap the index build. `before_checkpoint` runs before the final WAL checkpoint, which
  // needs those readers gone: it must wait for them.
  std::function<void()> on_rows_committed;
  std::function<void()> before_checkpoint;
  // Index sink only: add to the case's existing index.db instead of replacing it (records made
  // after the capture, such as `netcap label`'s alerts). The index must exist with this build's
  // schema version; its meta is kept. The tables named in `replace_types` lose their rows first,
  // so that importing again replaces rather than doubles.
  bool append = false;
  std::vector<std::string> replace_types;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual std::string_view name() const = 0;
  // write/flush/close are called from one writer thread, never concurrently.
  // `record` is only read during the call.
  virtual Status write(const google::protobuf::Message& record) = 0;
  virtual Status flush() = 0;  // end of a batch; may be a no-op
  virtual Status set_meta(const std::string& key, const std::string& value) {
    (void)key;
    (void)value;
    return Status::ok();
  }                            // index: meta table; others ignore
  virtual Status close() = 0;  // finalise files; idempotent. The destructor closes too.
};

Expected<std::unique_ptr<RecordSink>> open_index_sink(const SinkOptions&);  // CASE/index.db
Expected<std::unique_ptr<RecordSink>> open_ncap_sink(const SinkOptions&);   // records/*.ncap.gz
Expected<std::unique_ptr<RecordSink>> open_jsonl_sink(const SinkOptions&);  // records/*.jsonl
Expected<std::unique_ptr<RecordSink>> open_csv_sink(const SinkOptions&);    // records/*.csv
// By kind name: "index", "ncap", "jsonl", "csv" (for command-line --output lists).
Expected<std::unique_ptr<RecordSink>> open_sink(std::string_view kind, const SinkOptions&);

// The netcap version compiled in (PROJECT_VERSION).
std::string_view netcap_version();
// Unix ns used for "created" stamps: SOURCE_DATE_EPOCH seconds when set (reproducible builds),
// otherwise the current time.
int64_t creation_time_ns();

}  // namespace netcap
