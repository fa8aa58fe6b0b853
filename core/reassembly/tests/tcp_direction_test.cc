// TcpDirection alone: ordering, overlap policy, FIN, limits and the snap-length tail.
#include "core/reassembly/tcp_direction.h"

#include <catch2/catch.hpp>
#include <string>

#include "core/reassembly/tests/recording_consumer.h"

using namespace netcap;
using netcap::testing::RecordingConsumer;

namespace {

constexpr auto kC2S = StreamDirection::kClientToServer;

std::span<const uint8_t> b(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

struct Fixture {
  Limits limits;
  ReassemblyBudget budget{1 << 20};
  RecordingConsumer rec;
  TcpDirection dir{limits, budget, &rec, kC2S};
  SegmentOutcome add(uint32_t seq, const std::string& data, uint8_t flags = 0) {
    SegmentOutcome out;
    dir.add(seq, flags, b(data), static_cast<uint32_t>(data.size()), 0, out);
    return out;
  }
};

}  // namespace

TEST_CASE("direction: SYN sets the ISN and consumes one sequence number") {
  Fixture f;
  f.add(1000, "", tcp_flags::kSyn);
  CHECK(f.dir.next_seq() == 1001u);
  f.add(1001, "hello");
  CHECK(text(f.rec.side(kC2S).data) == "hello");
  CHECK(f.dir.next_seq() == 1006u);
}

TEST_CASE("direction: SYN carrying data delivers it after the SYN") {
  Fixture f;
  f.add(50, "abc", tcp_flags::kSyn);
  f.add(54, "def");
  CHECK(text(f.rec.side(kC2S).data) == "abcdef");
}

TEST_CASE("direction: missing SYN, the first data segment starts the stream") {
  Fixture f;
  f.add(7777, "", tcp_flags::kAck);  // a bare ACK does not start it
  CHECK_FALSE(f.dir.started());
  f.add(9000, "xy");
  f.add(9002, "z");
  CHECK(text(f.rec.side(kC2S).data) == "xyz");
  CHECK_FALSE(f.dir.syn_seen());
  // Bytes before the first segment seen are treated as old retransmissions.
  auto out = f.add(8990, "0123456789");
  CHECK(out.retransmission);
  CHECK(text(f.rec.side(kC2S).data) == "xyz");
}

TEST_CASE("direction: out-of-order segments are buffered and delivered in order") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  auto o1 = f.add(7, "ghi");
  CHECK(o1.out_of_order);
  auto o2 = f.add(4, "def");
  CHECK(o2.out_of_order);
  CHECK(f.rec.side(kC2S).data.empty());
  CHECK(f.dir.buffered_bytes() == 6);
  f.add(1, "abc");
  CHECK(text(f.rec.side(kC2S).data) == "abcdefghi");
  CHECK(f.dir.buffered_bytes() == 0);
  CHECK(f.budget.used() == f.dir.window_bytes());
}

TEST_CASE("direction: identical retransmission is counted, not an anomaly") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "abcdef");
  auto out = f.add(3, "cd");
  CHECK(out.retransmission);
  CHECK(out.anomalies.empty());
  CHECK(f.dir.retransmitted_segments() == 1);
  CHECK(text(f.rec.side(kC2S).data) == "abcdef");
}

TEST_CASE("direction: differing retransmission of delivered bytes is tcp.overlap_mismatch") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "abcdef");
  auto out = f.add(5, "XYgh");  // "ef" differs, "gh" is new
  CHECK_FALSE(out.retransmission);
  REQUIRE(out.anomalies.size() == 1);
  CHECK(out.anomalies[0] == "tcp.overlap_mismatch");
  CHECK(text(f.rec.side(kC2S).data) == "abcdefgh");  // first copy wins
}

TEST_CASE("direction: differing overlap with buffered data, first copy wins") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(5, "EFGH");                   // buffered
  auto out = f.add(1, "abcdXFGHij");  // overlaps the buffered bytes, E differs
  CHECK(out.anomalies == std::vector<std::string>{"tcp.overlap_mismatch"});
  CHECK(text(f.rec.side(kC2S).data) == "abcdEFGHij");
}

