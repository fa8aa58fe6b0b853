// .ncap.gz writer: per record type, gzip(varint length + serialized message)*, the first message
// a netcap.Header. The varint length prefix is the one of
// google::protobuf::util::SerializeDelimitedToOstream, so other tools can read the files.
#include <zlib.h>

#include <filesystem>
#include <limits>
#include <unordered_map>

#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"
#include "core/sinks/sink_files.h"
#include "proto/header.pb.h"

namespace netcap {

namespace sinks_internal {

Expected<std::string> prepare_records_dir(const std::string& case_dir,
                                          const std::string& extension) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::path(case_dir) / "records";
  fs::create_directories(dir, ec);
  if (ec) return Status::error("creating " + dir.string() + ": " + ec.message());
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > extension.size() &&
        name.compare(name.size() - extension.size(), extension.size(), extension) == 0) {
      stale.push_back(entry.path());
    }
  }
  if (ec) return Status::error("listing " + dir.string() + ": " + ec.message());
  for (const fs::path& path : stale) {
    fs::remove(path, ec);
    if (ec) return Status::error("removing old " + path.string() + ": " + ec.message());
  }
  return dir.string();
}

}  // namespace sinks_internal

namespace {

namespace pb = google::protobuf;

void append_varint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

class NcapSink final : public RecordSink {
 public:
  NcapSink(std::string dir, const SinkOptions& options)
      : dir_(std::move(dir)), input_source_(options.input_source) {}
  ~NcapSink() override { (void)close(); }

  std::string_view name() const override { return "ncap"; }

  Status write(const pb::Message& record) override {
    if (closed_) return Status::error("ncap: write after close");
    auto file = file_for(record.GetDescriptor());
    if (!file) return file.status();
    const std::string& type = record.GetDescriptor()->name();
    if (Status s = serialize(record, type); !s) return s;
    // proto3 parsers reject `string` fields holding invalid UTF-8: sanitise a copy (rare) so
    // that every file written can be read back. Checked on the serialized bytes, which is much
    // cheaper than walking the message by reflection.
    if (!serialized_strings_valid(*record.GetDescriptor(), serialized())) {
      std::unique_ptr<pb::Message> copy(record.New());
      copy->CopyFrom(record);
      sanitize_message_strings(copy.get());
      if (Status s = serialize(*copy, type); !s) return s;
    }
    return append(*file, type);
  }

  Status flush() override { return Status::ok(); }  // gzip buffers; files are final at close

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    Status result;
    for (auto& [descriptor, file] : files_) {
      int rc = gzclose(file);
      if (rc != Z_OK && result) {
        result = Status::error("ncap: closing " + descriptor->name() + ".ncap.gz: zlib error " +
                               std::to_string(rc));
      }
    }
    files_.clear();
    return result;
  }

 private:
  // buffer_ = varint length + the serialized message; serialized() is the message part.
  Status serialize(const pb::Message& message, const std::string& type) {
    buffer_.clear();
    size_t size = message.ByteSizeLong();
    if (size > static_cast<size_t>(std::numeric_limits<int>::max() / 2)) {
      return Status::error("ncap: " + type + " record too large (" + std::to_string(size) + ")");
    }
    append_varint(size, &buffer_);
    prefix_ = buffer_.size();
    buffer_.resize(prefix_ + size);
    if (!message.SerializeToArray(buffer_.data() + prefix_, static_cast<int>(size))) {
      return Status::error("ncap: serializing " + type + " failed");
    }
    return Status::ok();
  }

  std::span<const uint8_t> serialized() const {
    return {reinterpret_cast<const uint8_t*>(buffer_.data()) + prefix_, buffer_.size() - prefix_};
  }

  Status append(gzFile file, const std::string& type) {
    if (gzwrite(file, buffer_.data(), static_cast<unsigned>(buffer_.size())) !=
        static_cast<int>(buffer_.size())) {
      int errnum = 0;
      const char* message_text = gzerror(file, &errnum);
      return Status::error("ncap: writing " + type + ".ncap.gz: " +
                           (message_text != nullptr ? message_text : "write failed"));
    }
    return Status::ok();
  }

  Expected<gzFile> file_for(const pb::Descriptor* descriptor) {
    if (auto it = files_.find(descriptor); it != files_.end()) return it->second;
    std::string path = dir_ + "/" + descriptor->name() + ".ncap.gz";
    // Level 1: these files are written at capture speed; size matters less than CPU.
    gzFile file = gzopen(path.c_str(), "wb1");
    if (file == nullptr) return Status::error("ncap: cannot create " + path);
    gzbuffer(file, 1 << 17);
    files_.emplace(descriptor, file);
    Header header;
    header.set_created(creation_time_ns());
    header.set_inputsource(sanitize_utf8(input_source_));
    header.set_type(descriptor->name());
    header.set_version(std::string(netcap_version()));
    header.set_containspayloads(false);
    if (Status s = serialize(header, descriptor->name()); !s) return s;
    if (Status s = append(file, descriptor->name()); !s) return s;
    return file;
  }

  std::string dir_;
  std::string input_source_;
  bool closed_ = false;
  std::string buffer_;
  size_t prefix_ = 0;  // bytes of the length prefix at the start of buffer_
  std::unordered_map<const pb::Descriptor*, gzFile> files_;
};

}  // namespace

Expected<std::unique_ptr<RecordSink>> open_ncap_sink(const SinkOptions& options) {
  auto dir = sinks_internal::prepare_records_dir(options.case_dir, ".ncap.gz");
  if (!dir) return dir.status();
  return std::unique_ptr<RecordSink>(std::make_unique<NcapSink>(std::move(*dir), options));
}

}  // namespace netcap
