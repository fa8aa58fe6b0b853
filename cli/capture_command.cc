// netcap capture: read captures (or an interface), decode, track flows and reassemble TCP,
// and write the records into a case directory (index.db + records/).
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/metrics_endpoint.h"
#include "cli/packet_input.h"
#include "cli/stop_signals.h"
#include "core/capture/packet_source.h"
#include "core/engine/engine.h"
#include "core/packet/layer_registry.h"
#include "core/sinks/mailbox_sink.h"
#include "core/sinks/metrics.h"
#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"
#include "core/util/file_identity.h"
#include "forensics/app/default_app_layer.h"
#include "forensics/files/file_store.h"
#include "forensics/profiles/profile_sink.h"
#include "transforms/catalog/precomputed_answers.h"
#include "transforms/registry.h"

namespace netcap {

namespace {

namespace fs = std::filesystem;
using cli::CommandSpec;

const CommandSpec& capture_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "capture";
    spec.summary = "decode captures or an interface into a case (index.db + record files)";
    spec.usage = "(-r FILE|DIR... | -i IFACE) -o CASE [OPTIONS]";
    spec.description =
        "Reads pcap and pcapng files (any timestamp precision, either byte order, pcapng with\n"
        "several interfaces and link types, gzip-compressed captures), whole directories of them\n"
        "merged in timestamp order, or a live interface. The link type comes from the capture\n"
        "itself: Ethernet, Linux SLL and SLL2, raw IPv4/IPv6 and BSD loopback are decoded;\n"
        "packets of other link types are counted and reported.\n"
        "\n"
        "Every packet is decoded from the link layer up (802.1Q/QinQ, MPLS, ARP, IPv4 with\n"
        "fragment reassembly, IPv6 with extension headers and fragments, ICMP, ICMPv6, IGMP,\n"
        "TCP, UDP, SCTP, and inside GRE, VXLAN and Geneve tunnels). Flows are tracked by the\n"
        "canonical 5-tuple plus VLAN; TCP streams are reassembled. Each flow becomes a\n"
        "Connection record (endpoints, packets and bytes each way, TCP flags, Zeek-style state\n"
        "and history, Community ID) and every malformed layer an Anomaly record; the outer\n"
        "layers of a malformed packet are still decoded and counted.\n"
        "\n"
        "The case directory receives:\n"
        "  index.db                 SQLite index (one table per record type; forensic records\n"
        "                           always, per-packet layer records with --index-layer-records)\n"
        "  records/<Type>.ncap.gz   netcap's format: gzip'd, varint-length-delimited protobuf,\n"
        "                           a Header record first (read them with 'netcap dump')\n"
        "  records/<Type>.jsonl|csv with --records json,csv\n"
        "\n"
        "A damaged capture file is read up to the damage; the summary says where and why it\n"
        "stopped. A missing file or one that is not a capture stops with an error before\n"
        "anything is written.\n"
        "\n"
        "Work is spread over --workers shards by a direction-symmetric hash of each packet's\n"
        "address pair; the results do not depend on the number of workers.\n"
        "\n"
        "On a terminal a progress line shows the percentage of input bytes read, packets per\n"
        "second, records and open flows; a summary table follows at the end. Ctrl-C stops a\n"
        "capture cleanly (open flows are closed and written).";
    spec.options = {
        {"read", 'r', "PATH", "A capture file or a directory of captures; repeat for several.", "",
         true},
        {"interface", 'i', "IFACE", "Capture live from this interface instead of files.", ""},
        {"out", 'o', "CASE", "Case directory to write (created if missing).", ""},
        {"force", 'f', "", "Replace the records of an existing case directory.", ""},
        {"bpf", 0, "EXPR",
         "Only process packets matching this BPF filter (tcpdump syntax); "
         "works on files and interfaces.",
         ""},
        {"snaplen", 0, "BYTES", "Live capture: bytes kept per packet.", "262144"},
        {"no-promisc", 0, "", "Live capture: do not put the interface in promiscuous mode.", ""},
        {"records", 0, "LIST",
         "Record files to write besides index.db, comma separated: ncap, "
         "json, csv, or none.",
         "ncap"},
        {"layer-records", 0, "",
         "Also write one record per decoded layer (Ethernet, IPv4, TCP, "
         "...) to the record files.",
         ""},
        {"index-layer-records", 0, "",
         "Also put the per-layer records into index.db (implies "
         "--layer-records; makes the index much larger).",
         ""},
        {"workers", 'w', "N", "Shard threads.", "number of cores"},
        {"no-app-layer", 0, "",
         "Skip application protocols (DNS, HTTP, TLS, ...): flows and packet layers only.", ""},
        {"no-files", 0, "",
         "Do not extract transferred files (HTTP, FTP, SMB, TFTP, mail) into CASE/files.", ""},
        {"max-file-size", 0, "MIB", "Bytes kept per extracted file, in MiB (the rest is cut).",
         "1024"},
        {"max-files-total", 0, "MIB", "Bytes of all extracted files together, in MiB.", "65536"},
        {"max-file-hole", 0, "MIB",
         "Missing bytes allowed inside an extracted file, in MiB (stored and hashed as zeros); a "
         "larger hole ends the file there.",
         "16"},
        {"no-precompute", 0, "",
         "Do not precompute the transforms' case-wide answers (the transforms then aggregate the "
         "records on every request).",
         ""},
        {"no-profiles", 0, "",
         "Do not build the Software, Service, DeviceProfile and HostProfile summaries.", ""},
        {"geoip", 0, "FILES",
         "MaxMind-format databases (comma separated) for country, city and AS of hosts.",
         "$NETCAP_GEOIP, else none"},
        {"max-flows", 0, "N",
         "Flows tracked per shard before the least recently active one is "
         "closed early (recorded as flow.table_full).",
         "500000"},
        {"tcp-timeout", 0, "SECONDS", "Idle time after which a TCP flow is closed.", "300"},
        {"udp-timeout", 0, "SECONDS", "Idle time after which a UDP flow is closed.", "60"},
        {"metrics", 0, "ADDR:PORT",
         "Serve Prometheus metrics on http://ADDR:PORT/metrics while the capture runs (see "
         "'netcap export --help' for the metrics; port 0 picks a free one).",
         ""},
        {"quiet", 'q', "", "No progress line and no summary table (warnings still go to stderr).",
         ""},
        {"json-summary", 0, "", "Print the summary as one JSON object on stdout (for scripts).",
         ""},
    };
    spec.examples =
        "netcap capture -r traffic.pcap -o case1\n"
        "netcap capture -r day1/ -r day2.pcapng -o case2 --records ncap,json --force\n"
        "netcap capture -i eth0 --bpf 'not port 22' -o live-case\n"
        "netcap capture -r big.pcap -o case3 --quiet --json-summary | jq .packets_per_second";
    spec.exit_status =
        "0  the input was processed (damaged files are reported, not fatal)\n"
        "1  an input could not be opened, or the case could not be written\n"
        "2  bad command line";
    return spec;
  }();
  return kSpec;
}

