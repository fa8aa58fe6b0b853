// File source: expands directories, opens every capture with our own readers and merges them in
// timestamp order with a k-way merge that holds one pending packet per file.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>

#include "core/capture/bpf_filter.h"
#include "core/capture/capture_reader.h"
#include "core/capture/packet_source.h"

namespace netcap {
namespace {

namespace fs = std::filesystem;

struct Input {
  std::string path;
  std::unique_ptr<CaptureFileReader> reader;
  uint64_t size = 0;
  uint64_t raw_offset = 0;  // reader's raw offset last time it was counted into progress
  size_t issues_seen = 0;   // reader issues already copied to the source's list
  RawPacket pending;
  bool has_pending = false;
};

class FileSource final : public PacketSource {
 public:
  FileSource(std::vector<Input> inputs, std::vector<SourceIssue> notes, std::string bpf,
             uint32_t max_packet_bytes)
      : inputs_(std::move(inputs)),
        filter_(std::move(bpf), max_packet_bytes),
        issues_(std::move(notes)) {
    for (const Input& in : inputs_) bytes_total_ += in.size;
  }

  // Reads the first packet of every input and checks the filter against the link types known
  // then. Error: I/O failure, or a filter that compiles for none of them.
  Status prime() {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      Expected<bool> got = advance(i);
      if (!got) return got.status();
    }
    if (!filter_.empty()) {
      std::set<uint32_t> types;
      for (const Input& in : inputs_) {
        for (uint32_t t : in.reader->link_types()) types.insert(t);
      }
      if (types.empty()) types.insert(linktype::kEthernet);  // still check the syntax
      Status first_error;
      size_t failures = 0;
      for (uint32_t t : types) {
        Status s = prepare_filter(t, /*note=*/false);
        if (!s) {
          ++failures;
          if (first_error) first_error = s;
        }
      }
      if (failures == types.size()) return first_error;
      // Link types where it does not apply are noted once each by prepare_filter later.
      for (uint32_t t : types) (void)prepare_filter(t, /*note=*/true);
    }
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i].has_pending) heap_.push_back(i);
    }
    std::make_heap(heap_.begin(), heap_.end(), later_);
    return Status::ok();
  }

  Expected<bool> next(RawPacket& out) override {
    if (stop_.load(std::memory_order_relaxed) || heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), later_);
    size_t i = heap_.back();
    heap_.pop_back();
    // Swap rather than move: the caller's old buffer goes back to the reader and is refilled
    // in place, so steady-state reading allocates nothing per packet.
    std::swap(out, inputs_[i].pending);
    out.frame = ++frames_;
    out.source_index = static_cast<uint32_t>(i);
    Expected<bool> got = advance(i);
    if (!got) return got.status();
    if (*got) {
      heap_.push_back(i);
      std::push_heap(heap_.begin(), heap_.end(), later_);
    }
    return true;
  }

  SourceProgress progress() const override {
    return SourceProgress{bytes_read_.load(std::memory_order_relaxed), bytes_total_};
  }
  std::vector<SourceIssue> issues() const override {
    std::lock_guard<std::mutex> lock(issues_mutex_);
    return issues_;
  }
  std::string description() const override {
    std::string d = std::to_string(inputs_.size()) + (inputs_.size() == 1 ? " file: " : " files: ");
    constexpr size_t kListed = 5;
    for (size_t i = 0; i < inputs_.size() && i < kListed; ++i) {
      d += (i ? ", " : "") + fs::path(inputs_[i].path).filename().string();
    }
    if (inputs_.size() > kListed) d += ", ...";
    return d;
  }
  std::vector<std::string> inputs() const override {
    std::vector<std::string> paths;
    for (const Input& in : inputs_) paths.push_back(in.path);
    return paths;
  }
  void request_stop() override { stop_.store(true, std::memory_order_relaxed); }

 private:
  // Orders the heap so the front is the earliest pending packet; ties go to the lower input
  // index (input order, then file order inside a directory).
  struct Later {
    const std::vector<Input>* inputs;
    bool operator()(size_t a, size_t b) const {
      int64_t ta = (*inputs)[a].pending.ts_ns;
      int64_t tb = (*inputs)[b].pending.ts_ns;
      return ta != tb ? ta > tb : a > b;
    }
  };

  // Reads input i's next packet that passes the filter into its pending slot.
  Expected<bool> advance(size_t i) {
    Input& in = inputs_[i];
    in.has_pending = false;
    Expected<bool> got = true;
    while (!stop_.load(std::memory_order_relaxed)) {
      got = in.reader->next(in.pending);
      if (!got || !*got) break;
      if (filter_.empty()) {
        in.has_pending = true;
        break;
      }
      (void)prepare_filter(in.pending.linktype, /*note=*/true);
      if (filter_.matches(in.pending)) {
        in.has_pending = true;
        break;
      }
    }
    account(in);
    if (!got) return Status(got.status()).with_context(in.path);
    return in.has_pending;
  }

  void account(Input& in) {
    uint64_t raw = in.reader->raw_offset();
    if (raw > in.raw_offset) {
      bytes_read_.fetch_add(raw - in.raw_offset, std::memory_order_relaxed);
      in.raw_offset = raw;
    }
    const std::vector<SourceIssue>& found = in.reader->issues();
    if (found.size() > in.issues_seen) {
      std::lock_guard<std::mutex> lock(issues_mutex_);
      issues_.insert(issues_.end(), found.begin() + static_cast<std::ptrdiff_t>(in.issues_seen),
                     found.end());
      in.issues_seen = found.size();
    }
  }

  Status prepare_filter(uint32_t linktype, bool note) {
    Status s = filter_.prepare(linktype);
    if (!s && note && noted_linktypes_.insert(linktype).second) {
      std::lock_guard<std::mutex> lock(issues_mutex_);
      issues_.push_back(
          SourceIssue{"", 0, 0, s.message() + "; packets of that link type are dropped", false});
    }
    return s;
  }

  std::vector<Input> inputs_;
  BpfFilter filter_;
  std::vector<size_t> heap_;
  Later later_{&inputs_};
  uint64_t frames_ = 0;
  uint64_t bytes_total_ = 0;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<bool> stop_{false};
  std::set<uint32_t> noted_linktypes_;
  mutable std::mutex issues_mutex_;
  std::vector<SourceIssue> issues_;
};

