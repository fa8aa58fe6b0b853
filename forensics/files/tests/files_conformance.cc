// Conformance of file extraction with tshark --export-objects (../shared/pcaps/oracle, see its
// README.md): for every capture with an objects.tsv, the SHA-256 of each object tshark exports
// is looked up among our File records. Skipped when ../shared is absent.
//
// How the sets are compared (differences that are by design, see docs/files.md):
// * http: tshark exports a multipart/form-data upload as the whole body; we store each part
//   with a filename instead. Such bodies (request bodies of multipart uploads) are not
//   expected to match. tshark exports a 206 range response as a piece; we write it at its
//   offset into the file the Content-Range declares (kExplained). Zero-length objects are not
//   files for us.
// * smb: tshark may export a file several times, in part and in full; we store one file per
//   file id and direction with every byte at its offset, so per tshark file name only the
//   largest copy is expected. Pipes (IPC$, zero-length rows) are not files.
// * imf: one .eml per message. tshark sometimes leaves out the CRLF that ends the last line
//   (it belongs to the "CRLF.CRLF" terminator too): a row matches our .eml without it as well.
//   tshark's POP3 export writes each TCP segment of a multi-segment reply as its own message:
//   such a row counts as explained when it is a slice of one of our messages. In
//   smtp-auth-multipart-attachments tshark's message includes retransmitted segments (its
//   16,576 bytes; the capture's client stream without duplicates holds a 14,545-byte
//   message, ours), so its message and attachment rows are explained.
// * imf-attachment: rows from Python's email package: each must match a stored MIME part.
// * tftp: every exported file is expected (one File per transfer, blocks at their offsets).
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/files/file_store.h"
#include "proto/file.pb.h"
#include "proto/http.pb.h"

namespace fs = std::filesystem;

namespace {

struct Row {
  std::string protocol, filename, sha256;
  uint64_t size = 0;
};

std::vector<Row> read_objects(const fs::path& tsv) {
  std::vector<Row> rows;
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) f.push_back(cell);
    if (f.size() < 4) continue;
    rows.push_back({f[0], f[1], f[3], std::stoull(f[2])});
  }
  return rows;
}

struct Explained {
  const char* capture;
  const char* protocol;
  const char* filename;  // "" = every row of the protocol in the capture
  const char* reason;
};

constexpr Explained kExplained[] = {
    {"http-exe-download", "http", "Malware%202(1).exe",
     "206 piece: stored at its offset in the 78,160-byte file it declares"},
    {"pop3-retr", "imf", "(1).eml", "tshark takes the AUTH continuation \"+ \" for a message"},
    {"pop3-retr", "imf", "(2).eml", "tshark takes the AUTH continuation \"+ \" for a message"},
    {"pop3-retr", "imf", ".eml", "tshark takes the AUTH continuation \"+ \" for a message"},
    {"smtp-auth-multipart-attachments", "imf", "",
     "tshark's message includes retransmitted segments"},
    {"smtp-auth-multipart-attachments", "imf-attachment", "",
     "decoded from tshark's message with retransmitted segments"},
};