// `netcap export`: the capture command with its metrics endpoint always on, serving on after
// the input ends (Prometheus scrapes on its own schedule).
const CommandSpec& export_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec = capture_spec();
    spec.name = "export";
    spec.summary = "capture into a case while serving Prometheus metrics (/metrics)";
    spec.usage = "(-r FILE|DIR... | -i IFACE) -o CASE [--address ADDR:PORT] [OPTIONS]";
    spec.description =
        "Runs 'netcap capture' (same input, case and options; see 'netcap capture --help') and\n"
        "serves its metrics for Prometheus on http://ADDR:PORT/metrics, in the text exposition\n"
        "format. When the input ends the endpoint keeps serving the final values until Ctrl-C\n"
        "(or SIGTERM), unless --exit-when-done is given.\n"
        "\n"
        "Metrics while the capture runs:\n"
        "  nc_packets_total, nc_input_bytes_read_total, nc_input_bytes   packets and input bytes\n"
        "  nc_packets_per_second, nc_flows_open, nc_uptime_seconds\n"
        "  nc_records_total{type}                   records written, per record type\n"
        "  nc_record_values_total{type,field,value} records per value of a labelling field:\n"
        "      Connection TransportProto/ApplicationProto/ConnState, Anomaly Name, DNS\n"
        "      QueryType/ResponseCodeName, HTTP Method/StatusCode, File Protocol/MimeType,\n"
        "      Credentials Service (fields marked metric_label in the schema); at most 256\n"
        "      values per field, the rest counted as value=\"_other\" and in\n"
        "      nc_record_values_overflow_total{type,field}\n"
        "  nc_live_packets_received_total, nc_live_packets_dropped_total{by}   live capture\n"
        "  nc_capture_finished                      0 while running, 1 once the case is closed\n"
        "When the input ends (with the final value of every counter above):\n"
        "  nc_layer_packets_total{layer}            packets containing each decoded layer\n"
        "  nc_not_decoded_packets_total{what}       packets with a layer no decoder handles\n"
        "  nc_flows_total{event}                    flows created, closed, timed_out, evicted\n"
        "  nc_tcp_segments_total, nc_tcp_retransmissions_total, nc_tcp_missed_bytes_total\n"
        "  nc_input_issues_total                    damaged input files (see the summary)\n"
        "  nc_capture_seconds                       wall time of the capture";
    std::vector<cli::OptionSpec> options;
    for (const cli::OptionSpec& o : spec.options) {
      if (o.name == "metrics") continue;
      options.push_back(o);
    }
    options.push_back({"address", 0, "ADDR:PORT",
                       "Address and port of the metrics endpoint; port 0 picks a free one "
                       "(printed on stderr).",
                       "127.0.0.1:7777"});
    options.push_back({"exit-when-done", 0, "",
                       "Stop serving and exit when the input ends (default: serve the final "
                       "values until Ctrl-C).",
                       ""});
    spec.options = std::move(options);
    spec.examples =
        "netcap export -i eth0 -o sensor-case --address 0.0.0.0:7777\n"
        "netcap export -r traffic.pcap -o case1 --force\n"
        "curl -s http://127.0.0.1:7777/metrics | grep nc_records_total";
    spec.exit_status =
        "0  the input was processed and the endpoint stopped on Ctrl-C/SIGTERM (or at the end\n"
        "   with --exit-when-done)\n"
        "1  an input could not be opened, the case could not be written, or the address could\n"
        "   not be bound\n"
        "2  bad command line";
    return spec;
  }();
  return kSpec;
}

