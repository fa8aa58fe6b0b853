#include "forensics/files/file_store.h"

#include <fcntl.h>
#include <magic.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "proto/file.pb.h"

namespace netcap::files {

namespace fs = std::filesystem;

namespace {

constexpr size_t kReadChunk = 64 * 1024;

std::string hex(const unsigned char* p, unsigned n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

// The three digests of one file, fed in order.
class Digests {
 public:
  Digests() {
    const EVP_MD* kinds[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
    for (int i = 0; i < 3; ++i) {
      ctx_[i] = EVP_MD_CTX_new();
      if (ctx_[i] != nullptr) EVP_DigestInit_ex(ctx_[i], kinds[i], nullptr);
    }
  }
  ~Digests() {
    for (EVP_MD_CTX* c : ctx_) EVP_MD_CTX_free(c);
  }
  Digests(const Digests&) = delete;
  Digests& operator=(const Digests&) = delete;

  void update(const void* data, size_t n) {
    for (EVP_MD_CTX* c : ctx_) {
      if (c != nullptr) EVP_DigestUpdate(c, data, n);
    }
  }
  // md5, sha1, sha256 as hex.
  void finish(std::string out[3]) {
    for (int i = 0; i < 3; ++i) {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned n = 0;
      if (ctx_[i] != nullptr && EVP_DigestFinal_ex(ctx_[i], md, &n) == 1) out[i] = hex(md, n);
    }
  }

 private:
  EVP_MD_CTX* ctx_[3] = {nullptr, nullptr, nullptr};
};

class StoreWriter : public app::FileWriter {
 public:
  StoreWriter(FileStore& store, const app::FileOrigin& origin)
      : store_(store), origin_(origin), first_ts_(origin.ts_ns), last_ts_(origin.ts_ns) {}

  ~StoreWriter() override {
    if (fd_ >= 0) ::close(fd_);
    drop_memory();
    if (!closed_) {
      if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
      store_.release(reserved_);
    }
  }

  void write(uint64_t offset, std::span<const uint8_t> data, int64_t ts_ns) override {
    if (closed_ || data.empty()) return;
    touch(ts_ns);
    if (offset > size_ && hole_limited(offset)) return;
    const uint64_t cap = store_.options().max_file_bytes;
    if (offset >= cap) {
      capped("file size cap");
      return;
    }
    if (data.size() > cap - offset) {
      data = data.first(static_cast<size_t>(cap - offset));
      capped("file size cap");
    }
    uint64_t end = offset + data.size();
    if (end > reserved_) {
      // The file grows: take the new bytes from the total-storage cap.
      const uint64_t granted = store_.reserve(end - reserved_);
      reserved_ += granted;
      if (reserved_ < end) {
        capped("storage cap");
        if (offset >= reserved_) return;
        data = data.first(static_cast<size_t>(reserved_ - offset));
        end = reserved_;
      }
    }
    // Only the parts not written before: the first copy of a byte wins.
    uint64_t pos = offset;
    while (pos < end) {
      auto next = ranges_.upper_bound(pos);
      if (next != ranges_.begin()) {
        auto prev = std::prev(next);
        if (prev->second > pos) {  // pos is covered
          pos = std::min(end, prev->second);
          continue;
        }
      }
      const uint64_t stop = next == ranges_.end() ? end : std::min(end, next->first);
      put(pos, data.subspan(static_cast<size_t>(pos - offset), static_cast<size_t>(stop - pos)));
      pos = stop;
    }
    catch_up();
  }

  // True (and the file is frozen at its current extent) when writing at `offset` would leave more
  // unwritten bytes inside the file than the hole limit allows.
  bool hole_limited(uint64_t offset) {
    if (frozen_) return true;
    const uint64_t holes = (size_ - covered_) + (offset - size_);
    if (holes <= store_.options().max_hole_bytes) return false;
    frozen_ = true;
    cut("more than " + std::to_string(store_.options().max_hole_bytes) + " missing bytes");
    return true;
  }

  void gap(uint64_t offset, uint64_t length, int64_t ts_ns) override {
    if (closed_) return;
    touch(ts_ns);
    gap_end_ = std::max(gap_end_, offset + length);
    had_gap_ = true;
  }

  void truncated(std::string_view reason) override { cut(std::string(reason)); }
  void set_declared_size(int64_t size) override { origin_.declared_size = size; }

  std::unique_ptr<netcap::File> close(bool complete, std::string_view why, int64_t ts_ns) override {
    if (closed_) return nullptr;
    touch(ts_ns);
    closed_ = true;
    if (size_ == 0 && !had_gap_ && reason_.empty()) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
      if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
      drop_memory();
      store_.release(reserved_);
      reserved_ = 0;
      return nullptr;
    }
    // Holes read back as zeros: a spilled file is extended to its size first (in memory the
    // buffer always spans the file).
    if (fd_ >= 0 && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0)
      cut("storage error: " + std::string(std::strerror(errno)));
    hash_through(size_);
    std::string digest[3];
    digests_.finish(digest);

    auto rec = std::make_unique<netcap::File>();
    rec->set_timestamp(first_ts_);
    rec->set_timestamplast(last_ts_);
    rec->set_protocol(origin_.protocol);
    rec->set_direction(std::string(app::file_direction_name(origin_.direction)));
    rec->set_name(origin_.name);
    rec->set_declaredtype(origin_.declared_type);
    rec->set_host(origin_.host);
    rec->set_context(origin_.context);
    rec->set_messageid(origin_.message_id);
    rec->set_declaredsize(origin_.declared_size);
    rec->set_size(static_cast<int64_t>(size_));
    rec->set_md5(digest[0]);
    rec->set_sha1(digest[1]);
    rec->set_sha256(digest[2]);

    uint64_t missing = size_ - covered_;
    uint64_t expected_end = gap_end_;
    if (origin_.declared_size > 0)
      expected_end = std::max(expected_end, static_cast<uint64_t>(origin_.declared_size));
    // Bytes we dropped ourselves (size and storage caps) are not "missing" from the wire; bytes
    // past a hole that hit the hole limit are.
    if (expected_end > size_ && (reason_.empty() || (frozen_ && !capped_)))
      missing += expected_end - size_;
    rec->set_missingbytes(static_cast<int64_t>(missing));
    rec->set_complete(complete && missing == 0 && reason_.empty());
    rec->set_truncated(!reason_.empty());
    std::string reason = reason_;
    if (!complete && !why.empty())
      reason = reason.empty() ? std::string(why) : reason + "; " + std::string(why);
    if (reason.empty() && missing > 0) reason = std::to_string(missing) + " bytes missing";
    rec->set_truncatedreason(reason);

    if (has_content()) {
      std::string mime, description;
      if (!store_.cached_type(digest[2], mime, description)) {
        const size_t want =
            static_cast<size_t>(std::min<uint64_t>(size_, store_.options().magic_bytes));
        if (!spilled_) {
          store_.detect(std::string_view(reinterpret_cast<const char*>(memory_.data()), want), mime,
                        description);
        } else {
          std::string head(want, '\0');
          const ssize_t n = head.empty() ? 0 : ::pread(fd_, head.data(), head.size(), 0);
          head.resize(n > 0 ? static_cast<size_t>(n) : 0);
          store_.detect(head, mime, description);
        }
        store_.remember_type(digest[2], mime, description);
      }
      rec->set_mimetype(mime);
      rec->set_description(description);
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
      if (!stored_ok_) {
        if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
        store_.release(reserved_);
      } else {
        move_into_store(*rec, digest[2]);
      }
    } else {
      if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
      store_.release(reserved_);
    }
    drop_memory();
    reserved_ = 0;
    return rec;
  }

 private:
  void touch(int64_t ts_ns) {
    if (ts_ns == 0) return;
    if (first_ts_ == 0 || ts_ns < first_ts_) first_ts_ = ts_ns;
    last_ts_ = std::max(last_ts_, ts_ns);
  }

  void cut(std::string reason) {
    if (reason.rfind("storage error", 0) == 0) stored_ok_ = false;
    if (reason_.find(reason) != std::string::npos) return;
    reason_ = reason_.empty() ? reason : reason_ + "; " + reason;
  }

  // A size or storage cap dropped bytes: those are ours, not missing from the wire.
  void capped(std::string reason) {
    capped_ = true;
    cut(std::move(reason));
  }

  // Writes one uncovered piece at `offset` and records its range.
  void put(uint64_t offset, std::span<const uint8_t> data) {
    if (data.empty()) return;
    const uint64_t end = offset + data.size();
    // Merge with neighbours; a new disjoint range must fit under the bound.
    auto next = ranges_.lower_bound(offset);
    const bool joins_next = next != ranges_.end() && next->first == end;
    const bool joins_prev = next != ranges_.begin() && std::prev(next)->second == offset;
    if (!joins_next && !joins_prev && ranges_.size() >= store_.options().max_ranges) {
      cut("too many ranges");
      return;
    }
    if (!spilled_ && end > memory_.size() && !grow_memory(end)) spill();
    if (!spilled_) {
      std::memcpy(memory_.data() + offset, data.data(), data.size());
    } else if (fd_ >= 0 && !write_all(fd_, data.data(), data.size(), offset)) {
      cut("storage error: " + std::string(std::strerror(errno)));
    }
    if (offset == hashed_) {
      digests_.update(data.data(), data.size());
      hashed_ = end;
    }
    uint64_t start = offset, stop = end;
    if (joins_prev) {
      auto prev = std::prev(next);
      start = prev->first;
      ranges_.erase(prev);
    }
    if (joins_next) {
      stop = next->second;
      ranges_.erase(next);
    }
    ranges_[start] = stop;
    covered_ += data.size();
    size_ = std::max(size_, end);
  }

  // Hashes bytes that became contiguous from offset 0 (written ahead of a hole now filled).
  void catch_up() {
    if (ranges_.empty() || ranges_.begin()->first != 0) return;
    const uint64_t prefix = ranges_.begin()->second;
    if (prefix > hashed_) hash_through(prefix);
  }

  // Reads the stored bytes [hashed_, end) back into the digests (holes are zeros).
  void hash_through(uint64_t end) {
    if (!spilled_) {
      // In memory the buffer spans [0, size_) with holes as zeros; past it (a declared end) the
      // bytes are unknown and hashed as zeros like a spilled file's holes.
      const uint64_t in_memory = std::min<uint64_t>(end, memory_.size());
      if (hashed_ < in_memory) {
        digests_.update(memory_.data() + hashed_, static_cast<size_t>(in_memory - hashed_));
        hashed_ = in_memory;
      }
    }
    std::vector<uint8_t> buf(kReadChunk);
    while (hashed_ < end) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, end - hashed_));
      ssize_t n =
          spilled_ && fd_ >= 0 ? ::pread(fd_, buf.data(), want, static_cast<off_t>(hashed_)) : -1;
      if (n <= 0) {
        // No backing file: the bytes are unknown; hash zeros so the size stays right.
        std::fill(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(want), 0);
        n = static_cast<ssize_t>(want);
      }
      digests_.update(buf.data(), static_cast<size_t>(n));
      hashed_ += static_cast<uint64_t>(n);
    }
  }

