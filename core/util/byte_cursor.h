// ByteCursor: the only way packet bytes are read. Every read is bounds checked; a read past the
// end returns zero / an empty span and sets a sticky error, so a parser can do many reads and
// check ok() once. Nothing is ever cast onto packet memory.
//
// Lifetime: the cursor borrows the bytes; spans it returns are valid as long as the underlying
// buffer (usually: until the packet's processing ends).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace netcap {

using Bytes = std::span<const uint8_t>;

class ByteCursor {
 public:
  ByteCursor() = default;
  explicit ByteCursor(Bytes data) : data_(data) {}

  bool ok() const { return !failed_; }
  bool empty() const { return pos_ >= data_.size(); }
  size_t offset() const { return pos_; }
  size_t size() const { return data_.size(); }
  size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  bool has(size_t n) const { return !failed_ && n <= data_.size() - pos_; }

  // Marks the cursor failed (for semantic errors detected by the caller).
  void fail() { failed_ = true; }

  uint8_t u8() {
    if (!need(1)) return 0;
    return data_[pos_++];
  }
  uint16_t u16be() {
    if (!need(2)) return 0;
    uint16_t v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t u24be() {
    if (!need(3)) return 0;
    uint32_t v = (uint32_t{data_[pos_]} << 16) | (uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
    pos_ += 3;
    return v;
  }
  uint32_t u32be() {
    if (!need(4)) return 0;
    uint32_t v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
                 (uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
    pos_ += 4;
    return v;
  }
  uint64_t u64be() {
    uint64_t hi = u32be();
    uint64_t lo = u32be();
    return (hi << 32) | lo;
  }
  uint16_t u16le() {
    if (!need(2)) return 0;
    uint16_t v = static_cast<uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  uint32_t u32le() {
    if (!need(4)) return 0;
    uint32_t v = uint32_t{data_[pos_]} | (uint32_t{data_[pos_ + 1]} << 8) |
                 (uint32_t{data_[pos_ + 2]} << 16) | (uint32_t{data_[pos_ + 3]} << 24);
    pos_ += 4;
    return v;
  }
  uint64_t u64le() {
    uint64_t lo = u32le();
    uint64_t hi = u32le();
    return (hi << 32) | lo;
  }

  // n bytes, or an empty span and the sticky error when fewer remain.
  Bytes bytes(size_t n) {
    if (!need(n)) return {};
    Bytes out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view chars(size_t n) {
    Bytes b = bytes(n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  bool skip(size_t n) {
    if (!need(n)) return false;
    pos_ += n;
    return true;
  }
  // Everything not yet read (empty when failed); does not advance.
  Bytes rest() const { return failed_ ? Bytes{} : data_.subspan(pos_); }
  // Consumes and returns everything not yet read.
  Bytes take_rest() {
    Bytes out = rest();
    pos_ = data_.size();
    return out;
  }
  // A cursor over the next n bytes (consumed here); a failed cursor when fewer remain.
  ByteCursor sub(size_t n) {
    if (!need(n)) {
      ByteCursor c;
      c.failed_ = true;
      return c;
    }
    ByteCursor c(data_.subspan(pos_, n));
    pos_ += n;
    return c;
  }
  // Byte at offset `at` from the current position, 0 when out of range (does not fail).
  uint8_t peek_u8(size_t at = 0) const {
    return (!failed_ && at < data_.size() - pos_) ? data_[pos_ + at] : 0;
  }

 private:
  bool need(size_t n) {
    if (failed_ || n > data_.size() - pos_) {
      failed_ = true;
      return false;
    }
    return true;
  }
  Bytes data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace netcap