// JSON string contents (the sinks' escaping, which also repairs invalid UTF-8).
std::string json_escape(const std::string& s) {
  std::string quoted;
  append_json_string(s, &quoted);
  return quoted.substr(1, quoted.size() - 2);  // without the surrounding quotes
}

std::string utc_time(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  long frac = static_cast<long>(ns % 1'000'000'000);
  if (frac < 0) {
    frac += 1'000'000'000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac / 1000);
  return buf;
}

std::string with_commas(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string human_rate(double v) {
  char buf[32];
  if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  } else if (v >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  }
  return buf;
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

std::string unknown_key_text(DispatchSpace space, uint32_t key) {
  char buf[64];
  switch (space) {
    case DispatchSpace::kLinkType:
      std::snprintf(buf, sizeof buf, "link type %u", key);
      break;
    case DispatchSpace::kEtherType:
      std::snprintf(buf, sizeof buf, "ethertype 0x%04x", key);
      break;
    case DispatchSpace::kIpProtocol:
      std::snprintf(buf, sizeof buf, "IP protocol %u", key);
      break;
    case DispatchSpace::kUdpPort:
      std::snprintf(buf, sizeof buf, "UDP port %u", key);
      break;
  }
  return buf;
}

// The capture files read, as a JSON array of absolute paths (the pcap-slice transforms read
// them again); "[]" for a live capture.
std::string input_files_json(const PacketSource& source, bool live) {
  std::string out = "[";
  if (!live) {
    bool first = true;
    for (const std::string& input : source.inputs()) {
      std::error_code ec;
      const fs::path absolute = fs::absolute(input, ec);
      if (!first) out.push_back(',');
      first = false;
      append_json_string(ec ? input : absolute.lexically_normal().string(), &out);
    }
  }
  out.push_back(']');
  return out;
}

// [[size, mtime_ns], ...] of the input files in input_files order ([0, 0] when stat fails).
std::string input_file_stats_json(const PacketSource& source, bool live) {
  std::string out = "[";
  if (!live) {
    bool first = true;
    for (const std::string& input : source.inputs()) {
      const FileIdentity identity = file_identity(input).value_or(FileIdentity{});
      if (!first) out.push_back(',');
      first = false;
      out += "[" + std::to_string(identity.size) + "," + std::to_string(identity.mtime_ns) + "]";
    }
  }
  out.push_back(']');
  return out;
}

std::string summary_json(const CaptureSummary& s, const PacketSource& source,
                         const std::string& case_dir, const std::optional<LiveStats>& live) {
  std::ostringstream o;
  o << "{\"case\": \"" << json_escape(case_dir) << "\", \"input\": \""
    << json_escape(source.description()) << "\", \"packets\": " << s.packets
    << ", \"wire_bytes\": " << s.wire_bytes << ", \"captured_bytes\": " << s.captured_bytes
    << ", \"first_ts_ns\": " << s.first_ts_ns << ", \"last_ts_ns\": " << s.last_ts_ns
    << ", \"wall_seconds\": " << s.wall_seconds
    << ", \"packets_per_second\": " << (s.wall_seconds > 0 ? s.packets / s.wall_seconds : 0)
    << ", \"shards\": " << s.shards << ", \"peak_rss_kb\": " << peak_rss_kb();
  o << ", \"flows\": {\"created\": " << s.flows.flows_created
    << ", \"closed\": " << s.flows.flows_closed << ", \"timed_out\": " << s.flows.flows_timed_out
    << ", \"evicted\": " << s.flows.flows_evicted << ", \"tcp_segments\": " << s.flows.tcp_segments
    << ", \"retransmissions\": " << s.flows.retransmissions
    << ", \"missed_bytes\": " << s.flows.missed_bytes << "}";
  auto map_json = [&](const auto& m) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : m) {
      out += (first ? "\"" : ", \"") + json_escape(k) + "\": " + std::to_string(v);
      first = false;
    }
    return out + "}";
  };
  o << ", \"records\": " << map_json(s.records);
  o << ", \"layers\": " << map_json(s.decode.layers);
  o << ", \"anomalies\": " << map_json(s.decode.anomalies);
  std::map<std::string, uint64_t> unknown;
  for (const auto& [k, v] : s.decode.unknown) unknown[unknown_key_text(k.first, k.second)] += v;
  o << ", \"not_decoded\": " << map_json(unknown);
  o << ", \"input_issues\": [";
  for (size_t i = 0; i < s.source_issues.size(); ++i) {
    const SourceIssue& is = s.source_issues[i];
    o << (i ? ", " : "") << "{\"file\": \"" << json_escape(is.file)
      << "\", \"byte_offset\": " << is.byte_offset << ", \"packets_before\": " << is.packets_before
      << ", \"reason\": \"" << json_escape(is.reason)
      << "\", \"fatal_for_file\": " << (is.fatal_for_file ? "true" : "false") << "}";
  }
  o << "]";
  if (live) {
    o << ", \"live\": {\"received\": " << live->received
      << ", \"dropped_by_kernel\": " << live->dropped_by_kernel
      << ", \"dropped_by_interface\": " << live->dropped_by_interface << "}";
  }
  o << "}";
  return o.str();
}

void print_summary(std::ostream& out, const CaptureSummary& s, const PacketSource& source,
                   const std::string& case_dir, const std::optional<LiveStats>& live) {
  auto row = [&](const std::string& k, const std::string& v) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-28s %s\n", k.c_str(), v.c_str());
    out << buf;
  };
  out << "\nnetcap capture summary\n";
  row("input", source.description());
  row("case", case_dir);
  row("packets", with_commas(s.packets) + " (" + with_commas(s.wire_bytes) + " bytes on the wire)");
  if (s.packets > 0) {
    row("capture time", utc_time(s.first_ts_ns) + " .. " + utc_time(s.last_ts_ns));
  }
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.2f s, %s packets/s, %.1f MB/s, %d shards, peak RSS %.0f MB",
                s.wall_seconds,
                human_rate(s.wall_seconds > 0 ? s.packets / s.wall_seconds : 0).c_str(),
                s.wall_seconds > 0 ? s.captured_bytes / 1e6 / s.wall_seconds : 0.0, s.shards,
                peak_rss_kb() / 1024.0);
  row("processing", buf);
  row("flows", with_commas(s.flows.flows_created) + " (" + with_commas(s.flows.flows_timed_out) +
                   " idle-closed, " + with_commas(s.flows.flows_evicted) + " evicted)");
  row("tcp", with_commas(s.flows.tcp_segments) + " segments, " +
                 with_commas(s.flows.retransmissions) + " retransmissions, " +
                 with_commas(s.flows.missed_bytes) + " bytes missed");
  if (live) {
    row("live capture", with_commas(live->received) + " received, " +
                            with_commas(live->dropped_by_kernel) + " dropped by the kernel, " +
                            with_commas(live->dropped_by_interface) + " by the interface");
  }
  out << "\n  records written\n";
  for (const auto& [k, v] : s.records) row("  " + k, with_commas(v));
  out << "\n  layers decoded (packets)\n";
  for (const auto& [k, v] : s.decode.layers) row("  " + k, with_commas(v));
  if (!s.decode.unknown.empty()) {
    out << "\n  not decoded (no decoder for)\n";
    for (const auto& [k, v] : s.decode.unknown)
      row("  " + unknown_key_text(k.first, k.second), with_commas(v));
  }
  if (!s.decode.anomalies.empty()) {
    out << "\n  anomalies\n";
    for (const auto& [k, v] : s.decode.anomalies) row("  " + k, with_commas(v));
  }
  out << "\n";
}

