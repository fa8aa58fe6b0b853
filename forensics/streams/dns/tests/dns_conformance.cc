// Conformance: our DNS records against tshark's (shared/pcaps/oracle/<name>.dns.tsv, see
// oracle/README.md), for every capture with a non-empty table. Only Protocol == "dns" (tshark's
// table leaves mDNS and LLMNR out). Rows are matched by (frame for UDP, else timestamp) + ID and
// compared on is_response, dns_id, opcode, rcode, flags, qname, qtype, an_count, ns_count,
// ar_count and answers. Prints "<capture>: M/N rows match, E extra" and the first mismatches.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "proto/dns.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

// Known differences: rows (capture, frame) where tshark and we disagree on purpose, with the
// reason. A listed row does not count as a failure (it is still printed).
struct KnownDifference {
  const char* capture;
  uint64_t frame;
  const char* reason;
};
const KnownDifference kKnownDifferences[] = {
    // (none needed so far)
    {"", 0, ""},
};

// Adaptations to tshark 4.0's way of writing the answers column (not differences in decoding;
// see also tshark_tree_label below for the order):
//  * SRV: tshark 4.0 splits an SRV owner into service/proto/name fields and gives no
//    dns.resp.name, so its answer entry starts with an empty owner ("" + " SRV ...").
std::string tshark_answer(const DNSResourceRecord& rr) {
  std::string a = rr.answer();
  if (rr.type() == 33) a = a.substr(rr.name().size());
  return a;
}

// tshark's JSON output (which the oracle is made from) gathers entries with the same key text
// into one array at the place of the first: answers whose tree label is identical are listed
// together. The label holds owner, type, class and a short form of the data (the address, the
// target, MX/SRV fields, only the mname for SOA, nothing for DNSSEC and other types).
std::string tshark_tree_label(const DNSResourceRecord& rr) {
  switch (rr.type()) {
    case 1:
    case 2:
    case 5:
    case 12:
    case 15:
    case 28:
    case 33:
      return rr.answer() + "/" + std::to_string(rr.class_());
    case 6:
      return rr.name() + " SOA " + rr.soa().mname() + "/" + std::to_string(rr.class_());
    default:
      return rr.name() + " " + rr.typename_() + "/" + std::to_string(rr.class_());
  }
}

const std::vector<std::string> kColumns = {"is_response", "dns_id",   "opcode", "rcode",
                                           "flags",       "qname",    "qtype",  "an_count",
                                           "ns_count",    "ar_count", "answers"};

std::vector<std::string> our_row(const DNS& d) {
  char id[8];
  std::snprintf(id, sizeof id, "0x%04x", static_cast<unsigned>(d.id()));
  std::string flags;
  for (auto [name, on] :
       {std::pair{"AA", d.aa()}, {"TC", d.tc()}, {"RD", d.rd()}, {"RA", d.ra()}}) {
    if (!on) continue;
    if (!flags.empty()) flags += ',';
    flags += name;
  }
  std::string qname, qtype, answers;
  for (const auto& q : d.questions()) {
    if (!qname.empty() || !qtype.empty()) qname += ',', qtype += ',';
    qname += q.name();
    qtype += std::to_string(q.type());
  }
  std::vector<bool> done(static_cast<size_t>(d.answers_size()), false);
  for (int i = 0; i < d.answers_size(); ++i) {
    if (done[static_cast<size_t>(i)]) continue;
    const std::string label = tshark_tree_label(d.answers(i));
    for (int j = i; j < d.answers_size(); ++j) {
      if (done[static_cast<size_t>(j)] || tshark_tree_label(d.answers(j)) != label) continue;
      done[static_cast<size_t>(j)] = true;
      if (!answers.empty()) answers += ';';
      answers += tshark_answer(d.answers(j));
    }
  }
  return {d.qr() ? "1" : "0",
          id,
          std::to_string(d.opcode()),
          d.qr() ? std::to_string(d.responsecode() & 0xF) : "",
          flags,
          qname,
          qtype,
          std::to_string(d.ancount()),
          std::to_string(d.nscount()),
          std::to_string(d.arcount()),
          answers};
}

struct OracleRow {
  uint64_t frame = 0;
  int64_t ts_ns = 0;
  std::string transport;
  std::string id;
  std::vector<std::string> values;  // kColumns order
};

int64_t parse_ts(const std::string& s) {
  const size_t dot = s.find('.');
  int64_t sec = std::stoll(s.substr(0, dot));
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  frac.resize(9, '0');
  return sec * 1'000'000'000 + std::stoll(frac);
}

