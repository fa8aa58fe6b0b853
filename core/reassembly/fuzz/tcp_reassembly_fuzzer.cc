// libFuzzer target: TCP connection reassembly driven by a sequence of small segment
// descriptors. Each descriptor is 5 bytes:
//   [0] bit 0: direction, bits 1..5: FIN SYN RST PSH ACK, bit 6: snap-cut payload
//   [1..2] signed 16-bit sequence delta from the direction's running sequence number
//   [3] payload length (bytes taken from a fixed pattern keyed by sequence, so copies of the
//       same range agree unless bit 7 of [0] asks for different bytes)
//   [4] signed ack delta
// Tight limits exercise the limit paths. Invariants (checked with __builtin_trap): no call after
// on_end, exactly one on_end, the budget returns to zero, data + gaps equal what was reported.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/reassembly/tcp_connection_reassembler.h"

namespace {

class CheckingConsumer : public netcap::StreamConsumer {
 public:
  void on_data(netcap::StreamDirection dir, std::span<const uint8_t> data, int64_t) override {
    if (ended || data.empty()) __builtin_trap();
    seen[static_cast<int>(dir)] += data.size();
  }
  void on_gap(netcap::StreamDirection dir, uint64_t length, int64_t) override {
    if (ended || length == 0) __builtin_trap();
    gaps[static_cast<int>(dir)] += length;
  }
  void on_end(netcap::StreamEndReason, int64_t) override {
    if (ended) __builtin_trap();
    ended = true;
  }
  bool ended = false;
  uint64_t seen[2] = {0, 0};
  uint64_t gaps[2] = {0, 0};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  netcap::Limits limits;
  limits.max_stream_buffered_bytes = 2048;
  limits.max_stream_buffered_segments = 16;
  netcap::ReassemblyBudget budget(3000);
  CheckingConsumer consumer;
  {
    netcap::TcpConnectionReassembler conn(limits, budget, &consumer);
    uint32_t seq[2] = {0x1000u, 0xfffff000u};  // one direction starts near the wrap
    uint32_t ack[2] = {0xfffff000u, 0x1000u};
    std::vector<uint8_t> payload;
    int64_t ts = 0;
    for (size_t i = 0; i + 5 <= size; i += 5) {
      const uint8_t ctl = data[i];
      const int d = ctl & 1;
      const auto delta = static_cast<int16_t>((data[i + 1] << 8) | data[i + 2]);
      const uint8_t len = data[i + 3];
      const auto ack_delta = static_cast<int8_t>(data[i + 4]);
      seq[d] += static_cast<uint32_t>(static_cast<int32_t>(delta));
      ack[d] += static_cast<uint32_t>(static_cast<int32_t>(ack_delta));
      payload.resize(len);
      for (size_t j = 0; j < len; ++j) {
        payload[j] = static_cast<uint8_t>((seq[d] + j) * 31u + ((ctl & 0x80) ? 1 : 0));
      }
      netcap::TcpSegment s;
      s.dir =
          d ? netcap::StreamDirection::kServerToClient : netcap::StreamDirection::kClientToServer;
      s.seq = seq[d];
      s.ack = ack[d];
      s.flags = static_cast<uint8_t>((ctl >> 1) & 0x1f);
      const size_t captured = (ctl & 0x40) ? len / 2 : len;
      s.payload = {payload.data(), captured};
      s.payload_length = len;
      s.ts_ns = ++ts;
      conn.add(s);
      if (conn.buffered_bytes() > 2 * limits.max_stream_buffered_bytes) __builtin_trap();
      if (budget.used() > budget.limit()) __builtin_trap();
    }
    conn.close(netcap::StreamEndReason::kEndOfCapture, ts);
    if (!consumer.ended || conn.buffered_bytes() != 0) __builtin_trap();
    for (auto dir :
         {netcap::StreamDirection::kClientToServer, netcap::StreamDirection::kServerToClient}) {
      const int k = static_cast<int>(dir);
      if (conn.delivered_bytes(dir) != consumer.seen[k]) __builtin_trap();
      if (conn.missed_bytes(dir) != consumer.gaps[k]) __builtin_trap();
    }
  }
  if (budget.used() != 0) __builtin_trap();
  return 0;
}
