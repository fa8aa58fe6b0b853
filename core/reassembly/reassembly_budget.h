// ReassemblyBudget: shard-wide accounting of the out-of-order bytes held by all TCP directions
// of one shard (limits.max_shard_buffered_bytes). Every TcpDirection reserves before it buffers
// and releases when the bytes leave its buffer (delivered, declared lost, or destroyed).
//
// Lifetime: must outlive every reassembler that references it. Thread-safety: none; one budget
// per shard, touched only by that shard's thread.
#pragma once

#include <cstddef>

namespace netcap {

class ReassemblyBudget {
 public:
  explicit ReassemblyBudget(size_t limit) : limit_(limit) {}
  ReassemblyBudget(const ReassemblyBudget&) = delete;
  ReassemblyBudget& operator=(const ReassemblyBudget&) = delete;

  // Reserves `n` bytes; false (and nothing reserved) when that would exceed the limit.
  bool try_reserve(size_t n) {
    if (n > limit_ - used_) return false;
    used_ += n;
    return true;
  }
  // Returns `n` previously reserved bytes.
  void release(size_t n) { used_ -= n <= used_ ? n : used_; }

  size_t used() const { return used_; }
  size_t limit() const { return limit_; }

 private:
  size_t limit_;
  size_t used_ = 0;
};

}  // namespace netcap
