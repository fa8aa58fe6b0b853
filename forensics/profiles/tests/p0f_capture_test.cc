// Passive OS guesses (p0f) for the hosts of real captures run through the real engine: the
// SYN signatures the packet layer writes into Connection records, matched by the profile
// builder against Debian's /etc/p0f/p0f.fp.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/profiles/profile_builder.h"
#include "proto/connection.pb.h"

using namespace netcap;
using namespace netcap::profiles;
using netcap::app::testing::run_capture;
using netcap::app::testing::shared_capture;

namespace {

const FieldData& field_data() {
  static const FieldData kData = FieldData::load(FieldDataPaths{});
  return kData;
}

// Every capture file of ../shared/pcaps, sorted; empty when ../shared is absent.
std::vector<std::filesystem::path> shared_captures() {
  std::vector<std::filesystem::path> out;
  const std::string any = shared_capture("MANIFEST.md");
  if (any.empty()) return out;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(any).parent_path(), ec)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<const HostProfile*> guessed_hosts(
    const std::vector<std::unique_ptr<google::protobuf::Message>>& records) {
  std::vector<const HostProfile*> out;
  for (const auto& r : records) {
    if (r->GetDescriptor() != HostProfile::descriptor()) continue;
    const auto* h = static_cast<const HostProfile*>(r.get());
    if (!h->osguess().empty()) out.push_back(h);
  }
  return out;
}

}  // namespace

TEST_CASE("p0f capture: every shared capture, hosts and their OS guesses", "[p0f][capture]") {
  const auto captures = shared_captures();
  if (captures.empty()) {
    WARN("skipped: ../shared/pcaps is absent");
    return;
  }
  if (!field_data().p0f) {
    WARN("skipped: /etc/p0f/p0f.fp is not installed (Debian package p0f)");
    return;
  }
  size_t hosts = 0, guessed = 0, signatures = 0, unparsed = 0;
  std::map<std::string, size_t> by_os;
  std::set<std::string> http_oses;  // OS names guessed for hosts of the HTTP captures
  for (const auto& path : captures) {
    auto run = run_capture(path.string());
    if (!run) continue;  // the damaged files the MANIFEST lists
    for (const Connection* c : run->of<Connection>()) {
      for (const std::string* sig : {&c->clienttcpsignature(), &c->servertcpsignature()}) {
        if (sig->empty()) continue;
        ++signatures;
        if (!parse_p0f_tcp_signature(*sig)) {
          ++unparsed;
          UNSCOPED_INFO(path.filename().string() << ": " << *sig);
        }
      }
    }
    ProfileBuilder builder(&field_data());
    for (const auto& record : run->records) builder.observe(*record);
    auto records = builder.snapshot();
    for (const auto& r : records) hosts += r->GetDescriptor() == HostProfile::descriptor();
    for (const HostProfile* h : guessed_hosts(records)) {
      ++guessed;
      ++by_os[h->osguess()];
      if (path.filename().string().starts_with("http-")) http_oses.insert(h->osguess());
      std::printf("p0f: %-40s %-39s %-28s %-11s %-7s dist %2d  x%lld  %s\n",
                  path.filename().string().c_str(), h->ip().c_str(), h->osguess().c_str(),
                  h->osguesssource().c_str(), h->osguessmatch().c_str(), h->osguessdistance(),
                  static_cast<long long>(h->osguesscount()), h->osguesssignature().c_str());
      // The guess is what HostProfile.OS falls back to.
      CHECK_FALSE(h->os().empty());
      CHECK(h->osguesscount() >= 1);
      CHECK((h->osguesssource() == "p0f SYN" || h->osguesssource() == "p0f SYN+ACK"));
    }
  }
  std::printf("p0f: %zu signatures in Connection records, %zu hosts, %zu with an OS guess\n",
              signatures, hosts, guessed);
  for (const auto& [os, n] : by_os) std::printf("p0f:   %3zu x %s\n", n, os.c_str());
  CHECK(unparsed == 0);
  CHECK(signatures > 100);
  CHECK(guessed > 10);
  // The HTTP captures have Linux servers and Windows clients.
  bool linux_found = false, windows_found = false;
  for (const std::string& os : http_oses) {
    linux_found |= os.starts_with("Linux");
    windows_found |= os.starts_with("Windows");
  }
  CHECK(linux_found);
  CHECK(windows_found);
}

TEST_CASE("p0f capture: guesses do not depend on the number of shards", "[p0f][capture]") {
  const std::string path = shared_capture("http-browsing-bro-org.pcap");
  if (path.empty() || !field_data().p0f) {
    WARN("skipped: ../shared/pcaps or /etc/p0f/p0f.fp is absent");
    return;
  }
  auto guesses = [&](int workers) {
    auto run = run_capture(path, workers);
    REQUIRE(run);
    ProfileBuilder builder(&field_data());
    // Feed the records in reverse as well: the guess must not depend on record order.
    for (auto it = run->records.rbegin(); it != run->records.rend(); ++it) builder.observe(**it);
    const auto records = builder.snapshot();
    std::vector<std::string> out;
    for (const HostProfile* h : guessed_hosts(records)) {
      out.push_back(h->ip() + " " + h->osguess() + " " + h->osguesssignature() + " " +
                    std::to_string(h->osguesscount()));
    }
    return out;
  };
  const auto one = guesses(1);
  CHECK_FALSE(one.empty());
  CHECK(one == guesses(4));
}
