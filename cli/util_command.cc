// netcap util: small helpers around captures and cases (Go netcap's `util`): the capture
// interfaces libpcap sees, the field data the profiles use, and time conversion.
#include <pcap/pcap.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/net/address.h"
#include "core/sinks/record_format.h"
#include "forensics/profiles/field_data.h"

namespace netcap {

namespace cli {

namespace {

const CommandSpec& util_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "util";
    spec.summary = "helpers: capture interfaces, field data status, time conversion";
    spec.usage = "interfaces | field-data [--geoip FILES] | time VALUE...";
    spec.description =
        "interfaces   the interfaces libpcap can capture on (for 'netcap capture -i'), with\n"
        "             their addresses and state; needs the rights a live capture needs to\n"
        "             see them all.\n"
        "field-data   which field data the profiles load (MAC vendors from ieee-data, service\n"
        "             probes from nmap-common, user agents from uap-core, the Public Suffix\n"
        "             List, p0f signatures, optional MaxMind databases), from where, and what\n"
        "             is missing: the same lines a capture writes into the case meta table.\n"
        "time         converts each VALUE between Unix time and RFC 3339 UTC. A number is read\n"
        "             as seconds, milliseconds, microseconds or nanoseconds by its size (as\n"
        "             found in logs and records); RFC 3339 text with any offset is accepted.";
    spec.positionals = {{"ACTION", "interfaces, field-data or time."},
                        {"VALUE", "time: the values to convert.", false, true}};
    spec.options = {
        {"geoip", 0, "FILES", "field-data: MaxMind-format databases to try (comma separated).", ""},
    };
    spec.examples =
        "netcap util interfaces\n"
        "netcap util field-data\n"
        "netcap util time 1494364058364077000 1494364058 2017-05-09T23:07:38+02:00";
    spec.exit_status =
        "0  done\n"
        "1  libpcap cannot list interfaces, or a time value cannot be read\n"
        "2  bad command line";
    return spec;
  }();
  return kSpec;
}

int list_interfaces(std::ostream& out, std::ostream& err) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* devices = nullptr;
  if (pcap_findalldevs(&devices, errbuf) != 0) {
    err << "netcap util: cannot list interfaces: " << errbuf << "\n";
    return kExitFailure;
  }
  for (pcap_if_t* d = devices; d != nullptr; d = d->next) {
    std::string flags;
    const auto flag = [&](bool on, const char* name) {
      if (!on) return;
      if (!flags.empty()) flags += ",";
      flags += name;
    };
    flag(d->flags & PCAP_IF_UP, "up");
    flag(d->flags & PCAP_IF_RUNNING, "running");
    flag(d->flags & PCAP_IF_LOOPBACK, "loopback");
    flag(d->flags & PCAP_IF_WIRELESS, "wireless");
    out << d->name;
    if (!flags.empty()) out << "  [" << flags << "]";
    if (d->description != nullptr) out << "  " << d->description;
    out << "\n";
    for (pcap_addr_t* a = d->addresses; a != nullptr; a = a->next) {
      if (a->addr == nullptr) continue;
      IpAddress ip;
      if (IpAddress::from_sockaddr(a->addr, ip)) out << "    " << ip.to_string() << "\n";
    }
  }
  pcap_freealldevs(devices);
  return kExitOk;
}

int field_data(const ParsedArgs& parsed, std::ostream& out) {
  profiles::FieldDataPaths paths;
  const std::string geoip = parsed.get("geoip");
  if (!geoip.empty()) paths.geoip_databases = profiles::GeoIp::split_paths(geoip);
  const profiles::FieldData data = profiles::FieldData::load(paths);
  for (const auto& [key, text] : data.status) {
    if (key.rfind("profiles.", 0) != 0) continue;
    char line[64];
    std::snprintf(line, sizeof line, "%-20s ", key.substr(9).c_str());
    out << line << text << "\n";
  }
  out << "(Debian packages: ieee-data, nmap-common, uap-core, publicsuffix, p0f; GeoIP: a "
         "MaxMind-format .mmdb given with --geoip or $NETCAP_GEOIP)\n";
  return kExitOk;
}

// A Unix time of unknown unit, by its magnitude: seconds until year 5138, then ms, us, ns.
Expected<int64_t> read_time(const std::string& text) {
  const bool integer = !text.empty() && text.size() <= 19 &&
                       text.find_first_not_of("0123456789") == std::string::npos;
  if (integer) {
    const int64_t v = std::stoll(text);
    if (v >= 100'000'000'000'000'000) return v;      // ns
    if (v >= 100'000'000'000'000) return v * 1'000;  // us
    if (v >= 100'000'000'000) return v * 1'000'000;  // ms
    return v * 1'000'000'000;                        // s
  }
  return parse_time(text);
}

int convert_times(const std::vector<std::string>& values, std::ostream& out, std::ostream& err) {
  if (values.empty()) {
    err << "netcap util: time needs at least one VALUE\ntry 'netcap util --help'\n";
    return kExitUsage;
  }
  int status = kExitOk;
  for (const std::string& value : values) {
    Expected<int64_t> ns = read_time(value);
    if (!ns) {
      err << "netcap util: cannot read '" << value << "' as a time: " << ns.status().message()
          << "\n";
      status = kExitFailure;
      continue;
    }
    out << value << "\t" << *ns << "\t" << format_time_ns(*ns) << "\n";
  }
  return status;
}

}  // namespace

int util_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ParsedArgs parsed;
  int exit_code = 0;
  if (!parse_or_report(util_spec(), args, &parsed, &exit_code, out, err)) return exit_code;
  const std::vector<std::string>& pos = parsed.positionals();
  const std::string action = pos.empty() ? "" : pos[0];
  const std::vector<std::string> values(pos.begin() + (pos.empty() ? 0 : 1), pos.end());
  auto usage = [&](const std::string& m) {
    err << "netcap util: " << m << "\ntry 'netcap util --help'\n";
    return kExitUsage;
  };
  if (action == "interfaces") {
    if (!values.empty()) return usage("interfaces takes no values");
    return list_interfaces(out, err);
  }
  if (action == "field-data") {
    if (!values.empty()) return usage("field-data takes no values");
    return field_data(parsed, out);
  }
  if (action == "time") return convert_times(values, out, err);
  return usage(action.empty() ? "missing ACTION" : "unknown action '" + action + "'");
}

}  // namespace cli

int run_util(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return cli::util_main(args, std::cout, std::cerr);
}

}  // namespace netcap
