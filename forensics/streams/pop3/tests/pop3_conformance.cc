// Conformance: every attachment the oracle lists for the POP3 capture (objects.tsv rows
// `imf-attachment`) must be a MailPart with the same file name, decoded size and SHA-256.
#include <catch2/catch.hpp>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/mail/testing/attachment_oracle.h"

using namespace netcap;
using namespace netcap::app;

TEST_CASE("pop3 conformance: pop3-retr") {
  const std::string path = testing::shared_capture("pop3-retr.pcap");
  if (path.empty()) {
    WARN("../shared is absent: skipped");
    return;
  }
  auto oracle = mail::testing::read_oracle_attachments(mail::testing::oracle_path("pop3-retr"));
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  const auto mails = run->of<netcap::Mail>();
  CHECK_FALSE(mails.empty());
  const size_t matched = mail::testing::match_attachments("pop3-retr", oracle, mails);
  CHECK(matched == oracle.size());
  // Informational only: tshark 4.0 exports each TCP segment of a RETR reply it dissected as IMF
  // (the 1,460-byte and 4-byte .eml rows), not whole messages, so these rows cannot match.
  mail::testing::match_messages("pop3-retr", mail::testing::oracle_path("pop3-retr"), mails);
}
