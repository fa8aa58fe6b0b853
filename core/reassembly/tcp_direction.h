// TcpDirection: reassembles ONE direction of a TCP connection into an in-order byte stream with
// explicit gaps, delivered to a StreamConsumer.
//
// Sequence space. Sequence numbers are unwrapped to 64-bit offsets relative to the first
// sequence number of the direction (RFC 1982 arithmetic, see seq.h), so a stream may cross 2^32
// any number of times. SYN and FIN each occupy one sequence number (RFC 9293 section 3.4). The
// ISN comes from the SYN; without a SYN the first segment that carries payload or FIN starts the
// stream ("missing SYN tolerated"; bytes before it are never reported).
//
// Overlap policy: the first copy of a byte wins. Bytes of a later segment that overlap bytes
// already held are compared:
//   - against buffered out-of-order data: always;
//   - against already-delivered data: only within a tail window of the last
//     kCompareWindowBytes (64 KiB) delivered bytes (a ring buffer grown lazily as data is
//     delivered, so short streams use little memory; its memory is charged to the shard's
//     ReassemblyBudget and it stops growing when the budget is exhausted). Older bytes, and bytes declared as gaps,
//     cannot be compared; retransmissions of them are counted but never reported.
// A difference raises "tcp.overlap_mismatch"; identical bytes are a plain retransmission
// (counted in retransmitted_segments(), no anomaly). Payload past an accepted FIN is dropped
// with "tcp.data_after_fin". A one-octet segment at the next expected sequence number - 1 is a
// keep-alive probe (RFC 9293 section 3.8.4) and is counted as a retransmission without compare.
//
// Limits. Out-of-order data is held up to limits.max_stream_buffered_bytes and
// limits.max_stream_buffered_segments per direction and within the shard-wide ReassemblyBudget.
// When a new out-of-order piece would not fit, the hole before the first buffered piece is
// declared a gap, buffered data is delivered from there ("tcp.reassembly_limit"), and this
// repeats until the piece fits (or it becomes in-order and is delivered directly). Received
// bytes are therefore never dropped for lack of room; only holes are given up early.
//
// Gaps. A gap (consumer->on_gap) is declared when: a limit is hit (above); the peer ACKs past a
// hole while later data is already buffered (the ACK proves the peer received the missing
// bytes, so they were sent and our capture missed them; Zeek does the same on ACK); the
// snap length cut a payload (payload_length > captured bytes: the tail is a gap); and at
// flush(): every remaining hole, the hole before an accepted FIN, and the bytes between the last
// byte we saw and the highest ACK of the peer (Zeek's "ack above hole" accounting). An ACK past
// the end of what we saw is NOT turned into a gap before flush() when nothing is buffered,
// because captures commonly store a data packet after the ACK that acknowledges it.
//
// Lifetime: `limits`, `budget` and `consumer` (may be null: data is then only counted) must
// outlive the object. Thread-safety: none; driven by one shard thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "core/reassembly/reassembly_budget.h"
#include "core/reassembly/stream_consumer.h"
#include "core/reassembly/tcp_segment.h"
#include "core/util/limits.h"

namespace netcap {

class TcpDirection {
 public:
  // Delivered bytes kept for comparing retransmissions (see the header comment).
  static constexpr size_t kCompareWindowBytes = 64 * 1024;

  TcpDirection(const Limits& limits, ReassemblyBudget& budget, StreamConsumer* consumer,
               StreamDirection dir);
  ~TcpDirection();  // returns buffered bytes to the budget
  TcpDirection(const TcpDirection&) = delete;
  TcpDirection& operator=(const TcpDirection&) = delete;

  // One segment of this direction: SYN / FIN flags and payload (RST is the caller's business).
  // `payload_length` is the length per the headers; when larger than payload.size() the
  // uncaptured tail is a gap. Results are added to `out`.
  void add(uint32_t seq, uint8_t flags, std::span<const uint8_t> payload, uint32_t payload_length,
           int64_t ts_ns, SegmentOutcome& out);