TEST_CASE("direction: FIN consumes a sequence number, data after FIN is dropped") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "abc", tcp_flags::kFin);
  CHECK(f.dir.fin_consumed());
  CHECK(f.dir.next_seq() == 5u);
  auto out = f.add(5, "zz");
  CHECK(out.anomalies == std::vector<std::string>{"tcp.data_after_fin"});
  CHECK(text(f.rec.side(kC2S).data) == "abc");
  // A retransmitted FIN and a pure ACK after it are quiet.
  CHECK(f.add(1, "abc", tcp_flags::kFin).anomalies.empty());
  CHECK(f.add(5, "", tcp_flags::kAck).anomalies.empty());
}

TEST_CASE("direction: out-of-order FIN waits for the data before it") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(4, "def", tcp_flags::kFin);
  CHECK_FALSE(f.dir.fin_consumed());
  f.add(1, "abc");
  CHECK(f.dir.fin_consumed());
  CHECK(text(f.rec.side(kC2S).data) == "abcdef");
}

TEST_CASE("direction: flush turns holes into gaps, and the hole before a FIN") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "ab");
  f.add(6, "fg");                  // hole 3..5
  f.add(11, "", tcp_flags::kFin);  // hole 8..10
  f.dir.flush(0);
  const auto& s = f.rec.side(kC2S);
  CHECK(text(s.data) == "abfg");
  REQUIRE(s.gaps.size() == 2);
  CHECK(s.gaps[0] == RecordingConsumer::Gap{2, 3});
  CHECK(s.gaps[1] == RecordingConsumer::Gap{7, 3});
  CHECK(f.dir.missed_bytes() == 6);
  CHECK(f.dir.fin_consumed());
}

TEST_CASE("direction: peer ACK past a hole with buffered data declares the gap") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "ab");
  f.add(6, "fg");
  SegmentOutcome out;
  f.dir.peer_ack(4, 0, out);  // does not cover the whole hole: the gap is 3..3
  CHECK(out.new_gap);
  CHECK(f.rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{2, 1}});
  SegmentOutcome out2;
  f.dir.peer_ack(8, 0, out2);
  CHECK(text(f.rec.side(kC2S).data) == "abfg");
  CHECK(f.rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{2, 3}});
}

TEST_CASE("direction: peer ACK beyond everything seen is a gap only at flush") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "ab");
  SegmentOutcome out;
  f.dir.peer_ack(10, 0, out);  // data may still arrive (capture order)
  CHECK_FALSE(out.new_gap);
  f.add(3, "cd");
  CHECK(text(f.rec.side(kC2S).data) == "abcd");
  f.dir.flush(0);
  CHECK(f.rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{4, 5}});
}

TEST_CASE("direction: snap-length-cut payload, the missing tail is a gap") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  SegmentOutcome out;
  const std::string cut = "abcd";
  f.dir.add(1, 0, b(cut), 10, 0, out);  // 10 bytes sent, 4 captured
  CHECK(out.new_gap);
  f.add(11, "KLM");
  const auto& s = f.rec.side(kC2S);
  CHECK(text(s.data) == "abcdKLM");
  CHECK(s.gaps == std::vector<RecordingConsumer::Gap>{{4, 6}});
  // Out of order, the cut tail is held as a placeholder and becomes a gap when reached.
  Fixture g;
  g.add(0, "", tcp_flags::kSyn);
  SegmentOutcome o2;
  g.dir.add(5, 0, b(cut), 8, 0, o2);
  CHECK(o2.out_of_order);
  g.add(1, "wxyz");
  g.add(13, "Q");
  CHECK(text(g.rec.side(kC2S).data) == "wxyzabcdQ");
  CHECK(g.rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{8, 4}});
}

TEST_CASE("direction: zero-length segments change nothing") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "abc");
  auto out = f.add(4, "", tcp_flags::kAck);
  CHECK_FALSE(out.retransmission);
  CHECK_FALSE(out.out_of_order);
  f.add(100, "", tcp_flags::kAck);
  CHECK(f.dir.buffered_segments() == 0);
  CHECK(f.rec.empty_calls == 0);
  CHECK(f.dir.next_seq() == 4u);
}

TEST_CASE("direction: keep-alive probe with one garbage octet is not a mismatch") {
  Fixture f;
  f.add(0, "", tcp_flags::kSyn);
  f.add(1, "abc");
  auto out = f.add(3, std::string(1, '\0'));
  CHECK(out.anomalies.empty());
  CHECK(out.retransmission);
}

