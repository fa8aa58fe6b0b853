// The shared capture tftp-read.pcap (a RRQ of rfc1350.txt answered from a new port) through the
// real engine with the real file store: one TFTP record, both flows "tftp", and the file with
// the size and SHA-256 tshark exported (oracle/tftp-read.objects.tsv). Skipped without
// ../shared.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/files/file_store.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"
#include "proto/file.pb.h"
#include "proto/tftp.pb.h"

using namespace netcap;
namespace fs = std::filesystem;

namespace {

struct ObjectRow {
  std::string filename, sha256;
  int64_t size = -1;
};

// The tftp rows of tshark's export-objects table.
std::vector<ObjectRow> tftp_objects(const std::string& name) {
  std::vector<ObjectRow> rows;
  std::ifstream in(std::string(NETCAP_SHARED_DIR) + "/pcaps/oracle/" + name + ".objects.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) f.push_back(cell);
    if (f.size() >= 4 && f[0] == "tftp") rows.push_back({f[1], f[3], std::stoll(f[2])});
  }
  return rows;
}

}  // namespace

TEST_CASE("tftp capture: rfc1350.txt read with tshark's SHA-256") {
  const std::string path = app::testing::shared_capture("tftp-read.pcap");
  if (path.empty() || !fs::exists(path)) {
    WARN("../shared is absent: skipped");
    return;
  }
  const std::vector<ObjectRow> expected = tftp_objects("tftp-read");
  REQUIRE(expected.size() == 1);
  for (int workers : {1, 3}) {
    const fs::path dir =
        fs::temp_directory_path() /
        ("netcap-tftp-capture-" + std::to_string(::getpid()) + "-" + std::to_string(workers));
    fs::remove_all(dir);
    auto store = files::FileStore::create(dir.string());
    REQUIRE(store.has_value());
    auto run = app::testing::run_capture(path, workers, {}, store->get());
    REQUIRE(run.has_value());

    auto records = run->of<TFTP>();
    REQUIRE(records.size() == 1);
    const TFTP& r = *records[0];
    CHECK(r.opcodename() == "RRQ");
    CHECK(r.filename() == expected[0].filename);
    CHECK(r.mode() == "octet");
    CHECK(r.clientip() == "192.168.0.253");
    CHECK(r.serverip() == "192.168.0.10");
    CHECK(r.clientport() == 50618);
    CHECK(r.serverport() == 3445);
    CHECK(r.blocksize() == 512);
    CHECK(r.bytes() == expected[0].size);
    CHECK(r.blocks() == (expected[0].size + 512) / 512);  // the last block is short
    CHECK(r.acks() == r.blocks());
    CHECK(r.duplicateblocks() == 0);
    CHECK(r.complete());
    CHECK(r.flowid() != r.requestflowid());

    auto files = run->of<File>();
    REQUIRE(files.size() == 1);
    const File& f = *files[0];
    CHECK(f.protocol() == "tftp");
    CHECK(f.name() == expected[0].filename);
    CHECK(f.size() == expected[0].size);
    CHECK(f.sha256() == expected[0].sha256);
    CHECK(f.complete());
    CHECK(f.flowid() == r.flowid());
    CHECK(f.context() == "RRQ " + expected[0].filename);

    int tftp_flows = 0;
    for (const Connection* c : run->of<Connection>()) {
      if (c->applicationproto() == "tftp") ++tftp_flows;
    }
    CHECK(tftp_flows == 2);
    for (const Anomaly* a : run->of<Anomaly>()) CHECK(a->name().rfind("tftp.", 0) != 0);
    fs::remove_all(dir);
  }
}
