// One direction of TCP reassembly. See tcp_direction.h for the policy.
#include "core/reassembly/tcp_direction.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

#include "core/reassembly/seq.h"

namespace netcap {

TcpDirection::TcpDirection(const Limits& limits, ReassemblyBudget& budget, StreamConsumer* consumer,
                           StreamDirection dir)
    : limits_(limits), budget_(budget), consumer_(consumer), dir_(dir) {}

TcpDirection::~TcpDirection() {
  budget_.release(buffered_bytes_ + ring_size_);
  budget_.return_block(std::move(ring_), static_cast<size_t>(ring_size_));
}

int64_t TcpDirection::to_off(uint32_t seq) const {
  // Relative to the next expected sequence number, so the unwrapped offset is right as long as
  // the segment is within 2^31 of it (RFC 1982 section 3.2).
  return static_cast<int64_t>(next_off_) + seq_diff(seq, seq_at(next_off_));
}

void TcpDirection::add(uint32_t seq, uint8_t flags, std::span<const uint8_t> payload,
                       uint32_t payload_length, int64_t ts_ns, SegmentOutcome& out) {
  const bool syn = (flags & tcp_flags::kSyn) != 0;
  const bool fin = (flags & tcp_flags::kFin) != 0;
  const uint64_t total = std::max<uint64_t>(payload_length, payload.size());
  uint64_t captured = payload.size();

  if (!started_) {
    // A bare ACK does not start a stream: its sequence number may be a keep-alive's (next - 1)
    // and would create a phantom one-byte hole.
    if (!syn && !fin && total == 0) return;
    started_ = true;
    base_ = seq;
    if (syn) {
      // RFC 9293 section 3.4: the SYN occupies the ISN; data starts at ISN + 1.
      syn_seen_ = true;
      data_start_ = 1;
    }
    next_off_ = data_start_;
    ring_end_ = known_from_ = data_start_;
  }

  // Where this segment's data starts: a SYN (even a late or retransmitted one) occupies seq.
  const uint32_t data_seq = syn ? seq_add(seq, 1) : seq;
  int64_t begin = to_off(data_seq);
  int64_t end = begin + static_cast<int64_t>(total);

  if (fin && end >= 0) {
    const auto fin_off = static_cast<uint64_t>(end);
    uint64_t held_end = next_off_;
    if (!buffer_.empty()) {
      const auto& last = *buffer_.rbegin();
      held_end = std::max(held_end, last.first + last.second.length);
    }
    // First FIN wins; a FIN behind data we already hold is ignored (it cannot end the stream).
    if (!fin_known_ && fin_off >= held_end) {
      fin_known_ = true;
      fin_off_ = fin_off;
    }
  }
  if (fin_known_ && total > 0 && end > static_cast<int64_t>(fin_off_)) {
    // RFC 9293 section 3.10.7.4: data after the FIN is not part of the stream.
    out.add_anomaly("tcp.data_after_fin");
    end = std::max<int64_t>(begin, static_cast<int64_t>(fin_off_));
  }

  // RFC 9293 section 3.8.4: a keep-alive may carry one garbage octet at SND.NXT - 1; it is
  // neither data nor a differing retransmission.
  if (!syn && !fin && total == 1 && begin + 1 == static_cast<int64_t>(next_off_) &&
      next_off_ > data_start_ && begin >= static_cast<int64_t>(data_start_)) {
    ++retransmitted_segments_;
    out.retransmission = true;
    return;
  }

  const uint8_t* data = payload.data();
  bool fresh = false;     // some byte of this segment was new
  bool mismatch = false;  // an overlap differed
  int64_t pos = std::max<int64_t>(begin, 0);
  const int64_t captured_end = begin + static_cast<int64_t>(captured);
  auto data_at = [&](int64_t off) { return data + (off - begin); };

  while (pos < end) {
    const auto upos = static_cast<uint64_t>(pos);
    if (upos < next_off_) {
      // Already delivered (or given up as a gap): compare with the tail window.
      const int64_t stop = std::min<int64_t>(end, static_cast<int64_t>(next_off_));
      const int64_t cmp_stop = std::min(stop, captured_end);
      if (pos < cmp_stop &&
          tail_differs(upos, data_at(pos), static_cast<uint64_t>(cmp_stop - pos))) {
        mismatch = true;
      }
      pos = stop;
      continue;
    }
    // First buffered chunk that ends after pos.
    auto it = buffer_.upper_bound(upos);
    if (it != buffer_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second.length > upos) it = prev;
    }
    if (it != buffer_.end() && it->first <= upos) {
      // Overlaps a buffered chunk: first copy wins, compare captured bytes.
      const Chunk& c = it->second;
      const int64_t stop = std::min<int64_t>(end, static_cast<int64_t>(it->first + c.length));
      const int64_t cmp_stop = std::min(stop, captured_end);
      if (!c.missing && pos < cmp_stop &&
          std::memcmp(c.bytes.data() + (upos - it->first), data_at(pos),
                      static_cast<size_t>(cmp_stop - pos)) != 0) {
        mismatch = true;
      }
      pos = stop;
      continue;
    }
    // A hole [pos, hole_end) that this segment fills.
    const int64_t hole_end =
        it == buffer_.end() ? end : std::min<int64_t>(end, static_cast<int64_t>(it->first));
    const uint64_t len = static_cast<uint64_t>(hole_end - pos);
    const uint64_t cap =
        pos < captured_end ? static_cast<uint64_t>(std::min(hole_end, captured_end) - pos) : 0;
    fresh = true;
    if (upos == next_off_) {
      deliver_direct(upos, cap ? data_at(pos) : nullptr, cap, len, ts_ns);
      if (cap < len) out.new_gap = true;
      drain();
      pos = hole_end;
      continue;
    }
    if (try_buffer(upos, cap ? data_at(pos) : nullptr, cap, len, ts_ns)) {
      out.out_of_order = true;
      pos = hole_end;
      continue;
    }
    // No room: give up the hole before the first buffered piece (or, with nothing buffered,
    // before this piece) and retry; the loop re-reads the state.
    out.add_anomaly("tcp.reassembly_limit");
    out.new_gap = true;
    skip_to(buffer_.empty() ? upos : std::min(upos, buffer_.begin()->first), ts_ns);
  }

