// netcap collect: the central side of `netcap agent`. Receives RecordBatch bodies over HTTP(S)
// and builds one case per agent session (index.db + records/*.ncap.gz) with the same sinks a
// capture uses; when the agent says it is done (or the collector stops) the case is finished:
// indexes built, transform answers precomputed. docs/collect.md describes the protocol.
#include <httplib.h>

#include <atomic>
#include <cinttypes>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "core/sinks/record_batch.h"
#include "core/sinks/record_format.h"
#include "core/sinks/record_sink.h"
#include "transforms/catalog/precomputed_answers.h"
#include "transforms/registry.h"

namespace netcap {

namespace {

namespace fs = std::filesystem;
using cli::CommandSpec;

const CommandSpec& collect_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "collect";
    spec.summary = "receive records from 'netcap agent' sensors into one case per agent";
    spec.usage = "-o DIR [--listen ADDR:PORT] [--api-key KEY]... [OPTIONS]";
    spec.description =
        "Listens for agents ('netcap agent') and writes what each sends into a case directory\n"
        "of its own, DIR/<agent name> (DIR/<name>-2, -3, ... for later sessions of the same\n"
        "agent): index.db and records/<Type>.ncap.gz, built by the same sinks as 'netcap\n"
        "capture', so 'netcap query', the transforms and 'netcap serve' work on them. When an\n"
        "agent says it is done, its case is finished (secondary indexes, precomputed transform\n"
        "answers); on Ctrl-C or SIGTERM every open case is finished before the collector exits.\n"
        "\n"
        "Endpoints: POST /v1/batch (a batch of records), POST /v1/done (the agent's session\n"
        "ends), GET /v1/health (the sessions, as JSON). Requests carry X-Netcap-Agent (the\n"
        "name) and, when keys are configured, X-Api-Key: without a valid key the answer is 401.\n"
        "A batch that does not decode (bad gzip, unknown record type, a decompression bomb,\n"
        "a record that does not parse) is refused whole with 400 and the reason; bodies over\n"
        "16 MiB get 413; more than --max-agents open sessions, 503.\n"
        "\n"
        "Unlike Go netcap's collector (one UDP datagram per batch, no acknowledgement), every\n"
        "batch is acknowledged, so an agent knows what arrived; TLS (--tls-cert/--tls-key) and\n"
        "API keys replace its NaCl boxes.";
    spec.options = {
        {"out", 'o', "DIR", "Directory that receives one case directory per agent session.", ""},
        {"listen", 'l', "ADDR:PORT", "Address and port to listen on; port 0 picks a free one.",
         "127.0.0.1:1335"},
        {"api-key", 0, "KEY", "Accept agents presenting this key; repeat for several.",
         "none: no key needed", true},
        {"tls-cert", 0, "FILE", "PEM certificate: serve HTTPS (with --tls-key).", ""},
        {"tls-key", 0, "FILE", "PEM private key of --tls-cert.", ""},
        {"max-agents", 0, "N", "Agent sessions open at once.", "256"},
        {"quiet", 'q', "", "No line per finished session.", ""},
    };
    spec.examples =
        "netcap collect -o /cases/sensors --listen 0.0.0.0:1335 --api-key s3cret\n"
        "netcap agent -i eth0 --collector http://collector:1335 --api-key s3cret -n dmz1\n"
        "netcap query /cases/sensors/dmz1 summary";
    spec.exit_status =
        "0  stopped by Ctrl-C/SIGTERM after finishing every open case\n"
        "1  DIR cannot be created, the address cannot be bound or the TLS files cannot be loaded\n"
        "2  bad command line";
    return spec;
  }();
  return kSpec;
}

// One agent session: a case being written. Its sinks are driven under `mutex` (one writer at a
// time, as RecordSink requires), from whichever server thread holds it.
struct Session {
  std::mutex mutex;
  std::string agent;
  std::string case_dir;
  std::string remote;  // address of the first request
  std::vector<std::unique_ptr<RecordSink>> sinks;
  uint64_t records = 0;
  uint64_t batches = 0;
  bool finished = false;
};

class Collector {
 public:
  Collector(std::string out_dir, size_t max_agents, const TransformRegistry& registry, bool quiet)
      : out_dir_(std::move(out_dir)), max_agents_(max_agents), registry_(registry), quiet_(quiet) {}

