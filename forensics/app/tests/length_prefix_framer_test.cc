// LengthPrefixFramer: message boundaries across chunks, verdicts, gaps and the end of a stream.
#include "forensics/app/length_prefix_framer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using netcap::app::LengthPrefixFramer;
using Verdict = LengthPrefixFramer::Verdict;
using GapEffect = LengthPrefixFramer::GapEffect;

namespace {

std::vector<uint8_t> framed(const std::vector<std::string>& messages, size_t prefix) {
  std::vector<uint8_t> out;
  for (const std::string& m : messages) {
    for (size_t k = prefix; k-- > 0;) out.push_back(static_cast<uint8_t>(m.size() >> (8 * k)));
    out.insert(out.end(), m.begin(), m.end());
  }
  return out;
}

struct Run {
  LengthPrefixFramer framer;
  std::vector<std::string> messages;
  std::vector<uint32_t> lengths;
  Verdict (*decide)(uint32_t) = [](uint32_t) { return Verdict::kCollect; };
  explicit Run(size_t prefix) : framer(prefix) {}
  void feed(std::span<const uint8_t> bytes) {
    framer.feed(
        bytes,
        [&](uint32_t length, std::span<const uint8_t>) {
          lengths.push_back(length);
          return decide(length);
        },
        [&](std::span<const uint8_t> m) { messages.emplace_back(m.begin(), m.end()); });
  }
};

}  // namespace

TEST_CASE("framer: messages in one chunk, split byte by byte, and zero-length ones") {
  const auto bytes = framed({"hello", "", "a much longer message"}, 2);
  Run whole(2);
  whole.feed(bytes);
  CHECK(whole.messages == std::vector<std::string>{"hello", "a much longer message"});
  Run split(2);
  for (uint8_t b : bytes) split.feed(std::span<const uint8_t>(&b, 1));
  CHECK(split.messages == whole.messages);
  CHECK(split.lengths == std::vector<uint32_t>{5, 0, 21});
  CHECK_FALSE(split.framer.ended_in_prefix());
  CHECK_FALSE(split.framer.ended_in_message());
}

TEST_CASE("framer: four-byte prefixes, skip and stop verdicts") {
  Run r(4);
  r.decide = [](uint32_t length) {
    if (length & 0x80000000u) return Verdict::kStop;
    return length > 8 ? Verdict::kSkip : Verdict::kCollect;
  };
  auto bytes = framed({"short", "this one is too long", "ok"}, 4);
  r.feed(bytes);
  CHECK(r.messages == std::vector<std::string>{"short", "ok"});
  const std::vector<uint8_t> reserved{0x80, 0, 0, 1, 'x'};
  r.feed(reserved);
  CHECK(r.framer.stopped());
  r.feed(framed({"ignored"}, 4));
  CHECK(r.messages.size() == 2);
}

TEST_CASE("framer: gaps inside a message, inside skipped bytes and across boundaries") {
  SECTION("inside a message: it is lost and the next one is found") {
    Run r(2);
    auto bytes = framed({"0123456789", "next"}, 2);
    r.feed(std::span<const uint8_t>(bytes).first(5));  // prefix + 3 bytes
    CHECK(r.framer.ended_in_message());
    CHECK(r.framer.collected() == 3);
    const GapEffect effect = r.framer.gap(4);
    CHECK(effect == GapEffect::kMessageLost);
    CHECK(r.framer.lost_message_bytes() == 10);
    CHECK(r.framer.describe_gap(effect, 4, "length prefix") ==
          "4 bytes missing inside a message of 10 bytes; the message is lost, parsing resumes at "
          "the next one");
    r.feed(std::span<const uint8_t>(bytes).subspan(9));  // the message's last 3 bytes, "next"
    CHECK(r.messages == std::vector<std::string>{"next"});
  }
  SECTION("inside skipped bytes") {
    Run r(2);
    r.decide = [](uint32_t) { return Verdict::kSkip; };
    r.feed(framed({"skipped!"}, 2));
    std::vector<uint8_t> head{0, 20};
    r.feed(head);
    CHECK(r.framer.gap(5) == GapEffect::kInSkipped);
    CHECK(r.framer.describe_gap(GapEffect::kInSkipped, 5, "length prefix").empty());
    CHECK_FALSE(r.framer.stopped());
  }
  SECTION("across a boundary: the direction stops") {
    Run r(2);
    auto bytes = framed({"abc"}, 2);
    r.feed(std::span<const uint8_t>(bytes).first(3));
    CHECK(r.framer.describe_gap(r.framer.gap(10), 10, "record mark") ==
          "10 bytes missing across a message boundary; the next record mark cannot be found, "
          "parsing of this direction stops");
    CHECK(r.framer.stopped());
    CHECK(r.framer.gap(1) == GapEffect::kNone);
  }
  SECTION("the end inside a prefix") {
    Run r(4);
    std::vector<uint8_t> half{0, 0};
    r.feed(half);
    CHECK(r.framer.ended_in_prefix());
  }
}
