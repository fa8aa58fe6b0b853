// netcap files / netcap extract: the files extracted during 'netcap capture' (File records in
// CASE/index.db, contents in CASE/files/<sha256[0:2]>/<sha256>, see docs/files.md).
//
// 'files' is a fixed read-only query run through 'netcap query --sql' (same formats, time
// rendering and --limit). 'extract' copies stored contents out under safe names: the sanitized
// last component of the name from the wire plus the first 12 digits of the SHA-256; the source
// path is rebuilt from the hash (never taken from the index or the wire).
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/sinks/case_index.h"
#include "forensics/files/file_store.h"

namespace netcap {

namespace cli {

namespace {

namespace fs = std::filesystem;

std::string sql_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

bool is_sha256(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

CommandSpec files_spec() {
  CommandSpec spec;
  spec.name = "files";
  spec.summary = "list the files extracted from a case (HTTP, FTP, SMB, TFTP, mail)";
  spec.usage = "CASE [FILTERS] [--format table|csv|json]";
  spec.description =
      "One row per transferred file (File records): time, protocol, direction, name from the\n"
      "protocol, size, detected MIME type, SHA-256, client and server, completeness and the\n"
      "stored path relative to the case.\n\nThe index is opened read-only. Output formats, time "
      "rendering and --limit are those of\n'netcap query'.";
  spec.positionals = {{"CASE", "The case directory (holds index.db)."}};
  spec.options = {
      {"format", 'f', "FORMAT", "Output format: table, csv or json.",
       "table on a terminal, csv otherwise"},
      {"raw-time", 0, "", "Print time columns as raw Unix nanoseconds.", ""},
      {"limit", 'n', "N", "At most N rows (0: no limit).", "1000"},
      {"host", 0, "HOST", "Only files whose client, server or host name is HOST.", ""},
      {"mime", 0, "TYPE", "Only files whose detected or declared MIME type contains TYPE.", ""},
      {"name", 0, "TEXT", "Only files whose name contains TEXT (case-insensitive).", ""},
      {"sha256", 0, "HASH", "Only files with this SHA-256.", ""},
      {"proto", 0, "PROTO", "Only files carried by PROTO (http, ftp, smb, tftp, smtp, pop3, imap).",
       ""},
  };
  spec.examples = "netcap files case --mime pdf\nnetcap files case --host 10.0.0.5 --proto http";
  spec.exit_status =
      "0 on success (also when no rows match), 1 when the case or its index is missing,\n"
      "2 for a bad command line.";
  return spec;
}

CommandSpec extract_spec() {
  CommandSpec spec;
  spec.name = "extract";
  spec.summary = "copy extracted files out of a case under safe names";
  spec.usage = "CASE (--sha256 HASH | --all) -o DIR";
  spec.description =
      "Copies stored file contents (CASE/files/) into DIR. Each file is named from the\n"
      "sanitized last component of its name on the wire (only letters, digits, '.', '_' and '-';\n"
      "no leading dot; at most 80 characters) plus '_' and the first 12 digits of its SHA-256,\n"
      "so names from the wire never become paths. Content seen several times is copied once.";
  spec.positionals = {{"CASE", "The case directory (holds index.db and files/)."}};
  spec.options = {
      {"sha256", 0, "HASH", "The file to copy (repeatable).", ""},
      {"all", 0, "", "Copy every stored file.", ""},
      {"out", 'o', "DIR", "Directory to copy into (created when missing).", ""},
  };
  spec.examples = "netcap extract case --all -o out\nnetcap extract case --sha256 e3b0... -o out";
  spec.exit_status =
      "0 on success, 1 when the case, its index or a stored file is missing or a copy fails,\n"
      "2 for a bad command line.";
  return spec;
}

}  // namespace

int files_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               bool terminal_output) {
  const CommandSpec spec = files_spec();
  ParsedArgs parsed;
  int exit_code = kExitOk;
  if (!parse_or_report(spec, args, &parsed, &exit_code, out, err)) return exit_code;
  const std::string case_dir = parsed.positionals()[0];
  {
    auto index = CaseIndex::open_read_only(case_dir);
    if (!index) {
      err << "netcap files: " << index.status().message() << "\n";
      return kExitFailure;
    }
    if (!index->has_table("File")) return kExitOk;  // no file was extracted
  }
  std::string sql =
      "SELECT Timestamp, Protocol, Direction, Name, Size, MimeType, SHA256, ClientIP, "
      "ClientPort, ServerIP, ServerPort, Host, Complete, MissingBytes, TruncatedReason, Path "
      "FROM File";
  std::vector<std::string> conditions;
  if (parsed.has("host")) {
    const std::string h = sql_literal(parsed.get("host"));
    conditions.push_back("(ClientIP = " + h + " OR ServerIP = " + h + " OR Host = " + h + ")");
  }
  if (parsed.has("mime")) {
    const std::string m = sql_literal(parsed.get("mime"));
    conditions.push_back("(MimeType LIKE '%' || " + m + " || '%' OR DeclaredType LIKE '%' || " + m +
                         " || '%')");
  }
  if (parsed.has("name"))
    conditions.push_back("Name LIKE '%' || " + sql_literal(parsed.get("name")) + " || '%'");
  if (parsed.has("sha256"))
    conditions.push_back("SHA256 = " + sql_literal(lower(parsed.get("sha256"))));
  if (parsed.has("proto"))
    conditions.push_back("Protocol = " + sql_literal(lower(parsed.get("proto"))));
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

int extract_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const CommandSpec spec = extract_spec();
  ParsedArgs parsed;
  int exit_code = kExitOk;
  if (!parse_or_report(spec, args, &parsed, &exit_code, out, err)) return exit_code;
  auto usage = [&](const std::string& m) {
    err << "netcap extract: " << m << "\ntry 'netcap extract --help'\n";
    return kExitUsage;
  };
  const std::string case_dir = parsed.positionals()[0];
  const std::string out_dir = parsed.get("out");
  if (out_dir.empty()) return usage("-o DIR is required");
  std::vector<std::string> wanted;
  for (const std::string& h : parsed.values("sha256")) {
    wanted.push_back(lower(h));
    if (!is_sha256(wanted.back())) return usage("not a SHA-256: " + h);
  }
  if (wanted.empty() == !parsed.has("all")) return usage("give either --sha256 HASH or --all");

  auto index = CaseIndex::open_read_only(case_dir);
  if (!index) {
    err << "netcap extract: " << index.status().message() << "\n";
    return kExitFailure;
  }
  // First name per content, in capture order.
  std::map<std::string, std::string> names;
  if (index->has_table("File")) {
    auto rows = run_query(
        index->db(), "SELECT SHA256, Name FROM File WHERE Path != '' ORDER BY Timestamp, id", {});
    if (!rows) {
      err << "netcap extract: " << rows.status().message() << "\n";
      return kExitFailure;
    }
    for (const auto& row : rows->rows) {
      const auto* sha = std::get_if<std::string>(&row[0]);
      const auto* name = std::get_if<std::string>(&row[1]);
      if (sha == nullptr || !is_sha256(*sha)) continue;
      names.emplace(*sha, name != nullptr ? *name : std::string());
    }
  }
  std::vector<std::string> todo;
  if (parsed.has("all")) {
    for (const auto& [sha, name] : names) todo.push_back(sha);
  } else {
    for (const std::string& sha : wanted) {
      if (names.count(sha) == 0) {
        err << "netcap extract: no stored file with SHA-256 " << sha << "\n";
        return kExitFailure;
      }
      todo.push_back(sha);
    }
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    err << "netcap extract: cannot create " << out_dir << ": " << ec.message() << "\n";
    return kExitFailure;
  }
  int failures = 0;
  for (const std::string& sha : todo) {
    const fs::path source = fs::path(case_dir) / files::stored_path(sha);
    const fs::path target = fs::path(out_dir) / files::safe_file_name(names[sha], sha);
    fs::copy_file(source, target, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      err << "netcap extract: " << source.string() << ": " << ec.message() << "\n";
      ++failures;
      continue;
    }
    out << sha << "  " << target.string() << "\n";
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace cli

int run_files(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return cli::files_main(args, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1);
}

int run_extract(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return cli::extract_main(args, std::cout, std::cerr);
}

}  // namespace netcap
