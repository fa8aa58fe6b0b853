// TCP sequence-number arithmetic (RFC 1982 serial number arithmetic with SERIAL_BITS = 32, as
// RFC 9293 section 3.4 requires: "all arithmetic dealing with sequence numbers must be performed
// modulo 2**32").
//
// Two sequence numbers compare by the signed distance between them; a distance of exactly 2^31
// is undefined in RFC 1982 section 3.2 and is treated here as "b is behind a" (seq_diff returns
// -2^31), so every pair of values has a defined, antisymmetric-except-at-2^31 order.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace netcap {

// Signed distance from `b` to `a` (a - b) in [-2^31, 2^31).
constexpr int64_t seq_diff(uint32_t a, uint32_t b) {
  return static_cast<int64_t>(static_cast<int32_t>(a - b));
}
constexpr bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
constexpr bool seq_leq(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
constexpr bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
constexpr bool seq_geq(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }
// `seq` advanced by `n` (mod 2^32).
constexpr uint32_t seq_add(uint32_t seq, uint64_t n) {
  return static_cast<uint32_t>(seq + static_cast<uint32_t>(n));
}
constexpr uint32_t seq_max(uint32_t a, uint32_t b) { return seq_lt(a, b) ? b : a; }
constexpr uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

}  // namespace netcap
