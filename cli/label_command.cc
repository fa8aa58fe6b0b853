// netcap label: import IDS alerts (Suricata EVE JSON) into a case as Alert records, each tied to
// the Connection it belongs to (forensics/alerts/eve_alerts.h), then refresh the transforms'
// precomputed answers.
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/sinks/case_index.h"
#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"
#include "forensics/alerts/eve_alerts.h"
#include "transforms/catalog/precomputed_answers.h"
#include "transforms/registry.h"

namespace netcap {

namespace {

namespace fs = std::filesystem;
using cli::CommandSpec;

constexpr size_t kMaxLineBytes = 16u << 20;  // EVE lines with payloads are long, not this long
constexpr int kMaxWarnings = 5;              // malformed lines printed; the rest are counted

const CommandSpec& label_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "label";
    spec.summary = "import IDS alerts (Suricata EVE JSON) into a case, tied to its connections";
    spec.usage = "CASE --eve FILE... [OPTIONS]";
    spec.description =
        "Reads Suricata's EVE JSON log (eve.json: one JSON object per line) and adds every\n"
        "event_type \"alert\" line to the case as an Alert record: time, rule (signature, id,\n"
        "generator, revision), category, severity, action, addresses and ports, transport,\n"
        "application protocol, Community ID and Suricata's flow id. Other event types are\n"
        "counted and skipped.\n"
        "\n"
        "Each alert is tied to the case's Connection it belongs to (Alert.FlowID = "
        "Connection.UID):\n"
        "first by Community ID (turn on community-id in suricata.yaml's eve-log for exact\n"
        "matches), else by addresses, ports (not for ICMP) and transport in either direction.\n"
        "A connection matches when its time span, widened by --slack on each side, holds the\n"
        "alert's time; of several (a reused 5-tuple) the one that started last before it.\n"
        "Unmatched alerts are kept with an empty FlowID.\n"
        "\n"
        "Running label again replaces the case's alerts. Lines that are not valid EVE alerts are\n"
        "reported (the first few with their line numbers) and skipped; the rest is imported.\n"
        "Run Suricata over the same capture, for example:\n"
        "  suricata -r traffic.pcap -l logdir/ -k none\n"
        "Query the result with 'netcap query CASE --sql \"SELECT ... FROM Alert\"' or the\n"
        "Maltego transforms ToAlertSignatures, ToAlertsForHost and ToAlertHosts.";
    spec.positionals = {{"CASE", "The case directory (holds index.db, from 'netcap capture')."}};
    spec.options = {
        {"eve", 'e', "FILE", "A Suricata EVE JSON file; repeat for several.", "", true},
        {"slack", 0, "SECONDS",
         "Seconds an alert may lie outside its connection's first and last packet.", "2"},
        {"max-alerts", 0, "N",
         "Alerts imported at most; later ones are counted as dropped (a limit on the table).",
         "10000000"},
        {"quiet", 'q', "", "No summary (warnings still go to stderr).", ""},
        {"json-summary", 0, "", "Print the summary as one JSON object on stdout.", ""},
    };
    spec.examples =
        "suricata -r traffic.pcap -l suricata-out/ -k none\n"
        "netcap capture -r traffic.pcap -o case1\n"
        "netcap label case1 --eve suricata-out/eve.json\n"
        "netcap query case1 --sql \"SELECT Signature, COUNT(*) FROM Alert GROUP BY 1 ORDER BY 2 "
        "DESC\"";
    spec.exit_status =
        "0  the alerts were imported (malformed lines are reported, not fatal)\n"
        "1  the case or an EVE file could not be opened, or the index could not be written\n"
        "2  bad command line";
    return spec;
  }();
  return kSpec;
}

// One line of at most `max_bytes` (without the newline and a trailing CR); a longer line is
// consumed whole and flagged. False at the end of the file.
bool next_line(std::FILE* file, size_t max_bytes, std::string* line, bool* overlong) {
  line->clear();
  *overlong = false;
  bool any = false;
  int c;
  while ((c = getc_unlocked(file)) != EOF) {
    any = true;
    if (c == '\n') break;
    if (line->size() < max_bytes) {
      line->push_back(static_cast<char>(c));
    } else {
      *overlong = true;
    }
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return any;
}

struct LabelCounts {
  uint64_t lines = 0;
  uint64_t alerts = 0;
  uint64_t other_events = 0;
  uint64_t malformed = 0;
  uint64_t by_community_id = 0;
  uint64_t by_five_tuple = 0;
  uint64_t unmatched = 0;
  uint64_t dropped = 0;  // beyond --max-alerts
  std::set<int64_t> signatures;
};

std::string summary_json(const std::string& case_dir, const std::vector<std::string>& files,
                         const LabelCounts& n) {
  std::string out = "{\"case\": ";
  append_json_string(case_dir, &out);
  out += ", \"eve_files\": [";
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) out += ", ";
    append_json_string(files[i], &out);
  }
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "], \"lines\": %" PRIu64 ", \"alerts\": %" PRIu64 ", \"other_events\": %" PRIu64
                ", \"malformed_lines\": %" PRIu64 ", \"matched_by_community_id\": %" PRIu64
                ", \"matched_by_5tuple\": %" PRIu64 ", \"unmatched\": %" PRIu64
                ", \"dropped_over_limit\": %" PRIu64 ", \"signatures\": %zu}",
                n.lines, n.alerts, n.other_events, n.malformed, n.by_community_id, n.by_five_tuple,
                n.unmatched, n.dropped, n.signatures.size());
  return out + buf;
}

}  // namespace

