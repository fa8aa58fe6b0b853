// ReassemblyBudget: shard-wide accounting of the out-of-order bytes held by all TCP directions
// of one shard (limits.max_shard_buffered_bytes). Every TcpDirection reserves before it buffers
// and releases when the bytes leave its buffer (delivered, declared lost, or destroyed).
//
// Lifetime: must outlive every reassembler that references it. Thread-safety: none; one budget
// per shard, touched only by that shard's thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

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

  // Recycled compare-window blocks (TcpDirection's ring). A shard opens and closes flows all
  // the time; handing a finished direction's block to the next one saves a large malloc (each
  // one consolidates the allocator's free lists), fresh pages (page faults) and a free per
  // block. Only sizes kMinBlockBytes << k up to kMaxBlockBytes are pooled, and at most
  // kPooledBytesPerSize bytes per size are kept, so the pool is bounded. Pooled blocks are not
  // charged to the budget: callers reserve and release the bytes they hold, as before.
  static constexpr size_t kMinBlockBytes = 4096;
  static constexpr size_t kMaxBlockBytes = 64 * 1024;
  static constexpr size_t kPooledBytesPerSize = 1 << 20;

  // A block of `size` bytes with unspecified content.
  std::unique_ptr<uint8_t[]> take_block(size_t size) {
    if (auto* pool = pool_for(size); pool != nullptr && !pool->empty()) {
      std::unique_ptr<uint8_t[]> block = std::move(pool->back());
      pool->pop_back();
      return block;
    }
    return std::make_unique_for_overwrite<uint8_t[]>(size);
  }
  // Gives back a block obtained from take_block(size) (freed when the pool is full).
  void return_block(std::unique_ptr<uint8_t[]> block, size_t size) {
    auto* pool = pool_for(size);
    if (block == nullptr || pool == nullptr || (pool->size() + 1) * size > kPooledBytesPerSize) {
      return;
    }
    pool->push_back(std::move(block));
  }

 private:
  using Pool = std::vector<std::unique_ptr<uint8_t[]>>;
  Pool* pool_for(size_t size) {
    size_t index = 0;
    for (size_t s = kMinBlockBytes; s <= kMaxBlockBytes; s *= 2, ++index) {
      if (s == size) return &pools_[index];
    }
    return nullptr;
  }

  size_t limit_;
  size_t used_ = 0;
  std::array<Pool, 5> pools_;  // 4, 8, 16, 32 and 64 KiB
};

}  // namespace netcap
