// Conformance against tshark's credentials tap: every shared capture is run through the real
// engine; each row of oracle/<name>.creds.tsv must have a Credentials record of the same service
// with the same user name (tshark prints IMAP users quoted and SMTP AUTH LOGIN users as the
// base64 sent; both are compared decoded). tshark reports only some mechanisms (README of the
// oracle), so what we find beyond its rows is printed, not failed: docs/conformance.md lists it.
// Skipped when ../shared is absent.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "proto/credentials.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

const std::filesystem::path kShared = NETCAP_SHARED_DIR;

struct TsharkRow {
  std::string frame, protocol, user;
};

std::vector<TsharkRow> read_rows(const std::filesystem::path& tsv) {
  std::vector<TsharkRow> rows;
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    auto cols = split(line, '\t');
    if (cols.size() < 3) continue;
    TsharkRow r{std::string(cols[0]), to_lower(cols[1]), std::string(cols[2])};
    // IMAP: the LOGIN argument as sent, quoted.
    if (r.user.size() >= 2 && r.user.front() == '"' && r.user.back() == '"')
      r.user = r.user.substr(1, r.user.size() - 2);
    // SMTP AUTH LOGIN: the base64 line as sent.
    if (r.protocol == "smtp") {
      if (auto d = base64_decode(r.user)) r.user = *d;
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace

TEST_CASE("credentials agree with tshark's credentials tap", "[conformance]") {
  if (!std::filesystem::exists(kShared / "pcaps" / "oracle")) {
    WARN("../shared/pcaps/oracle not found: conformance skipped");
    return;
  }
  std::vector<std::filesystem::path> captures;
  for (const auto& e : std::filesystem::directory_iterator(kShared / "pcaps")) {
    if (e.is_regular_file() && e.path().extension() != ".md") captures.push_back(e.path());
  }
  std::sort(captures.begin(), captures.end());
  size_t tshark_total = 0, matched_total = 0, beyond_total = 0;
  for (const auto& path : captures) {
    const std::string name = path.stem().string();
    const auto tsv = kShared / "pcaps" / "oracle" / (name + ".creds.tsv");
    if (!std::filesystem::exists(tsv)) continue;
    const auto rows = read_rows(tsv);
    auto run = testing::run_capture(path.string());
    if (!run) continue;  // unreadable captures are other tests' business
    const auto creds = run->of<Credentials>();
    std::set<const Credentials*> used;
    size_t matched = 0;
    for (const auto& row : rows) {
      const Credentials* hit = nullptr;
      for (const Credentials* c : creds) {
        if (c->service() == row.protocol && c->user() == row.user && !used.count(c)) {
          hit = c;
          break;
        }
      }
      INFO(name << " frame " << row.frame << ": tshark " << row.protocol << " user \"" << row.user
                << "\"");
      CHECK(hit != nullptr);
      if (hit != nullptr) {
        used.insert(hit);
        ++matched;
      }
    }
    if (rows.empty() && creds.empty()) continue;
    std::printf("%-40s tshark %zu, matched %zu, beyond %zu\n", name.c_str(), rows.size(), matched,
                creds.size() - used.size());
    for (const Credentials* c : creds) {
      if (used.count(c)) continue;
      std::printf("    beyond: %s %s user=\"%s\" method=%s%s%s result=%s\n", c->service().c_str(),
                  c->clientip().c_str(), c->user().c_str(), c->method().c_str(),
                  c->secret().empty() ? "" : " secret", c->hash().empty() ? "" : " hash",
                  c->result().c_str());
    }
    tshark_total += rows.size();
    matched_total += matched;
    beyond_total += creds.size() - used.size();
  }
  std::printf("credentials: tshark rows %zu, matched %zu, found beyond tshark %zu\n", tshark_total,
              matched_total, beyond_total);
  CHECK(matched_total == tshark_total);
}
