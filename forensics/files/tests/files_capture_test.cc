// File extraction through the real engine: each protocol's adapter on a capture, the store in a
// temporary case. Expected hashes are those of tshark --export-objects (and, for mail parts, of
// Python's email package) in ../shared/pcaps/oracle/*.objects.tsv for the same captures.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/files/file_store.h"
#include "proto/file.pb.h"
#include "proto/mail.pb.h"

namespace fs = std::filesystem;
using netcap::File;
using netcap::app::testing::run_capture;
using netcap::app::testing::sample_capture;
using netcap::app::testing::shared_capture;

namespace {

struct Extracted {
  fs::path dir;
  netcap::app::testing::CaptureRun run;
  std::vector<const File*> files;
  ~Extracted() { fs::remove_all(dir); }
};

std::string sha256_of_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::unique_ptr<Extracted> extract(const std::string& capture, int workers = 1) {
  static int n = 0;
  auto e = std::make_unique<Extracted>();
  e->dir = fs::temp_directory_path() /
           ("netcap-files-capture-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  fs::remove_all(e->dir);
  auto store = netcap::files::FileStore::create(e->dir.string());
  REQUIRE(store.has_value());
  auto run = run_capture(capture, workers, {}, store->get());
  REQUIRE(run.has_value());
  e->run = std::move(run.value());
  e->files = e->run.of<File>();
  // Every stored file is where its hash says, with that hash; nothing else is written.
  const std::regex layout("files/([0-9a-f]{2})/([0-9a-f]{64})");
  for (const auto& entry : fs::recursive_directory_iterator(e->dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), e->dir).generic_string();
    std::smatch m;
    REQUIRE(std::regex_match(rel, m, layout));
    CHECK(m[2].str().substr(0, 2) == m[1].str());
    CHECK(sha256_of_file(entry.path()) == m[2].str());
  }
  for (const File* f : e->files) {
    CHECK(f->sha256().size() == 64);
    CHECK(f->md5().size() == 32);
    CHECK(f->sha1().size() == 40);
    CHECK_FALSE(f->flowid().empty());
    CHECK_FALSE(f->clientip().empty());
    CHECK(f->timestamp() > 0);
    CHECK(f->timestamplast() >= f->timestamp());
    if (!f->path().empty()) CHECK(fs::exists(e->dir / f->path()));
  }
  return e;
}

const File* by_sha(const Extracted& e, const std::string& sha) {
  for (const File* f : e.files) {
    if (f->sha256() == sha) return f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("files: HTTP response body, gzip decoded") {
  auto e = extract(sample_capture("http-gzip-json.pcap"));
  const File* f = by_sha(*e, "202b775be087f5af98e95120e42769a9b3488f84c5aa79c4f4c1093d348f849c");
  REQUIRE(f != nullptr);
  CHECK(f->protocol() == "http");
  CHECK(f->direction() == "download");
  CHECK(f->size() == 197);
  CHECK(f->mimetype() == "application/json");
  CHECK(f->complete());
  CHECK(f->serverport() == 80);
  CHECK(f->srcip() == f->serverip());
  CHECK(f->context().find("http://") != std::string::npos);
}

TEST_CASE("files: results do not depend on the number of shards") {
  auto one = extract(sample_capture("tcp-retrans-ooo-http.pcap"), 1);
  auto four = extract(sample_capture("tcp-retrans-ooo-http.pcap"), 4);
  std::multiset<std::string> a, b;
  for (const File* f : one->files) a.insert(f->sha256() + " " + f->name());
  for (const File* f : four->files) b.insert(f->sha256() + " " + f->name());
  CHECK_FALSE(a.empty());
  CHECK(a == b);
}

TEST_CASE("files: FTP RETR on an active data channel, no listings") {
  auto e = extract(sample_capture("ftp-active-download.pcap"));
  const File* f = by_sha(*e, "5ef391d886d04116cf84b584ae37ef136f83950ab69b7bfb2a6da7506f7b3a57");
  REQUIRE(f != nullptr);
  CHECK(f->protocol() == "ftp");
  CHECK(f->name() == "index.html");
  CHECK(f->context() == "RETR index.html");
  CHECK(f->direction() == "download");
  CHECK(f->size() == 39);
  for (const File* g : e->files) CHECK(g->context().rfind("LIST", 0) != 0);
}

TEST_CASE("files: SMTP message as .eml and its attachment") {
  auto e = extract(sample_capture("smtp-zip-attachment.pcap"));
  const File* eml = by_sha(*e, "145e2be914aa1b3ff1b37be6128bb112b527b94004d1616810dd070f56ea96c3");
  REQUIRE(eml != nullptr);
  CHECK(eml->name() == "zip test.eml");
  CHECK(eml->protocol() == "smtp");
  CHECK(eml->direction() == "upload");
  CHECK(eml->srcip() == eml->clientip());
  const File* zip = by_sha(*e, "61479904e443b354d4427a51b990c696f731e341e4c63328e07c1a92658ba591");
  REQUIRE(zip != nullptr);
  CHECK(zip->name() == "a.zip");
  CHECK(zip->mimetype() == "application/zip");
  CHECK(zip->size() == 310);
}

TEST_CASE("files: POP3 and IMAP messages are stored whole") {
  for (const char* capture : {"pop3-retr.pcap", "imap-fetch.pcap"}) {
    auto e = extract(sample_capture(capture));
    const auto mails = e->run.of<netcap::Mail>();
    REQUIRE_FALSE(mails.empty());
    for (const netcap::Mail* m : mails) {
      const File* f = by_sha(*e, m->sha256());
      REQUIRE(f != nullptr);
      CHECK(f->name().size() >= 4);
      CHECK(f->name().substr(f->name().size() - 4) == ".eml");
      CHECK(f->direction() == "download");
      CHECK(f->protocol() == m->protocol());
    }
  }
}

TEST_CASE("files: SMB2 reads by file id and offset") {
  const std::string capture = shared_capture("smb2-exe-copy.pcap");
  if (capture.empty()) {
    WARN("../shared is absent: skipped");
    return;
  }
  auto e = extract(capture);
  const File* f = by_sha(*e, "fb55414848281f804858ce188c3dc659d129e283bd62d58d34f6e6f568feab37");
  REQUIRE(f != nullptr);
  CHECK(f->protocol() == "smb");
  CHECK(f->size() == 804352);
  CHECK(f->missingbytes() == 0);
  CHECK(f->name().find("mimikatz.exe") != std::string::npos);
}

TEST_CASE("files: multipart/form-data uploads are split into their parts") {
  const std::string capture = shared_capture("http-post-multipart-upload.pcap");
  if (capture.empty()) {
    WARN("../shared is absent: skipped");
    return;
  }
  auto e = extract(capture);
  int parts = 0;
  for (const File* f : e->files) {
    if (f->direction() != "upload") continue;
    ++parts;
    CHECK(f->messageid().find('/') != std::string::npos);  // "transaction/part"
    CHECK_FALSE(f->name().empty());
  }
  CHECK(parts >= 1);
}