std::vector<OracleRow> read_oracle(const std::string& path) {
  std::vector<OracleRow> rows;
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    for (std::string_view c : split(line, '\t')) cells.emplace_back(c);
    if (header.empty()) {
      header = cells;
      continue;
    }
    cells.resize(header.size());
    auto col = [&](const std::string& name) -> std::string {
      auto it = std::find(header.begin(), header.end(), name);
      return it == header.end() ? "" : cells[static_cast<size_t>(it - header.begin())];
    };
    OracleRow r;
    r.frame = std::stoull(col("frame"));
    r.ts_ns = parse_ts(col("ts"));
    r.transport = col("transport");
    r.id = col("dns_id");
    for (const auto& c : kColumns) r.values.push_back(col(c));
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string capture_for(const std::string& dir, const std::string& name) {
  for (const char* ext : {".pcap", ".pcapng", ".cap"}) {
    if (std::filesystem::exists(dir + "/" + name + ext)) return dir + "/" + name + ext;
  }
  return {};
}

}  // namespace

TEST_CASE("dns conformance with tshark's dns tables") {
  const std::string dir = std::string(NETCAP_SHARED_DIR) + "/pcaps";
  if (!std::filesystem::exists(dir + "/oracle")) {
    WARN("../shared/pcaps/oracle not present: skipped");
    return;
  }
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/oracle")) {
    const std::string f = e.path().filename().string();
    const std::string suffix = ".dns.tsv";
    if (f.size() > suffix.size() &&
        f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) {
      names.push_back(f.substr(0, f.size() - suffix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  size_t total = 0, total_matched = 0, total_extra = 0, unexplained = 0, captures = 0;
  for (const std::string& name : names) {
    std::vector<OracleRow> rows = read_oracle(dir + "/oracle/" + name + ".dns.tsv");
    if (rows.empty()) continue;
    const std::string pcap = capture_for(dir, name);
    if (pcap.empty()) continue;
    ++captures;
    auto run = testing::run_capture(pcap);
    REQUIRE(run);
    std::vector<const DNS*> ours;
    for (const DNS* d : run->of<DNS>()) {
      if (d->protocol() == "dns") ours.push_back(d);
    }
    std::vector<bool> used(ours.size(), false);
    size_t matched = 0;
    std::vector<std::string> mismatches;
    for (const OracleRow& row : rows) {
      const DNS* hit = nullptr;
      for (size_t i = 0; i < ours.size() && hit == nullptr; ++i) {
        if (used[i]) continue;
        const DNS& d = *ours[i];
        const bool same_place = row.transport == "udp"
                                    ? d.transport() == "udp" && d.frame() == row.frame
                                    : d.transport() == row.transport && d.timestamp() == row.ts_ns;
        if (!same_place || our_row(d)[1] != row.id) continue;
        used[i] = true;
        hit = &d;
      }
      std::string problem;
      if (hit == nullptr) {
        problem = "no record";
      } else {
        std::vector<std::string> mine = our_row(*hit);
        for (size_t c = 0; c < kColumns.size(); ++c) {
          if (mine[c] == row.values[c]) continue;
          problem += kColumns[c] + ": tshark '" + row.values[c].substr(0, 300) + "' ours '" +
                     mine[c].substr(0, 300) + "'; ";
        }
      }
      if (problem.empty()) {
        ++matched;
        continue;
      }
      const KnownDifference* known = nullptr;
      for (const auto& k : kKnownDifferences) {
        if (name == k.capture && row.frame == k.frame) known = &k;
      }
      if (known == nullptr) ++unexplained;
      mismatches.push_back("  frame " + std::to_string(row.frame) + " id " + row.id + ": " +
                           problem + (known ? std::string(" [known: ") + known->reason + "]" : ""));
    }
    const size_t extra = static_cast<size_t>(std::count(used.begin(), used.end(), false));
    std::printf("%s: %zu/%zu rows match, %zu extra\n", name.c_str(), matched, rows.size(), extra);
    for (size_t i = 0; i < mismatches.size() && i < 5; ++i)
      std::printf("%s\n", mismatches[i].c_str());
    for (size_t i = 0, shown = 0; i < ours.size() && shown < 3; ++i) {
      if (used[i]) continue;
      ++shown;
      std::printf("  extra: frame %llu ts %lld id 0x%04x %s\n",
                  static_cast<unsigned long long>(ours[i]->frame()),
                  static_cast<long long>(ours[i]->timestamp()),
                  static_cast<unsigned>(ours[i]->id()), ours[i]->queryname().c_str());
    }
    total += rows.size();
    total_matched += matched;
    total_extra += extra;
    CHECK(extra == 0);
  }
  std::printf("dns total: %zu/%zu rows match, %zu extra, over %zu captures\n", total_matched, total,
              total_extra, captures);
  CHECK(captures > 0);
  CHECK(unexplained == 0);
}
