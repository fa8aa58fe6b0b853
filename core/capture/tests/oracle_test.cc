// Every capture of the shared corpus against tshark's oracle (../shared/pcaps/oracle):
// packet count, first/last timestamps, byte sums, pcapng interface ids, damaged files.
#include <catch2/catch.hpp>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/capture/tests/capture_test_util.h"

namespace netcap::test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Raw value of a top-level scalar key in the oracle's summary.json (strings without quotes).
// The files are written by jq with one key per line, so a line scan suffices.
std::string json_value(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return "";
  at = json.find_first_not_of(" ", at + key.size() + 3);
  size_t end = json.find('\n', at);
  std::string v = json.substr(at, end - at);
  if (!v.empty() && v.back() == ',') v.pop_back();
  if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

// "1494364058.429337000" -> nanoseconds
int64_t parse_ts(const std::string& s) {
  size_t dot = s.find('.');
  REQUIRE(dot != std::string::npos);
  REQUIRE(s.size() - dot - 1 == 9);
  // tshark prints 64-bit pcapng timestamps unsigned, so times past 2262 occur
  // (pcapng-eth-sll-comments: 0xffffffff... µs = 18446744073204 s). int64 nanoseconds cannot
  // hold them; our readers saturate them to INT64_MAX (a documented difference).
  const unsigned long long seconds = std::stoull(s.substr(0, dot));
  if (seconds > static_cast<unsigned long long>(INT64_MAX / 1'000'000'000)) return INT64_MAX;
  return static_cast<int64_t>(seconds) * 1'000'000'000 + std::stoll(s.substr(dot + 1));
}

// The iface column (5th) of NAME.frames.tsv, one entry per frame.
std::vector<std::string> iface_column(const fs::path& tsv) {
  std::vector<std::string> out;
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    size_t pos = 0;
    for (int i = 0; i < 4; ++i) pos = line.find('\t', pos) + 1;
    out.push_back(line.substr(pos, line.find('\t', pos) - pos));
  }
  return out;
}

}  // namespace

TEST_CASE("oracle: every shared capture agrees with tshark") {
  const fs::path dir = fs::path(NETCAP_SHARED_DIR) / "pcaps";
  if (!fs::exists(dir / "oracle")) {
    WARN("skipped: " << dir.string() << " not present");
    return;
  }
  std::vector<fs::path> captures;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng" || ext == ".cap")) {
      captures.push_back(e.path());
    }
  }
  std::sort(captures.begin(), captures.end());
  REQUIRE(captures.size() > 0);
  size_t agreeing = 0;
  for (const fs::path& capture : captures) {
    const std::string name = capture.stem().string();
    CAPTURE(name);
    const fs::path summary_path = dir / "oracle" / (name + ".summary.json");
    REQUIRE(fs::exists(summary_path));
    const std::string summary = slurp(summary_path);

    auto source = open_file_source({capture.string()}, {});
    INFO(source.status().message());
    REQUIRE(source.has_value());
    ReadResult r = drain(**source);

    const uint64_t packets = std::stoull(json_value(summary, "packets"));
    uint64_t wire = 0, captured = 0;
    for (const RawPacket& p : r.packets) {
      wire += p.wire_len;
      captured += p.cap_len();
    }
    bool fatal = false;
    for (const SourceIssue& i : r.issues) fatal = fatal || i.fatal_for_file;
    const bool oracle_error = !json_value(summary, "read_errors").empty();

    CHECK(r.packets.size() == packets);
    CHECK(wire == std::stoull(json_value(summary, "bytes_on_wire")));
    CHECK(captured == std::stoull(json_value(summary, "bytes_captured")));
    CHECK(fatal == oracle_error);
    bool ts_ok = true;
    if (packets > 0 && !r.packets.empty()) {
      ts_ok = r.packets.front().ts_ns == parse_ts(json_value(summary, "first_ts")) &&
              r.packets.back().ts_ns == parse_ts(json_value(summary, "last_ts"));
      CHECK(r.packets.front().ts_ns == parse_ts(json_value(summary, "first_ts")));
      CHECK(r.packets.back().ts_ns == parse_ts(json_value(summary, "last_ts")));
    }
    size_t iface_mismatch = 0;
    if (json_value(summary, "file_type") == "pcapng") {
      std::vector<std::string> ifaces = iface_column(dir / "oracle" / (name + ".frames.tsv"));
      REQUIRE(ifaces.size() == r.packets.size());
      for (size_t i = 0; i < ifaces.size(); ++i) {
        if (ifaces[i] != std::to_string(r.packets[i].interface)) ++iface_mismatch;
      }
      CHECK(iface_mismatch == 0);
    }
    const bool agree = r.packets.size() == packets && ts_ok && iface_mismatch == 0 &&
                       fatal == oracle_error &&
                       wire == std::stoull(json_value(summary, "bytes_on_wire")) &&
                       captured == std::stoull(json_value(summary, "bytes_captured"));
    agreeing += agree ? 1 : 0;
    std::printf("capture oracle: %-45s %s packets %llu/%llu bytes %llu/%s%s\n",
                capture.filename().string().c_str(), agree ? "AGREE   " : "DISAGREE",
                static_cast<unsigned long long>(r.packets.size()),
                static_cast<unsigned long long>(packets), static_cast<unsigned long long>(wire),
                json_value(summary, "bytes_on_wire").c_str(),
                fatal ? (" issue: " + r.issues.back().reason).c_str() : "");
  }
  std::printf("capture oracle: %zu of %zu captures agree with tshark\n", agreeing, captures.size());
  CHECK(agreeing == captures.size());
}

TEST_CASE("oracle: the whole corpus as one directory source, merged") {
  const fs::path dir = fs::path(NETCAP_SHARED_DIR) / "pcaps";
  if (!fs::exists(dir / "oracle")) {
    WARN("skipped: " << dir.string() << " not present");
    return;
  }
  auto source = open_file_source({dir.string()}, {});
  INFO(source.status().message());
  REQUIRE(source.has_value());
  // Non-capture files (MANIFEST.md, oracle tables) are notes; two damaged files are fatal.
  uint64_t expected = 0;
  size_t captures = 0;
  for (const std::string& input : (*source)->inputs()) {
    std::string stem = fs::path(input).stem().string();
    std::string summary = slurp(dir / "oracle" / (stem + ".summary.json"));
    expected += std::stoull(json_value(summary, "packets"));
    ++captures;
  }
  ReadResult r = drain(**source);
  CHECK(r.packets.size() == expected);
  int64_t previous = INT64_MIN;
  size_t backwards = 0;
  for (size_t i = 0; i < r.packets.size(); ++i) {
    REQUIRE(r.packets[i].frame == i + 1);
    if (r.packets[i].ts_ns < previous) ++backwards;
    previous = r.packets[i].ts_ns;
  }
  size_t fatal = 0;
  for (const SourceIssue& i : r.issues) fatal += i.fatal_for_file ? 1 : 0;
  CHECK(fatal == 2);
  std::printf(
      "capture oracle: merged %zu captures, %zu frames, %zu steps back in time "
      "(from files whose own timestamps go backwards)\n",
      captures, r.packets.size(), backwards);
}

}  // namespace netcap::test