const char* explained(const std::string& capture, const Row& r) {
  for (const Explained& e : kExplained) {
    if (capture == e.capture && r.protocol == e.protocol &&
        (std::string(e.filename).empty() || r.filename == e.filename))
      return e.reason;
  }
  return nullptr;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A message as carried in POP3/SMTP: dot-stuffed, with the terminating ".CRLF".
std::string stuffed(const std::string& m) {
  std::string out;
  bool line_start = true;
  for (char c : m) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  return out + ".\r\n";
}

// Whether some slice of one of `messages` of `size` bytes has `sha256` (bounded search).
bool slice_of(const std::vector<std::string>& messages, uint64_t size, const std::string& sha256) {
  if (size == 0 || size > 4096) return false;
  for (const std::string& m : messages) {
    if (m.size() > 256 * 1024) continue;
    for (size_t o = 0; o + size <= m.size(); ++o) {
      if (sha256_hex(std::string_view(m).substr(o, size)) == sha256) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("files conformance: tshark's exported objects are extracted with the same SHA-256") {
  const fs::path oracle = fs::path(NETCAP_SHARED_DIR) / "pcaps" / "oracle";
  if (!fs::exists(oracle)) {
    WARN("../shared is absent: skipped");
    return;
  }
  std::vector<fs::path> tsvs;
  for (const auto& e : fs::directory_iterator(oracle)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 12 && n.substr(n.size() - 12) == ".objects.tsv") tsvs.push_back(e.path());
  }
  std::sort(tsvs.begin(), tsvs.end());
  std::map<std::string, std::pair<int, int>> totals;  // protocol -> matched, expected
  std::map<std::string, int> explained_total;         // protocol -> rows explained
  int checked_captures = 0;
  int ours_only = 0;  // contents we stored that tshark did not export
  for (const fs::path& tsv : tsvs) {
    const std::vector<Row> rows = read_objects(tsv);
    if (rows.empty()) continue;
    const std::string name = tsv.filename().string().substr(0, tsv.filename().string().size() - 12);
    std::string capture = netcap::app::testing::shared_capture(name + ".pcap");
    if (capture.empty()) capture = netcap::app::testing::shared_capture(name + ".pcapng");
    if (capture.empty()) continue;
    const fs::path dir = fs::temp_directory_path() / ("netcap-files-conf-" + name);
    fs::remove_all(dir);
    auto store = netcap::files::FileStore::create(dir.string());
    REQUIRE(store.has_value());
    auto run = netcap::app::testing::run_capture(capture, 1, {}, store->get());
    REQUIRE(run.has_value());
    ++checked_captures;
    std::set<std::string> ours;
    std::vector<std::string> messages;  // our .eml contents
    for (const netcap::File* f : run->of<netcap::File>()) {
      ours.insert(f->sha256());
      if (f->declaredtype() == "message/rfc822" && !f->path().empty()) {
        const std::string m = slurp(dir / f->path());
        messages.push_back(m);
        messages.push_back(stuffed(m));
        if (m.size() >= 2 && m.compare(m.size() - 2, 2, "\r\n") == 0)
          ours.insert(sha256_hex(std::string_view(m).substr(0, m.size() - 2)));
      }
    }
    // Sizes of multipart/form-data request bodies (tshark exports them whole).
    std::set<uint64_t> multipart_sizes;
    for (const netcap::HTTP* h : run->of<netcap::HTTP>()) {
      if (h->reqcontenttype().find("multipart/form-data") != std::string::npos)
        multipart_sizes.insert(static_cast<uint64_t>(h->requestbodysize()));
    }
    // smb: the largest copy per tshark name (names without the "(n)" suffix).
    std::map<std::string, const Row*> smb_largest;
    for (const Row& r : rows) {
      if (r.protocol != "smb" || r.size == 0) continue;
      std::string base = r.filename;
      const size_t paren = base.rfind('(');
      const size_t dot = base.rfind('.');
      if (paren != std::string::npos && base.find(')', paren) != std::string::npos &&
          (dot == std::string::npos || paren < dot))
        base.erase(paren, base.find(')', paren) - paren + 1);
      const Row*& slot = smb_largest[base];
      if (slot == nullptr || r.size > slot->size) slot = &r;
    }
    std::map<std::string, std::pair<int, int>> per;
    std::vector<std::string> missed;
    for (const Row& r : rows) {
      if (r.size == 0) continue;
      if (r.protocol == "smb") {
        bool largest = false;
        for (const auto& [base, row] : smb_largest) largest = largest || row == &r;
        if (!largest) continue;
      }
      const bool found = ours.count(r.sha256) > 0;
      // Explained differences (see the top of this file).
      const char* why = found ? nullptr : explained(name, r);
      if (!found && r.protocol == "http" && multipart_sizes.count(r.size) > 0)
        why = "whole multipart body";
      if (!found && why == nullptr && r.protocol == "imf" && slice_of(messages, r.size, r.sha256))
        why = "a TCP segment of one of our messages as carried";
      if (why != nullptr) {
        std::cout << "  explained: " << r.protocol << " " << r.filename << ": " << why << "\n";
        ++explained_total[r.protocol];
        continue;
      }
      per[r.protocol].second += 1;
      per[r.protocol].first += found ? 1 : 0;
      if (!found) missed.push_back(r.protocol + " " + r.filename + " " + r.sha256);
    }
    for (const auto& [p, mc] : per) {
      std::cout << "files conformance: " << name << " " << p << " " << mc.first << "/" << mc.second
                << "\n";
      totals[p].first += mc.first;
      totals[p].second += mc.second;
    }
    for (const std::string& m : missed) std::cout << "  missing: " << m << "\n";
    // What we stored that tshark did not export (split parts, SMB writes, MIME parts, ...).
    std::set<std::string> theirs;
    for (const Row& r : rows) theirs.insert(r.sha256);
    std::set<std::string> extra;
    for (const netcap::File* f : run->of<netcap::File>()) {
      if (theirs.count(f->sha256()) == 0) extra.insert(f->sha256());
    }
    std::cout << "files conformance: " << name << " ours only: " << extra.size() << "\n";
    ours_only += static_cast<int>(extra.size());
    fs::remove_all(dir);
  }
  for (const auto& [p, mc] : totals)
    std::cout << "files conformance total: " << p << " " << mc.first << "/" << mc.second
              << " matched, " << explained_total[p] << " explained\n";
  std::cout << "files conformance total: " << ours_only << " contents tshark did not export\n";
  CHECK(checked_captures > 0);
  for (const auto& [p, mc] : totals) {
    INFO(p << ": " << mc.first << " of " << mc.second << " objects matched");
    CHECK(mc.first == mc.second);
  }
}
