// Conformance against tshark: every shared capture whose oracle/<name>.dhcpv6.tsv has rows is
// run through the real engine; each tshark row must have a DHCPv6 record of the same frame with
// the same values (columns listed below), and no record may lack a tshark row.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "proto/dhcp.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

const std::filesystem::path kShared = NETCAP_SHARED_DIR;

// Differences that cannot be fixed, with the reason: (capture, frame, column).
struct KnownDifference {
  const char* capture;
  uint64_t frame;
  const char* column;
  const char* reason;
};
constexpr KnownDifference kKnown[] = {
    // None at present.
    {"", 0, "", ""},
};

bool known(const std::string& capture, uint64_t frame, const std::string& column) {
  for (const auto& k : kKnown) {
    if (capture == k.capture && frame == k.frame && column == k.column) return true;
  }
  return false;
}

std::string capture_file(const std::string& name) {
  for (const char* ext : {".pcap", ".pcapng", ".cap"}) {
    auto p = kShared / "pcaps" / (name + ext);
    if (std::filesystem::exists(p)) return p.string();
  }
  return {};
}

std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    for (std::string_view c : split(line, '\t')) cols.emplace_back(c);
    rows.push_back(std::move(cols));
  }
  return rows;
}

// tshark writes the transaction ID without leading zeros ("0x9de03f"); compare as numbers.
std::string normal_xid(const std::string& text) {
  if (text.size() < 3) return text;
  return std::to_string(std::stoul(text.substr(2), nullptr, 16));
}

std::map<std::string, std::string> columns_of(const DHCPv6& r) {
  std::string addresses, prefixes, vendor;
  for (const auto& ia : r.ias()) {
    for (const auto& a : ia.addresses()) addresses += (addresses.empty() ? "" : ",") + a.address();
    for (const auto& p : ia.prefixes()) prefixes += (prefixes.empty() ? "" : ",") + p.prefix();
  }
  for (const auto& v : r.vendorclass()) vendor += (vendor.empty() ? "" : ",") + v;
  return {
      {"msg_type", std::to_string(r.msgtype())},
      {"xid", normal_xid(r.transactionid())},
      {"client_duid", r.clientduid()},
      {"client_link_addr", r.clientlinkaddr()},
      {"client_fqdn", r.clientfqdn()},
      {"ia_addresses", addresses},
      {"ia_prefixes", prefixes},
      {"vendor_class", vendor},
  };
}

}  // namespace

TEST_CASE("dhcpv6 conformance with tshark") {
  if (!std::filesystem::exists(kShared / "pcaps" / "oracle")) return;
  std::vector<std::filesystem::path> oracles;
  for (const auto& e : std::filesystem::directory_iterator(kShared / "pcaps" / "oracle")) {
    const std::string n = e.path().filename().string();
    if (n.size() > 11 && n.ends_with(".dhcpv6.tsv")) oracles.push_back(e.path());
  }
  std::sort(oracles.begin(), oracles.end());
  size_t captures = 0;
  for (const auto& oracle : oracles) {
    auto rows = read_tsv(oracle);
    if (rows.size() < 2) continue;
    const std::string name = oracle.filename().string().substr(
        0, oracle.filename().string().size() - std::string_view(".dhcpv6.tsv").size());
    const std::string pcap = capture_file(name);
    REQUIRE_FALSE(pcap.empty());
    ++captures;
    const auto& header = rows[0];
    auto run = testing::run_capture(pcap);
    REQUIRE(run.has_value());
    std::map<uint64_t, std::vector<const DHCPv6*>> by_frame;
    for (const DHCPv6* r : run.value().of<DHCPv6>()) by_frame[r->frame()].push_back(r);
    std::map<uint64_t, size_t> used;
    size_t matched = 0, known_rows = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      auto row = rows[i];
      const uint64_t frame = std::stoull(row[0]);
      auto it = by_frame.find(frame);
      const size_t k = used[frame]++;
      if (it == by_frame.end() || k >= it->second.size()) {
        std::printf("  %s frame %llu: no DHCPv6 record\n", name.c_str(), (unsigned long long)frame);
        continue;
      }
      auto mine = columns_of(*it->second[k]);
      bool ok = true, only_known = true;
      for (size_t c = 0; c < header.size() && c < row.size(); ++c) {
        auto m = mine.find(header[c]);
        if (m == mine.end()) continue;
        const std::string theirs = header[c] == "xid" ? normal_xid(row[c]) : row[c];
        if (m->second == theirs) continue;
        ok = false;
        if (!known(name, frame, header[c])) only_known = false;
        std::printf("  %s frame %llu %s: tshark '%s', netcap '%s'%s\n", name.c_str(),
                    (unsigned long long)frame, header[c].c_str(), row[c].c_str(), m->second.c_str(),
                    known(name, frame, header[c]) ? " (known difference)" : "");
      }
      if (ok)
        ++matched;
      else if (only_known)
        ++known_rows;
    }
    // Records of frames tshark has no (or fewer) rows for.
    size_t extra = 0;
    for (const auto& [f, v] : by_frame) {
      const size_t expected = used.count(f) ? used[f] : 0;
      if (v.size() > expected) extra += v.size() - expected;
    }
    std::printf("%s: %zu/%zu rows match, %zu extra\n", name.c_str(), matched, rows.size() - 1,
                extra);
    CHECK(matched + known_rows == rows.size() - 1);
    CHECK(extra == 0);
  }
  CHECK(captures > 0);
}