TEST_CASE("direction: sequence numbers wrap at 2^32") {
  Fixture f;
  f.add(0xfffffffcu, "", tcp_flags::kSyn);
  f.add(0xfffffffdu, "ab");
  f.add(0x00000001u, "ef");  // out of order across the wrap
  f.add(0xffffffffu, "cd");
  f.add(0x00000003u, "gh", tcp_flags::kFin);
  CHECK(text(f.rec.side(kC2S).data) == "abcdefgh");
  CHECK(f.dir.fin_consumed());
  CHECK(f.dir.next_seq() == 6u);
}

TEST_CASE("direction: buffer cap hit declares a gap and tcp.reassembly_limit") {
  Fixture f;
  f.limits.max_stream_buffered_segments = 2;
  f.add(0, "", tcp_flags::kSyn);
  CHECK(f.add(11, "k").anomalies.empty());
  CHECK(f.add(21, "u").anomalies.empty());
  auto out = f.add(31, "E");  // third out-of-order piece: no room
  CHECK(out.anomalies == std::vector<std::string>{"tcp.reassembly_limit"});
  CHECK(out.new_gap);
  // The hole 1..10 was given up, "k" delivered; "u" and "E" remain buffered.
  const auto& s = f.rec.side(kC2S);
  CHECK(text(s.data) == "k");
  CHECK(s.gaps == std::vector<RecordingConsumer::Gap>{{0, 10}});
  CHECK(f.dir.buffered_segments() == 2);
  CHECK(f.dir.missed_bytes() == 10);
}

TEST_CASE("direction: byte cap with one oversized piece delivers it after a gap") {
  Fixture f;
  f.limits.max_stream_buffered_bytes = 4;
  f.add(0, "", tcp_flags::kSyn);
  auto out = f.add(6, "0123456789");
  CHECK(out.anomalies == std::vector<std::string>{"tcp.reassembly_limit"});
  CHECK(text(f.rec.side(kC2S).data) == "0123456789");
  CHECK(f.rec.side(kC2S).gaps == std::vector<RecordingConsumer::Gap>{{0, 5}});
  CHECK(f.budget.used() == f.dir.window_bytes());
}

TEST_CASE("direction: the compare window is charged to the budget and never overdraws it") {
  Limits limits;
  {
    ReassemblyBudget budget(1 << 20);
    {
      TcpDirection d(limits, budget, nullptr, kC2S);
      SegmentOutcome out;
      d.add(0, tcp_flags::kSyn, {}, 0, 0, out);
      d.add(1, 0, b("abcdef"), 6, 0, out);
      CHECK(d.window_bytes() > 0);
      CHECK(budget.used() == d.window_bytes());
    }
    CHECK(budget.used() == 0);
  }
  {
    // No budget for a window: delivery still works and a later differing retransmission of
    // delivered bytes is not (wrongly) reported, because nothing was kept to compare with.
    ReassemblyBudget budget(100);
    RecordingConsumer rec;
    TcpDirection d(limits, budget, &rec, kC2S);
    SegmentOutcome out;
    d.add(0, tcp_flags::kSyn, {}, 0, 0, out);
    d.add(1, 0, b("abcdef"), 6, 0, out);
    d.add(7, 0, b("ghij"), 4, 0, out);
    CHECK(d.window_bytes() == 0);
    CHECK(budget.used() == 0);
    CHECK(text(rec.side(kC2S).data) == "abcdefghij");
    SegmentOutcome again;
    d.add(1, 0, b("XXXXXX"), 6, 0, again);
    CHECK(again.retransmission);
    CHECK(again.anomalies.empty());
  }
}

TEST_CASE("direction: destruction returns buffered bytes to the budget") {
  Limits limits;
  ReassemblyBudget budget(100);
  {
    TcpDirection d(limits, budget, nullptr, kC2S);
    SegmentOutcome out;
    d.add(0, tcp_flags::kSyn, {}, 0, 0, out);
    d.add(10, 0, b("abcdef"), 6, 0, out);
    CHECK(budget.used() == 6);
  }
  CHECK(budget.used() == 0);
}
