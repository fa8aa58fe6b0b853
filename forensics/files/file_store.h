// The file store: the FileSink (forensics/app/file_sink.h) behind file extraction.
//
// Layout: a transfer is held in memory while it streams, up to a per-file and a store-wide
// memory budget; a file that outgrows either is spilled to CASE/files/tmp/<n>.part and continues
// there. MD5, SHA1 and SHA256 are computed as the bytes come in order (bytes that arrive ahead of
// a hole are kept at their offset and hashed once the hole is filled, or as zeros at close). At
// close the content is typed by libmagic and stored as CASE/files/<sha256[0:2]>/<sha256>; when
// that file exists already (the same content seen before) nothing is written at all, which is
// the common case for the repeated objects of web traffic. Names from the
// wire never become paths: stored names are hashes, and safe_file_name() makes the names used
// when copying files out.
//
// Limits (FileStoreOptions), each hit recorded on the File record (Truncated, TruncatedReason):
// a per-file size cap, a total-storage cap over all shards (an atomic counter of the bytes held
// by open and stored files), a bound on the zero-filled holes inside a file, and a bound on the
// disjoint ranges tracked per open file.
//
// Thread-safety: open() and everything shared (the storage counter, the temp-name counter, the
// libmagic handles behind a mutex) may be used from every shard thread; a writer belongs to the
// thread that opened it. The store must outlive its writers.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/util/status.h"
#include "forensics/app/file_sink.h"

namespace netcap::files {

struct FileStoreOptions {
  // Bytes kept per file; later bytes are dropped ("file size cap").
  uint64_t max_file_bytes = 1ULL << 30;
  // Bytes of all files of the case together (counted when written, given back when a file turns
  // out to be a duplicate); past it new bytes are dropped ("storage cap").
  uint64_t max_total_bytes = 64ULL << 30;
  // Disjoint byte ranges tracked per open file (out-of-order writes); a write that would need
  // more is dropped ("too many ranges").
  size_t max_ranges = 4096;
  // Unwritten bytes (holes, stored as zeros and hashed as zeros) allowed inside a file's extent.
  // A write that would open a hole past this total is dropped, and so is everything after it
  // ("more than N missing bytes"): a transfer seen only at its two ends must not become
  // gigabytes of zeros to store and hash.
  uint64_t max_hole_bytes = 16ULL << 20;
  // Bytes a file may hold in memory before it is spilled to a temporary file.
  size_t max_memory_bytes_per_file = 1 << 20;
  // Bytes all open files together may hold in memory (a shared atomic budget); a file that would
  // pass it is spilled. Memory only: this bounds RSS, it does not drop content.
  uint64_t max_memory_bytes = 64ULL << 20;
  // Leading bytes of a file given to libmagic.
  size_t magic_bytes = 1 << 20;
  // Types remembered by SHA-256, so that content seen again is not typed again.
  size_t type_cache_entries = 1 << 16;
};

class FileStore : public app::FileSink {
 public:
  // Creates CASE/files and CASE/files/tmp and loads libmagic's database. Errors: directories
  // that cannot be made, a missing magic database.
  static Expected<std::unique_ptr<FileStore>> create(const std::string& case_dir,
                                                     FileStoreOptions options = {});
  ~FileStore() override;

  std::unique_ptr<app::FileWriter> open(const app::FileOrigin& origin) override;

  const FileStoreOptions& options() const { return options_; }
  const std::string& case_dir() const { return case_dir_; }
  // Bytes held now (stored files plus open writers).
  uint64_t used_bytes() const { return used_.load(std::memory_order_relaxed); }

  // Internal, for writers: reserves up to `want` bytes of the total cap; returns what was
  // granted. release() gives bytes back.
  uint64_t reserve(uint64_t want);
  void release(uint64_t bytes);
  // The same for the in-memory budget, all or nothing: true when `bytes` were granted.
  bool reserve_memory(uint64_t bytes);
  void release_memory(uint64_t bytes);
  // Bytes held in memory by open writers now.
  uint64_t memory_bytes() const { return memory_used_.load(std::memory_order_relaxed); }
  uint64_t next_temp_id() { return temp_ids_.fetch_add(1, std::memory_order_relaxed); }
  // MIME type and description of `head` (thread-safe; libmagic handles come from a pool, so
  // shards do not wait for each other).
  void detect(std::string_view head, std::string& mime, std::string& description);
  // The type found before for content with this SHA-256 (the same file seen again), if any.
  bool cached_type(const std::string& sha256, std::string& mime, std::string& description);
  // Remembers the type of content with this SHA-256 (at most `type_cache_entries` kept).
  void remember_type(const std::string& sha256, const std::string& mime,
                     const std::string& description);

 private:
  FileStore(std::string case_dir, FileStoreOptions options);
  std::string case_dir_;
  FileStoreOptions options_;
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> memory_used_{0};
  std::atomic<uint64_t> temp_ids_{0};
  struct Magic;
  // Loads a new pair of libmagic handles (nullptr and `error` set when that fails).
  static std::unique_ptr<Magic> load_magic(std::string& error);
  std::mutex magic_mutex_;  // guards magic_pool_
  std::vector<std::unique_ptr<Magic>> magic_pool_;
  std::mutex types_mutex_;  // guards types_
  std::unordered_map<std::string, std::pair<std::string, std::string>> types_;
};

// Path of a stored file relative to the case: "files/<sha256[0:2]>/<sha256>".
std::string stored_path(std::string_view sha256);

// A name safe to create in any directory, from a name seen on the wire: the last component of
// `wire_name` (after '/' or '\'), only [A-Za-z0-9._-] kept (others become '_'), no leading
// dot, at most 80 characters, then "_" + the first 12 digits of `sha256` before the
// extension. "file" stands in for an empty name.
std::string safe_file_name(std::string_view wire_name, std::string_view sha256);

}  // namespace netcap::files