  if (mismatch) out.add_anomaly("tcp.overlap_mismatch");
  if (total > 0 && !fresh) {
    out.retransmission = true;
    ++retransmitted_segments_;
  }
  maybe_consume_fin();
}

void TcpDirection::peer_ack(uint32_t ack, int64_t ts_ns, SegmentOutcome& out) {
  if (!started_) return;
  const int64_t off = to_off(ack);
  if (off <= 0) return;
  const auto uoff = static_cast<uint64_t>(off);
  if (!ack_valid_ || uoff > max_ack_off_) {
    ack_valid_ = true;
    max_ack_off_ = uoff;
  }
  // The peer received bytes beyond a hole that we hold data after: the hole was sent and our
  // capture lost it; waiting longer cannot fill it (a retransmission would be pointless).
  while (!buffer_.empty() && next_off_ < uoff) {
    const uint64_t to = std::min(uoff, buffer_.begin()->first);
    if (to <= next_off_) break;
    skip_to(to, ts_ns);
    out.new_gap = true;
  }
}

void TcpDirection::flush(int64_t ts_ns) {
  if (!started_) return;
  while (!buffer_.empty()) skip_to(buffer_.begin()->first, ts_ns);
  if (fin_known_ && !fin_consumed_) {
    // The FIN proves every byte before it was sent.
    if (fin_off_ > next_off_) skip_to(fin_off_, ts_ns);
    maybe_consume_fin();
  } else if (!fin_known_ && ack_valid_ && max_ack_off_ > next_off_) {
    skip_to(max_ack_off_, ts_ns);
  }
}

void TcpDirection::deliver_direct(uint64_t off, const uint8_t* data, uint64_t captured,
                                  uint64_t len, int64_t ts_ns) {
  (void)off;
  if (captured > 0) emit_data(data, captured, ts_ns);
  if (len > captured) emit_gap(len - captured, ts_ns);
}

void TcpDirection::emit_data(const uint8_t* data, uint64_t len, int64_t ts_ns) {
  remember(data, len);
  next_off_ += len;
  delivered_bytes_ += len;
  if (consumer_ != nullptr) consumer_->on_data(dir_, {data, static_cast<size_t>(len)}, ts_ns);
}

void TcpDirection::emit_gap(uint64_t len, int64_t ts_ns) {
  next_off_ += len;
  missed_bytes_ += len;
  // Bytes of a gap are unknown: nothing before here can be compared any more (the ring's
  // content is only valid for contiguous delivered bytes).
  ring_end_ = known_from_ = next_off_;
  if (consumer_ != nullptr) consumer_->on_gap(dir_, len, ts_ns);
}

void TcpDirection::drain() {
  while (!buffer_.empty() && buffer_.begin()->first <= next_off_) {
    auto node = buffer_.extract(buffer_.begin());
    Chunk& c = node.mapped();
    budget_.release(c.bytes.size());
    buffered_bytes_ -= c.bytes.size();
    if (c.missing) {
      emit_gap(c.length, c.ts_ns);
    } else {
      emit_data(c.bytes.data(), c.length, c.ts_ns);
    }
  }
  maybe_consume_fin();
}

