// netcap: dispatches "netcap <command> ..." to the subcommands in commands.h.
#include <sqlite3.h>

#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"

namespace {

struct CommandEntry {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

// The one list of commands; help and dispatch both come from it.
constexpr CommandEntry kCommands[] = {
    {"capture", "decode pcap/pcapng input into a case (index.db, record files)",
     netcap::run_capture},
    {"export", "capture into a case while serving Prometheus metrics (/metrics)",
     netcap::run_export},
    {"label", "import IDS alerts (Suricata EVE JSON) into a case, tied to its connections",
     netcap::run_label},
    {"agent", "capture on a sensor and ship the records to a 'netcap collect' server",
     netcap::run_agent},
    {"collect", "receive records from 'netcap agent' sensors into one case per agent",
     netcap::run_collect},
    {"proxy", "a recording TCP reverse proxy: relayed traffic decoded into a case",
     netcap::run_proxy},
    {"util", "helpers: capture interfaces, field data status, time conversion", netcap::run_util},
    {"dump", "print the records of a .ncap.gz file", netcap::run_dump},
    {"query", "answer questions from a case index (summary, hosts, connections, anomalies)",
     netcap::run_query},
    {"transform", "run a Maltego transform over a case (local mode), list transforms",
     netcap::run_transform},
    {"serve", "serve Maltego transforms over HTTP(S) for a TDS/iTDS", netcap::run_serve},
    {"maltego-config", "write the Maltego configuration archive (.mtz)",
     netcap::run_maltego_config},
    {"hosts", "list the hosts of a case: names, MACs, software, services, bytes",
     netcap::run_hosts},
    {"software", "list the software seen in a case (user agents, banners, mailers)",
     netcap::run_software},
    {"services", "list the services offered in a case (address, port, protocol, product)",
     netcap::run_services},
    {"devices", "list the devices (MAC addresses) of a case with vendor, IPs, DHCP names",
     netcap::run_devices},
    {"files", "list the files extracted from a case (HTTP, FTP, SMB, TFTP, mail)",
     netcap::run_files},
    {"extract", "copy extracted files out of a case under safe names", netcap::run_extract},
    {"creds", "list the credentials seen in a case (logins, secrets, crackable hashes)",
     netcap::run_creds},
};

void print_top_help(std::ostream& out) {
  out << "netcap " << netcap::netcap_version() << " - network forensics toolkit\n\n"
      << "USAGE\n    netcap <command> [options]\n\nCOMMANDS\n";
  for (const CommandEntry& command : kCommands) {
    std::string name = command.name;
    if (name.size() >= 10) {  // a long name keeps its full spelling, two spaces before the summary
      out << "    " << name << "  " << command.summary << "\n";
      continue;
    }
    name.resize(10, ' ');
    out << "    " << name << command.summary << "\n";
  }
  out << "    help      show help for a command (netcap help <command>)\n"
      << "    version   print the netcap version\n\n"
      << "Run 'netcap <command> --help' for a command's options and examples.\n";
}

const CommandEntry* find_command(std::string_view name) {
  for (const CommandEntry& command : kCommands) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  netcap::filter_protobuf_utf8_errors();
  // SQLite's memory statistics take a process-wide mutex on every allocation, which the index
  // writer, the index build and the transform precompute then contend for; netcap reads none of
  // them (no soft heap limit), so they are switched off before SQLite initialises.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (argc < 2) {
    print_top_help(std::cerr);
    return netcap::cli::kExitUsage;
  }
  std::string_view command = argv[1];
  if (command == "--help" || command == "-h") {
    print_top_help(std::cout);
    return netcap::cli::kExitOk;
  }
  if (command == "help") {
    if (argc < 3) {
      print_top_help(std::cout);
      return netcap::cli::kExitOk;
    }
    const CommandEntry* entry = find_command(argv[2]);
    if (entry == nullptr) {
      std::cerr << "netcap: unknown command '" << argv[2] << "'\ntry 'netcap --help'\n";
      return netcap::cli::kExitUsage;
    }
    char help_flag[] = "--help";
    char* help_argv[] = {argv[2], help_flag, nullptr};
    return entry->run(2, help_argv);
  }
  if (command == "version" || command == "--version") {
    std::cout << "netcap " << netcap::netcap_version() << "\n";
    return netcap::cli::kExitOk;
  }
  const CommandEntry* entry = find_command(command);
  if (entry == nullptr) {
    std::cerr << "netcap: unknown command '" << command << "'\ntry 'netcap --help'\n";
    return netcap::cli::kExitUsage;
  }
  return entry->run(argc - 1, argv + 1);
}
