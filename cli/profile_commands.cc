// netcap hosts / software / services / devices: listings of the summary records of a case
// (proto/profile.proto, written by the profiles sink during 'netcap capture'). Each command is a
// fixed read-only query over CASE/index.db run through 'netcap query --sql', so output formats,
// time rendering and --limit behave exactly as there.
#include <unistd.h>

#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"

namespace netcap {

namespace cli {

namespace {

// One listing: the command, its filters, and how they become SQL conditions.
struct Filter {
  const char* option;  // long option name
  const char* value_name;
  const char* help;
  // Condition with %s standing for the quoted value ("%%": a literal %).
  std::string condition;
};

struct Listing {
  const char* name;
  const char* summary;
  const char* description;
  std::string select;    // SELECT ... FROM ... (no WHERE)
  const char* order_by;  // ORDER BY ...
  std::vector<Filter> filters;
  const char* example;
};

// The items of a JSON array column (repeated fields are JSON in the index), space separated.
// 'netcap query --sql' refuses table-valued functions such as json_each, so this is text work:
// ["a","b"] -> a b (escapes inside items stay as JSON wrote them).
std::string list_of(const std::string& column) {
  const std::string joined = "replace(" + column + ", '\",\"', ' ')";
  return "CASE WHEN " + column + " IS NULL OR " + column + " = '[]' THEN '' ELSE substr(" + joined +
         ", 3, length(" + joined + ") - 4) END AS " + column;
}

// An exact item of a JSON array column: the quoted item appears in the array text.
std::string has_item(const std::string& column) {
  return "instr(" + column + ", json_quote(%s)) > 0";
}

const std::vector<Listing>& listings() {
  static const std::vector<Listing> kListings = {
      {"hosts",
       "list the hosts of a case: names, MACs, software, services, bytes",
       "One row per IP address (HostProfile records): first and last seen, MAC addresses, the\n"
       "names DNS answers gave it, their registered domains, the OS its software names, the\n"
       "software it runs, the services it offers, connections and bytes sent and received.",
       "SELECT IP, TimestampFirst, TimestampLast, " + list_of("MACs") + ", " + list_of("DNSNames") +
           ", " + list_of("RegisteredDomains") + ", OS, " + list_of("Software") + ", " +
           list_of("Services") +
           ", Connections, BytesSent, BytesReceived, Country, ASN FROM HostProfile",
       "ORDER BY BytesSent + BytesReceived DESC, IP ASC",
       {{"host", "IP", "Only this address.", "IP = %s"},
        {"domain", "DOMAIN", "Only hosts with this registered domain (names, SNIs, HTTP hosts).",
         has_item("RegisteredDomains")}},
       "netcap hosts case --domain example.com"},
      {"software",
       "list the software seen in a case (user agents, banners, mailers)",
       "One row per product, version and source (Software records): how it was found\n"
       "(http.user_agent, http.server, ssh.server_banner, ...), vendor, OS, the hosts running\n"
       "it and how often it was seen.",
       "SELECT Product, Version, Source, Vendor, " + list_of("OSes") + ", " + list_of("Devices") +
           ", " + list_of("Hosts") + ", Count, TimestampFirst, TimestampLast FROM Software",
       "ORDER BY Product ASC, Version ASC, Source ASC",
       {{"host", "IP", "Only software of this host.", has_item("Hosts")},
        {"product", "TEXT", "Only products containing TEXT (case-insensitive).",
         "Product LIKE '%%' || %s || '%%'"}},
       "netcap software case --host 10.0.0.5"},
      {"services",
       "list the services offered in a case (address, port, protocol, product)",
       "One row per server address, port and transport (Service records): the protocol found by\n"
       "content, the banner, nmap's service, product, version and OS from the banner, clients\n"
       "and bytes.",
       "SELECT IP, Port, Transport, Protocol, Product, Version, OS, Banner, " + list_of("Clients") +
           ", Connections, BytesClientToServer, BytesServerToClient, TimestampFirst, "
           "TimestampLast FROM Service",
       "ORDER BY IP ASC, Port ASC, Transport ASC",
       {{"host", "IP", "Only services of this server address.", "IP = %s"},
        {"port", "N", "Only this port.", "Port = CAST(%s AS INTEGER)"}},
       "netcap services case --port 22"},
      {"devices",
       "list the devices (MAC addresses) of a case with vendor, IPs, DHCP names",
       "One row per MAC address (DeviceProfile records): the IEEE vendor, addresses used, DHCP\n"
       "host name, vendor class and fingerprint, packets and bytes, first and last seen.",
       "SELECT MAC, Vendor, " + list_of("IPs") +
           ", DHCPHostname, DHCPVendorClass, DHCPFingerprint, PacketsSent, PacketsReceived, "
           "BytesSent, BytesReceived, TimestampFirst, TimestampLast FROM DeviceProfile",
       "ORDER BY MAC ASC",
       {{"mac", "MAC", "Only this MAC address.", "MAC = lower(%s)"},
        {"vendor", "TEXT", "Only vendors containing TEXT (case-insensitive).",
         "Vendor LIKE '%%' || %s || '%%'"}},
       "netcap devices case --vendor cisco"},
  };
  return kListings;
}

// An SQL string literal: quotes doubled, so the value cannot end the literal.
std::string sql_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string fill_condition(const std::string& condition, const std::string& literal) {
  std::string out;
  for (const char* p = condition.c_str(); *p != '\0'; ++p) {
    if (p[0] == '%' && p[1] == 's') {
      out += literal;
      ++p;
    } else if (p[0] == '%' && p[1] == '%') {
      out.push_back('%');
      ++p;
    } else {
      out.push_back(*p);
    }
  }
  return out;
}

CommandSpec spec_of(const Listing& listing) {
  CommandSpec spec;
  spec.name = listing.name;
  spec.summary = listing.summary;
  spec.usage = "CASE [FILTERS] [--format table|csv|json]";
  spec.description = std::string(listing.description) +
                     "\n\nThe index is opened read-only. Output formats, time rendering and "
                     "--limit are those of\n'netcap query'.";
  spec.positionals = {{"CASE", "The case directory (holds index.db)."}};
  spec.options = {
      {"format", 'f', "FORMAT", "Output format: table, csv or json.",
       "table on a terminal, csv otherwise"},
      {"raw-time", 0, "", "Print time columns as raw Unix nanoseconds.", ""},
      {"limit", 'n', "N", "At most N rows (0: no limit).", "1000"},
  };
  for (const Filter& f : listing.filters)
    spec.options.push_back({f.option, 0, f.value_name, f.help, ""});
  spec.examples = listing.example;
  spec.exit_status =
      "0 on success (also when no rows match), 1 when the case or its index is missing,\n"
      "2 for a bad command line.";
  return spec;
}

const Listing* find_listing(std::string_view name) {
  for (const Listing& l : listings()) {
    if (name == l.name) return &l;
  }
  return nullptr;
}

int run_listing(std::string_view name, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return profile_listing_main(name, args, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1);
}

}  // namespace

int profile_listing_main(std::string_view name, const std::vector<std::string>& args,
                         std::ostream& out, std::ostream& err, bool terminal_output) {
  const Listing* listing = find_listing(name);
  if (listing == nullptr) {
    err << "netcap: no listing '" << name << "'\n";
    return kExitUsage;
  }
  const CommandSpec spec = spec_of(*listing);
  ParsedArgs parsed;
  int exit_code = kExitOk;
  if (!parse_or_report(spec, args, &parsed, &exit_code, out, err)) return exit_code;
  std::string sql = listing->select;
  bool first = true;
  for (const Filter& f : listing->filters) {
    if (!parsed.has(f.option)) continue;
    sql += first ? " WHERE " : " AND ";
    first = false;
    sql += fill_condition(f.condition, sql_literal(parsed.get(f.option)));
  }
  sql += " ";
  sql += listing->order_by;
  std::vector<std::string> query_args = {parsed.positionals()[0], "--sql", sql};
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

int run_hosts(int argc, char** argv) { return cli::run_listing("hosts", argc, argv); }
int run_software(int argc, char** argv) { return cli::run_listing("software", argc, argv); }
int run_services(int argc, char** argv) { return cli::run_listing("services", argc, argv); }
int run_devices(int argc, char** argv) { return cli::run_listing("devices", argc, argv); }

}  // namespace netcap
