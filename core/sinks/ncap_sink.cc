// .ncap.gz writer: per record type, gzip(varint length + serialized message)*, the first message
// a netcap.Header. The varint length prefix is the one of
// google::protobuf::util::SerializeDelimitedToOstream, so other tools can read the files.
//
// Compression: records are gathered per file into blocks of kBlockBytes, each compressed by
// libdeflate (level 1) into one gzip member and appended. A gzip file is a series of members
// (RFC 1952 section 2.2); gzip, zlib's gzread and Go's gzip.Reader (multistream by default, as
// netcap reads its files) read them as one stream. libdeflate's whole-buffer compressor is about
// twice as fast as zlib's streaming deflate at the same level, and these files are written at
// capture speed.
#include <libdeflate.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

// Uncompressed bytes per gzip member: large enough that the member overhead (18 bytes) and the
// restart of the dictionary cost nothing, small enough that a file per record type stays cheap
// in memory (one block buffer each).
constexpr size_t kBlockBytes = 256 * 1024;

class NcapSink final : public RecordSink {
 public:
  NcapSink(std::string dir, const SinkOptions& options)
      : dir_(std::move(dir)),
        input_source_(options.input_source),
        compressor_(libdeflate_alloc_compressor(1)) {}
  ~NcapSink() override {
    (void)close();
    if (compressor_ != nullptr) libdeflate_free_compressor(compressor_);
  }

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
    return append(**file);
  }

  Status flush() override { return Status::ok(); }  // gzip buffers; files are final at close

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    Status result;
    for (auto& [descriptor, file] : files_) {
      Status s = write_block(*file);
      if (std::fclose(file->stream) != 0 && s) {
        s = Status::error("ncap: closing " + file->path + ": " + std::strerror(errno));
      }
      if (!s && result) result = std::move(s);
    }
    files_.clear();
    return result;
  }

 private:
  struct File {
    std::string path;
    std::FILE* stream = nullptr;
    std::string block;  // uncompressed bytes not yet written
  };

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

  Status append(File& file) {
    file.block.append(buffer_);
    if (file.block.size() >= kBlockBytes) return write_block(file);
    return Status::ok();
  }

  // Compresses the pending block into one gzip member and appends it to the file.
  Status write_block(File& file) {
    if (file.block.empty()) return Status::ok();
    if (compressor_ == nullptr) return Status::error("ncap: cannot allocate a compressor");
    compressed_.resize(libdeflate_gzip_compress_bound(compressor_, file.block.size()));
    const size_t n = libdeflate_gzip_compress(compressor_, file.block.data(), file.block.size(),
                                              compressed_.data(), compressed_.size());
    if (n == 0) return Status::error("ncap: compressing a block of " + file.path + " failed");
    file.block.clear();
    if (std::fwrite(compressed_.data(), 1, n, file.stream) != n) {
      return Status::error("ncap: writing " + file.path + ": " + std::strerror(errno));
    }
    return Status::ok();
  }

  Expected<File*> file_for(const pb::Descriptor* descriptor) {
    if (auto it = files_.find(descriptor); it != files_.end()) return it->second.get();
    auto file = std::make_unique<File>();
    file->path = dir_ + "/" + descriptor->name() + ".ncap.gz";
    file->stream = std::fopen(file->path.c_str(), "wbe");
    if (file->stream == nullptr) {
      return Status::error("ncap: cannot create " + file->path + ": " + std::strerror(errno));
    }
    file->block.reserve(kBlockBytes + 4096);
    File* raw = file.get();
    files_.emplace(descriptor, std::move(file));
    Header header;
    header.set_created(creation_time_ns());
    header.set_inputsource(sanitize_utf8(input_source_));
    header.set_type(descriptor->name());
    header.set_version(std::string(netcap_version()));
    header.set_containspayloads(false);
    if (Status s = serialize(header, descriptor->name()); !s) return s;
    if (Status s = append(*raw); !s) return s;
    return raw;
  }

  std::string dir_;
  std::string input_source_;
  bool closed_ = false;
  std::string buffer_;
  size_t prefix_ = 0;  // bytes of the length prefix at the start of buffer_
  libdeflate_compressor* compressor_;
  std::vector<uint8_t> compressed_;
  std::unordered_map<const pb::Descriptor*, std::unique_ptr<File>> files_;
};

}  // namespace

Expected<std::unique_ptr<RecordSink>> open_ncap_sink(const SinkOptions& options) {
  auto dir = sinks_internal::prepare_records_dir(options.case_dir, ".ncap.gz");
  if (!dir) return dir.status();
  return std::unique_ptr<RecordSink>(std::make_unique<NcapSink>(std::move(*dir), options));
}

}  // namespace netcap