  // Content that is neither in memory nor in a temporary file (a storage error) is not stored.
  bool has_content() const { return !spilled_ || fd_ >= 0; }

  // The name is ours (a counter), never from the wire.
  std::string new_temp_path() {
    return (fs::path(store_.case_dir()) / "files" / "tmp" /
            (std::to_string(store_.next_temp_id()) + ".part"))
        .string();
  }

  static bool write_all(int fd, const uint8_t* data, size_t size, uint64_t offset) {
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(offset + done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Grows the memory buffer to span [0, end) (new bytes zero), within the per-file and the
  // store-wide memory budgets; false when either would be passed.
  bool grow_memory(uint64_t end) {
    const uint64_t per_file = store_.options().max_memory_bytes_per_file;
    if (end > per_file) return false;
    if (end > memory_reserved_) {
      // Reserve with headroom so a growing body does not ask the shared counter per segment.
      const uint64_t want =
          std::min<uint64_t>(per_file, std::max<uint64_t>(end, 2 * memory_reserved_));
      const uint64_t target = std::max<uint64_t>(want, std::min<uint64_t>(per_file, 16 * 1024));
      if (!store_.reserve_memory(target - memory_reserved_)) return false;
      memory_reserved_ = target;
      memory_.reserve(static_cast<size_t>(target));
    }
    memory_.resize(static_cast<size_t>(end));
    return true;
  }

  void drop_memory() {
    std::vector<uint8_t>().swap(memory_);
    store_.release_memory(memory_reserved_);
    memory_reserved_ = 0;
  }

  // Moves the content from memory to a temporary file; later bytes go to the file.
  void spill() {
    spilled_ = true;
    tmp_path_ = new_temp_path();
    fd_ = ::open(tmp_path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0 || !write_all(fd_, memory_.data(), memory_.size(), 0))
      cut("storage error: " + std::string(std::strerror(errno)));
    drop_memory();
  }

  // Writes the in-memory content to a new temporary file (closed); false with `error` set.
  bool write_memory_to_temp(std::string& error) {
    tmp_path_ = new_temp_path();
    const int fd = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      error = std::strerror(errno);
      return false;
    }
    const bool ok = write_all(fd, memory_.data(), memory_.size(), 0);
    if (!ok) error = std::strerror(errno);
    ::close(fd);
    if (!ok) ::unlink(tmp_path_.c_str());
    return ok;
  }

  void move_into_store(netcap::File& rec, const std::string& sha256) {
    const std::string rel = stored_path(sha256);
    const fs::path target = fs::path(store_.case_dir()) / rel;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (fs::exists(target, ec)) {
      // Same content stored before: keep one copy (content still in memory never touched disk).
      if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
      store_.release(reserved_);
      rec.set_path(rel);
      return;
    }
    // New content held in memory: written once, to a temporary name, then renamed, so that a
    // stored path only ever holds a whole file (another shard may store the same content).
    std::string error;
    if (!spilled_ && !write_memory_to_temp(error)) {
      store_.release(reserved_);
      rec.set_truncated(true);
      rec.set_complete(false);
      rec.set_truncatedreason(rec.truncatedreason().empty()
                                  ? "storage error: " + error
                                  : rec.truncatedreason() + "; storage error: " + error);
      return;
    }
    if (::rename(tmp_path_.c_str(), target.c_str()) != 0) {
      const std::string err = std::strerror(errno);
      ::unlink(tmp_path_.c_str());
      store_.release(reserved_);
      rec.set_truncated(true);
      rec.set_complete(false);
      rec.set_truncatedreason(rec.truncatedreason().empty()
                                  ? "storage error: " + err
                                  : rec.truncatedreason() + "; storage error: " + err);
      return;
    }
    rec.set_path(rel);
  }

  FileStore& store_;
  app::FileOrigin origin_;
  std::string tmp_path_;          // set once a temporary file exists
  int fd_ = -1;                   // the temporary file of a spilled writer
  bool spilled_ = false;          // content moved from memory_ to the temporary file
  std::vector<uint8_t> memory_;   // the content [0, size_) while not spilled; holes are zeros
  uint64_t memory_reserved_ = 0;  // bytes taken from the store's memory budget
  bool closed_ = false;
  bool stored_ok_ = true;
  Digests digests_;
  uint64_t hashed_ = 0;                  // bytes [0, hashed_) are in the digests
  std::map<uint64_t, uint64_t> ranges_;  // written ranges, start -> end, disjoint, merged
  uint64_t size_ = 0;                    // highest end written
  uint64_t covered_ = 0;                 // bytes written (the sum of ranges_)
  bool frozen_ = false;                  // the hole limit was hit: nothing past size_ is taken
  bool capped_ = false;                  // a size or storage cap was hit
  uint64_t reserved_ = 0;                // bytes taken from the total-storage cap
  uint64_t gap_end_ = 0;                 // highest end of a declared gap
  bool had_gap_ = false;
  std::string reason_;  // limits hit, "; "-joined
  int64_t first_ts_ = 0, last_ts_ = 0;
};

}  // namespace

