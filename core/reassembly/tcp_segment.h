// TcpSegment and SegmentOutcome: what the flow layer hands to TCP reassembly for one segment, and
// what reassembly reports back for the Connection history and the anomaly records.
//
// Lifetime: `payload` is borrowed for the duration of the add() call only; reassembly copies
// whatever it must keep. Plain value types; no thread-safety concerns.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/reassembly/stream_consumer.h"

namespace netcap {

// TCP header flag bits (RFC 9293 section 3.1).
namespace tcp_flags {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
}  // namespace tcp_flags

struct TcpSegment {
  StreamDirection dir = StreamDirection::kClientToServer;  // decided by the flow layer
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;                 // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10
  std::span<const uint8_t> payload;  // captured payload bytes
  // Payload length per the headers (> payload.size() when the snap length cut it: the missing
  // tail is a gap). A value smaller than payload.size() is treated as payload.size().
  uint32_t payload_length = 0;
  int64_t ts_ns = 0;
  uint64_t frame = 0;
};

struct SegmentOutcome {
  bool retransmission = false;  // it carried payload and all its bytes were seen before
  bool out_of_order = false;    // (some of) its bytes were buffered ahead of a hole
  bool new_gap = false;         // a gap was declared while handling it
  // Anomaly names, each at most once per segment: "tcp.overlap_mismatch",
  // "tcp.reassembly_limit", "tcp.data_after_fin".
  std::vector<std::string> anomalies;

  void add_anomaly(const char* name) {
    for (const auto& a : anomalies) {
      if (a == name) return;
    }
    anomalies.emplace_back(name);
  }
};

}  // namespace netcap