int run_label(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::ParsedArgs parsed;
  int exit_code = 0;
  if (!cli::parse_or_report(label_spec(), args, &parsed, &exit_code, std::cout, std::cerr)) {
    return exit_code;
  }
  auto usage = [](const std::string& m) {
    std::cerr << "netcap label: " << m << "\ntry 'netcap label --help'\n";
    return cli::kExitUsage;
  };
  auto fail = [](const std::string& m) {
    std::cerr << "netcap label: " << m << "\n";
    return cli::kExitFailure;
  };
  if (parsed.positionals().size() != 1) return usage("give exactly one CASE");
  const std::string case_dir = parsed.positionals()[0];
  const std::vector<std::string> eve_files = parsed.values("eve");
  if (eve_files.empty()) return usage("--eve FILE is required");
  auto slack = parsed.get_int("slack", 2, 0, 86400 * 365);
  if (!slack) return usage(slack.status().message());
  auto max_alerts = parsed.get_int("max-alerts", 10'000'000, 1, int64_t{1} << 40);
  if (!max_alerts) return usage(max_alerts.status().message());

  // Everything is opened before the first row is written: a missing file changes nothing.
  auto index = CaseIndex::open_read_only(case_dir);
  if (!index) return fail(index.status().message());
  std::vector<std::unique_ptr<std::FILE, int (*)(std::FILE*)>> files;
  for (const std::string& path : eve_files) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return fail(path + ": is a directory, not an EVE file");
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return fail("cannot open " + path + ": " + std::strerror(errno));
    files.emplace_back(f, &std::fclose);
  }
  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) return fail(registry.status().message());

  SinkOptions options;
  options.case_dir = case_dir;
  options.append = true;
  options.replace_types = {"Alert"};
  auto sink = open_index_sink(options);
  if (!sink) return fail(sink.status().message());

  alerts::AlertMatcher matcher(*index, *slack * 1'000'000'000);
  LabelCounts n;
  int warnings = 0;
  std::string line;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string name = fs::path(eve_files[i]).filename().string();
    uint64_t line_number = 0;
    bool overlong = false;
    while (next_line(files[i].get(), kMaxLineBytes, &line, &overlong)) {
      ++line_number;
      if (line.empty() && !overlong) continue;
      ++n.lines;
      const std::string where = name + ":" + std::to_string(line_number);
      alerts::EveLine parsed_line;
      if (overlong) {
        parsed_line.error = "line longer than 16 MiB";
      } else {
        parsed_line = alerts::parse_eve_line(line, where);
      }
      switch (parsed_line.kind) {
        case alerts::EveLine::Kind::kOtherEvent:
          ++n.other_events;
          continue;
        case alerts::EveLine::Kind::kMalformed:
          ++n.malformed;
          if (warnings++ < kMaxWarnings) {
            std::cerr << "netcap label: warning: " << where << ": " << parsed_line.error << "\n";
          }
          continue;
        case alerts::EveLine::Kind::kAlert:
          break;
      }
      ++n.alerts;
      if (n.alerts > static_cast<uint64_t>(*max_alerts)) {
        ++n.dropped;
        continue;
      }
      Alert& alert = parsed_line.alert;
      if (Status s = matcher.match(&alert); !s) return fail("matching alerts: " + s.message());
      if (alert.matchedby() == "community_id") {
        ++n.by_community_id;
      } else if (alert.matchedby().empty()) {
        ++n.unmatched;
      } else {
        ++n.by_five_tuple;
      }
      n.signatures.insert(alert.signatureid());
      if (Status s = (*sink)->write(alert); !s) return fail(s.message());
    }
    if (std::ferror(files[i].get())) return fail("reading " + eve_files[i] + " failed");
  }
  if (warnings > kMaxWarnings) {
    std::cerr << "netcap label: warning: " << (warnings - kMaxWarnings)
              << " more malformed lines\n";
  }
  if (n.dropped > 0) {
    std::cerr << "netcap label: warning: " << n.dropped << " alerts beyond --max-alerts "
              << *max_alerts << " were not imported\n";
  }
  const std::string summary = summary_json(case_dir, eve_files, n);
  if (Status s = (*sink)->set_meta("label_summary", summary); !s) return fail(s.message());
  if (Status s = (*sink)->close(); !s) return fail(s.message());
  index = Status::error("closed");  // the reader must not outlive the rewrite of the answers

  // Answers over Alert (and every answer's fingerprint) follow the new rows.
  auto report = catalog::precompute_answers(case_dir, *registry);
  if (!report) {
    std::cerr << "netcap label: warning: transform answers not refreshed: "
              << report.status().message() << "\n";
  }

  if (parsed.has("json-summary")) {
    std::cout << summary << "\n";
  } else if (!parsed.has("quiet")) {
    std::printf("netcap label summary\n");
    std::printf("  case              %s (alerts replaced)\n", case_dir.c_str());
    std::printf("  eve files         %zu\n", eve_files.size());
    std::printf("  lines             %" PRIu64 " (%" PRIu64 " alerts, %" PRIu64
                " other events, %" PRIu64 " malformed)\n",
                n.lines, n.alerts, n.other_events, n.malformed);
    std::printf("  matched           %" PRIu64 " by community id, %" PRIu64
                " by 5-tuple and time, %" PRIu64 " unmatched\n",
                n.by_community_id, n.by_five_tuple, n.unmatched);
    if (n.dropped > 0)
      std::printf("  dropped           %" PRIu64 " (over --max-alerts)\n", n.dropped);
    std::printf("  signatures        %zu\n", n.signatures.size());
  }
  return cli::kExitOk;
}

}  // namespace netcap
