// The netcap subcommands. Each run_* takes the arguments after "netcap" (argv[0] is the command
// name) and returns the process exit status (cli/args.h: 0 ok, 1 failure, 2 usage).
// The *_main variants write to the given streams so that tests can run them in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace netcap {

int run_capture(int argc, char** argv);    // cli/capture_command.cc (the lead)
int run_export(int argc, char** argv);     // cli/capture_command.cc: capture + Prometheus /metrics
int run_label(int argc, char** argv);      // cli/label_command.cc: Suricata alerts into a case
int run_util(int argc, char** argv);       // cli/util_command.cc: interfaces, field data, time
int run_agent(int argc, char** argv);      // cli/agent_command.cc: a sensor shipping records
int run_collect(int argc, char** argv);    // cli/collect_command.cc: the agents' central side
int run_proxy(int argc, char** argv);      // cli/proxy_command.cc: a recording TCP reverse proxy
int run_dump(int argc, char** argv);       // cli/dump_command.cc
int run_query(int argc, char** argv);      // cli/query_command.cc
int run_transform(int argc, char** argv);  // cli/transform_command.cc
int run_serve(int argc, char** argv);      // cli/serve_command.cc
int run_maltego_config(int argc, char** argv);  // cli/maltego_config_command.cc
// cli/profile_commands.cc: listings of the summary records (proto/profile.proto).
int run_hosts(int argc, char** argv);
int run_software(int argc, char** argv);
int run_services(int argc, char** argv);
int run_devices(int argc, char** argv);
// cli/files_command.cc: the extracted files (proto/file.proto, CASE/files/).
int run_files(int argc, char** argv);
int run_extract(int argc, char** argv);
// cli/creds_command.cc: the login attempts (proto/credentials.proto).
int run_creds(int argc, char** argv);

namespace cli {

// `args` excludes the command name. Output goes to `out`, diagnostics to `err`.
int dump_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `terminal_output`: whether `out` is a terminal (the default --format is table there, CSV
// otherwise).
int query_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               bool terminal_output = false);
// `args` excludes the command name ("local ..." or "list"). In local mode `out` receives only
// the Maltego XML document (spec maltego.md §1.4).
int transform_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `args` excludes the command name; status lines go to `out`.
int maltego_config_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `name`: "hosts", "software", "services" or "devices"; `args` excludes the command name.
int profile_listing_main(std::string_view name, const std::vector<std::string>& args,
                         std::ostream& out, std::ostream& err, bool terminal_output = false);

// `args` exclude the command name (cli/files_command.cc).
int files_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               bool terminal_output = false);
int extract_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `args` exclude the command name (cli/util_command.cc).
int util_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `args` exclude the command name (cli/creds_command.cc).
int creds_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               bool terminal_output = false);

}  // namespace cli

}  // namespace netcap
