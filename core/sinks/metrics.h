// Prometheus metrics of a capture (`netcap export`, `netcap capture --metrics ADDR`).
//
// MetricsStore holds metric families and renders them in Prometheus' text exposition format
// 0.0.4. Two kinds of writers fill it:
//   - the metrics sink (open_metrics_sink), a RecordSink on the engine's record stream: it counts
//     records per type (nc_records_total{type}) and, for every field marked `metric_label` in the
//     schema (proto/options.proto), per value (nc_record_values_total{type,field,value}). Like
//     every sink it names no record type: the descriptors say what to count.
//   - the command, which sets gauges and counters from the engine's progress and summary.
//
// Threading: every MetricsStore method may be called from any thread; render() sees a consistent
// snapshot. The sink follows the RecordSink rule (one writer thread) and publishes its counts to
// the store at every flush() (the end of each record batch) and at close().
//
// Limits: a field keeps at most `max_values_per_field` distinct values; later values are counted
// under value="_other" and the overflow is counted in nc_record_values_overflow_total, so a
// hostile capture cannot grow the store (or a Prometheus server's series count) without bound.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/sinks/record_sink.h"

namespace netcap {

enum class MetricType { kCounter, kGauge };

// Label pairs in the order given (names must match [a-zA-Z_][a-zA-Z0-9_]*; values are escaped
// when rendered).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsStore {
 public:
  static constexpr size_t kDefaultMaxValuesPerField = 256;
  explicit MetricsStore(size_t max_values_per_field = kDefaultMaxValuesPerField);

  // Sets one sample of family `name` (created on first use with `help` and `type`).
  void set(std::string_view name, std::string_view help, MetricType type,
           const MetricLabels& labels, double value);
  // Adds `delta` to one sample (created at 0).
  void add(std::string_view name, std::string_view help, MetricType type,
           const MetricLabels& labels, double delta);
  // The current value of one sample; 0 when absent (for tests and the command's own use).
  double value(std::string_view name, const MetricLabels& labels) const;

  // Text exposition format 0.0.4: families sorted by name, samples by label text; each family
  // with its # HELP and # TYPE lines.
  std::string render() const;

  size_t max_values_per_field() const { return max_values_per_field_; }

 private:
  struct Family {
    std::string help;
    MetricType type = MetricType::kGauge;
    std::map<std::string, double> samples;  // rendered label text "{a=\"b\"}" -> value
  };
  Family& family(std::string_view name, std::string_view help, MetricType type);

  const size_t max_values_per_field_;
  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// "{name=\"value\",...}" with values escaped as the exposition format asks (\\, \", \n); ""
// for no labels. Bytes outside printable ASCII become '?', so the text is always valid UTF-8.
std::string render_metric_labels(const MetricLabels& labels);

// A sink that counts the records it is given into `store` (see the header comment). The store
// must outlive the sink.
std::unique_ptr<RecordSink> open_metrics_sink(MetricsStore& store);

}  // namespace netcap