  // The peer acknowledged every sequence number before `ack` (RFC 9293 section 3.4).
  void peer_ack(uint32_t ack, int64_t ts_ns, SegmentOutcome& out);

  // End of the direction: every hole becomes a gap, all buffered data is delivered, then the
  // gap before an accepted FIN or up to the peer's highest ACK. Later add() calls still work.
  void flush(int64_t ts_ns);

  bool started() const { return started_; }
  bool syn_seen() const { return syn_seen_; }
  bool fin_consumed() const { return fin_consumed_; }
  // Next expected sequence number (valid when started()).
  uint32_t next_seq() const { return seq_at(next_off_); }
  uint64_t delivered_bytes() const { return delivered_bytes_; }
  uint64_t missed_bytes() const { return missed_bytes_; }
  uint64_t buffered_bytes() const { return buffered_bytes_; }
  // Memory of the compare window (charged to the budget like buffered bytes).
  uint64_t window_bytes() const { return ring_size_; }
  size_t buffered_segments() const { return buffer_.size(); }
  uint64_t retransmitted_segments() const { return retransmitted_segments_; }

 private:
  struct Chunk {
    std::vector<uint8_t> bytes;  // empty when `missing`
    uint64_t length = 0;
    bool missing = false;  // known to exist (snap length cut it) but not captured
    int64_t ts_ns = 0;
  };

  uint32_t seq_at(uint64_t off) const { return base_ + static_cast<uint32_t>(off); }
  int64_t to_off(uint32_t seq) const;

  // Delivers [off, off+len) from `data` (captured part) directly: data then uncaptured gap.
  void deliver_direct(uint64_t off, const uint8_t* data, uint64_t captured, uint64_t len,
                      int64_t ts_ns);
  void emit_data(const uint8_t* data, uint64_t len, int64_t ts_ns);
  void emit_gap(uint64_t len, int64_t ts_ns);
  // Delivers buffered chunks contiguous with next_off_, then consumes an accepted FIN.
  void drain();
  void maybe_consume_fin();
  // Declares a gap from next_off_ to `to` (to > next_off_) and drains.
  void skip_to(uint64_t to, int64_t ts_ns);
  // Buffers [off, off+len) (captured part first). False when a limit refused it.
  bool try_buffer(uint64_t off, const uint8_t* data, uint64_t captured, uint64_t len,
                  int64_t ts_ns);
  // True when bytes differ from what the delivered tail window holds for [off, off+len).
  bool tail_differs(uint64_t off, const uint8_t* data, uint64_t len) const;
  void remember(const uint8_t* data, uint64_t len);
  uint64_t ring_valid_from() const;

  const Limits& limits_;
  ReassemblyBudget& budget_;
  StreamConsumer* consumer_;
  StreamDirection dir_;

  bool started_ = false;
  bool syn_seen_ = false;
  uint32_t base_ = 0;        // sequence number of offset 0
  uint64_t data_start_ = 0;  // first data offset (1 after a SYN)
  uint64_t next_off_ = 0;    // next expected offset
  bool fin_known_ = false;   // a FIN was accepted at fin_off_
  bool fin_consumed_ = false;
  uint64_t fin_off_ = 0;
  bool ack_valid_ = false;
  uint64_t max_ack_off_ = 0;  // highest offset the peer acknowledged

  std::map<uint64_t, Chunk> buffer_;  // out-of-order pieces by offset; never overlapping
  uint64_t buffered_bytes_ = 0;       // captured bytes in buffer_ (reserved in budget_)

  // Delivered tail: byte at offset o is ring_[o % ring_size_]. A block from the budget's pool
  // (not zero-filled: only bytes written by remember() are ever read), returned on destruction.
  std::unique_ptr<uint8_t[]> ring_;
  uint64_t ring_size_ = 0;
  uint64_t ring_end_ = 0;    // offset after the last remembered byte
  uint64_t known_from_ = 0;  // no comparable bytes before this offset (stream start, gaps)

  uint64_t delivered_bytes_ = 0;
  uint64_t missed_bytes_ = 0;
  uint64_t retransmitted_segments_ = 0;
};

}  // namespace netcap
