// Engine: the one path packets take (ARCHITECTURE.md §1).
//
//   reader (calling thread) --bounded queue per shard--> N shard threads --bounded queue per
//   sink--> one writer thread per sink
//
// The reader routes each packet to the shard owning its address pair (shard_key.h). A shard owns
// its flows, fragment tables and reassembly outright (no locks on the hot path), decodes the
// packet with the layer registry, updates flows and emits records in batches. Each sink has its
// own writer thread, so a slow index does not stall the .ncap writer until its queue is full.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/capture/packet_source.h"
#include "core/flow/flow_table.h"
#include "core/packet/layer_registry.h"
#include "core/packet/packet_context.h"
#include "core/sinks/record_sink.h"
#include "core/util/limits.h"

namespace netcap {

struct EngineProgress {
  uint64_t packets = 0;
  uint64_t bytes_read = 0;   // of the input files
  uint64_t bytes_total = 0;  // 0 for live capture
  uint64_t records = 0;      // handed to the sinks so far
  uint64_t flows = 0;        // currently open, summed over shards (approximate while running)
  double elapsed_seconds = 0;
};

struct EngineOptions {
  int workers = 0;             // shard threads; 0 = number of cores
  bool layer_records = false;  // emit one record per decoded layer
  Limits limits;
  // Creates the flow-consumer factory of one shard (the application protocols); may be empty.
  // The factory emits its records through the shard's `emitter` and lives as long as the shard.
  std::function<std::unique_ptr<FlowConsumerFactory>(RecordEmitter& emitter, const Limits& limits)>
      make_consumer_factory;
  // Called from the reader thread about every progress_interval_ms.
  std::function<void(const EngineProgress&)> on_progress;
  int progress_interval_ms = 250;
};

struct CaptureSummary {
  uint64_t packets = 0;
  uint64_t wire_bytes = 0;
  uint64_t captured_bytes = 0;
  int64_t first_ts_ns = 0;  // smallest packet timestamp
  int64_t last_ts_ns = 0;   // largest packet timestamp
  double wall_seconds = 0;
  int shards = 0;
  DecodeStats decode;
  FlowTableStats flows;
  std::map<std::string, uint64_t> records;  // record type -> count
  std::vector<SourceIssue> source_issues;
  size_t fragments_pending = 0;
};

class Engine {
 public:
  // `registry` and `sinks` must outlive run(). Sinks are written only from their writer thread.
  Engine(const LayerRegistry& registry, EngineOptions options, std::vector<RecordSink*> sinks);

  // Processes `source` to its end (or until it is stopped) and waits until every record has
  // been written to the sinks. The sinks stay open (the caller adds meta data and closes them);
  // no engine thread touches them after run() returns. An error Status for environment failures
  // (a sink that cannot write, a live capture error).
  Expected<CaptureSummary> run(PacketSource& source);

 private:
  const LayerRegistry& registry_;
  EngineOptions options_;
  std::vector<RecordSink*> sinks_;
};

}  // namespace netcap