// Opens one file as a capture. `from_directory`: a non-capture is a note, not an error.
Status open_one(const std::string& path, bool from_directory, uint32_t max_packet_bytes,
                std::vector<Input>& inputs, std::vector<SourceIssue>& notes) {
  Input in;
  in.path = path;
  Expected<std::unique_ptr<InputStream>> stream = open_input_file(path, &in.size);
  if (!stream) return stream.status();
  Expected<std::unique_ptr<CaptureFileReader>> reader =
      open_capture_reader(std::move(*stream), path, max_packet_bytes);
  if (!reader) {
    if (!from_directory) return reader.status();
    notes.push_back(SourceIssue{path, 0, 0, reader.status().message() + "; skipped", false});
    return Status::ok();
  }
  in.reader = std::move(*reader);
  inputs.push_back(std::move(in));
  return Status::ok();
}

}  // namespace

Expected<std::unique_ptr<PacketSource>> open_file_source(const std::vector<std::string>& paths,
                                                         const FileSourceOptions& options) {
  if (paths.empty()) return Status::error("no capture files given");
  std::vector<Input> inputs;
  std::vector<SourceIssue> notes;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      return Status::error(path + ": " + (ec ? ec.message() : "no such file or directory"));
    }
    if (!fs::is_directory(st)) {
      Status s = open_one(path, false, options.max_packet_bytes, inputs, notes);
      if (!s) return s;
      continue;
    }
    std::vector<std::string> files;
    fs::recursive_directory_iterator it(path, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec)) files.push_back(it->path().string());
    }
    if (ec) return Status::error(path + ": cannot list directory: " + ec.message());
    std::sort(files.begin(), files.end());
    size_t before = inputs.size();
    for (const std::string& file : files) {
      Status s = open_one(file, true, options.max_packet_bytes, inputs, notes);
      if (!s) return s;
    }
    if (inputs.size() == before) return Status::error(path + ": no capture files in directory");
  }
  auto source = std::make_unique<FileSource>(std::move(inputs), std::move(notes), options.bpf,
                                             options.max_packet_bytes);
  Status primed = source->prime();
  if (!primed) return primed;
  return std::unique_ptr<PacketSource>(std::move(source));
}

}  // namespace netcap
