// netcap agent: capture on a sensor (or read capture files) and ship the records to a central
// `netcap collect` over HTTP(S), in RecordBatch bodies (core/sinks/record_batch.h). The decoding
// is the capture command's (every layer, flows, reassembly, application protocols); the records
// go to the collector instead of a local case. docs/collect.md describes the protocol.
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/packet_input.h"
#include "cli/stop_signals.h"
#include "core/capture/packet_source.h"
#include "core/engine/engine.h"
#include "core/packet/layer_registry.h"
#include "core/sinks/record_batch.h"
#include "core/sinks/record_sink.h"
#include "forensics/app/default_app_layer.h"

namespace netcap {

namespace {

using cli::CommandSpec;

const CommandSpec& agent_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "agent";
    spec.summary = "capture on a sensor and ship the records to a 'netcap collect' server";
    spec.usage = "(-i IFACE | -r FILE|DIR...) --collector URL [OPTIONS]";
    spec.description =
        "Decodes a live interface (or capture files) exactly as 'netcap capture' does, flows,\n"
        "reassembly and application protocols included, and sends the records to a collector\n"
        "('netcap collect') instead of writing a local case. The collector builds one case per\n"
        "agent session: index.db and records/*.ncap.gz, queryable and servable like any case.\n"
        "\n"
        "Records travel in batches (gzip; at most --batch-kib of records or one second old),\n"
        "each POSTed to URL/v1/batch with the agent's name and API key; a batch is retried\n"
        "three times (0.5, 1, 2 s apart) and then dropped and counted, so that a collector that\n"
        "is away cannot make the agent's memory grow. At the end the agent says it is done and\n"
        "the collector finishes the case. The collector must be reachable and accept the key\n"
        "when the agent starts; a rejected key or batch (4xx) stops the agent.\n"
        "\n"
        "Files are not extracted on the agent (their contents stay on the sensor's wire), and\n"
        "the Software/Service/Device/Host summaries are not built: both need the case's local\n"
        "store. Use 'https://' with a collector that has a TLS certificate; --ca names the\n"
        "certificate to trust when it is not signed by a system CA.";
    spec.options = {
        {"interface", 'i', "IFACE", "Capture live from this interface.", ""},
        {"read", 'r', "PATH", "Read capture files or directories instead; repeat for several.", "",
         true},
        {"collector", 'c', "URL", "The collector: http://HOST:PORT or https://HOST:PORT.", ""},
        {"name", 'n', "NAME",
         "The agent's name at the collector ([A-Za-z0-9._-], up to 64): the case directory.",
         "the host name"},
        {"api-key", 0, "KEY", "Sent as X-Api-Key (the collector's --api-key).",
         "$NETCAP_API_KEY, else none"},
        {"ca", 0, "FILE", "PEM certificate(s) to trust for an https collector.", "system CAs"},
        {"bpf", 0, "EXPR", "Only packets matching this BPF filter (tcpdump syntax).", ""},
        {"snaplen", 0, "BYTES", "Live capture: bytes kept per packet.", "262144"},
        {"no-promisc", 0, "", "Live capture: do not put the interface in promiscuous mode.", ""},
        {"workers", 'w', "N", "Shard threads.", "number of cores"},
        {"layer-records", 0, "", "Also ship one record per decoded layer (much more traffic).", ""},
        {"batch-kib", 0, "KIB", "Records per batch before it is sent, in KiB (uncompressed).",
         "1024"},
        {"quiet", 'q', "", "No summary at the end.", ""},
    };
    spec.examples =
        "netcap collect -o /cases/sensors --listen 0.0.0.0:1335 --api-key s3cret     # central\n"
        "netcap agent -i eth0 --collector http://collector:1335 --api-key s3cret     # sensor\n"
        "netcap agent -r day1.pcap --collector https://collector:1335 --ca ca.pem -n day1";
    spec.exit_status =
        "0  the input ended (or Ctrl-C) and the collector was told; dropped batches are\n"
        "   reported, not fatal\n"
        "1  the input, the collector or the key failed\n"
        "2  bad command line";
    return spec;
  }();
  return kSpec;
}

struct RemoteOptions {
  std::string url;  // scheme://host:port
  std::string name;
  std::string api_key;
  std::string ca_file;
  size_t batch_bytes = 1u << 20;
};

struct RemoteCounts {
  uint64_t records_sent = 0;
  uint64_t batches_sent = 0;
  uint64_t bytes_sent = 0;  // compressed
  uint64_t records_dropped = 0;
  uint64_t batches_dropped = 0;
};

