// netcap creds: the login attempts of a case (Credentials records in CASE/index.db, see
// docs/credentials.md). A fixed read-only query run through 'netcap query --sql' (same formats,
// time rendering and --limit).
#include <unistd.h>

#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/sinks/case_index.h"

namespace netcap {

namespace cli {

namespace {

std::string sql_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

CommandSpec creds_spec() {
  CommandSpec spec;
  spec.name = "creds";
  spec.summary = "list the credentials seen in a case (logins, secrets, crackable hashes)";
  spec.usage = "CASE [--host HOST] [--service SERVICE] [--format table|csv|json]";
  spec.description =
      "One row per login attempt (Credentials records): time, service, client and server, user\n"
      "and domain, method, the cleartext secret or the hashcat line and mode, the target and\n"
      "the server's answer (accepted, rejected or empty when unknown).\n\nThe index is opened "
      "read-only. Output formats, time rendering and --limit are those of\n'netcap query'.";
  spec.positionals = {{"CASE", "The case directory (holds index.db)."}};
  spec.options = {
      {"format", 'f', "FORMAT", "Output format: table, csv or json.",
       "table on a terminal, csv otherwise"},
      {"raw-time", 0, "", "Print time columns as raw Unix nanoseconds.", ""},
      {"limit", 'n', "N", "At most N rows (0: no limit).", "1000"},
      {"host", 0, "HOST", "Only credentials whose client or server is HOST.", ""},
      {"service", 0, "SERVICE",
       "Only credentials of SERVICE (http, ftp, smtp, pop3, imap, telnet, sip, smb, mysql, "
       "postgres, kerberos).",
       ""},
  };
  spec.examples = "netcap creds case\nnetcap creds case --service http --format json";
  spec.exit_status =
      "0 on success (also when no rows match), 1 when the case or its index is missing,\n"
      "2 for a bad command line.";
  return spec;
}

}  // namespace

int creds_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               bool terminal_output) {
  const CommandSpec spec = creds_spec();
  ParsedArgs parsed;
  int exit_code = kExitOk;
  if (!parse_or_report(spec, args, &parsed, &exit_code, out, err)) return exit_code;
  const std::string case_dir = parsed.positionals()[0];
  {
    auto index = CaseIndex::open_read_only(case_dir);
    if (!index) {
      err << "netcap creds: " << index.status().message() << "\n";
      return kExitFailure;
    }
    if (!index->has_table("Credentials")) return kExitOk;  // no login was seen
  }
  std::string sql =
      "SELECT Timestamp, Service, ClientIP, ClientPort, ServerIP, ServerPort, User, Domain, "
      "Method, Secret, Hash, HashcatMode, Target, Result, ResultDetail FROM Credentials";
  std::vector<std::string> conditions;
  if (parsed.has("host")) {
    const std::string h = sql_literal(parsed.get("host"));
    conditions.push_back("(ClientIP = " + h + " OR ServerIP = " + h + ")");
  }
  if (parsed.has("service"))
    conditions.push_back("Service = " + sql_literal(lower(parsed.get("service"))));
  for (size_t i = 0; i < conditions.size(); ++i)
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  sql += " ORDER BY Timestamp ASC, FlowID ASC, id ASC";
  std::vector<std::string> query_args = {case_dir, "--sql", sql};
  for (const char* passed : {"format", "limit"}) {
    if (parsed.has(passed)) {
      query_args.push_back("--" + std::string(passed));
      query_args.push_back(parsed.get(passed));
    }
  }
  if (parsed.has("raw-time")) query_args.push_back("--raw-time");
  return query_main(query_args, out, err, terminal_output);
}

}  // namespace cli

int run_creds(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return cli::creds_main(args, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1);
}

}  // namespace netcap
