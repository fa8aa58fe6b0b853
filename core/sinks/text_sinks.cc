// JSONL and CSV sinks: one text file per record type under CASE/records, rendered by
// record_format (raw nanosecond times, so the files stay machine-readable and lossless).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"
#include "core/sinks/sink_files.h"

namespace netcap {

namespace {

namespace pb = google::protobuf;

enum class TextKind { kJsonl, kCsv };

class TextSink final : public RecordSink {
 public:
  TextSink(TextKind kind, std::string dir) : kind_(kind), dir_(std::move(dir)) {}
  ~TextSink() override { (void)close(); }

  std::string_view name() const override { return kind_ == TextKind::kJsonl ? "jsonl" : "csv"; }

  Status write(const pb::Message& record) override {
    if (closed_) return Status::error(std::string(name()) + ": write after close");
    auto file = file_for(record.GetDescriptor());
    if (!file) return file.status();
    line_.clear();
    if (kind_ == TextKind::kJsonl) {
      append_json_object(record, FormatOptions{}, &line_);
      line_.push_back('\n');
    } else {
      append_csv_row(record, (*file)->columns, FormatOptions{}, &line_);
    }
    return put(**file, line_);
  }

  Status flush() override { return Status::ok(); }  // stdio buffers; complete lines at close

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    Status result;
    for (auto& [descriptor, file] : files_) {
      if (std::fclose(file->handle) != 0 && result) {
        result = Status::error(std::string(name()) + ": closing " + file->path + ": " +
                               std::strerror(errno));
      }
    }
    files_.clear();
    return result;
  }

 private:
  struct File {
    std::FILE* handle = nullptr;
    std::string path;
    std::vector<Column> columns;
  };

  Status put(File& file, const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), file.handle) != text.size()) {
      return Status::error(std::string(name()) + ": writing " + file.path + ": " +
                           std::strerror(errno));
    }
    return Status::ok();
  }

  Expected<File*> file_for(const pb::Descriptor* descriptor) {
    if (auto it = files_.find(descriptor); it != files_.end()) return it->second.get();
    auto file = std::make_unique<File>();
    file->path = dir_ + "/" + descriptor->name() + (kind_ == TextKind::kJsonl ? ".jsonl" : ".csv");
    file->handle = std::fopen(file->path.c_str(), "wb");
    if (file->handle == nullptr) {
      return Status::error(std::string(name()) + ": cannot create " + file->path + ": " +
                           std::strerror(errno));
    }
    std::setvbuf(file->handle, nullptr, _IOFBF, 1 << 17);
    File* raw = file.get();
    files_.emplace(descriptor, std::move(file));
    if (kind_ == TextKind::kCsv) {
      raw->columns = record_columns(*descriptor);
      std::string header;
      append_csv_header(raw->columns, &header);
      if (Status s = put(*raw, header); !s) return s;
    }
    return raw;
  }

  TextKind kind_;
  std::string dir_;
  bool closed_ = false;
  std::string line_;
  std::unordered_map<const pb::Descriptor*, std::unique_ptr<File>> files_;
};

}  // namespace

Expected<std::unique_ptr<RecordSink>> open_jsonl_sink(const SinkOptions& options) {
  auto dir = sinks_internal::prepare_records_dir(options.case_dir, ".jsonl");
  if (!dir) return dir.status();
  return std::unique_ptr<RecordSink>(std::make_unique<TextSink>(TextKind::kJsonl, *dir));
}

Expected<std::unique_ptr<RecordSink>> open_csv_sink(const SinkOptions& options) {
  auto dir = sinks_internal::prepare_records_dir(options.case_dir, ".csv");
  if (!dir) return dir.status();
  return std::unique_ptr<RecordSink>(std::make_unique<TextSink>(TextKind::kCsv, *dir));
}

}  // namespace netcap
