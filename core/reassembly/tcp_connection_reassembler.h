// TcpConnectionReassembler: both directions of one TCP connection (two TcpDirection objects)
// driving one StreamConsumer. The flow layer decides the direction of each segment, calls add()
// for every TCP segment of the connection in capture order, and close() exactly once when the
// flow ends (a second close() is ignored).
//
// Per segment: RST payload is not stream data (RFC 9293 section 3.5.3 lets it carry diagnostic
// text) and an RST only marks the connection finished(); otherwise the segment's SYN / payload
// / FIN go to its direction, and its ACK number (when the ACK flag is set) is handed to the
// other direction (see TcpDirection::peer_ack for when that declares a gap).
//
// Ending: add() never ends the stream by itself, because the flow layer keeps closed flows a
// little longer for stragglers; finished() tells it that both FINs were consumed or an RST was
// seen. close() flushes both directions (client first): holes become explicit gaps, buffered
// data is delivered, then consumer->on_end(reason). Segments added after close() are ignored.
//
// Lifetime: `limits`, `budget` and `consumer` (null: data is only counted) must outlive this
// object. Thread-safety: none; owned by one shard thread.
#pragma once

#include <cstdint>

#include "core/reassembly/reassembly_budget.h"
#include "core/reassembly/stream_consumer.h"
#include "core/reassembly/tcp_direction.h"
#include "core/reassembly/tcp_segment.h"
#include "core/util/limits.h"

namespace netcap {

class TcpConnectionReassembler {
 public:
  TcpConnectionReassembler(const Limits& limits, ReassemblyBudget& budget,
                           StreamConsumer* consumer);
  TcpConnectionReassembler(const TcpConnectionReassembler&) = delete;
  TcpConnectionReassembler& operator=(const TcpConnectionReassembler&) = delete;

  SegmentOutcome add(const TcpSegment& segment);
  // Ends the connection: buffered data after holes is delivered with explicit gaps, then
  // consumer->on_end(reason).
  void close(StreamEndReason reason, int64_t ts_ns);

  uint64_t delivered_bytes(StreamDirection dir) const { return side(dir).delivered_bytes(); }
  uint64_t missed_bytes(StreamDirection dir) const { return side(dir).missed_bytes(); }
  uint64_t buffered_bytes() const { return client_.buffered_bytes() + server_.buffered_bytes(); }
  // Compare-window memory of both directions (also charged to the budget).
  uint64_t window_bytes() const { return client_.window_bytes() + server_.window_bytes(); }
  uint64_t retransmitted_segments(StreamDirection dir) const {
    return side(dir).retransmitted_segments();
  }
  bool closed() const { return closed_; }
  // Both directions consumed their FIN, or an RST was seen.
  bool finished() const { return rst_seen_ || (client_.fin_consumed() && server_.fin_consumed()); }
  bool rst_seen() const { return rst_seen_; }

 private:
  TcpDirection& side(StreamDirection dir) {
    return dir == StreamDirection::kClientToServer ? client_ : server_;
  }
  const TcpDirection& side(StreamDirection dir) const {
    return dir == StreamDirection::kClientToServer ? client_ : server_;
  }

  StreamConsumer* consumer_;
  TcpDirection client_;
  TcpDirection server_;
  bool rst_seen_ = false;
  bool closed_ = false;
};

}  // namespace netcap