void TcpDirection::maybe_consume_fin() {
  if (fin_known_ && !fin_consumed_ && next_off_ == fin_off_) {
    // RFC 9293 section 3.4: the FIN occupies one sequence number.
    fin_consumed_ = true;
    next_off_ += 1;
  }
}

void TcpDirection::skip_to(uint64_t to, int64_t ts_ns) {
  if (to > next_off_) emit_gap(to - next_off_, ts_ns);
  drain();
}

bool TcpDirection::try_buffer(uint64_t off, const uint8_t* data, uint64_t captured, uint64_t len,
                              int64_t ts_ns) {
  const size_t pieces = (captured > 0 ? 1 : 0) + (len > captured ? 1 : 0);
  if (buffer_.size() + pieces > limits_.max_stream_buffered_segments) return false;
  if (buffered_bytes_ + captured > limits_.max_stream_buffered_bytes) return false;
  if (!budget_.try_reserve(static_cast<size_t>(captured))) return false;
  buffered_bytes_ += captured;
  if (captured > 0) {
    Chunk c;
    c.bytes.assign(data, data + captured);
    c.length = captured;
    c.ts_ns = ts_ns;
    buffer_.emplace(off, std::move(c));
  }
  if (len > captured) {
    Chunk c;
    c.length = len - captured;
    c.missing = true;
    c.ts_ns = ts_ns;
    buffer_.emplace(off + captured, std::move(c));
  }
  return true;
}

uint64_t TcpDirection::ring_valid_from() const {
  const uint64_t window = ring_size_;
  const uint64_t from = ring_end_ > window ? ring_end_ - window : 0;
  return std::max(from, known_from_);
}

bool TcpDirection::tail_differs(uint64_t off, const uint8_t* data, uint64_t len) const {
  if (ring_size_ == 0) return false;
  const uint64_t from = std::max(off, ring_valid_from());
  const uint64_t to = std::min(off + len, ring_end_);
  const uint64_t n = ring_size_;
  // Compare in at most two contiguous pieces of the ring (memcmp, not byte by byte).
  for (uint64_t o = from; o < to;) {
    const uint64_t pos = o % n;
    const uint64_t run = std::min(to - o, n - pos);
    if (std::memcmp(ring_.get() + pos, data + (o - off), run) != 0) return true;
    o += run;
  }
  return false;
}

void TcpDirection::remember(const uint8_t* data, uint64_t len) {
  if (len == 0) return;
  if (ring_size_ < kCompareWindowBytes) {
    // Grow geometrically up to the window, keeping the valid bytes at their new positions.
    const uint64_t valid_from = ring_valid_from();
    const uint64_t wanted = ring_end_ - valid_from + len;
    uint64_t size = std::max<uint64_t>(ring_size_, 4096);
    while (size < wanted && size < kCompareWindowBytes) size *= 2;
    size = std::min<uint64_t>(size, kCompareWindowBytes);
    // The window is charged to the shard's reassembly budget; when the budget is exhausted
    // the window stops growing (older retransmissions are then not compared, never lost).
    if (size != ring_size_ && budget_.try_reserve(static_cast<size_t>(size - ring_size_))) {
      auto grown = budget_.take_block(static_cast<size_t>(size));
      const uint64_t old_size = ring_size_;
      for (uint64_t o = valid_from; o < ring_end_;) {  // at most two contiguous pieces each side
        const uint64_t from_pos = o % std::max<uint64_t>(old_size, 1);
        const uint64_t to_pos = o % size;
        const uint64_t run = std::min({ring_end_ - o, old_size - from_pos, size - to_pos});
        std::memcpy(grown.get() + to_pos, ring_.get() + from_pos, run);
        o += run;
      }
      budget_.return_block(std::exchange(ring_, std::move(grown)), static_cast<size_t>(old_size));
      ring_size_ = size;
    }
    if (ring_size_ == 0) {  // no budget for even the first window: nothing is comparable
      ring_end_ += len;
      return;
    }
  }
  const uint64_t n = ring_size_;
  // Only the last n bytes can stay in the window; copy them in at most two pieces.
  const uint64_t skip = len > n ? len - n : 0;
  uint64_t o = ring_end_ + skip;
  for (uint64_t i = skip; i < len;) {
    const uint64_t pos = o % n;
    const uint64_t run = std::min(len - i, n - pos);
    std::memcpy(ring_.get() + pos, data + i, run);
    i += run;
    o += run;
  }
  ring_end_ += len;
}

}  // namespace netcap