struct FileStore::Magic {
  magic_t mime = nullptr;
  magic_t description = nullptr;
  ~Magic() {
    if (mime != nullptr) magic_close(mime);
    if (description != nullptr) magic_close(description);
  }
};

FileStore::FileStore(std::string case_dir, FileStoreOptions options)
    : case_dir_(std::move(case_dir)), options_(options) {}

std::unique_ptr<FileStore::Magic> FileStore::load_magic(std::string& error) {
  auto m = std::make_unique<Magic>();
  m->mime = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
  m->description = magic_open(MAGIC_NONE | MAGIC_ERROR);
  if (m->mime == nullptr || m->description == nullptr) {
    error = "libmagic: cannot allocate a handle";
    return nullptr;
  }
  if (magic_load(m->mime, nullptr) != 0 || magic_load(m->description, nullptr) != 0) {
    const char* err = magic_error(m->mime);
    error = std::string("libmagic: cannot load the magic database: ") +
            (err != nullptr ? err : "unknown error");
    return nullptr;
  }
  return m;
}

FileStore::~FileStore() = default;

Expected<std::unique_ptr<FileStore>> FileStore::create(const std::string& case_dir,
                                                       FileStoreOptions options) {
  std::error_code ec;
  const fs::path tmp = fs::path(case_dir) / "files" / "tmp";
  fs::create_directories(tmp, ec);
  if (ec) return Status::error("cannot create " + tmp.string() + ": " + ec.message());
  std::unique_ptr<FileStore> store(new FileStore(case_dir, options));
  // One pair of handles now, so that a missing database is an error before any packet is read.
  std::string error;
  auto magic = load_magic(error);
  if (!magic) return Status::error(error);
  store->magic_pool_.push_back(std::move(magic));
  return store;
}