  // 200 with {"records": n}, or an error status and message.
  std::pair<int, std::string> batch(const std::string& agent, const std::string& remote,
                                    const std::string& body) {
    auto decoded = decode_record_batch(body);
    if (!decoded) return {400, "batch refused: " + decoded.status().message()};
    auto session = session_for(agent, remote);
    if (!session.first) return {503, session.second};
    Session& s = *session.first;
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.finished) return {409, "session already finished"};
    for (const auto& record : *decoded) {
      for (auto& sink : s.sinks) {
        if (Status st = sink->write(*record); !st)
          return {500, std::string(sink->name()) + ": " + st.message()};
      }
    }
    for (auto& sink : s.sinks) {
      if (Status st = sink->flush(); !st)
        return {500, std::string(sink->name()) + ": " + st.message()};
    }
    s.records += decoded->size();
    ++s.batches;
    return {200, "{\"records\": " + std::to_string(decoded->size()) + "}"};
  }

  // `summary`: the agent's capture summary (JSON, kept as the case's meta "agent_summary").
  std::pair<int, std::string> done(const std::string& agent, const std::string& summary) {
    std::shared_ptr<Session> session;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = open_.find(agent);
      if (it == open_.end()) return {200, "{\"finished\": false}"};  // nothing was sent
      session = it->second;
      open_.erase(it);
    }
    if (!summary.empty() && summary.size() <= 64 * 1024) {
      std::lock_guard<std::mutex> lock(session->mutex);
      if (!session->finished) (void)session->sinks[0]->set_meta("agent_summary", summary);
    }
    Status s = finish(*session);
    if (!s) return {500, s.message()};
    return {200, "{\"finished\": true, \"case\": \"" + session->case_dir + "\"}"};
  }

  std::string health() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out = "{\"open_sessions\": [";
    bool first = true;
    for (const auto& [agent, session] : open_) {
      std::lock_guard<std::mutex> session_lock(session->mutex);
      if (!first) out += ", ";
      first = false;
      out += "{\"agent\": ";
      append_json_string(agent, &out);
      out += ", \"case\": ";
      append_json_string(session->case_dir, &out);
      out += ", \"records\": " + std::to_string(session->records) +
             ", \"batches\": " + std::to_string(session->batches) + "}";
    }
    return out + "], \"finished_sessions\": " + std::to_string(finished_count_.load()) + "}";
  }

  // Finishes every open session (at shutdown).
  Status finish_all() {
    std::map<std::string, std::shared_ptr<Session>> open;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open.swap(open_);
    }
    Status result;
    for (auto& [agent, session] : open) {
      Status s = finish(*session);
      if (!s && result.is_ok()) result = s;
    }
    return result;
  }

 private:
  std::pair<std::shared_ptr<Session>, std::string> session_for(const std::string& agent,
                                                               const std::string& remote) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = open_.find(agent);
    if (it != open_.end()) return {it->second, ""};
    if (open_.size() >= max_agents_) {
      return {nullptr, "more than " + std::to_string(max_agents_) + " agent sessions open"};
    }
    // A directory of its own: the agent's name, then name-2, name-3, ... for later sessions.
    std::string dir;
    std::error_code ec;
    for (int n = 1; n < 100000; ++n) {
      dir = (fs::path(out_dir_) / (n == 1 ? agent : agent + "-" + std::to_string(n))).string();
      if (!fs::exists(dir, ec)) break;
    }
    auto session = std::make_shared<Session>();
    session->agent = agent;
    session->case_dir = dir;
    session->remote = remote;
    SinkOptions options;
    options.case_dir = dir;
    options.input_source = "netcap agent '" + agent + "' from " + remote;
    for (const char* kind : {"index", "ncap"}) {
      auto sink = open_sink(kind, options);
      if (!sink) return {nullptr, "cannot create the case " + dir + ": " + sink.status().message()};
      session->sinks.push_back(std::move(sink.value()));
    }
    (void)session->sinks[0]->set_meta("input", options.input_source);
    open_[agent] = session;
    return {session, ""};
  }

  Status finish(Session& s) {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.finished) return Status::ok();
    s.finished = true;
    (void)s.sinks[0]->set_meta("collect_records", std::to_string(s.records));
    (void)s.sinks[0]->set_meta("collect_batches", std::to_string(s.batches));
    Status result;
    for (auto& sink : s.sinks) {
      Status st = sink->close();
      if (!st && result.is_ok()) result = std::move(st).with_context(std::string(sink->name()));
    }
    s.sinks.clear();
    if (result) {
      // Not fatal: without them the transforms query the records themselves.
      auto report = catalog::precompute_answers(s.case_dir, registry_);
      if (!report) {
        std::cerr << "netcap collect: warning: " << s.case_dir
                  << ": transform answers not precomputed: " << report.status().message() << "\n";
      }
    }
    ++finished_count_;
    if (!quiet_) {
      std::cerr << "netcap collect: " << s.agent << ": case " << s.case_dir << " finished, "
                << s.records << " records in " << s.batches << " batches\n";
    }
    return result;
  }

  const std::string out_dir_;
  const size_t max_agents_;
  const TransformRegistry& registry_;
  const bool quiet_;
  std::mutex mutex_;  // guards open_
  std::map<std::string, std::shared_ptr<Session>> open_;
  std::atomic<uint64_t> finished_count_{0};
};

}  // namespace

