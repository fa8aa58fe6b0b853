#include "core/sinks/record_sink.h"

#include <chrono>
#include <cstdlib>

namespace netcap {

#ifndef NETCAP_VERSION
#define NETCAP_VERSION "0.0.0"
#endif

std::string_view netcap_version() { return NETCAP_VERSION; }

int64_t creation_time_ns() {
  // https://reproducible-builds.org/specs/source-date-epoch/: a decimal count of seconds.
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    long long seconds = std::strtoll(epoch, &end, 10);
    if (end != nullptr && *end == '\0' && seconds >= 0) return seconds * 1'000'000'000LL;
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Expected<std::unique_ptr<RecordSink>> open_sink(std::string_view kind, const SinkOptions& options) {
  if (kind == "index") return open_index_sink(options);
  if (kind == "ncap") return open_ncap_sink(options);
  if (kind == "jsonl") return open_jsonl_sink(options);
  if (kind == "csv") return open_csv_sink(options);
  return Status::error("unknown output '" + std::string(kind) + "' (want index, ncap, jsonl, csv)");
}

}  // namespace netcap
