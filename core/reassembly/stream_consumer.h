// StreamConsumer: how reassembled TCP byte streams reach application parsers.
//
// A connection's reassembler calls the consumer with in-order data per direction, explicit gaps
// (bytes that will never arrive) and one end call. Parsers are incremental state machines: they
// keep what they need, never the whole conversation (see docs/adding-a-protocol.md).
//
// Lifetime: `data` spans are valid only during the call. Thread-safety: a consumer is driven by
// exactly one shard thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace netcap {

enum class StreamDirection : uint8_t {
  kClientToServer = 0,  // from the connection's originator
  kServerToClient = 1,
};

enum class StreamEndReason : uint8_t {
  kFin,           // both sides closed (or one FIN and the flow went quiet)
  kRst,           // reset
  kIdle,          // idle timeout
  kEvicted,       // flow table full: the oldest flow was closed early
  kEndOfCapture,  // input ended with the connection open
};

std::string_view to_string(StreamEndReason reason);

class StreamConsumer {
 public:
  virtual ~StreamConsumer() = default;
  // In-order bytes of one direction. `ts_ns` is the capture time of the segment that made the
  // bytes deliverable.
  virtual void on_data(StreamDirection dir, std::span<const uint8_t> data, int64_t ts_ns) = 0;
  // `length` bytes of `dir` are missing at this point of the stream and will never arrive.
  virtual void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) = 0;
  // No more calls follow.
  virtual void on_end(StreamEndReason reason, int64_t ts_ns) = 0;
};

}  // namespace netcap
