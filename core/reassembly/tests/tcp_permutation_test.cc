// Permutes real TCP conversations from ../shared/pcaps and checks that reassembly gives the
// same byte streams as the capture order (reorder, duplicate, split + overlap, 2^32 wrap), exact
// gaps for dropped bytes, and first-copy-wins plus tcp.overlap_mismatch for a differing copy.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "core/reassembly/tcp_connection_reassembler.h"
#include "core/reassembly/tests/pcap_streams.h"
#include "core/reassembly/tests/recording_consumer.h"

using namespace netcap;
using netcap::testing::Conversation;
using netcap::testing::OwnedSegment;
using netcap::testing::RecordingConsumer;

namespace {

constexpr StreamDirection kDirs[2] = {StreamDirection::kClientToServer,
                                      StreamDirection::kServerToClient};

const char* const kCaptures[] = {
    "http-pdf-download.pcap",    "http-exe-download.pcap",
    "tcp-retrans-ooo-http.pcap", "smtp-auth-multipart-attachments.pcap",
    "smtp-zip-attachment.pcap",  "pop3-retr.pcap",
};

struct Run {
  std::unique_ptr<RecordingConsumer> rec = std::make_unique<RecordingConsumer>();
  std::map<std::string, int> anomalies;
  uint64_t retransmissions = 0;
  size_t budget_left = 0;
};

Run run(const std::vector<OwnedSegment>& segs, bool with_acks) {
  Run r;
  Limits limits;
  ReassemblyBudget budget(limits.max_shard_buffered_bytes);
  {
    TcpConnectionReassembler c(limits, budget, r.rec.get());
    for (const auto& s : segs) {
      TcpSegment v = s.view();
      if (!with_acks) v.flags &= static_cast<uint8_t>(~tcp_flags::kAck);
      auto out = c.add(v);
      for (const auto& a : out.anomalies) ++r.anomalies[a];
      r.retransmissions += out.retransmission ? 1 : 0;
    }
    c.close(StreamEndReason::kEndOfCapture, 0);
    r.budget_left = budget.used() - c.window_bytes();  // out-of-order bytes still held
  }
  return r;
}

bool is_data(const OwnedSegment& s) { return !s.payload.empty(); }

// A conversation usable for permutations: SYN in both directions, no truncated payloads, no RST
// data, and a reference run without gaps or anomalies.
struct Prepared {
  std::string name;
  std::vector<OwnedSegment> canonical;  // every data byte exactly once, controls separate
  uint32_t data_start[2] = {0, 0};      // ISN + 1 per direction
  std::vector<uint8_t> reference[2];
};

// Splits the capture's segments into control segments and data pieces carrying only bytes not
// seen before (the capture's own retransmissions removed), so tests control every copy.
bool prepare(const Conversation& conv, Prepared& p) {
  p.name = conv.name;
  bool syn[2] = {false, false};
  for (const auto& s : conv.segments) {
    const int d = static_cast<int>(s.dir);
    if ((s.flags & tcp_flags::kSyn) && !syn[d]) {
      syn[d] = true;
      p.data_start[d] = s.seq + 1;
    }
    if (s.payload.size() != s.payload_length) return false;
  }
  if (!syn[0] || !syn[1]) return false;
  Run ref = run(conv.segments, true);
  for (int d = 0; d < 2; ++d) {
    const auto& side = ref.rec->sides[d];
    if (!side.gaps.empty()) return false;
    p.reference[d] = side.data;
  }
  if (!ref.anomalies.empty()) return false;
  if (p.reference[0].size() + p.reference[1].size() < 200) return false;

  std::map<uint64_t, uint64_t> covered[2];  // begin -> end, relative offsets
  for (const auto& s : conv.segments) {
    const int d = static_cast<int>(s.dir);
    const bool syn_flag = (s.flags & tcp_flags::kSyn) != 0;
    const uint32_t data_seq = s.seq + (syn_flag ? 1 : 0);
    if (syn_flag) {
      OwnedSegment c = s;
      c.payload.clear();
      c.payload_length = 0;
      c.flags &= static_cast<uint8_t>(~tcp_flags::kFin);
      p.canonical.push_back(c);
    }
    const uint64_t begin = static_cast<uint32_t>(data_seq - p.data_start[d]);
    const uint64_t end = begin + s.payload.size();
    if (!s.payload.empty() && end > p.reference[d].size()) return false;  // after FIN
    uint64_t pos = begin;
    bool emitted = false;
    while (pos < end) {
      auto it = covered[d].upper_bound(pos);
      if (it != covered[d].begin() && std::prev(it)->second > pos) {
        pos = std::min(end, std::prev(it)->second);
        continue;
      }
      const uint64_t stop = it == covered[d].end() ? end : std::min(end, it->first);
      OwnedSegment piece = s;
      piece.flags &= static_cast<uint8_t>(~(tcp_flags::kSyn | tcp_flags::kFin));
      piece.seq = static_cast<uint32_t>(p.data_start[d] + pos);
      piece.payload.assign(s.payload.begin() + static_cast<std::ptrdiff_t>(pos - begin),
                           s.payload.begin() + static_cast<std::ptrdiff_t>(stop - begin));
      piece.payload_length = static_cast<uint32_t>(piece.payload.size());
      p.canonical.push_back(piece);
      covered[d][pos] = stop;
      emitted = true;
      pos = stop;
    }
    if (s.flags & tcp_flags::kFin) {
      OwnedSegment c = s;
      c.flags &= static_cast<uint8_t>(~tcp_flags::kSyn);
      c.seq = static_cast<uint32_t>(data_seq + s.payload.size());
      c.payload.clear();
      c.payload_length = 0;
      p.canonical.push_back(c);
    } else if (!syn_flag && !emitted && s.payload.empty()) {
      p.canonical.push_back(s);  // pure ACK / RST
    }
  }
  return true;
}

std::vector<Prepared> load_all() {
  std::vector<Prepared> out;
  const std::filesystem::path dir = std::filesystem::path(NETCAP_SHARED_DIR) / "pcaps";
  for (const char* file : kCaptures) {
    std::string error;
    auto convs = netcap::testing::read_conversations((dir / file).string(), &error);
    INFO(file << ": " << error);
    REQUIRE(error.empty());
    for (const auto& conv : convs) {
      Prepared p;
      if (prepare(conv, p)) out.push_back(std::move(p));
    }
  }
  return out;
}

bool shared_dir_present() {
  if (std::filesystem::exists(std::filesystem::path(NETCAP_SHARED_DIR) / "pcaps")) return true;
  WARN("SKIPPED: " << NETCAP_SHARED_DIR << "/pcaps not found");
  return false;
}

void expect_same_streams(const Prepared& p, const Run& r) {
  INFO(p.name);
  for (int d = 0; d < 2; ++d) {
    CHECK(r.rec->sides[d].gaps.empty());
    CHECK(r.rec->sides[d].data == p.reference[d]);
  }
  CHECK(r.rec->end_calls == 1);
  CHECK(r.rec->calls_after_end == 0);
  CHECK(r.budget_left == 0);
}

// Shuffles the segments after the last SYN within windows of 2..8 segments (the SYNs stay first:
// a stream that starts without its SYN legitimately loses earlier bytes).
void shuffle_windows(std::vector<OwnedSegment>& segs, std::mt19937& rng) {
  size_t start = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].flags & tcp_flags::kSyn) start = i + 1;
  }
  std::uniform_int_distribution<size_t> wdist(2, 8);
  for (size_t i = start; i < segs.size();) {
    const size_t w = std::min(wdist(rng), segs.size() - i);
    std::shuffle(segs.begin() + static_cast<std::ptrdiff_t>(i),
                 segs.begin() + static_cast<std::ptrdiff_t>(i + w), rng);
    i += w;
  }
}

}  // namespace

