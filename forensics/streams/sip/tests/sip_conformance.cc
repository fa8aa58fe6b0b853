// SIP conformance: every frame tshark dissects as SIP (oracle frames.tsv) has a SIP record.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "proto/sip.pb.h"

using namespace netcap;
using namespace netcap::app;

// Conformance: every frame tshark dissects as SIP has a SIP record with its frame number.
TEST_CASE("sip conformance with the tshark frame table") {
  const std::string pcap = testing::shared_capture("sip-calls.pcap");
  if (pcap.empty()) return;
  std::ifstream in(std::string(NETCAP_SHARED_DIR) + "/pcaps/oracle/sip-calls.frames.tsv");
  REQUIRE(in);
  std::string line;
  std::getline(in, line);
  std::set<uint64_t> expected;
  while (std::getline(in, line)) {
    std::vector<std::string_view> cols = split(line, '\t');
    if (cols.size() > 5 && cols[5].find(":sip") != std::string_view::npos) {
      expected.insert(*parse_decimal(cols[0]));
    }
  }
  auto run = testing::run_capture(pcap, 1);
  REQUIRE(run.has_value());
  std::set<uint64_t> seen;
  for (const SIP* r : run.value().of<SIP>()) seen.insert(r->frame());
  size_t matched = 0;
  for (uint64_t f : expected) matched += seen.count(f);
  const size_t extra = seen.size() - matched;
  std::printf("sip-calls: %zu/%zu rows match, %zu extra\n", matched, expected.size(), extra);
  CHECK(matched == expected.size());
  CHECK(extra == 0);
}