std::unique_ptr<app::FileWriter> FileStore::open(const app::FileOrigin& origin) {
  return std::make_unique<StoreWriter>(*this, origin);
}

uint64_t FileStore::reserve(uint64_t want) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  for (;;) {
    const uint64_t room = used >= options_.max_total_bytes ? 0 : options_.max_total_bytes - used;
    const uint64_t grant = std::min(want, room);
    if (grant == 0) return 0;
    if (used_.compare_exchange_weak(used, used + grant, std::memory_order_relaxed)) return grant;
  }
}

void FileStore::release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

bool FileStore::reserve_memory(uint64_t bytes) {
  uint64_t used = memory_used_.load(std::memory_order_relaxed);
  for (;;) {
    if (used + bytes > options_.max_memory_bytes) return false;
    if (memory_used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed))
      return true;
  }
}

void FileStore::release_memory(uint64_t bytes) {
  memory_used_.fetch_sub(bytes, std::memory_order_relaxed);
}

void FileStore::detect(std::string_view head, std::string& mime, std::string& description) {
  // A libmagic handle is not thread-safe: each caller borrows one from the pool (loading
  // another when all are in use, at most one per concurrent caller) and gives it back.
  std::unique_ptr<Magic> magic;
  {
    std::lock_guard<std::mutex> lock(magic_mutex_);
    if (!magic_pool_.empty()) {
      magic = std::move(magic_pool_.back());
      magic_pool_.pop_back();
    }
  }
  if (!magic) {
    std::string error;
    magic = load_magic(error);
    if (!magic) {  // loaded once at create(): only a resource failure ends here
      mime.clear();
      description.clear();
      return;
    }
  }
  const char* m = magic_buffer(magic->mime, head.data(), head.size());
  mime = m != nullptr ? m : "";
  const char* d = magic_buffer(magic->description, head.data(), head.size());
  description = d != nullptr ? d : "";
  std::lock_guard<std::mutex> lock(magic_mutex_);
  magic_pool_.push_back(std::move(magic));
}

