// Test helper: a StreamConsumer that records every call, so tests can assert on the exact
// data, gaps and end of each direction.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/reassembly/stream_consumer.h"

namespace netcap::testing {

class RecordingConsumer : public StreamConsumer {
 public:
  struct Gap {
    uint64_t at = 0;  // stream position (data + earlier gaps) where the gap starts
    uint64_t length = 0;
    bool operator==(const Gap&) const = default;
  };
  struct Side {
    std::vector<uint8_t> data;  // delivered bytes, gaps not included
    std::vector<Gap> gaps;
    uint64_t position = 0;  // data + gap bytes so far
    uint64_t data_calls = 0;
    // The stream with every gap filled with `fill` bytes.
    std::vector<uint8_t> with_gaps(uint8_t fill = 0) const {
      std::vector<uint8_t> out;
      size_t d = 0;
      for (const auto& g : gaps) {
        while (out.size() < g.at) out.push_back(data[d++]);
        out.insert(out.end(), g.length, fill);
      }
      out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(d), data.end());
      return out;
    }
    uint64_t gap_bytes() const {
      uint64_t n = 0;
      for (const auto& g : gaps) n += g.length;
      return n;
    }
  };

  void on_data(StreamDirection dir, std::span<const uint8_t> bytes, int64_t) override {
    if (ended) ++calls_after_end;
    if (bytes.empty()) ++empty_calls;
    Side& s = side(dir);
    s.data.insert(s.data.end(), bytes.begin(), bytes.end());
    s.position += bytes.size();
    ++s.data_calls;
  }
  void on_gap(StreamDirection dir, uint64_t length, int64_t) override {
    if (ended) ++calls_after_end;
    if (length == 0) ++empty_calls;
    Side& s = side(dir);
    // Adjacent gaps are one gap for the assertions (the split point is an implementation detail).
    if (!s.gaps.empty() && s.gaps.back().at + s.gaps.back().length == s.position) {
      s.gaps.back().length += length;
    } else {
      s.gaps.push_back({s.position, length});
    }
    s.position += length;
  }
  void on_end(StreamEndReason r, int64_t) override {
    if (ended) ++calls_after_end;
    ended = true;
    reason = r;
    ++end_calls;
  }

  Side& side(StreamDirection dir) { return sides[static_cast<int>(dir)]; }
  const Side& side(StreamDirection dir) const { return sides[static_cast<int>(dir)]; }

  Side sides[2];
  bool ended = false;
  int end_calls = 0;
  int calls_after_end = 0;
  int empty_calls = 0;
  StreamEndReason reason = StreamEndReason::kFin;
};

}  // namespace netcap::testing
