// Credentials extracted from real captures through the whole engine (samples/ and, when present,
// ../shared/pcaps): each protocol's mechanism with its user, secret or hashcat line and result.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "proto/credentials.pb.h"
#include "proto/smb.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

std::vector<Credentials> creds_of(const std::string& path) {
  std::vector<Credentials> out;
  auto run = testing::run_capture(path);
  REQUIRE(run);
  for (const Credentials* c : run->of<Credentials>()) out.push_back(*c);
  return out;
}

}  // namespace

TEST_CASE("FTP USER/PASS from a sample", "[capture]") {
  auto creds = creds_of(testing::sample_capture("ftp-active-download.pcap"));
  REQUIRE(creds.size() == 1);
  CHECK(creds[0].service() == "ftp");
  CHECK(creds[0].user() == "bob");
  CHECK(!creds[0].secret().empty());
  CHECK(creds[0].method() == "user/pass");
  CHECK(creds[0].result() == "accepted");
  CHECK(creds[0].resultdetail() == "230");
  CHECK(creds[0].serverport() == 21);
  CHECK(!creds[0].flowid().empty());
}

TEST_CASE("POP3 AUTH PLAIN with the server's answers", "[capture]") {
  // tshark's credentials tap does not report POP3 AUTH PLAIN; three attempts, the first refused.
  auto creds = creds_of(testing::sample_capture("pop3-retr.pcap"));
  REQUIRE(creds.size() == 3);
  for (const auto& c : creds) {
    CHECK(c.service() == "pop3");
    CHECK(c.method() == "plain");
    CHECK(c.user() == "digitalinvestigator@networksims.com");
    CHECK(!c.secret().empty());
    CHECK(c.hash().empty());
  }
  CHECK(creds[0].result() == "rejected");
  CHECK(creds[0].resultdetail() == "-ERR");
  CHECK(creds[1].result() == "accepted");
  CHECK(creds[1].resultdetail() == "+OK");
}

TEST_CASE("IMAP LOGIN", "[capture]") {
  auto creds = creds_of(testing::sample_capture("imap-fetch.pcap"));
  REQUIRE(creds.size() == 1);
  CHECK(creds[0].service() == "imap");
  CHECK(creds[0].user() == "neulingern");
  CHECK(!creds[0].secret().empty());
  CHECK(creds[0].method() == "user/pass");
  CHECK(creds[0].result() == "accepted");
}

TEST_CASE("Telnet login typed after the prompts", "[capture]") {
  auto creds = creds_of(testing::sample_capture("telnet-login.pcap"));
  REQUIRE(creds.size() == 1);
  CHECK(creds[0].service() == "telnet");
  CHECK(creds[0].user() == "fake");
  CHECK(creds[0].secret() == "user");
  CHECK(creds[0].result() == "accepted");
  CHECK(creds[0].serverport() == 23);
}

TEST_CASE("SIP digest responses as hashcat 11400 lines", "[capture]") {
  auto creds = creds_of(testing::sample_capture("sip-calls.pcap"));
  REQUIRE(!creds.empty());
  size_t accepted = 0, rejected = 0;
  for (const auto& c : creds) {
    CHECK(c.service() == "sip");
    CHECK(c.method() == "digest");
    CHECK(c.hashcatmode() == 11400);
    // $sip$*server*client*user*realm*METHOD*prefix*resource*suffix*nonce*cnonce*nc*qop*MD5*resp
    REQUIRE(c.hash().rfind("$sip$*", 0) == 0);
    size_t stars = 0;
    for (char ch : c.hash()) stars += ch == '*';
    CHECK(stars == 14);
    CHECK(c.hash().find("*" + c.user() + "*") != std::string::npos);
    CHECK(c.hash().substr(c.hash().size() - 37, 5) == "*MD5*");
    accepted += c.result() == "accepted";
    rejected += c.result() == "rejected";
  }
  // Registrations are challenged (401/407) before they pass.
  CHECK(accepted > 0);
  CHECK(rejected > 0);
}

TEST_CASE("SMB1 SESSION_SETUP_ANDX: an anonymous AUTHENTICATE is no credential", "[capture]") {
  // The capture's NTLMSSP exchange (NEGOTIATE, CHALLENGE, AUTHENTICATE) logs in anonymously:
  // empty user and NT response, a one-byte LM response. NetNTLM lines are checked against
  // hashcat's examples in credentials_test.cc.
  const std::string path = testing::shared_capture("smb1-exe-transfer.pcap");
  if (path.empty() || !std::filesystem::exists(path)) {
    WARN("../shared not found: skipped");
    return;
  }
  auto run = testing::run_capture(path);
  REQUIRE(run);
  CHECK(run->of<Credentials>().empty());
  CHECK(run->of<SMB2Negotiate>().size() == 1);
}

TEST_CASE("SMTP AUTH LOGIN: user and password from the two base64 lines", "[capture]") {
  const std::string path = testing::shared_capture("smtp-auth-multipart-attachments.pcap");
  if (path.empty() || !std::filesystem::exists(path)) {
    WARN("../shared not found: skipped");
    return;
  }
  auto creds = creds_of(path);
  REQUIRE(creds.size() == 1);
  CHECK(creds[0].service() == "smtp");
  CHECK(creds[0].method() == "login");
  // tshark prints the user as sent: Z3VycGFydGFwQHBhdHJpb3RzLmlu
  CHECK(creds[0].user() == "gurpartap@patriots.in");
  CHECK(!creds[0].secret().empty());
  CHECK(creds[0].result() == "accepted");
  CHECK(creds[0].resultdetail() == "235");
}
