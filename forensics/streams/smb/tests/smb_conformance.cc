// SMB conformance: tshark's SMB export objects (oracle NAME.objects.tsv: file name, size) against
// the SMB2File records (file name, bytes read or written), for SMB1 (smb1-exe-transfer) and SMB2
// (smb2-exe-copy). tshark names a second copy of the same path "name(1).ext"; that suffix is
// removed before matching. Zero-length rows are named pipes (svcctl, netlogon on IPC$) that
// tshark lists as objects: not files, not expected.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "proto/smb.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

struct Row {
  std::string name;
  uint64_t size;
};

std::vector<Row> oracle_objects(const std::string& capture) {
  std::vector<Row> rows;
  std::ifstream in(std::string(NETCAP_SHARED_DIR) + "/pcaps/oracle/" + capture + ".objects.tsv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string_view> cols = split(line, '\t');
    if (cols.size() < 3 || cols[0] != "smb") continue;
    std::string name = percent_decode(cols[1], false);
    // "mimikatz(1).exe" -> "mimikatz.exe"
    const size_t open = name.rfind('(');
    const size_t close = name.find(')', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos &&
        parse_decimal(std::string_view(name).substr(open + 1, close - open - 1))) {
      name.erase(open, close - open + 1);
    }
    if (!name.empty() && name[0] == '\\') name.erase(0, 1);
    rows.push_back({name, *parse_decimal(cols[2])});
  }
  return rows;
}

}  // namespace

TEST_CASE("smb conformance: files against tshark's export objects") {
  for (const std::string capture : {"smb1-exe-transfer", "smb2-exe-copy"}) {
    const std::string pcap = testing::shared_capture(capture + ".pcap");
    if (pcap.empty()) {
      WARN("../shared is absent: skipped");
      return;
    }
    std::vector<Row> rows;
    size_t pipes = 0;
    for (Row& row : oracle_objects(capture)) {
      if (row.size == 0) {
        ++pipes;
        continue;
      }
      rows.push_back(std::move(row));
    }
    REQUIRE(!rows.empty());
    auto run = testing::run_capture(pcap, 1);
    REQUIRE(run.has_value());
    std::vector<const SMB2File*> files;
    for (const SMB2File* f : run.value().of<SMB2File>()) {
      const bool pipe =
          f->share().size() >= 4 && f->share().substr(f->share().size() - 4) == "IPC$";
      if (!pipe && (f->bytesread() > 0 || f->byteswritten() > 0)) files.push_back(f);
    }
    std::vector<bool> used(files.size(), false);
    size_t matched = 0;
    for (const Row& row : rows) {
      for (size_t i = 0; i < files.size(); ++i) {
        const uint64_t bytes = std::max(files[i]->bytesread(), files[i]->byteswritten());
        if (used[i] || files[i]->filename() != row.name || bytes != row.size) continue;
        used[i] = true;
        ++matched;
        break;
      }
    }
    const size_t extra = files.size() - matched;
    std::printf("%s: %zu/%zu rows match, %zu extra (%zu zero-length pipe rows not expected)\n",
                capture.c_str(), matched, rows.size(), extra, pipes);
    CHECK(matched == rows.size());
  }
}