bool FileStore::cached_type(const std::string& sha256, std::string& mime,
                            std::string& description) {
  std::lock_guard<std::mutex> lock(types_mutex_);
  auto it = types_.find(sha256);
  if (it == types_.end()) return false;
  mime = it->second.first;
  description = it->second.second;
  return true;
}

void FileStore::remember_type(const std::string& sha256, const std::string& mime,
                              const std::string& description) {
  std::lock_guard<std::mutex> lock(types_mutex_);
  if (types_.size() >= options_.type_cache_entries) return;
  types_.emplace(sha256, std::make_pair(mime, description));
}

std::string stored_path(std::string_view sha256) {
  std::string p = "files/";
  p.append(sha256.substr(0, 2));
  p.push_back('/');
  p.append(sha256);
  return p;
}

std::string safe_file_name(std::string_view wire_name, std::string_view sha256) {
  const size_t slash = wire_name.find_last_of("/\\");
  if (slash != std::string_view::npos) wire_name = wire_name.substr(slash + 1);
  std::string name;
  for (char c : wire_name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    name.push_back(ok ? c : '_');
    if (name.size() >= 80) break;
  }
  while (!name.empty() && name.front() == '.') name.erase(0, 1);
  if (name.empty()) name = "file";
  std::string ext;
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0 && name.size() - dot <= 10) {
    ext = name.substr(dot);
    name.resize(dot);
  }
  return name + "_" + std::string(sha256.substr(0, 12)) + ext;
}

}  // namespace netcap::files
