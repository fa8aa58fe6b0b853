#include "forensics/app/testing/capture_runner.h"

#include <filesystem>
#include <mutex>

#include "core/capture/packet_source.h"
#include "core/engine/engine.h"
#include "core/packet/layer_registry.h"
#include "core/sinks/record_sink.h"
#include "forensics/app/default_app_layer.h"

namespace netcap::app::testing {

namespace {

class CollectingSink : public RecordSink {
 public:
  explicit CollectingSink(CaptureRun& run) : run_(run) {}
  std::string_view name() const override { return "memory"; }
  Status write(const google::protobuf::Message& record) override {
    std::unique_ptr<google::protobuf::Message> copy(record.New());
    copy->CopyFrom(record);
    run_.records.push_back(std::move(copy));
    return Status::ok();
  }
  Status flush() override { return Status::ok(); }
  Status close() override { return Status::ok(); }

 private:
  CaptureRun& run_;
};

}  // namespace

Expected<CaptureRun> run_capture(const std::string& path, int workers, Limits limits,
                                 FileSink* files) {
  LayerRegistry registry;
  if (Status s = register_all_protocols(registry); !s.is_ok()) return s;
  FileSourceOptions source_options;
  source_options.max_packet_bytes = limits.max_packet_bytes;
  auto source = open_file_source({path}, source_options);
  if (!source) return source.status();
  CaptureRun run;
  CollectingSink sink(run);
  EngineOptions options;
  options.workers = workers;
  options.limits = limits;
  options.make_consumer_factory = [files](RecordEmitter& emitter, const Limits& l) {
    return make_app_layer(emitter, l, files);
  };
  Engine engine(registry, options, {&sink});
  auto summary = engine.run(**source);
  if (!summary) return summary.status();
  return run;
}

std::string shared_capture(const std::string& file_name) {
  std::string p = std::string(NETCAP_SHARED_DIR) + "/pcaps/" + file_name;
  return std::filesystem::exists(p) ? p : std::string();
}

std::string sample_capture(const std::string& file_name) {
  return std::string(NETCAP_SOURCE_DIR) + "/samples/" + file_name;
}

}  // namespace netcap::app::testing
