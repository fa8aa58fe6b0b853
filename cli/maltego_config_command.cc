// netcap maltego-config: writes the Maltego configuration archive (.mtz) that installs netcap's
// entities and local transforms (spec /work/shared/reference/maltego.md §3).
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "transforms/mtz/mtz_writer.h"

namespace netcap {

namespace cli {

namespace {

const CommandSpec& maltego_config_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "maltego-config";
    spec.summary = "write the Maltego configuration archive (.mtz) for netcap's transforms";
    spec.usage = "-o FILE.mtz [--exe PATH] [--workdir DIR] [--tree DIR]";
    spec.description =
        "Writes a Maltego configuration archive to import with Maltego's 'Import Config':\n"
        "netcap's entity types (Entities/, EntityCategories/), one local transform per netcap\n"
        "transform (TransformRepositories/Local/<id>.transform and .transformsettings), the\n"
        "local server listing (Servers/Local.tas) and the transform set\n"
        "(TransformSets/netcap.set). Maltego standard entities are referenced, not redefined.\n"
        "\n"
        "Each transform runs '<exe> transform local <id> <value> <properties>'; --exe sets\n"
        "the executable Maltego starts (an absolute path is safest: Maltego's PATH may differ\n"
        "from your shell's) and --workdir the directory it starts in.\n"
        "\n"
        "The output is deterministic: the same netcap build writes the same bytes. With\n"
        "--tree the same files are also written as a directory (the repository keeps one in\n"
        "maltego-config/). At least one of -o and --tree is required.";
    spec.options = {
        {"output", 'o', "FILE", "Write the .mtz archive to FILE (replaced if it exists).", ""},
        {"exe", 0, "PATH", "Executable Maltego runs for every transform.", "netcap"},
        {"workdir", 0, "DIR", "Working directory Maltego starts the executable in.", "/tmp"},
        {"tree", 0, "DIR", "Also write the archive's files below DIR.", ""},
    };
    spec.examples =
        "netcap maltego-config -o netcap.mtz --exe /usr/local/bin/netcap\n"
        "netcap maltego-config --tree maltego-config --exe netcap";
    spec.exit_status =
        "0 when every requested output was written; 1 if a file cannot be written; 2 for a bad\n"
        "command line.";
    return spec;
  }();
  return kSpec;
}

}  // namespace

int maltego_config_main(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
  ParsedArgs parsed;
  int exit_code = 0;
  if (!parse_or_report(maltego_config_spec(), args, &parsed, &exit_code, out, err)) {
    return exit_code;
  }
  auto usage = [&](const std::string& message) {
    err << "netcap maltego-config: " << message << "\ntry 'netcap maltego-config --help'\n";
    return kExitUsage;
  };
  if (!parsed.positionals().empty()) {
    return usage("unexpected argument '" + parsed.positionals().front() + "'");
  }
  const std::string output = parsed.get("output");
  const std::string tree = parsed.get("tree");
  if (output.empty() && tree.empty()) return usage("missing -o FILE (or --tree DIR)");
  MtzOptions options;
  options.executable = parsed.get("exe", "netcap");
  options.working_directory = parsed.get("workdir", "/tmp");
  if (options.executable.empty()) return usage("--exe must not be empty");

  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) {
    err << "netcap maltego-config: " << registry.status().message() << "\n";
    return kExitFailure;
  }
  const std::vector<MtzFile> files = build_mtz_files(*registry, options);
  if (!output.empty()) {
    Status status = write_mtz(files, output);
    if (!status) {
      err << "netcap maltego-config: " << status.message() << "\n";
      return kExitFailure;
    }
    out << "netcap maltego-config: wrote " << output << " (" << files.size() << " files, "
        << registry->size() << " transforms)\n";
  }
  if (!tree.empty()) {
    Status status = write_tree(files, tree);
    if (!status) {
      err << "netcap maltego-config: " << status.message() << "\n";
      return kExitFailure;
    }
    out << "netcap maltego-config: wrote " << files.size() << " files below " << tree << "\n";
  }
  return kExitOk;
}

}  // namespace cli

int run_maltego_config(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return cli::maltego_config_main(args, std::cout, std::cerr);
}

}  // namespace netcap