void print_progress(const EngineProgress& p) {
  char buf[200];
  double rate = p.elapsed_seconds > 0 ? p.packets / p.elapsed_seconds : 0;
  if (p.bytes_total > 0) {
    std::snprintf(buf, sizeof buf, "\r  %5.1f%%  %s packets  %s pkts/s  %s records  %s flows   ",
                  100.0 * p.bytes_read / p.bytes_total, with_commas(p.packets).c_str(),
                  human_rate(rate).c_str(), with_commas(p.records).c_str(),
                  with_commas(p.flows).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "\r  %s packets  %s pkts/s  %s records  %s flows   ",
                  with_commas(p.packets).c_str(), human_rate(rate).c_str(),
                  with_commas(p.records).c_str(), with_commas(p.flows).c_str());
  }
  std::fputs(buf, stderr);
  std::fflush(stderr);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, ',')) {
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

// Feeds a MetricsStore from the engine's progress (called on the reader thread) and, at the end,
// its summary. The families are listed in export_spec()'s description.
class CaptureMetrics {
 public:
  explicit CaptureMetrics(MetricsStore& store)
      : store_(store), start_(std::chrono::steady_clock::now()) {
    store_.set("nc_capture_finished", "1 once the input has ended and the case is closed.",
               MetricType::kGauge, {}, 0);
    refresh_uptime();
  }

  void refresh_uptime() {
    store_.set("nc_uptime_seconds", "Seconds since the command started.", MetricType::kGauge, {},
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }

  void on_progress(const EngineProgress& p, const std::optional<LiveStats>& live) {
    set_counter("nc_packets_total", "Packets read from the input.", p.packets);
    set_counter("nc_input_bytes_read_total", "Bytes of the input files read so far.", p.bytes_read);
    if (p.bytes_total > 0) {
      store_.set("nc_input_bytes", "Total size of the input files (0 for a live capture).",
                 MetricType::kGauge, {}, static_cast<double>(p.bytes_total));
    }
    store_.set("nc_flows_open", "Flows open in the flow tables (summed over shards).",
               MetricType::kGauge, {}, static_cast<double>(p.flows));
    const double dt = p.elapsed_seconds - last_elapsed_;
    if (dt >= 0.2) {
      store_.set("nc_packets_per_second", "Packets per second over the last progress interval.",
                 MetricType::kGauge, {}, static_cast<double>(p.packets - last_packets_) / dt);
      last_elapsed_ = p.elapsed_seconds;
      last_packets_ = p.packets;
    }
    if (live) set_live(*live);
  }

  void on_summary(const CaptureSummary& s, const std::optional<LiveStats>& live) {
    set_counter("nc_packets_total", "Packets read from the input.", s.packets);
    set_counter("nc_wire_bytes_total", "Bytes of the packets on the wire.", s.wire_bytes);
    for (const auto& [layer, count] : s.decode.layers) {
      store_.set("nc_layer_packets_total", "Packets that contained each decoded layer.",
                 MetricType::kCounter, {{"layer", layer}}, static_cast<double>(count));
    }
    for (const auto& [key, count] : s.decode.unknown) {
      store_.set("nc_not_decoded_packets_total",
                 "Packets with a layer that no decoder handles (link type, EtherType, IP "
                 "protocol or UDP port).",
                 MetricType::kCounter, {{"what", unknown_key_text(key.first, key.second)}},
                 static_cast<double>(count));
    }
    const char* kFlowsHelp = "Flows by event: created, closed, timed_out, evicted.";
    const std::pair<const char*, uint64_t> flows[] = {{"created", s.flows.flows_created},
                                                      {"closed", s.flows.flows_closed},
                                                      {"timed_out", s.flows.flows_timed_out},
                                                      {"evicted", s.flows.flows_evicted}};
    for (const auto& [event, count] : flows) {
      store_.set("nc_flows_total", kFlowsHelp, MetricType::kCounter, {{"event", event}},
                 static_cast<double>(count));
    }
    set_counter("nc_tcp_segments_total", "TCP segments seen by the flow tables.",
                s.flows.tcp_segments);
    set_counter("nc_tcp_retransmissions_total", "TCP retransmissions.", s.flows.retransmissions);
    set_counter("nc_tcp_missed_bytes_total", "TCP bytes never seen (gaps in the streams).",
                s.flows.missed_bytes);
    set_counter("nc_input_issues_total", "Damaged input files or unreadable parts of them.",
                s.source_issues.size());
    store_.set("nc_capture_seconds", "Wall time of the capture, in seconds.", MetricType::kGauge,
               {}, s.wall_seconds);
    store_.set("nc_flows_open", "Flows open in the flow tables (summed over shards).",
               MetricType::kGauge, {}, 0);
    if (live) set_live(*live);
  }

  void on_finished() {
    refresh_uptime();
    store_.set("nc_capture_finished", "1 once the input has ended and the case is closed.",
               MetricType::kGauge, {}, 1);
  }

 private:
  void set_counter(const char* name, const char* help, uint64_t value) {
    store_.set(name, help, MetricType::kCounter, {}, static_cast<double>(value));
  }
  void set_live(const LiveStats& live) {
    set_counter("nc_live_packets_received_total", "Live capture: packets the kernel received.",
                live.received);
    const char* help = "Live capture: packets dropped, by where (kernel buffer, interface).";
    store_.set("nc_live_packets_dropped_total", help, MetricType::kCounter, {{"by", "kernel"}},
               static_cast<double>(live.dropped_by_kernel));
    store_.set("nc_live_packets_dropped_total", help, MetricType::kCounter, {{"by", "interface"}},
               static_cast<double>(live.dropped_by_interface));
  }

  MetricsStore& store_;
  const std::chrono::steady_clock::time_point start_;
  double last_elapsed_ = 0;
  uint64_t last_packets_ = 0;
};

// capture and export share everything but the metrics endpoint's defaults and lifetime.
int capture_main(const CommandSpec& spec, int argc, char** argv) {
  const bool export_mode = spec.name == "export";
  const std::string prefix = "netcap " + spec.name + ": ";
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::ParsedArgs parsed;
  int exit_code = 0;
  if (!cli::parse_or_report(spec, args, &parsed, &exit_code, std::cout, std::cerr)) {
    return exit_code;
  }
  auto usage = [&](const std::string& m) {
    std::cerr << prefix << m << "\ntry 'netcap " << spec.name << " --help'\n";
    return cli::kExitUsage;
  };
  auto fail = [&](const std::string& message) {
    std::cerr << prefix << message << "\n";
    return cli::kExitFailure;
  };
  const std::string metrics_address =
      export_mode ? parsed.get("address", "127.0.0.1:7777") : parsed.get("metrics");
  std::string metrics_host;
  int metrics_port = 0;
  if (!metrics_address.empty() &&
      !cli::parse_listen(metrics_address, &metrics_host, &metrics_port)) {
    return usage("bad " + std::string(export_mode ? "--address" : "--metrics") + " '" +
                 metrics_address + "' (expected ADDR:PORT)");
  }
  const std::vector<std::string> reads = parsed.values("read");
  const std::string iface = parsed.get("interface");
  const std::string case_dir = parsed.get("out");
  if (reads.empty() == iface.empty()) return usage("give either -r FILE|DIR... or -i IFACE");
  if (case_dir.empty()) return usage("-o CASE is required");

  Limits limits;
  auto workers = parsed.get_int("workers", 0, 0, 256);
  auto max_flows =
      parsed.get_int("max-flows", static_cast<int64_t>(limits.max_flows_per_shard), 1, 1LL << 32);
  auto tcp_timeout =
      parsed.get_int("tcp-timeout", limits.tcp_idle_timeout_ns / 1'000'000'000, 1, 86400 * 365);
  auto udp_timeout =
      parsed.get_int("udp-timeout", limits.udp_idle_timeout_ns / 1'000'000'000, 1, 86400 * 365);
  auto snaplen = parsed.get_int("snaplen", 262144, 64, 262144);
  for (const auto* v : {&workers, &max_flows, &tcp_timeout, &udp_timeout, &snaplen}) {
    if (!v->has_value()) return usage(v->status().message());
  }
  limits.max_flows_per_shard = static_cast<size_t>(*max_flows);
  limits.tcp_idle_timeout_ns = *tcp_timeout * 1'000'000'000;
  limits.udp_idle_timeout_ns = *udp_timeout * 1'000'000'000;

  std::vector<std::string> record_kinds;
  for (const std::string& kind : split_list(parsed.get("records", "ncap"))) {
    if (kind == "none") continue;
    if (kind == "ncap")
      record_kinds.push_back("ncap");
    else if (kind == "json" || kind == "jsonl")
      record_kinds.push_back("jsonl");
    else if (kind == "csv")
      record_kinds.push_back("csv");
    else
      return usage("unknown record format '" + kind + "' (ncap, json, csv or none)");
  }

  // Open the input first: a missing or wrong input must not touch an existing case.
  std::unique_ptr<PacketSource> source;
  {
    auto opened = cli::open_packet_input(parsed, limits, static_cast<int>(*snaplen));
    if (!opened) return fail(opened.status().message());
    source = std::move(opened.value());
  }

  // SIGINT/SIGTERM are blocked before the endpoint's threads exist, so that they inherit the
  // mask: only StopOnSignal (during the capture) and the final wait (export) receive them.
  const cli::StopSignalsBlocked stop_signals;
  // The endpoint is bound before the case is touched: a busy port must not cost an existing case.
  std::unique_ptr<MetricsStore> metrics_store;
  std::unique_ptr<CaptureMetrics> capture_metrics;
  std::unique_ptr<cli::MetricsEndpoint> endpoint;
  if (!metrics_address.empty()) {
    metrics_store = std::make_unique<MetricsStore>();
    capture_metrics = std::make_unique<CaptureMetrics>(*metrics_store);
    auto started =
        cli::MetricsEndpoint::start(metrics_host, metrics_port, *metrics_store,
                                    [m = capture_metrics.get()] { m->refresh_uptime(); });
    if (!started) return fail(started.status().message());
    endpoint = std::move(started.value());
    if (!parsed.has("quiet") || metrics_port == 0) {
      std::cerr << prefix << "metrics on " << endpoint->url() << "\n";
    }
  }

  std::error_code ec;
  if (fs::exists(fs::path(case_dir) / "index.db", ec) && !parsed.has("force")) {
    return fail("case " + case_dir + " already holds an index; use --force to replace it");
  }
  fs::create_directories(case_dir, ec);
  if (ec) return fail("cannot create " + case_dir + ": " + ec.message());

  const bool index_layers = parsed.has("index-layer-records");
  SinkOptions sink_options;
  sink_options.case_dir = case_dir;
  sink_options.input_source = source->description();
  sink_options.layer_records_in_index = index_layers;
  sink_options.limits = &limits;
  std::vector<std::unique_ptr<RecordSink>> sinks;
  // The transforms' case-wide answers (every host, every DNS name, value distributions) are
  // computed once, when the capture ends, instead of on every request. Computing them only
  // reads the index, so it runs on a thread of its own while the index writer builds the
  // secondary indexes; the answers are written after the index is closed.
  const bool precompute = !parsed.has("no-precompute");
  Expected<TransformRegistry> transforms = build_transform_registry();
  if (!transforms) return fail(transforms.status().message());
  std::thread precompute_thread;
  std::optional<Expected<catalog::ComputedAnswers>> computed;
  // Every return closes the sinks while the precompute hooks' state above is still alive (the
  // index's close starts and joins the precompute thread); closing twice is harmless.
  struct CloseSinksOnExit {
    std::vector<std::unique_ptr<RecordSink>>& sinks;
    std::thread& precompute;
    ~CloseSinksOnExit() {
      for (auto& sink : sinks) (void)sink->close();
      if (precompute.joinable()) precompute.join();
    }
  } close_sinks_on_exit{sinks, precompute_thread};
  std::chrono::steady_clock::time_point precompute_start;
  SinkOptions index_options = sink_options;
  if (precompute) {
    index_options.on_rows_committed = [&] {
      precompute_start = std::chrono::steady_clock::now();
      precompute_thread = std::thread([&] {
        pthread_setname_np(pthread_self(), "precompute");
        computed.emplace(catalog::compute_answers(case_dir, *transforms));
      });
    };
    index_options.before_checkpoint = [&] {
      if (precompute_thread.joinable()) precompute_thread.join();
    };
  }
  auto opened_index = open_index_sink(index_options);
  if (!opened_index) return fail(opened_index.status().message());
  // The index also takes records made on other threads (the profile summaries).
  auto index = std::make_unique<MailboxSink>(std::move(opened_index.value()));
  if (!parsed.has("no-profiles")) {
    // Software, services, devices and hosts, summarised on a writer thread of their own
    // (forensics/profiles) and posted to the index. Missing field data turns a feature off; the
    // case meta says which. The profile sink comes first: it is closed (and its final summaries
    // posted) before the index closes.
    profiles::FieldDataPaths paths;
    const char* geoip_env = std::getenv("NETCAP_GEOIP");
    paths.geoip_databases = profiles::GeoIp::split_paths(
        parsed.has("geoip") ? parsed.get("geoip") : (geoip_env != nullptr ? geoip_env : ""));
    auto data = std::make_unique<profiles::FieldData>(profiles::FieldData::load(paths));
    if (!paths.geoip_databases.empty() && !data->geoip) {
      // The user asked for it: a bad file is an error (the status entry says why).
      for (const auto& [key, text] : data->status) {
        if (key == "profiles.geoip")
          return fail(text.rfind("off: ", 0) == 0 ? text.substr(5) : text);
      }
      return fail("GeoIP database could not be loaded");
    }
    sinks.push_back(profiles::make_profile_sink(*index, std::move(data)));
  }
  RecordSink* index_sink = index.get();
  sinks.push_back(std::move(index));
  for (const std::string& kind : record_kinds) {
    auto sink = open_sink(kind, sink_options);
    if (!sink) return fail(sink.status().message());
    sinks.push_back(std::move(sink.value()));
  }
  // Prometheus metrics: counted from the record stream by a sink of their own, plus the engine's
  // progress and summary (CaptureMetrics).
  if (metrics_store) sinks.push_back(open_metrics_sink(*metrics_store));

  LayerRegistry registry;
  if (Status s = register_all_protocols(registry); !s.is_ok()) return fail(s.message());

  const bool quiet = parsed.has("quiet");
  const bool json_summary = parsed.has("json-summary");
  const bool show_progress = !quiet && !json_summary && isatty(STDERR_FILENO);
  EngineOptions options;
  options.workers = static_cast<int>(*workers);
  options.layer_records = index_layers || parsed.has("layer-records");
  options.limits = limits;
  if (show_progress || capture_metrics) {
    options.on_progress = [&](const EngineProgress& p) {
      if (show_progress) print_progress(p);
      if (capture_metrics) capture_metrics->on_progress(p, source->live_stats());
    };
  }
  // Extracted files (docs/files.md): one store for all shards, reached through the contexts.
  std::unique_ptr<files::FileStore> file_store;
  if (!parsed.has("no-app-layer") && !parsed.has("no-files")) {
    files::FileStoreOptions file_options;
    auto max_file = parsed.get_int("max-file-size", 1024, 1, 1LL << 30);
    auto max_total = parsed.get_int("max-files-total", 65536, 1, 1LL << 34);
    if (!max_file) return usage(max_file.status().message());
    if (!max_total) return usage(max_total.status().message());
    auto max_hole = parsed.get_int("max-file-hole", 16, 0, 1LL << 20);
    if (!max_hole) return usage(max_hole.status().message());
    file_options.max_hole_bytes = static_cast<uint64_t>(*max_hole) << 20;
    file_options.max_file_bytes = static_cast<uint64_t>(*max_file) << 20;
    file_options.max_total_bytes = static_cast<uint64_t>(*max_total) << 20;
    auto store = files::FileStore::create(case_dir, file_options);
    if (!store) return fail(store.status().message());
    file_store = std::move(store.value());
  }
  if (!parsed.has("no-app-layer")) {
    options.make_consumer_factory = [files = file_store.get()](RecordEmitter& emitter,
                                                               const Limits& l) {
      return app::make_app_layer(emitter, l, files);
    };
  }

  std::vector<RecordSink*> sink_ptrs;
  for (auto& s : sinks) sink_ptrs.push_back(s.get());
  Engine engine(registry, options, sink_ptrs);
  Expected<CaptureSummary> result = [&] {
    cli::StopOnSignal stop(*source, prefix);
    return engine.run(*source);
  }();
  if (show_progress) std::fputs("\n", stderr);
  if (!result) {
    for (auto& s : sinks) (void)s->close();
    return fail(result.status().message());
  }
  const CaptureSummary& summary = result.value();
  const std::optional<LiveStats> live = source->live_stats();
  if (capture_metrics) capture_metrics->on_summary(summary, live);

  // The summary goes into the index so queries can report it.
  const std::pair<std::string, std::string> meta[] = {
      {"input", source->description()},
      {"packets", std::to_string(summary.packets)},
      {"wire_bytes", std::to_string(summary.wire_bytes)},
      {"captured_bytes", std::to_string(summary.captured_bytes)},
      {"first_ts_ns", std::to_string(summary.first_ts_ns)},
      {"last_ts_ns", std::to_string(summary.last_ts_ns)},
      {"input_issues", std::to_string(summary.source_issues.size())},
      {"capture_summary", summary_json(summary, *source, case_dir, live)},
      {"input_files", input_files_json(*source, live.has_value())},
      {"input_file_stats", input_file_stats_json(*source, live.has_value())},
  };
  Status close_status;
  for (const auto& [k, v] : meta) {
    Status s = index_sink->set_meta(k, v);
    if (!s.is_ok() && close_status.is_ok()) close_status = s;
  }
  for (auto& s : sinks) {
    Status st = s->close();
    if (!st.is_ok() && close_status.is_ok())
      close_status = std::move(st).with_context(std::string(s->name()));
  }
  if (!close_status.is_ok()) return fail(close_status.message());

  if (precompute_thread.joinable()) precompute_thread.join();  // the index failed to close
  std::string precompute_line;
  if (computed) {
    // Not fatal: without precomputed answers the transforms query the records themselves.
    Expected<catalog::PrecomputeReport> written =
        *computed ? catalog::write_answers(case_dir, **computed)
                  : Expected<catalog::PrecomputeReport>(computed->status());
    if (!written) {
      std::cerr << prefix
                << "warning: transform answers not precomputed: " << written.status().message()
                << "\n";
    } else {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - precompute_start)
              .count();
      char line[160];
      std::snprintf(line, sizeof line,
                    "transform answers: %zu precomputed (%" PRIu64
                    " rows), %.2f s from the last row\n",
                    written->answers, written->rows, seconds);
      precompute_line = line;
    }
  }

  // Damaged inputs are not fatal, but the analyst must see them even with --quiet.
  for (const SourceIssue& issue : summary.source_issues) {
    std::cerr << prefix << "warning: " << (issue.file.empty() ? "input" : issue.file)
              << (issue.fatal_for_file ? ": stopped at byte " : ": at byte ") << issue.byte_offset
              << " after " << issue.packets_before << " packets: " << issue.reason << "\n";
  }
  if (json_summary) {
    std::cout << summary_json(summary, *source, case_dir, live) << "\n";
  } else if (!quiet) {
    print_summary(std::cout, summary, *source, case_dir, live);
    std::cout << precompute_line;
  }
  std::cout.flush();
  if (capture_metrics) capture_metrics->on_finished();
  if (endpoint && export_mode && !parsed.has("exit-when-done")) {
    // Prometheus scrapes on its own schedule: keep the final values available.
    std::cerr << prefix << "input done; serving the final metrics on " << endpoint->url()
              << " until Ctrl-C\n";
    stop_signals.wait();
  }
  if (endpoint) endpoint->stop();
  return cli::kExitOk;
}

}  // namespace

int run_capture(int argc, char** argv) { return capture_main(capture_spec(), argc, argv); }
int run_export(int argc, char** argv) { return capture_main(export_spec(), argc, argv); }

}  // namespace netcap