int run_collect(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::ParsedArgs parsed;
  int exit_code = 0;
  if (!cli::parse_or_report(collect_spec(), args, &parsed, &exit_code, std::cout, std::cerr)) {
    return exit_code;
  }
  auto usage = [](const std::string& m) {
    std::cerr << "netcap collect: " << m << "\ntry 'netcap collect --help'\n";
    return cli::kExitUsage;
  };
  auto fail = [](const std::string& m) {
    std::cerr << "netcap collect: " << m << "\n";
    return cli::kExitFailure;
  };
  const std::string out_dir = parsed.get("out");
  if (out_dir.empty()) return usage("-o DIR is required");
  std::string host;
  int port = 0;
  if (!cli::parse_listen(parsed.get("listen", "127.0.0.1:1335"), &host, &port)) {
    return usage("bad --listen '" + parsed.get("listen") + "' (expected ADDR:PORT)");
  }
  auto max_agents = parsed.get_int("max-agents", 256, 1, 100000);
  if (!max_agents) return usage(max_agents.status().message());
  const std::vector<std::string> keys = parsed.values("api-key");
  const std::string cert = parsed.get("tls-cert"), key = parsed.get("tls-key");
  if (cert.empty() != key.empty()) return usage("--tls-cert and --tls-key go together");
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return fail("cannot create " + out_dir + ": " + ec.message());
  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) return fail(registry.status().message());

  // Blocked before the server's threads exist, so that only wait() below receives them.
  const cli::StopSignalsBlocked stop_signals;
  std::unique_ptr<httplib::Server> server;
  if (!cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!ssl->is_valid()) return fail("cannot load TLS certificate/key " + cert + " / " + key);
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  Collector collector(out_dir, static_cast<size_t>(*max_agents), *registry, parsed.has("quiet"));
  httplib::Server& s = *server;
  s.set_payload_max_length(16u << 20);
  s.set_read_timeout(60, 0);
  s.set_write_timeout(60, 0);
  // Not httplib's default SO_REUSEPORT: a second collector on the port must fail to bind.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Every request: a known key (when keys are set) and a valid agent name.
  auto admit = [&keys](const httplib::Request& req, httplib::Response& res, std::string* agent) {
    if (!keys.empty()) {
      const std::string presented = req.get_header_value("X-Api-Key");
      bool known = false;
      for (const std::string& k : keys) known = known || (!presented.empty() && presented == k);
      if (!known) {
        res.status = 401;
        res.set_content("missing or unknown X-Api-Key\n", "text/plain");
        return false;
      }
    }
    if (agent == nullptr) return true;
    *agent = req.get_header_value("X-Netcap-Agent");
    if (!valid_agent_name(*agent)) {
      res.status = 400;
      res.set_content("X-Netcap-Agent must be 1-64 of [A-Za-z0-9._-]\n", "text/plain");
      return false;
    }
    return true;
  };
  auto answer = [](httplib::Response& res, const std::pair<int, std::string>& result) {
    res.status = result.first;
    res.set_content(result.second + "\n", result.first == 200 ? "application/json" : "text/plain");
  };
  s.Post("/v1/batch", [&](const httplib::Request& req, httplib::Response& res) {
    std::string agent;
    if (!admit(req, res, &agent)) return;
    answer(res, collector.batch(agent, req.remote_addr, req.body));
  });
  s.Post("/v1/done", [&](const httplib::Request& req, httplib::Response& res) {
    std::string agent;
    if (!admit(req, res, &agent)) return;
    answer(res, collector.done(agent, req.body));
  });
  s.Get("/v1/health", [&](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res, nullptr)) return;
    res.set_content(collector.health() + "\n", "application/json");
  });
  const int bound = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return fail("cannot listen on " + host + ":" + std::to_string(port));
  std::thread thread([&s] { s.listen_after_bind(); });
  const bool v6 = host.find(':') != std::string::npos;
  std::cerr << "netcap collect: listening on " << (cert.empty() ? "http" : "https") << "://"
            << (v6 ? "[" + host + "]" : host) << ":" << bound << " into " << out_dir
            << (keys.empty() ? " (no API key required)" : "") << "\n";
  const int signal_number = stop_signals.wait();
  std::cerr << "netcap collect: stopping (signal " << signal_number
            << "), finishing the open cases\n";
  s.stop();
  thread.join();
  if (Status st = collector.finish_all(); !st) return fail(st.message());
  return cli::kExitOk;
}

}  // namespace netcap
