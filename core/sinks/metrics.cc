#include "core/sinks/metrics.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "proto/options.pb.h"

namespace netcap {

namespace {

constexpr size_t kMaxLabelValueBytes = 128;  // longer values are cut (a label is not evidence)
constexpr std::string_view kOtherValue = "_other";

const char* type_name(MetricType type) {
  return type == MetricType::kCounter ? "counter" : "gauge";
}

// Prometheus renders integers without exponent; large counters must not become 1e+06.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", v);
  }
  return buf;
}

}  // namespace

std::string render_metric_labels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += name;
    out += "=\"";
    for (unsigned char c : value) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else if (c < 0x20 || c >= 0x7f) {
        out.push_back('?');
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

MetricsStore::MetricsStore(size_t max_values_per_field)
    : max_values_per_field_(max_values_per_field) {}

MetricsStore::Family& MetricsStore::family(std::string_view name, std::string_view help,
                                           MetricType type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.help = std::string(help);
    it->second.type = type;
  }
  return it->second;
}

void MetricsStore::set(std::string_view name, std::string_view help, MetricType type,
                       const MetricLabels& labels, double value) {
  std::string key = render_metric_labels(labels);
  std::lock_guard<std::mutex> lock(mutex_);
  family(name, help, type).samples[std::move(key)] = value;
}

void MetricsStore::add(std::string_view name, std::string_view help, MetricType type,
                       const MetricLabels& labels, double delta) {
  std::string key = render_metric_labels(labels);
  std::lock_guard<std::mutex> lock(mutex_);
  family(name, help, type).samples[std::move(key)] += delta;
}

double MetricsStore::value(std::string_view name, const MetricLabels& labels) const {
  const std::string key = render_metric_labels(labels);
  std::lock_guard<std::mutex> lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto s = f->second.samples.find(key);
  return s == f->second.samples.end() ? 0 : s->second;
}

std::string MetricsStore::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " ";
    for (char c : f.help) out += (c == '\n') ? std::string("\\n") : std::string(1, c);
    out += "\n# TYPE " + name + " " + type_name(f.type) + "\n";
    for (const auto& [labels, value] : f.samples) {
      out += name + labels + " " + format_value(value) + "\n";
    }
  }
  return out;
}

namespace {

namespace pb = google::protobuf;

constexpr std::string_view kRecordsHelp = "Records written, by record type.";
constexpr std::string_view kValuesHelp =
    "Records by the value of a labelling field (fields marked metric_label in the schema).";
constexpr std::string_view kOverflowHelp =
    "Records whose labelling field held a value beyond the per-field limit (counted as "
    "value=\"_other\").";

class MetricsSink final : public RecordSink {
 public:
  explicit MetricsSink(MetricsStore& store) : store_(store) {}
  ~MetricsSink() override { (void)close(); }

  std::string_view name() const override { return "metrics"; }

  Status write(const pb::Message& record) override {
    const pb::Descriptor* descriptor = record.GetDescriptor();
    TypeInfo& info = type_info(descriptor);
    ++info.pending_records;
    const pb::Reflection* reflection = record.GetReflection();
    for (FieldInfo& field : info.fields) {
      std::string value = field_text(record, *reflection, *field.descriptor);
      auto it = field.seen.find(value);
      if (it == field.seen.end()) {
        if (field.seen.size() >= store_.max_values_per_field()) {
          ++field.pending_overflow;
          value = std::string(kOtherValue);
        }
        it = field.seen.emplace(std::move(value), 0).first;
      }
      ++it->second;
    }
    return Status::ok();
  }

  Status flush() override {
    publish();
    return Status::ok();
  }

  Status close() override {
    publish();
    return Status::ok();
  }

 private:
  struct FieldInfo {
    const pb::FieldDescriptor* descriptor;
    // value -> count not yet published; values stay as keys once seen (they bound the set).
    std::unordered_map<std::string, uint64_t> seen;
    uint64_t pending_overflow = 0;
  };
  struct TypeInfo {
    std::string type_name;
    uint64_t pending_records = 0;
    std::vector<FieldInfo> fields;
  };

  TypeInfo& type_info(const pb::Descriptor* descriptor) {
    auto it = types_.find(descriptor);
    if (it != types_.end()) return it->second;
    TypeInfo info;
    info.type_name = descriptor->name();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const pb::FieldDescriptor* f = descriptor->field(i);
      if (!f->is_repeated() && f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE &&
          f->options().GetExtension(metric_label)) {
        info.fields.push_back(FieldInfo{f, {}, 0});
      }
    }
    return types_.emplace(descriptor, std::move(info)).first->second;
  }

  static std::string field_text(const pb::Message& record, const pb::Reflection& reflection,
                                const pb::FieldDescriptor& field) {
    using F = pb::FieldDescriptor;
    switch (field.cpp_type()) {
      case F::CPPTYPE_STRING: {
        std::string s = reflection.GetString(record, &field);
        if (s.size() > kMaxLabelValueBytes) s.resize(kMaxLabelValueBytes);
        return s;
      }
      case F::CPPTYPE_INT32:
        return std::to_string(reflection.GetInt32(record, &field));
      case F::CPPTYPE_INT64:
        return std::to_string(reflection.GetInt64(record, &field));
      case F::CPPTYPE_UINT32:
        return std::to_string(reflection.GetUInt32(record, &field));
      case F::CPPTYPE_UINT64:
        return std::to_string(reflection.GetUInt64(record, &field));
      case F::CPPTYPE_BOOL:
        return reflection.GetBool(record, &field) ? "true" : "false";
      case F::CPPTYPE_ENUM:
        return std::string(reflection.GetEnum(record, &field)->name());
      default:
        return "";  // doubles and floats are not labels
    }
  }

  // Moves the pending counts into the store (one lock per sample; called once per batch).
  void publish() {
    for (auto& [descriptor, info] : types_) {
      if (info.pending_records == 0) continue;
      store_.add("nc_records_total", kRecordsHelp, MetricType::kCounter, {{"type", info.type_name}},
                 static_cast<double>(info.pending_records));
      info.pending_records = 0;
      for (FieldInfo& field : info.fields) {
        const std::string& field_name = field.descriptor->name();
        for (auto& [value, count] : field.seen) {
          if (count == 0) continue;
          store_.add("nc_record_values_total", kValuesHelp, MetricType::kCounter,
                     {{"type", info.type_name}, {"field", field_name}, {"value", value}},
                     static_cast<double>(count));
          count = 0;
        }
        if (field.pending_overflow > 0) {
          store_.add("nc_record_values_overflow_total", kOverflowHelp, MetricType::kCounter,
                     {{"type", info.type_name}, {"field", field_name}},
                     static_cast<double>(field.pending_overflow));
          field.pending_overflow = 0;
        }
      }
    }
  }

  MetricsStore& store_;
  std::unordered_map<const pb::Descriptor*, TypeInfo> types_;
};

}  // namespace

std::unique_ptr<RecordSink> open_metrics_sink(MetricsStore& store) {
  return std::make_unique<MetricsSink>(store);
}

}  // namespace netcap
