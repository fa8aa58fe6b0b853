// Splits one direction of a TCP stream into messages that each follow a big-endian length
// prefix: DNS over TCP (2 bytes, RFC 1035 section 4.2.2), Kerberos over TCP (4-byte record mark,
// RFC 4120 section 7.2.2). Several messages may share a segment and a message may span several;
// a message that arrives whole in one chunk is handed over without a copy.
//
// The protocol decides what a length means (check), gets each whole message (on_message) and
// names the anomalies: the framer only reports what happened (Verdict, GapEffect, unfinished()).
// Bounded: a message is collected only after check accepted its length, so the protocol's check
// is where the size limit lives.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app {

class LengthPrefixFramer {
 public:
  using Bytes = std::span<const uint8_t>;

  // What to do with a length read from a prefix.
  enum class Verdict : uint8_t {
    kCollect,  // collect `length` bytes as a message (0 bytes: nothing is delivered)
    kSkip,     // drop the next `length` bytes (a message too large or too short to parse)
    kStop,     // boundaries are lost for good: ignore the rest of this direction
  };

  // What a gap did to the framing.
  enum class GapEffect : uint8_t {
    kNone,         // nothing was expected (a stopped direction, an empty gap)
    kInSkipped,    // it fell inside bytes that were being dropped anyway
    kMessageLost,  // it fell inside the current message: that message is lost, the next one
                   // starts where this one would have ended
    kStopped,      // it crossed a message boundary: the next prefix cannot be found
  };

  // `prefix_bytes`: 1 to 4.
  explicit LengthPrefixFramer(size_t prefix_bytes) : prefix_bytes_(prefix_bytes) {}

  // Feeds stream bytes. check(uint32_t length, Bytes prefix) -> Verdict is called for every
  // complete prefix; on_message(Bytes message) for every complete message (the span is valid
  // during the call only).
  template <typename Check, typename OnMessage>
  void feed(Bytes data, Check&& check, OnMessage&& on_message) {
    size_t i = 0;
    while (i < data.size() && !stopped_) {
      const size_t left = data.size() - i;
      if (skip_ > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(skip_, left));
        skip_ -= n;
        i += n;
        continue;
      }
      if (!collecting_) {
        prefix_[have_prefix_++] = data[i++];
        if (have_prefix_ < prefix_bytes_) continue;
        have_prefix_ = 0;
        uint32_t length = 0;
        for (size_t k = 0; k < prefix_bytes_; ++k) length = (length << 8) | prefix_[k];
        switch (check(length, Bytes(prefix_, prefix_bytes_))) {
          case Verdict::kCollect:
            if (length > 0) {
              need_ = length;
              collecting_ = true;
            }
            break;
          case Verdict::kSkip:
            skip_ = length;
            break;
          case Verdict::kStop:
            stop();
            break;
        }
        continue;
      }
      if (buffer_.empty() && left >= need_) {
        const size_t n = need_;
        collecting_ = false;
        need_ = 0;
        on_message(data.subspan(i, n));
        i += n;
        continue;
      }
      const size_t n = std::min(need_ - buffer_.size(), left);
      buffer_.insert(buffer_.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
                     data.begin() + static_cast<std::ptrdiff_t>(i + n));
      i += n;
      if (buffer_.size() == need_) {
        std::vector<uint8_t> message = std::move(buffer_);
        buffer_ = {};
        collecting_ = false;
        need_ = 0;
        on_message(Bytes(message));
      }
    }
  }

  // `length` bytes of the stream are missing here.
  GapEffect gap(uint64_t length) {
    if (stopped_ || length == 0) return GapEffect::kNone;
    if (skip_ > 0 && length <= skip_) {
      skip_ -= length;
      return GapEffect::kInSkipped;
    }
    if (collecting_ && skip_ == 0 && length <= need_ - buffer_.size()) {
      lost_message_bytes_ = need_;
      skip_ = need_ - buffer_.size() - length;
      buffer_ = {};
      collecting_ = false;
      need_ = 0;
      return GapEffect::kMessageLost;
    }
    stop();
    return GapEffect::kStopped;
  }

  // The anomaly detail for a gap of `length` bytes that had `effect` ("" when it did no harm);
  // `prefix_name` names the prefix in the text ("length prefix", "record mark").
  std::string describe_gap(GapEffect effect, uint64_t length, std::string_view prefix_name) const {
    if (effect == GapEffect::kMessageLost) {
      return std::to_string(length) + " bytes missing inside a message of " +
             std::to_string(lost_message_bytes_) +
             " bytes; the message is lost, parsing resumes at the next one";
    }
    if (effect == GapEffect::kStopped) {
      return std::to_string(length) + " bytes missing across a message boundary; the next " +
             std::string(prefix_name) + " cannot be found, parsing of this direction stops";
    }
    return {};
  }

  // Length of the message a kMessageLost gap cut.
  size_t lost_message_bytes() const { return lost_message_bytes_; }

  bool stopped() const { return stopped_; }
  // At the end of the stream: inside a prefix, or inside a message (`collected` of `need`
  // bytes); nothing when the stream ended on a boundary or the direction had stopped.
  bool ended_in_prefix() const { return !stopped_ && !collecting_ && have_prefix_ > 0; }
  bool ended_in_message() const { return !stopped_ && collecting_; }
  size_t collected() const { return buffer_.size(); }
  size_t need() const { return need_; }

 private:
  void stop() {
    stopped_ = true;
    buffer_ = {};
    collecting_ = false;
    need_ = 0;
    skip_ = 0;
    have_prefix_ = 0;
  }

  size_t prefix_bytes_;
  uint8_t prefix_[4] = {};
  size_t have_prefix_ = 0;
  bool collecting_ = false;
  size_t need_ = 0;              // length of the message being collected
  std::vector<uint8_t> buffer_;  // its bytes so far (only when it spans chunks)
  uint64_t skip_ = 0;            // bytes still to drop
  bool stopped_ = false;
  size_t lost_message_bytes_ = 0;
};

}  // namespace netcap::app
