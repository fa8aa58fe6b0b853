// FragmentReassembler: IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5) datagram
// reassembly, bounded by Limits. One instance per shard; all fragments of a datagram reach the
// same shard because packets are sharded by address pair.
//
// Overlap policy (RFC 5722 for IPv6, and the usual IDS practice for IPv4): the first copy of a
// byte wins; an overlap whose bytes differ is reported as an anomaly (a classic evasion).
//
// Limits and the anomalies they raise (all listed in Outcome::anomalies):
//   - a non-last fragment whose length is not a multiple of 8 (RFC 791 section 3.1, RFC 8200
//     section 4.5): "ip.fragment_bad_length", the fragment is dropped;
//   - a datagram whose fragmentable part would exceed 65535 bytes (or
//     limits.max_fragment_set_bytes, whichever is smaller): "ip.fragment_too_large", the whole
//     set is dropped (the classic ping-of-death shape);
//   - more than limits.max_fragments_per_set fragments (duplicates included) for one datagram:
//     "ip.too_many_fragments", the whole set is dropped;
//   - limits.max_fragment_sets datagrams pending: "ip.fragment_table_full", the set whose FIRST
//     fragment arrived earliest (oldest first_ts_ns, ties broken by key order) is dropped to make
//     room for the new one;
//   - a last fragment (MF=0) that disagrees with an earlier last fragment or with data already
//     held beyond its end: "ip.fragment_inconsistent_length", that fragment is dropped;
//   - a fragment for a set older than limits.fragment_timeout_ns: the stale set is discarded
//     ("ip.fragment_timeout") and a new set starts with this fragment.
// Thread-safety: none; owned by one shard.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <set>
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

// Where a fragment came from: the capture file and byte offset of its packet (RawPacket's
// source_index and file_offset), kept so that the datagram's packets can all be located.
struct FragmentOrigin {
  uint32_t file = 0;
  uint64_t offset = 0;  // 0: unknown
  bool operator==(const FragmentOrigin&) const = default;
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
    // The packets of every fragment stored for the datagram, in arrival order (when complete).
    std::vector<FragmentOrigin> origins;
  };

  // Adds one fragment: `offset` in bytes from the start of the fragmentable part, `more` = the
  // MF flag, `payload` = this fragment's data. `ts_ns` drives the timeout.
  Outcome add(const FragmentKey& key, uint32_t offset, bool more, std::span<const uint8_t> payload,
              int64_t ts_ns, FragmentOrigin origin = {});

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
    // Non-overlapping pieces by offset: a new fragment only fills the holes (first copy wins).
    std::map<uint32_t, Piece> pieces;
    size_t bytes = 0;
    bool have_last = false;
    uint32_t total_length = 0;  // valid when have_last
    uint32_t fragments = 0;
    std::vector<FragmentOrigin> origins;  // at most limits.max_fragments_per_set
  };
  using AgeKey = std::pair<int64_t, FragmentKey>;

  void erase_set(std::map<FragmentKey, Set>::iterator it);

  const Limits& limits_;
  std::map<FragmentKey, Set> sets_;
  std::set<AgeKey> by_age_;  // (first_ts_ns, key) of every set in sets_, oldest first
};

}  // namespace netcap
