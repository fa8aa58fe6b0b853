// Input streams (plain file, gzip file, memory) and the bounded BufferedReader over them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/capture/capture_reader.h"

namespace netcap {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

class FdInput final : public InputStream {
 public:
  explicit FdInput(int fd) : fd_(fd) {}
  ~FdInput() override { ::close(fd_); }
  FdInput(const FdInput&) = delete;
  FdInput& operator=(const FdInput&) = delete;

  Expected<size_t> read(uint8_t* dst, size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, dst, n);
      if (got >= 0) {
        offset_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (errno == EINTR) continue;
      return Status::error("read failed: " + errno_text(errno));
    }
  }
  uint64_t raw_offset() const override { return offset_; }

 private:
  int fd_;
  uint64_t offset_ = 0;
};

class GzInput final : public InputStream {
 public:
  explicit GzInput(gzFile file) : file_(file) {}
  ~GzInput() override { gzclose(file_); }
  GzInput(const GzInput&) = delete;
  GzInput& operator=(const GzInput&) = delete;

  Expected<size_t> read(uint8_t* dst, size_t n) override {
    if (!corruption_.empty()) return size_t{0};
    // gzread takes an unsigned int length.
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
    int got = gzread(file_, dst, chunk);
    if (got > 0) return static_cast<size_t>(got);
    int code = 0;
    const char* text = gzerror(file_, &code);
    // gzread reports a stream cut short (Z_BUF_ERROR) as a plain end; gzerror tells them apart.
    if (got == 0 && code == Z_OK) return size_t{0};
    if (code == Z_ERRNO) return Status::error("read failed: " + errno_text(errno));
    // Z_DATA_ERROR / Z_BUF_ERROR: the compressed data is damaged or cut; that is file
    // corruption, which ends this file like a truncated record would.
    corruption_ = std::string("gzip: ") + (text ? text : "corrupt compressed data");
    return size_t{0};
  }
  uint64_t raw_offset() const override {
    z_off_t off = gzoffset(file_);
    return off < 0 ? 0 : static_cast<uint64_t>(off);
  }
  std::string corruption() const override { return corruption_; }

 private:
  gzFile file_;
  std::string corruption_;
};

class MemoryInput final : public InputStream {
 public:
  explicit MemoryInput(Bytes data) : data_(data) {}
  Expected<size_t> read(uint8_t* dst, size_t n) override {
    size_t take = std::min(n, data_.size() - pos_);
    if (take > 0) std::memcpy(dst, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  uint64_t raw_offset() const override { return pos_; }

 private:
  Bytes data_;
  size_t pos_ = 0;
};

}  // namespace

Expected<std::unique_ptr<InputStream>> open_input_file(const std::string& path,
                                                       uint64_t* file_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(path + ": cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::error(path + ": cannot stat: " + errno_text(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error(path + ": not a regular file");
  }
  if (file_size) *file_size = static_cast<uint64_t>(st.st_size);
  uint8_t magic[2] = {0, 0};
  ssize_t got;
  do {
    got = ::pread(fd, magic, 2, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    int err = errno;
    ::close(fd);
    return Status::error(path + ": read failed: " + errno_text(err));
  }
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {  // RFC 1952 section 2.3.1
    gzFile gz = gzdopen(fd, "rb");
    if (gz == nullptr) {
      ::close(fd);
      return Status::error(path + ": cannot open gzip stream");
    }
    gzbuffer(gz, 128 * 1024);
    return std::unique_ptr<InputStream>(std::make_unique<GzInput>(gz));
  }
  return std::unique_ptr<InputStream>(std::make_unique<FdInput>(fd));
}

std::unique_ptr<InputStream> memory_input(Bytes data) {
  return std::make_unique<MemoryInput>(data);
}

// ---- BufferedReader ----

namespace {
constexpr size_t kInitialWindow = 64 * 1024;
}

BufferedReader::BufferedReader(std::unique_ptr<InputStream> input, size_t max_window)
    : input_(std::move(input)), max_window_(std::max<size_t>(max_window, 64)) {}

Expected<size_t> BufferedReader::fill(size_t n) {
  n = std::min(n, max_window_);
  while (available() < n && !eof_) {
    if (buffer_.size() - start_ < n) {
      // Move the unread bytes to the front, growing the buffer (bounded by max_window_) only
      // when the request does not fit otherwise.
      if (start_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + start_, available());
        end_ -= start_;
        start_ = 0;
      }
      if (buffer_.size() < n) {
        size_t want =
            std::max(n, std::min(max_window_, std::max(kInitialWindow, buffer_.size() * 2)));
        buffer_.resize(std::min(want, max_window_));
      }
    }
    Expected<size_t> got = input_->read(buffer_.data() + end_, buffer_.size() - end_);
    if (!got) return got.status();
    if (*got == 0) eof_ = true;
    end_ += *got;
  }
  return std::min(available(), n);
}

void BufferedReader::consume(size_t n) {
  n = std::min(n, available());
  start_ += n;
  offset_ += n;
  if (start_ == end_) start_ = end_ = 0;
}

Expected<uint64_t> BufferedReader::skip(uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    if (available() == 0) {
      Expected<size_t> got = fill(static_cast<size_t>(std::min<uint64_t>(n - done, max_window_)));
      if (!got) return got.status();
      if (*got == 0) break;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(n - done, available()));
    consume(take);
    done += take;
  }
  return done;
}

}  // namespace netcap
