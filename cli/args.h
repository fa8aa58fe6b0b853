// A small declarative command-line parser for netcap's subcommands. A command states its options
// and positionals once; parsing, validation and the generated --help (man-page style) follow.
//
// Syntax accepted: --name VALUE, --name=VALUE, -n VALUE (short alias), --flag, -f, repeated
// options (when declared repeatable), "--" ends options. Pure functions, no global state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace netcap::cli {

struct OptionSpec {
  std::string name;          // long name without dashes: "format"
  char short_name = 0;       // 'r' for -r; 0 for none
  std::string value_name;    // "FILE"; empty means a flag that takes no value
  std::string help;          // one or more sentences
  std::string default_text;  // shown as "(default: ...)" in help; empty for none
  bool repeated = false;     // may be given several times (values() returns all)
};

struct PositionalSpec {
  std::string name;  // "CASE"
  std::string help;
  bool required = true;
  bool repeated = false;  // last positional only: takes every remaining argument
};

struct CommandSpec {
  std::string name;         // "query"
  std::string summary;      // one line for the top-level command list
  std::string usage;        // synopsis after "netcap NAME ", e.g. "CASE NAME [OPTIONS]"
  std::string description;  // DESCRIPTION section (paragraphs separated by blank lines)
  std::vector<OptionSpec> options;
  std::vector<PositionalSpec> positionals;
  std::string examples;     // EXAMPLES section, one example per line
  std::string exit_status;  // EXIT STATUS section
};

class ParsedArgs {
 public:
  bool help_requested() const { return help_; }
  // A flag or option was given.
  bool has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  // Last value of an option, or `fallback` when absent.
  std::string get(std::string_view name, std::string_view fallback = {}) const;
  // Every value of a repeated option, in command-line order (empty when absent).
  std::vector<std::string> values(std::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // Integer option: absent -> fallback; not an integer or outside [min, max] -> error.
  Expected<int64_t> get_int(std::string_view name, int64_t fallback, int64_t min = INT64_MIN,
                            int64_t max = INT64_MAX) const;

 private:
  friend Expected<ParsedArgs> parse_args(const CommandSpec&, const std::vector<std::string>&);
  bool help_ = false;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

// Parses the arguments after the command name. --help / -h anywhere before "--" stops parsing
// and sets help_requested(). Errors are one line without the program prefix
// ("unknown option --frobnicate").
Expected<ParsedArgs> parse_args(const CommandSpec& spec, const std::vector<std::string>& args);

// The generated manual: NAME, SYNOPSIS, DESCRIPTION, ARGUMENTS, OPTIONS (with defaults),
// EXAMPLES, EXIT STATUS.
std::string format_help(const CommandSpec& spec);

// The usual wrapper: parses argv (argv[0] = command name), prints help to `out` (returns 0 in
// *exit_code) or the error plus "try 'netcap CMD --help'" to `err` (exit code 2).
// Returns true when the command should run with *parsed.
bool parse_or_report(const CommandSpec& spec, const std::vector<std::string>& args,
                     ParsedArgs* parsed, int* exit_code, std::ostream& out, std::ostream& err);

// Splits "ADDR:PORT" ("[v6]:PORT" for IPv6; port 0..65535); false if malformed.
bool parse_listen(const std::string& text, std::string* host, int* port);

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // runtime failure (missing files, I/O, SQL errors)
inline constexpr int kExitUsage = 2;    // bad command line

}  // namespace netcap::cli
