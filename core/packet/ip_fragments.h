// FragmentReassembler: IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5) datagram
// reassembly, bounded by Limits. One instance per shard; all fragments of a datagram reach the
// same shard because packets are sharded by address pair.
//
// Overlap policy (RFC 5722 for IPv6, and the usual IDS practice for IPv4): the first copy of a
// byte wins; an overlap whose bytes differ is reported as an anomaly (a classic evasion).
// Thread-safety: none; owned by one shard.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/net/address.h"
#include "core/util/limits.h"

namespace netcap {

struct FragmentKey {
  IpAddress src;
  IpAddress dst;
  uint32_t id = 0;       // IPv4 identification or IPv6 fragment header identification
  uint8_t protocol = 0;  // IPv4 protocol / IPv6 next header of the fragmentable part
  auto operator<=>(const FragmentKey&) const = default;
  bool operator==(const FragmentKey&) const = default;
};

class FragmentReassembler {
 public:
  explicit FragmentReassembler(const Limits& limits);

  enum class Result {
    kIncomplete,  // stored, datagram not complete yet
    kComplete,    // `datagram` holds the reassembled payload (bytes after the IP header)
    kDropped,     // not stored (a limit was hit or the fragment was invalid); see anomalies
  };

  struct Outcome {
    Result result = Result::kIncomplete;
    std::vector<uint8_t> datagram;
    // Anomaly names raised by this fragment, e.g. "ip.fragment_overlap_mismatch",
    // "ip.fragment_too_large", "ip.fragment_table_full", "ip.too_many_fragments".
    std::vector<std::string> anomalies;
    uint32_t fragment_count = 0;  // fragments that made up the datagram (when complete)
  };

  // Adds one fragment: `offset` in bytes from the start of the fragmentable part, `more` = the
  // MF flag, `payload` = this fragment's data. `ts_ns` drives the timeout.
  Outcome add(const FragmentKey& key, uint32_t offset, bool more, std::span<const uint8_t> payload,
              int64_t ts_ns);

  // Drops datagrams whose first fragment is older than limits.fragment_timeout_ns at `now_ns`;
  // returns their keys (each is reported as an "ip.fragment_timeout" anomaly by the caller).
  std::vector<FragmentKey> expire(int64_t now_ns);

  // Datagrams still incomplete (at end of capture the caller reports them as timed out).
  size_t pending() const;

 private:
  struct Piece {
    std::vector<uint8_t> bytes;
  };
  struct Set {
    int64_t first_ts_ns = 0;
    std::map<uint32_t, Piece> pieces;  // by offset
    size_t bytes = 0;
    bool have_last = false;
    uint32_t total_length = 0;  // valid when have_last
    uint32_t fragments = 0;
  };
  const Limits& limits_;
  std::map<FragmentKey, Set> sets_;
};

}  // namespace netcap
