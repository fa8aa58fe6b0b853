#include "cli/args.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace netcap::cli {
namespace {

CommandSpec test_spec() {
  CommandSpec spec;
  spec.name = "demo";
  spec.summary = "a demo command";
  spec.usage = "INPUT [OPTIONS]";
  spec.description = "Does demo things.\n\nSecond paragraph.";
  spec.positionals = {{"INPUT", "the input"}, {"EXTRA", "optional extra", false}};
  spec.options = {
      {"read", 'r', "FILE", "Read FILE.", "", true},
      {"out", 'o', "DIR", "Write to DIR.", "./case"},
      {"quiet", 'q', "", "Say less.", ""},
      {"count", 0, "N", "How many.", "10"},
  };
  spec.examples = "netcap demo x -r a.pcap";
  return spec;
}

TEST_CASE("parse_args reads options, flags, aliases and positionals") {
  auto parsed = parse_args(test_spec(), {"in", "-r", "a.pcap", "--read=b.pcap", "--read", "c", "-q",
                                         "--out", "dir", "extra"});
  REQUIRE(parsed.has_value());
  CHECK(parsed->positionals() == std::vector<std::string>{"in", "extra"});
  CHECK(parsed->values("read") == std::vector<std::string>{"a.pcap", "b.pcap", "c"});
  CHECK(parsed->get("out") == "dir");
  CHECK(parsed->has("quiet"));
  CHECK_FALSE(parsed->has("count"));
  CHECK(parsed->get("count", "10") == "10");
  CHECK(parsed->get_int("count", 10).value() == 10);
  CHECK_FALSE(parsed->help_requested());
}

TEST_CASE("parse_args handles --, negative numbers and integer validation") {
  auto parsed = parse_args(test_spec(), {"--count", "-5", "--", "-r"});
  REQUIRE(parsed.has_value());
  CHECK(parsed->positionals() == std::vector<std::string>{"-r"});
  CHECK(parsed->get_int("count", 0).value() == -5);
  CHECK_FALSE(parsed->get_int("count", 0, 0).has_value());  // below min
  auto bad = parse_args(test_spec(), {"x", "--count", "12abc"});
  REQUIRE(bad.has_value());
  CHECK_FALSE(bad->get_int("count", 0).has_value());
}

TEST_CASE("parse_args reports errors in one line") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"x", "--frobnicate"}, "unknown option --frobnicate"},
      {{"x", "-z"}, "unknown option -z"},
      {{"x", "--out"}, "option --out needs a value (DIR)"},
      {{"x", "--quiet=yes"}, "option --quiet takes no value"},
      {{"x", "--out", "a", "-o", "b"}, "option --out given more than once"},
      {{}, "missing INPUT"},
      {{"a", "b", "c"}, "unexpected argument 'c'"},
  };
  for (const Case& c : cases) {
    auto parsed = parse_args(test_spec(), c.args);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.status().message() == c.message);
  }
}

TEST_CASE("--help wins over missing arguments and prints the manual") {
  auto parsed = parse_args(test_spec(), {"--help"});
  REQUIRE(parsed.has_value());
  CHECK(parsed->help_requested());
  CHECK(parse_args(test_spec(), {"-h"})->help_requested());

  std::string help = format_help(test_spec());
  for (const char* section :
       {"NAME", "SYNOPSIS", "DESCRIPTION", "ARGUMENTS", "OPTIONS", "EXAMPLES", "EXIT STATUS"}) {
    CHECK(help.find(section) != std::string::npos);
  }
  CHECK(help.find("-r, --read FILE") != std::string::npos);
  CHECK(help.find("May be repeated.") != std::string::npos);
  CHECK(help.find("(default: ./case)") != std::string::npos);
  CHECK(help.find("netcap demo - a demo command") != std::string::npos);
}

TEST_CASE("parse_or_report prints help (exit 0) or error + hint (exit 2)") {
  std::ostringstream out, err;
  ParsedArgs parsed;
  int code = -1;
  CHECK_FALSE(parse_or_report(test_spec(), {"--bogus"}, &parsed, &code, out, err));
  CHECK(code == kExitUsage);
  CHECK(err.str() == "netcap demo: unknown option --bogus\ntry 'netcap demo --help'\n");
  CHECK(out.str().empty());

  std::ostringstream out2, err2;
  CHECK_FALSE(parse_or_report(test_spec(), {"--help"}, &parsed, &code, out2, err2));
  CHECK(code == kExitOk);
  CHECK(out2.str() == format_help(test_spec()));

  std::ostringstream out3, err3;
  CHECK(parse_or_report(test_spec(), {"in"}, &parsed, &code, out3, err3));
  CHECK(parsed.positionals().at(0) == "in");
}

}  // namespace
}  // namespace netcap::cli
