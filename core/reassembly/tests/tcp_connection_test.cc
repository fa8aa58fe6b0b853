// TcpConnectionReassembler: both directions, ACK-driven gaps, close reasons, shared budget.
#include <catch2/catch.hpp>
#include <string>

#include "core/reassembly/tcp_connection_reassembler.h"
#include "core/reassembly/tests/recording_consumer.h"

using namespace netcap;
using netcap::testing::RecordingConsumer;

namespace {

constexpr auto kC2S = StreamDirection::kClientToServer;
constexpr auto kS2C = StreamDirection::kServerToClient;

std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

TcpSegment seg(StreamDirection dir, uint32_t seq, uint32_t ack, uint8_t flags,
               const std::string& data) {
  TcpSegment s;
  s.dir = dir;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.payload = {reinterpret_cast<const uint8_t*>(data.data()), data.size()};
  s.payload_length = static_cast<uint32_t>(data.size());
  return s;
}

constexpr uint8_t kSyn = tcp_flags::kSyn, kAck = tcp_flags::kAck, kFin = tcp_flags::kFin,
                  kRst = tcp_flags::kRst;

}  // namespace

TEST_CASE("connection: handshake, both directions, FIN close") {
  Limits limits;
  ReassemblyBudget budget(limits.max_shard_buffered_bytes);
  RecordingConsumer rec;
  TcpConnectionReassembler c(limits, budget, &rec);
  c.add(seg(kC2S, 100, 0, kSyn, ""));
  c.add(seg(kS2C, 500, 101, kSyn | kAck, ""));
  c.add(seg(kC2S, 101, 501, kAck, ""));
  c.add(seg(kC2S, 101, 501, kAck, "GET / HTTP/1.0\r\n\r\n"));
  c.add(seg(kS2C, 501, 119, kAck, "HTTP/1.0 200 OK\r\n\r\nbody"));
  CHECK_FALSE(c.finished());
  c.add(seg(kS2C, 524, 119, kAck | kFin, ""));
  c.add(seg(kC2S, 119, 525, kAck | kFin, ""));
  CHECK(c.finished());
  CHECK_FALSE(c.closed());
  c.close(StreamEndReason::kFin, 9);
  CHECK(c.closed());
  CHECK(text(rec.side(kC2S).data) == "GET / HTTP/1.0\r\n\r\n");
  CHECK(text(rec.side(kS2C).data) == "HTTP/1.0 200 OK\r\n\r\nbody");
  CHECK(rec.side(kC2S).gaps.empty());
  CHECK(rec.side(kS2C).gaps.empty());
  CHECK(rec.end_calls == 1);
  CHECK(rec.reason == StreamEndReason::kFin);
  CHECK(c.delivered_bytes(kC2S) == 18);
  CHECK(c.delivered_bytes(kS2C) == 23);
  // After close: ignored, and a second close is a no-op.
  c.add(seg(kC2S, 120, 525, kAck, "late"));
  c.close(StreamEndReason::kIdle, 10);
  CHECK(rec.end_calls == 1);
  CHECK(rec.calls_after_end == 0);
}

TEST_CASE("connection: RST marks finished, its payload is not data; close delivers with gaps") {
  Limits limits;
  ReassemblyBudget budget(1 << 20);
  RecordingConsumer rec;
  TcpConnectionReassembler c(limits, budget, &rec);
  c.add(seg(kC2S, 0, 0, kSyn, ""));
  c.add(seg(kC2S, 1, 0, 0, "abc"));
  c.add(seg(kC2S, 10, 0, 0, "jkl"));  // hole 4..9
  CHECK(c.buffered_bytes() == 3);
  c.add(seg(kS2C, 77, 0, kRst, "diagnostic"));
  CHECK(c.finished());
  CHECK(c.rst_seen());
  c.close(StreamEndReason::kRst, 5);
  CHECK(text(rec.side(kC2S).data) == "abcjkl");
  CHECK(rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{3, 6}});
  CHECK(rec.side(kS2C).data.empty());
  CHECK(rec.reason == StreamEndReason::kRst);
  CHECK(c.missed_bytes(kC2S) == 6);
  CHECK(c.buffered_bytes() == 0);
  CHECK(budget.used() == 0);
}

TEST_CASE("connection: the peer's ACK over a hole declares the gap (Zeek-style)") {
  Limits limits;
  ReassemblyBudget budget(1 << 20);
  RecordingConsumer rec;
  TcpConnectionReassembler c(limits, budget, &rec);
  c.add(seg(kC2S, 0, 0, kSyn, ""));
  c.add(seg(kS2C, 1000, 1, kSyn | kAck, ""));
  c.add(seg(kC2S, 1, 1001, kAck, "aaaa"));
  c.add(seg(kC2S, 9, 1001, kAck, "cccc"));  // 5..8 lost by the capture
  auto out = c.add(seg(kS2C, 1001, 13, kAck, ""));
  CHECK(out.new_gap);
  CHECK(text(rec.side(kC2S).data) == "aaaacccc");
  CHECK(rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{4, 4}});
  // The server's last ACK covers a client tail we never saw: a gap at close.
  c.add(seg(kS2C, 1001, 20, kAck, ""));
  c.close(StreamEndReason::kEndOfCapture, 1);
  CHECK(rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{4, 4}, {12, 7}});
  CHECK(c.missed_bytes(kC2S) == 11);
  CHECK(c.missed_bytes(kS2C) == 0);
}

TEST_CASE("connection: null consumer only counts") {
  Limits limits;
  ReassemblyBudget budget(1 << 20);
  TcpConnectionReassembler c(limits, budget, nullptr);
  c.add(seg(kC2S, 5, 0, kSyn, ""));
  c.add(seg(kC2S, 10, 0, 0, "world"));
  c.add(seg(kC2S, 6, 0, 0, "hell"));
  CHECK(c.delivered_bytes(kC2S) == 9);
  c.close(StreamEndReason::kIdle, 0);
  CHECK(c.closed());
}

TEST_CASE("connection: shard budget shared by two connections") {
  Limits limits;
  ReassemblyBudget budget(10);
  RecordingConsumer r1, r2;
  TcpConnectionReassembler a(limits, budget, &r1);
  TcpConnectionReassembler b(limits, budget, &r2);
  a.add(seg(kC2S, 0, 0, kSyn, ""));
  b.add(seg(kC2S, 0, 0, kSyn, ""));
  CHECK(a.add(seg(kC2S, 5, 0, 0, "12345678")).anomalies.empty());
  CHECK(budget.used() == 8);
  // b has room per direction but not in the shard budget.
  auto out = b.add(seg(kC2S, 3, 0, 0, "xyz"));
  CHECK(out.anomalies == std::vector<std::string>{"tcp.reassembly_limit"});
  CHECK(text(r2.side(kC2S).data) == "xyz");
  CHECK(r2.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{0, 2}});
  CHECK(budget.used() == 8);
  // Once a delivers, the budget is free again for b.
  a.add(seg(kC2S, 1, 0, 0, "abcd"));
  CHECK(budget.used() == 0);
  CHECK(b.add(seg(kC2S, 10, 0, 0, "later")).anomalies.empty());
  CHECK(budget.used() == 5);
}

TEST_CASE("connection: to_string(StreamEndReason)") {
  CHECK(to_string(StreamEndReason::kFin) == "fin");
  CHECK(to_string(StreamEndReason::kRst) == "rst");
  CHECK(to_string(StreamEndReason::kIdle) == "idle");
  CHECK(to_string(StreamEndReason::kEvicted) == "evicted");
  CHECK(to_string(StreamEndReason::kEndOfCapture) == "end_of_capture");
}