// The records' way to the collector: a RecordSink on its own writer thread (the engine's rule),
// batching, compressing and POSTing. Blocking on the network here holds back only this sink's
// bounded queue.
class RemoteSink final : public RecordSink {
 public:
  static Expected<std::unique_ptr<RemoteSink>> connect(const RemoteOptions& options) {
    std::unique_ptr<RemoteSink> sink(new RemoteSink(options));
    if (!sink->client_->is_valid()) return Status::error("bad collector URL " + options.url);
    sink->client_->set_connection_timeout(5, 0);
    sink->client_->set_read_timeout(30, 0);
    sink->client_->set_write_timeout(30, 0);
    if (!options.ca_file.empty()) sink->client_->set_ca_cert_path(options.ca_file.c_str());
    sink->client_->enable_server_certificate_verification(true);
    auto res = sink->client_->Get("/v1/health", sink->headers_);
    if (!res) {
      return Status::error("collector " + options.url +
                           " not reachable: " + httplib::to_string(res.error()));
    }
    if (res->status != 200) {
      return Status::error("collector " + options.url + " answered " + std::to_string(res->status) +
                           ": " + first_line(res->body));
    }
    return sink;
  }
  ~RemoteSink() override { (void)close(); }

  std::string_view name() const override { return "collector"; }

  Status write(const google::protobuf::Message& record) override {
    if (closed_) return Status::error("collector: write after close");
    batch_.add(record);
    if (batch_.raw_bytes() >= options_.batch_bytes) return send();
    return Status::ok();
  }

  Status flush() override {
    if (!batch_.empty() &&
        std::chrono::steady_clock::now() - last_send_ >= std::chrono::seconds(1)) {
      return send();
    }
    return Status::ok();
  }

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    if (Status s = send(); !s) return s;
    auto res = post_with_retries("/v1/done", done_message_);
    if (!res.ok()) return Status::error("telling the collector we are done: " + res.message());
    return Status::ok();
  }

  const RemoteCounts& counts() const { return counts_; }
  // JSON sent with the final /v1/done (the capture's summary); the collector keeps it as meta.
  void set_done_message(std::string json) { done_message_ = std::move(json); }

 private:
  explicit RemoteSink(const RemoteOptions& options)
      : options_(options), client_(std::make_unique<httplib::Client>(options.url)) {
    headers_ = {{"X-Netcap-Agent", options.name}};
    if (!options.api_key.empty()) headers_.emplace("X-Api-Key", options.api_key);
  }

  static std::string first_line(const std::string& text) {
    return text.substr(0, std::min(text.find('\n'), size_t{200}));
  }

  // OK when the collector accepted; an error for a refusal (4xx: fatal for the agent) or when
  // every attempt failed to get an answer (`unreachable_` set: the batch is dropped).
  Status post_with_retries(const char* path, const std::string& body) {
    unreachable_ = false;
    std::string last_error;
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250 << attempt));
      auto res = client_->Post(path, headers_, body, "application/x-netcap-batch");
      if (!res) {
        last_error = httplib::to_string(res.error());
        continue;
      }
      if (res->status == 200) return Status::ok();
      last_error = std::to_string(res->status) + ": " + first_line(res->body);
      if (res->status >= 400 && res->status < 500 && res->status != 408 && res->status != 429) {
        return Status::error("collector refused (" + last_error + ")");
      }
    }
    unreachable_ = true;
    return Status::error("no answer after 4 attempts (" + last_error + ")");
  }

  Status send() {
    if (batch_.empty()) return Status::ok();
    const size_t records = batch_.records();
    Expected<std::string> body = batch_.finish();
    if (!body) return body.status();
    last_send_ = std::chrono::steady_clock::now();
    Status s = post_with_retries("/v1/batch", *body);
    if (s.is_ok()) {
      counts_.records_sent += records;
      ++counts_.batches_sent;
      counts_.bytes_sent += body->size();
      return s;
    }
    if (!unreachable_) return s;
    // Bounded memory beats completeness on a sensor: drop, count, say so once per batch.
    counts_.records_dropped += records;
    ++counts_.batches_dropped;
    std::fprintf(stderr, "netcap agent: warning: dropped a batch of %zu records: %s\n", records,
                 s.message().c_str());
    return Status::ok();
  }

  RemoteOptions options_;
  std::unique_ptr<httplib::Client> client_;
  httplib::Headers headers_;
  RecordBatchWriter batch_;
  RemoteCounts counts_;
  std::chrono::steady_clock::time_point last_send_ = std::chrono::steady_clock::now();
  std::string done_message_;
  bool unreachable_ = false;
  bool closed_ = false;
};

}  // namespace

