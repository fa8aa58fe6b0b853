// Test support for the mail protocols' conformance checks: the `imf-attachment` rows of a
// tshark oracle table (../shared/pcaps/oracle/<name>.objects.tsv; rows made with Python's
// `email` package) matched against the MailPart entries of the Mail records of a run.
#pragma once

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "forensics/app/text_util.h"
#include "proto/mail.pb.h"

namespace netcap::app::mail::testing {

struct OracleAttachment {
  std::string message;  // the .eml name tshark gave
  std::string name;     // attachment file name
  int64_t size = 0;     // decoded bytes
  std::string sha256;
};

// Rows of `tsv_path` with protocol "imf-attachment"; empty when the file is missing.
inline std::vector<OracleAttachment> read_oracle_attachments(const std::string& tsv_path) {
  std::vector<OracleAttachment> out;
  std::ifstream in(tsv_path);
  std::string line;
  while (std::getline(in, line)) {
    auto cols = split(line, '\t');
    if (cols.size() < 4 || cols[0] != "imf-attachment") continue;
    OracleAttachment a;
    const std::string_view file = cols[1];
    const size_t slash = file.rfind('/');
    a.message = std::string(file.substr(0, slash == std::string_view::npos ? 0 : slash));
    a.name = std::string(slash == std::string_view::npos ? file : file.substr(slash + 1));
    a.size = static_cast<int64_t>(parse_decimal(cols[2]).value_or(0));
    a.sha256 = std::string(cols[3]);
    out.push_back(std::move(a));
  }
  return out;
}

// How many oracle rows have a distinct MailPart with the same file name, decoded size and
// SHA-256; prints "<capture>: M/N attachments match" and the rows that did not.
inline size_t match_attachments(const std::string& capture,
                                const std::vector<OracleAttachment>& oracle,
                                const std::vector<const netcap::Mail*>& mails) {
  std::vector<const netcap::MailPart*> parts;
  for (const auto* m : mails) {
    for (const auto& p : m->parts()) parts.push_back(&p);
  }
  std::vector<bool> used(parts.size(), false);
  size_t matched = 0;
  for (const auto& a : oracle) {
    bool found = false;
    for (size_t i = 0; i < parts.size() && !found; ++i) {
      if (used[i]) continue;
      const auto& p = *parts[i];
      if (p.filename() == a.name && p.decodedsize() == a.size && p.sha256() == a.sha256) {
        used[i] = true;
        found = true;
      }
    }
    if (found) {
      ++matched;
    } else {
      std::printf("  missing: %s/%s %lld %s\n", a.message.c_str(), a.name.c_str(),
                  static_cast<long long>(a.size), a.sha256.c_str());
    }
  }
  if (matched < oracle.size()) {
    for (const auto* p : parts) {
      if (!p->isattachment()) continue;
      std::printf("  have: %s %lld %s\n", p->filename().c_str(),
                  static_cast<long long>(p->decodedsize()), p->sha256().c_str());
    }
  }
  std::printf("%s: %zu/%zu attachments match\n", capture.c_str(), matched, oracle.size());
  return matched;
}

// How many `imf` rows (whole e-mails tshark exported) have a distinct Mail with the same
// SHA-256 of its bytes; prints "<capture>: M/N messages match, E extra".
inline size_t match_messages(const std::string& capture, const std::string& tsv_path,
                             const std::vector<const netcap::Mail*>& mails) {
  std::ifstream in(tsv_path);
  std::string line;
  size_t rows = 0, found = 0;
  std::vector<bool> used(mails.size(), false);
  while (std::getline(in, line)) {
    auto cols = split(line, '\t');
    if (cols.size() < 4 || cols[0] != "imf") continue;
    ++rows;
    for (size_t i = 0; i < mails.size(); ++i) {
      if (!used[i] && mails[i]->sha256() == cols[3]) {
        used[i] = true;
        ++found;
        break;
      }
    }
  }
  std::printf("%s: %zu/%zu messages match, %zu extra\n", capture.c_str(), found, rows,
              mails.size() - found);
  return found;
}

inline std::string oracle_path(const std::string& capture_stem) {
  return std::string(NETCAP_SHARED_DIR) + "/pcaps/oracle/" + capture_stem + ".objects.tsv";
}

}  // namespace netcap::app::mail::testing
