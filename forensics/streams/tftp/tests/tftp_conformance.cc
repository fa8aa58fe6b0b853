// Conformance against tshark (../shared/pcaps/oracle, label conformance), for every shared
// capture with frames tshark dissects as TFTP:
// * conversations: every UDP conversation holding a frame whose protocol stack contains
//   ":tftp" must be a Connection with ApplicationProto "tftp" (the request flow and the transfer
//   flow on the server's new port); no other Connection may be "tftp";
// * objects: every "tftp" row of objects.tsv must be a complete TFTP record with the same file
//   name and byte count, and a File record with the same SHA-256.
// Prints "<capture>: M/N rows match, E extra" for both. Skipped without ../shared.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/files/file_store.h"
#include "proto/connection.pb.h"
#include "proto/file.pb.h"
#include "proto/tftp.pb.h"

using namespace netcap;
namespace fs = std::filesystem;

namespace {

const fs::path kOracle = fs::path(NETCAP_SHARED_DIR) / "pcaps" / "oracle";

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, '\t')) f.push_back(cell);
  if (!line.empty() && line.back() == '\t') f.emplace_back();
  return f;
}

// A conversation key independent of direction: "udp|a|pa|b|pb" with the smaller end first.
std::string conversation(const std::string& a, const std::string& pa, const std::string& b,
                         const std::string& pb) {
  const std::string x = a + "|" + pa;
  const std::string y = b + "|" + pb;
  return "udp|" + std::min(x, y) + "|" + std::max(x, y);
}

// Conversations of the frames tshark dissects as TFTP (frames.tsv: protocols column 6, src
// 11, dst 12, transport 13, sport 14, dport 15).
std::set<std::string> tftp_conversations(const fs::path& frames_tsv) {
  std::set<std::string> out;
  std::ifstream in(frames_tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const std::vector<std::string> f = cells(line);
    if (f.size() < 15) continue;
    if ((f[5] + ":").find(":tftp:") == std::string::npos || f[12] != "udp") continue;
    out.insert(conversation(f[10], f[13], f[11], f[14]));
  }
  return out;
}

struct ObjectRow {
  std::string filename, sha256;
  int64_t size = 0;
};

std::vector<ObjectRow> tftp_objects(const std::string& name) {
  std::vector<ObjectRow> rows;
  std::ifstream in(kOracle / (name + ".objects.tsv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const std::vector<std::string> f = cells(line);
    if (f.size() >= 4 && f[0] == "tftp") rows.push_back({f[1], f[3], std::stoll(f[2])});
  }
  return rows;
}

}  // namespace

TEST_CASE("tftp conformance with tshark (conversations and exported objects)") {
  if (!fs::exists(kOracle)) {
    WARN("../shared is absent: skipped");
    return;
  }
  std::vector<fs::path> tables;
  for (const auto& e : fs::directory_iterator(kOracle)) {
    if (e.path().filename().string().ends_with(".frames.tsv")) tables.push_back(e.path());
  }
  std::sort(tables.begin(), tables.end());
  size_t captures = 0;
  for (const fs::path& table : tables) {
    const std::set<std::string> expected = tftp_conversations(table);
    if (expected.empty()) continue;
    const std::string file = table.filename().string();
    const std::string name = file.substr(0, file.size() - std::string_view(".frames.tsv").size());
    std::string pcap = app::testing::shared_capture(name + ".pcap");
    if (!fs::exists(pcap)) pcap = app::testing::shared_capture(name + ".pcapng");
    REQUIRE(fs::exists(pcap));
    ++captures;
    const fs::path dir =
        fs::temp_directory_path() / ("netcap-tftp-conf-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    auto store = files::FileStore::create(dir.string());
    REQUIRE(store.has_value());
    auto run = app::testing::run_capture(pcap, 1, {}, store->get());
    REQUIRE(run.has_value());

    std::set<std::string> ours;
    for (const Connection* c : run->of<Connection>()) {
      if (c->applicationproto() != "tftp") continue;
      ours.insert(conversation(c->srcip(), std::to_string(c->srcport()), c->dstip(),
                               std::to_string(c->dstport())));
    }
    size_t matched = 0;
    for (const std::string& k : expected) matched += ours.count(k);
    const size_t extra = ours.size() - matched;
    for (const std::string& k : expected) {
      if (ours.count(k) == 0)
        std::printf("  %s missing conversation %s\n", name.c_str(), k.c_str());
    }
    std::printf("%s conversations: %zu/%zu rows match, %zu extra\n", name.c_str(), matched,
                expected.size(), extra);
    CHECK(matched == expected.size());
    CHECK(extra == 0);

    const std::vector<ObjectRow> objects = tftp_objects(name);
    std::set<std::string> hashes;
    for (const File* f : run->of<File>()) {
      if (f->protocol() == "tftp") hashes.insert(f->sha256());
    }
    std::vector<const TFTP*> transfers = run->of<TFTP>();
    std::vector<bool> used(transfers.size(), false);
    size_t objects_matched = 0;
    for (const ObjectRow& o : objects) {
      bool found = false;
      for (size_t i = 0; i < transfers.size() && !found; ++i) {
        const TFTP& t = *transfers[i];
        if (!used[i] && t.complete() && t.filename() == o.filename && t.bytes() == o.size &&
            hashes.count(o.sha256) > 0) {
          used[i] = true;
          found = true;
        }
      }
      if (!found) std::printf("  %s missing object %s\n", name.c_str(), o.filename.c_str());
      objects_matched += found ? 1 : 0;
    }
    size_t objects_extra = 0;
    for (size_t i = 0; i < transfers.size(); ++i) {
      if (!used[i] && transfers[i]->bytes() > 0) ++objects_extra;
    }
    std::printf("%s objects: %zu/%zu rows match, %zu extra\n", name.c_str(), objects_matched,
                objects.size(), objects_extra);
    CHECK(objects_matched == objects.size());
    CHECK(objects_extra == 0);
    fs::remove_all(dir);
  }
  CHECK(captures > 0);
}