int run_agent(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::ParsedArgs parsed;
  int exit_code = 0;
  if (!cli::parse_or_report(agent_spec(), args, &parsed, &exit_code, std::cout, std::cerr)) {
    return exit_code;
  }
  auto usage = [](const std::string& m) {
    std::cerr << "netcap agent: " << m << "\ntry 'netcap agent --help'\n";
    return cli::kExitUsage;
  };
  auto fail = [](const std::string& m) {
    std::cerr << "netcap agent: " << m << "\n";
    return cli::kExitFailure;
  };
  const std::vector<std::string> reads = parsed.values("read");
  const std::string iface = parsed.get("interface");
  if (reads.empty() == iface.empty()) return usage("give either -i IFACE or -r FILE|DIR...");
  RemoteOptions remote;
  remote.url = parsed.get("collector");
  if (remote.url.rfind("http://", 0) != 0 && remote.url.rfind("https://", 0) != 0) {
    return usage("--collector http://HOST:PORT or https://HOST:PORT is required");
  }
  while (remote.url.size() > 8 && remote.url.back() == '/') remote.url.pop_back();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  remote.name = parsed.get("name", host);
  if (!valid_agent_name(remote.name)) {
    return usage("agent name '" + remote.name + "' must be 1-64 of [A-Za-z0-9._-]");
  }
  const char* env_key = std::getenv("NETCAP_API_KEY");
  remote.api_key = parsed.has("api-key") ? parsed.get("api-key") : (env_key ? env_key : "");
  remote.ca_file = parsed.get("ca");
  auto batch_kib = parsed.get_int("batch-kib", 1024, 1, 1 << 14);
  auto workers = parsed.get_int("workers", 0, 0, 256);
  auto snaplen = parsed.get_int("snaplen", 262144, 64, 262144);
  for (const auto* v : {&batch_kib, &workers, &snaplen}) {
    if (!v->has_value()) return usage(v->status().message());
  }
  remote.batch_bytes = static_cast<size_t>(*batch_kib) << 10;

  Limits limits;
  std::unique_ptr<PacketSource> source;
  {
    auto opened = cli::open_packet_input(parsed, limits, static_cast<int>(*snaplen));
    if (!opened) return fail(opened.status().message());
    source = std::move(opened.value());
  }
  // Blocked before any thread exists (httplib, engine): only StopOnSignal receives them.
  const cli::StopSignalsBlocked stop_signals;
  auto connected = RemoteSink::connect(remote);
  if (!connected) return fail(connected.status().message());
  std::unique_ptr<RemoteSink> sink = std::move(connected.value());

  LayerRegistry registry;
  if (Status s = register_all_protocols(registry); !s.is_ok()) return fail(s.message());
  EngineOptions options;
  options.workers = static_cast<int>(*workers);
  options.layer_records = parsed.has("layer-records");
  options.limits = limits;
  options.make_consumer_factory = [](RecordEmitter& emitter, const Limits& l) {
    return app::make_app_layer(emitter, l, nullptr);
  };
  Engine engine(registry, options, {sink.get()});
  Expected<CaptureSummary> result = [&] {
    cli::StopOnSignal stop(*source, "netcap agent: ");
    return engine.run(*source);
  }();
  if (result) {
    char summary[512];
    std::snprintf(summary, sizeof summary,
                  "{\"packets\": %" PRIu64 ", \"wire_bytes\": %" PRIu64
                  ", \"first_ts_ns\": %" PRId64 ", \"last_ts_ns\": %" PRId64 ", \"flows\": %" PRIu64
                  ", \"input_issues\": %zu}",
                  result->packets, result->wire_bytes, result->first_ts_ns, result->last_ts_ns,
                  result->flows.flows_created, result->source_issues.size());
    sink->set_done_message(summary);
  }
  Status closed = sink->close();
  if (!result) return fail(result.status().message());
  if (!closed) return fail(closed.message());
  for (const SourceIssue& issue : result->source_issues) {
    std::cerr << "netcap agent: warning: " << (issue.file.empty() ? "input" : issue.file)
              << ": at byte " << issue.byte_offset << ": " << issue.reason << "\n";
  }
  const RemoteCounts& n = sink->counts();
  if (!parsed.has("quiet")) {
    std::printf("netcap agent: %" PRIu64 " packets; %" PRIu64
                " records sent to %s as '%s' in %" PRIu64 " batches (%" PRIu64 " bytes); %" PRIu64
                " records dropped\n",
                result->packets, n.records_sent, remote.url.c_str(), remote.name.c_str(),
                n.batches_sent, n.bytes_sent, n.records_dropped);
  }
  return cli::kExitOk;
}

}  // namespace netcap
