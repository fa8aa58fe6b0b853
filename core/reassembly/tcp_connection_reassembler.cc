#include "core/reassembly/tcp_connection_reassembler.h"

namespace netcap {

TcpConnectionReassembler::TcpConnectionReassembler(const Limits& limits, ReassemblyBudget& budget,
                                                   StreamConsumer* consumer)
    : consumer_(consumer),
      client_(limits, budget, consumer, StreamDirection::kClientToServer),
      server_(limits, budget, consumer, StreamDirection::kServerToClient) {}

SegmentOutcome TcpConnectionReassembler::add(const TcpSegment& segment) {
  SegmentOutcome out;
  if (closed_) return out;
  if ((segment.flags & tcp_flags::kRst) != 0) {
    // RFC 9293 section 3.5.3: an RST's payload is diagnostic text, not stream data.
    rst_seen_ = true;
    return out;
  }
  TcpDirection& own = side(segment.dir);
  TcpDirection& peer =
      side(segment.dir == StreamDirection::kClientToServer ? StreamDirection::kServerToClient
                                                           : StreamDirection::kClientToServer);
  own.add(segment.seq, segment.flags, segment.payload, segment.payload_length, segment.ts_ns, out);
  if ((segment.flags & tcp_flags::kAck) != 0) peer.peer_ack(segment.ack, segment.ts_ns, out);
  return out;
}

void TcpConnectionReassembler::close(StreamEndReason reason, int64_t ts_ns) {
  if (closed_) return;
  closed_ = true;
  client_.flush(ts_ns);
  server_.flush(ts_ns);
  if (consumer_ != nullptr) consumer_->on_end(reason, ts_ns);
}

}  // namespace netcap
