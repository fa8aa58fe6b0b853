// Conformance against tshark (there is no NTP oracle table): every shared capture whose
// oracle/<name>.frames.tsv has frames tshark dissects as NTP must give exactly those frames an
// NTP record, and no other frame may get one.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "proto/ntp.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

const std::filesystem::path kShared = NETCAP_SHARED_DIR;

std::string capture_file(const std::string& name) {
  for (const char* ext : {".pcap", ".pcapng", ".cap"}) {
    auto p = kShared / "pcaps" / (name + ext);
    if (std::filesystem::exists(p)) return p.string();
  }
  return {};
}

// Frames whose tshark protocol stack (column 6, frame.protocols) contains ":ntp".
std::set<uint64_t> ntp_frames(const std::filesystem::path& frames_tsv) {
  std::set<uint64_t> out;
  std::ifstream in(frames_tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string_view> cols = split(line, '\t');
    if (cols.size() < 6) continue;
    const std::string protocols = std::string(cols[5]) + ":";
    if (protocols.find(":ntp:") != std::string::npos) out.insert(*parse_decimal(cols[0]));
  }
  return out;
}

}  // namespace

TEST_CASE("ntp conformance with tshark (frames dissected as NTP)") {
  if (!std::filesystem::exists(kShared / "pcaps" / "oracle")) return;
  std::vector<std::filesystem::path> tables;
  for (const auto& e : std::filesystem::directory_iterator(kShared / "pcaps" / "oracle")) {
    if (e.path().filename().string().ends_with(".frames.tsv")) tables.push_back(e.path());
  }
  std::sort(tables.begin(), tables.end());
  size_t captures = 0;
  for (const auto& table : tables) {
    const std::set<uint64_t> expected = ntp_frames(table);
    if (expected.empty()) continue;
    const std::string file = table.filename().string();
    const std::string name = file.substr(0, file.size() - std::string_view(".frames.tsv").size());
    const std::string pcap = capture_file(name);
    REQUIRE_FALSE(pcap.empty());
    ++captures;
    auto run = testing::run_capture(pcap);
    REQUIRE(run.has_value());
    std::multiset<uint64_t> seen;
    for (const NTP* r : run.value().of<NTP>()) seen.insert(r->frame());
    size_t matched = 0;
    for (uint64_t f : expected) matched += seen.count(f) > 0 ? 1 : 0;
    size_t extra = 0;
    for (uint64_t f : seen) extra += expected.count(f) ? 0 : 1;
    for (uint64_t f : expected) {
      if (seen.count(f) != 1)
        std::printf("  %s frame %llu: %zu NTP records\n", name.c_str(), (unsigned long long)f,
                    seen.count(f));
    }
    std::printf("%s: %zu/%zu rows match, %zu extra\n", name.c_str(), matched, expected.size(),
                extra);
    CHECK(matched == expected.size());
    CHECK(extra == 0);
    CHECK(seen.size() == matched);
  }
  CHECK(captures > 0);
}
