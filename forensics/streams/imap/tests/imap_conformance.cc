// Conformance: every attachment the oracle lists for the IMAP capture (objects.tsv rows
// `imf-attachment`) must be a MailPart with the same file name, decoded size and SHA-256; and
// every e-mail tshark exported (rows `imf`) must be a Mail with the same bytes (SHA-256).
#include <catch2/catch.hpp>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/mail/testing/attachment_oracle.h"

using namespace netcap;
using namespace netcap::app;

TEST_CASE("imap conformance: imap-fetch") {
  const std::string path = testing::shared_capture("imap-fetch.pcap");
  if (path.empty()) {
    WARN("../shared is absent: skipped");
    return;
  }
  const std::string tsv = mail::testing::oracle_path("imap-fetch");
  auto oracle = mail::testing::read_oracle_attachments(tsv);
  auto run = testing::run_capture(path);
  REQUIRE(run.has_value());
  const auto mails = run->of<netcap::Mail>();
  const size_t matched = mail::testing::match_attachments("imap-fetch", oracle, mails);
  CHECK(matched == oracle.size());

  // The whole messages: each `imf` row's SHA-256 is one Mail's (26 rows).
  const size_t found = mail::testing::match_messages("imap-fetch", tsv, mails);
  CHECK(found == 26);
}
