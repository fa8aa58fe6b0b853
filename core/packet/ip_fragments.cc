// IPv4 / IPv6 fragment reassembly. See ip_fragments.h for the policy and the anomalies.
#include "core/packet/ip_fragments.h"

#include <algorithm>
#include <cstring>

namespace netcap {
namespace {

// RFC 791 section 3.1: Total Length is 16 bits, so no datagram (and no fragmentable part) can
// exceed 65535 bytes; RFC 8200 section 4.5 keeps the same bound for the reassembled payload
// (jumbograms cannot be fragmented, RFC 2675 section 3).
constexpr uint64_t kMaxDatagramBytes = 65535;

}  // namespace

FragmentReassembler::FragmentReassembler(const Limits& limits) : limits_(limits) {}

void FragmentReassembler::erase_set(std::map<FragmentKey, Set>::iterator it) {
  by_age_.erase(AgeKey{it->second.first_ts_ns, it->first});
  sets_.erase(it);
}

FragmentReassembler::Outcome FragmentReassembler::add(const FragmentKey& key, uint32_t offset,
                                                      bool more, std::span<const uint8_t> payload,
                                                      int64_t ts_ns, FragmentOrigin origin) {
  Outcome out;
  const uint64_t begin = offset;
  const uint64_t end = begin + payload.size();

  // RFC 791 section 3.1 / RFC 8200 section 4.5: every fragment but the last carries a multiple
  // of 8 octets, otherwise the next fragment offset cannot be expressed.
  if (more && payload.size() % 8 != 0) {
    out.result = Result::kDropped;
    out.anomalies.emplace_back("ip.fragment_bad_length");
    return out;
  }

  auto it = sets_.find(key);
  // A set older than the reassembly timeout is stale (RFC 791 section 3.2, "timer"): it can no
  // longer complete, and this fragment most likely belongs to a new datagram reusing the id.
  if (it != sets_.end() && ts_ns - it->second.first_ts_ns > limits_.fragment_timeout_ns) {
    out.anomalies.emplace_back("ip.fragment_timeout");
    erase_set(it);
    it = sets_.end();
  }

  const uint64_t max_bytes = std::min<uint64_t>(kMaxDatagramBytes, limits_.max_fragment_set_bytes);
  if (end > max_bytes) {
    out.result = Result::kDropped;
    out.anomalies.emplace_back("ip.fragment_too_large");
    if (it != sets_.end()) erase_set(it);
    return out;
  }

  if (it == sets_.end()) {
    if (limits_.max_fragment_sets == 0) {
      out.result = Result::kDropped;
      out.anomalies.emplace_back("ip.fragment_table_full");
      return out;
    }
    while (sets_.size() >= limits_.max_fragment_sets) {
      // Drop the set whose first fragment is the oldest: it is the least likely to complete.
      out.anomalies.emplace_back("ip.fragment_table_full");
      erase_set(sets_.find(by_age_.begin()->second));
    }
    it = sets_.emplace(key, Set{}).first;
    it->second.first_ts_ns = ts_ns;
    by_age_.insert(AgeKey{ts_ns, key});
  }
  Set& set = it->second;

  if (set.fragments >= limits_.max_fragments_per_set) {
    out.result = Result::kDropped;
    out.anomalies.emplace_back("ip.too_many_fragments");
    erase_set(it);
    return out;
  }
  ++set.fragments;
  set.origins.push_back(origin);

  // The data already held ends here (pieces never overlap, so the last one ends furthest).
  uint64_t held_end = 0;
  if (!set.pieces.empty()) {
    const auto& last = *set.pieces.rbegin();
    held_end = uint64_t{last.first} + last.second.bytes.size();
  }
  if (!more) {
    // The last fragment fixes the datagram length; a second, different one or data already held
    // beyond it is inconsistent (first copy wins: keep what we have).
    if ((set.have_last && set.total_length != end) || held_end > end) {
      out.result = Result::kDropped;
      out.anomalies.emplace_back("ip.fragment_inconsistent_length");
      return out;
    }
    set.have_last = true;
    set.total_length = static_cast<uint32_t>(end);
  } else if (set.have_last && end > set.total_length) {
    out.result = Result::kDropped;
    out.anomalies.emplace_back("ip.fragment_inconsistent_length");
    return out;
  }

  // Insert only the parts of [begin, end) not yet covered, comparing the covered parts.
  bool mismatch = false;
  uint64_t pos = begin;
  auto p = set.pieces.upper_bound(offset);
  if (p != set.pieces.begin()) --p;
  while (pos < end) {
    // Skip pieces that end before pos.
    while (p != set.pieces.end() && uint64_t{p->first} + p->second.bytes.size() <= pos) ++p;
    const uint64_t piece_begin = p == set.pieces.end() ? end : std::min<uint64_t>(p->first, end);
    if (piece_begin > pos) {
      // A hole [pos, piece_begin): fill it from this fragment.
      const auto* src = payload.data() + (pos - begin);
      Piece piece;
      piece.bytes.assign(src, src + (piece_begin - pos));
      set.bytes += piece.bytes.size();
      set.pieces.emplace(static_cast<uint32_t>(pos), std::move(piece));
      pos = piece_begin;
      continue;
    }
    // Overlap with the piece at p: compare [pos, min(end, piece end)).
    const uint64_t piece_end = uint64_t{p->first} + p->second.bytes.size();
    const uint64_t stop = std::min(end, piece_end);
    if (std::memcmp(p->second.bytes.data() + (pos - p->first), payload.data() + (pos - begin),
                    stop - pos) != 0) {
      mismatch = true;
    }
    pos = stop;
  }
  if (mismatch) out.anomalies.emplace_back("ip.fragment_overlap_mismatch");

  // Complete when the last fragment is known and the pieces cover [0, total) without holes.
  if (set.have_last && set.bytes == set.total_length) {
    out.result = Result::kComplete;
    out.fragment_count = set.fragments;
    out.origins = std::move(set.origins);
    out.datagram.reserve(set.total_length);
    for (const auto& [off, piece] : set.pieces) {
      out.datagram.insert(out.datagram.end(), piece.bytes.begin(), piece.bytes.end());
    }
    erase_set(it);
    return out;
  }
  out.result = Result::kIncomplete;
  return out;
}

std::vector<FragmentKey> FragmentReassembler::expire(int64_t now_ns) {
  std::vector<FragmentKey> expired;
  while (!by_age_.empty() && now_ns - by_age_.begin()->first > limits_.fragment_timeout_ns) {
    expired.push_back(by_age_.begin()->second);
    erase_set(sets_.find(by_age_.begin()->second));
  }
  return expired;
}

size_t FragmentReassembler::pending() const { return sets_.size(); }

}  // namespace netcap