TEST_CASE("permute: real streams load and the capture order reassembles cleanly") {
  if (!shared_dir_present()) return;
  auto all = load_all();
  // Enough real conversations must qualify, or every other test here proves nothing.
  REQUIRE(all.size() >= 6);
  uint64_t total = 0;
  for (const auto& p : all) {
    // The canonical segments (capture retransmissions removed) give the same streams, with and
    // without ACKs.
    expect_same_streams(p, run(p.canonical, true));
    expect_same_streams(p, run(p.canonical, false));
    total += p.reference[0].size() + p.reference[1].size();
  }
  CHECK(total > 300'000);  // the PDF and EXE downloads are in there
}

TEST_CASE("permute: reorder within windows gives the same streams") {
  if (!shared_dir_present()) return;
  std::mt19937 rng(20240601);
  for (const auto& p : load_all()) {
    for (int round = 0; round < 3; ++round) {
      auto segs = p.canonical;
      shuffle_windows(segs, rng);
      Run r = run(segs, false);
      expect_same_streams(p, r);
      CHECK(r.anomalies.empty());
    }
  }
}

TEST_CASE("permute: duplicated segments are retransmissions, streams unchanged") {
  if (!shared_dir_present()) return;
  std::mt19937 rng(7);
  for (const auto& p : load_all()) {
    std::vector<OwnedSegment> segs;
    std::vector<std::pair<size_t, OwnedSegment>> later;
    uint64_t dups = 0;
    std::bernoulli_distribution pick(0.25);
    std::uniform_int_distribution<size_t> delay(0, 6);
    for (const auto& s : p.canonical) {
      segs.push_back(s);
      if (is_data(s) && pick(rng)) later.emplace_back(segs.size() + delay(rng), s);
      for (auto it = later.begin(); it != later.end();) {
        if (it->first <= segs.size()) {
          segs.push_back(it->second);
          ++dups;
          it = later.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& l : later) {
      segs.push_back(l.second);
      ++dups;
    }
    Run r = run(segs, true);
    expect_same_streams(p, r);
    CHECK(r.anomalies.empty());
    CHECK(r.retransmissions == dups);
  }
}

TEST_CASE("permute: split and overlapping pieces with identical bytes, reordered") {
  if (!shared_dir_present()) return;
  std::mt19937 rng(99);
  for (const auto& p : load_all()) {
    std::vector<OwnedSegment> segs;
    for (const auto& s : p.canonical) {
      if (s.payload.size() < 4) {
        segs.push_back(s);
        continue;
      }
      std::uniform_int_distribution<size_t> cut(1, s.payload.size() - 1);
      std::vector<size_t> cuts = {0, cut(rng), cut(rng), s.payload.size()};
      std::sort(cuts.begin(), cuts.end());
      auto piece = [&](size_t a, size_t b) {
        OwnedSegment x = s;
        x.seq = s.seq + static_cast<uint32_t>(a);
        x.payload.assign(s.payload.begin() + static_cast<std::ptrdiff_t>(a),
                         s.payload.begin() + static_cast<std::ptrdiff_t>(b));
        x.payload_length = static_cast<uint32_t>(x.payload.size());
        return x;
      };
      for (size_t i = 0; i + 1 < cuts.size(); ++i) {
        if (cuts[i] < cuts[i + 1]) segs.push_back(piece(cuts[i], cuts[i + 1]));
      }
      // An overlapping piece across the cuts, same bytes.
      size_t a = cut(rng), b = cut(rng);
      if (a > b) std::swap(a, b);
      segs.push_back(piece(a - 1, b + 1));
    }
    shuffle_windows(segs, rng);
    Run r = run(segs, false);
    expect_same_streams(p, r);
    CHECK(r.anomalies.empty());
  }
}

TEST_CASE("permute: dropped segments become exact gaps, other bytes identical") {
  if (!shared_dir_present()) return;
  std::mt19937 rng(4242);
  for (const auto& p : load_all()) {
    INFO(p.name);
    // Drop ~15% of data segments, never the one carrying the last byte of a direction.
    std::bernoulli_distribution drop(0.15);
    std::vector<OwnedSegment> segs;
    std::vector<std::vector<uint8_t>> expected = {p.reference[0], p.reference[1]};
    std::vector<bool> lost[2] = {std::vector<bool>(p.reference[0].size()),
                                 std::vector<bool>(p.reference[1].size())};
    uint64_t dropped = 0;
    for (const auto& s : p.canonical) {
      const int d = static_cast<int>(s.dir);
      const uint64_t off = static_cast<uint32_t>(s.seq - p.data_start[d]);
      if (is_data(s) && off + s.payload.size() < p.reference[d].size() && drop(rng)) {
        for (uint64_t i = off; i < off + s.payload.size(); ++i) {
          lost[d][i] = true;
          expected[d][i] = 0;
        }
        dropped += s.payload.size();
        continue;
      }
      segs.push_back(s);
    }
    Run r = run(segs, true);
    uint64_t gap_bytes = 0;
    for (int d = 0; d < 2; ++d) {
      const auto& side = r.rec->sides[d];
      CHECK(side.with_gaps(0) == expected[d]);
      // Gaps are exactly the lost runs.
      std::vector<RecordingConsumer::Gap> runs;
      for (uint64_t i = 0; i < lost[d].size(); ++i) {
        if (!lost[d][i]) continue;
        if (!runs.empty() && runs.back().at + runs.back().length == i) {
          ++runs.back().length;
        } else {
          runs.push_back({i, 1});
        }
      }
      CHECK(side.gaps == runs);
      gap_bytes += side.gap_bytes();
    }
    CHECK(gap_bytes == dropped);
    CHECK(r.budget_left == 0);
  }
}

TEST_CASE("permute: a differing copy is tcp.overlap_mismatch and the first copy wins") {
  if (!shared_dir_present()) return;
  std::mt19937 rng(31337);
  for (const auto& p : load_all()) {
    INFO(p.name);
    std::vector<size_t> candidates;
    for (size_t i = 0; i < p.canonical.size(); ++i) {
      if (p.canonical[i].payload.size() >= 2) candidates.push_back(i);
    }
    if (candidates.empty()) continue;
    const size_t k =
        candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng)];
    const OwnedSegment& orig = p.canonical[k];
    OwnedSegment evil = orig;
    const size_t flip = std::uniform_int_distribution<size_t>(0, evil.payload.size() - 1)(rng);
    evil.payload[flip] ^= 0x5a;
    const int d = static_cast<int>(orig.dir);
    const uint64_t off = static_cast<uint32_t>(orig.seq - p.data_start[d]);

    // The differing copy after the original: stream unchanged.
    auto after = p.canonical;
    after.insert(after.begin() + static_cast<std::ptrdiff_t>(k + 1), evil);
    Run r1 = run(after, true);
    expect_same_streams(p, r1);
    CHECK(r1.anomalies == std::map<std::string, int>{{"tcp.overlap_mismatch", 1}});

    // The differing copy first: its byte wins, the original is the mismatch.
    auto before = p.canonical;
    before.insert(before.begin() + static_cast<std::ptrdiff_t>(k), evil);
    Run r2 = run(before, true);
    auto expected = p.reference[d];
    expected[off + flip] ^= 0x5a;
    CHECK(r2.rec->sides[d].data == expected);
    CHECK(r2.rec->sides[1 - d].data == p.reference[1 - d]);
    CHECK(r2.anomalies == std::map<std::string, int>{{"tcp.overlap_mismatch", 1}});
  }
}

TEST_CASE("permute: sequence numbers shifted to wrap at 2^32 give the same streams") {
  if (!shared_dir_present()) return;
  for (const auto& p : load_all()) {
    // Shift each direction so that the middle of its stream sits at 2^32.
    uint32_t shift[2];
    for (int d = 0; d < 2; ++d) {
      const auto half = static_cast<uint32_t>(p.reference[d].size() / 2);
      shift[d] = 0u - (p.data_start[d] + half);
    }
    auto segs = p.canonical;
    for (auto& s : segs) {
      const int d = static_cast<int>(s.dir);
      s.seq += shift[d];
      s.ack += shift[1 - d];
    }
    Run r = run(segs, true);
    expect_same_streams(p, r);
    CHECK(r.anomalies.empty());
    // And with the reordering on top.
    std::mt19937 rng(5);
    shuffle_windows(segs, rng);
    expect_same_streams(p, run(segs, false));
  }
}
