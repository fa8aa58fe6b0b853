// netcap serve: the Maltego TDS/iTDS transform server over one or more cases
// (spec /work/shared/reference/maltego.md §2). Runs until SIGINT/SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "transforms/server/transform_server.h"

namespace netcap {

namespace cli {

namespace {

const CommandSpec& serve_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "serve";
    spec.summary = "serve Maltego transforms over HTTP(S) for a TDS/iTDS";
    spec.usage =
        "CASE... [--listen ADDR:PORT] [--workers N] [--max-request-bytes N]\n"
        "                 [--api-key KEY]... [--tls-cert FILE --tls-key FILE]";
    spec.description =
        "Serves every netcap transform as a Maltego remote transform: a TDS or iTDS calls\n"
        "POST /run/<transform-id> with a MaltegoMessage and receives the response document.\n"
        "GET /run/<id> answers a probe, GET / lists the transform URLs, GET /health returns\n"
        "JSON (status, version, transform count, cases).\n"
        "\n"
        "Only the CASE directories given here can be reached: the case a request names (the\n"
        "'path' property, or the value of the netcap.PCAP entity) must be one of them, else\n"
        "the answer is the exception 'Malformed request: case not served'.\n"
        "\n"
        "With --api-key, requests must carry the transform setting 'apikey' (or\n"
        "'global#apikey') equal to one of the keys; configure it as an auth setting on the\n"
        "TDS. Bodies above --max-request-bytes are refused with HTTP 413. With --tls-cert and\n"
        "--tls-key the server speaks HTTPS.\n"
        "\n"
        "The server prints its URL and an example request, and stops cleanly on Ctrl-C or\n"
        "SIGTERM.";
    spec.positionals = {{"CASE", "A case directory written by 'netcap capture -o CASE'."}};
    spec.options = {
        {"listen", 'l', "ADDR:PORT", "Address and port to listen on; port 0 picks a free one.",
         "127.0.0.1:8080"},
        {"workers", 'w', "N", "Worker threads serving requests concurrently.", "8"},
        {"max-request-bytes", 0, "N", "Largest accepted request body.", "16777216"},
        {"api-key", 0, "KEY", "Accept requests carrying this key.", "", true},
        {"tls-cert", 0, "FILE", "PEM certificate chain for HTTPS (needs --tls-key).", ""},
        {"tls-key", 0, "FILE", "PEM private key for HTTPS (needs --tls-cert).", ""},
    };
    spec.examples =
        "netcap serve ./case\n"
        "netcap serve ./case-a ./case-b --listen 0.0.0.0:9001 --workers 16\n"
        "netcap serve ./case --api-key s3cret --tls-cert cert.pem --tls-key key.pem\n"
        "curl -s -X POST --data-binary @request.xml http://127.0.0.1:8080/run/netcap.ToHosts";
    spec.exit_status =
        "0 after a clean stop on SIGINT/SIGTERM; 1 if a case is invalid or the address cannot\n"
        "be bound; 2 for a bad command line.";
    return spec;
  }();
  return kSpec;
}

}  // namespace

}  // namespace cli

int run_serve(int argc, char** argv) {
  using namespace cli;
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  ParsedArgs parsed;
  int exit_code = 0;
  if (!parse_or_report(serve_spec(), args, &parsed, &exit_code, std::cout, std::cerr)) {
    return exit_code;
  }
  auto usage = [](const std::string& message) {
    std::cerr << "netcap serve: " << message << "\ntry 'netcap serve --help'\n";
    return kExitUsage;
  };
  TransformServerOptions options;
  options.cases = parsed.positionals();
  if (options.cases.empty()) return usage("missing CASE");
  if (!parse_listen(parsed.get("listen", "127.0.0.1:8080"), &options.host, &options.port)) {
    return usage("bad --listen '" + parsed.get("listen") + "' (expected ADDR:PORT)");
  }
  Expected<int64_t> workers = parsed.get_int("workers", 8, 1, 1024);
  if (!workers) return usage(workers.status().message());
  options.workers = static_cast<int>(*workers);
  Expected<int64_t> max_bytes =
      parsed.get_int("max-request-bytes", 16 * 1024 * 1024, 1, int64_t{1} << 32);
  if (!max_bytes) return usage(max_bytes.status().message());
  options.max_request_bytes = static_cast<size_t>(*max_bytes);
  options.api_keys = parsed.values("api-key");
  options.tls_cert_file = parsed.get("tls-cert");
  options.tls_key_file = parsed.get("tls-key");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return usage("--tls-cert and --tls-key go together");
  }

  // Blocked before any server thread exists, so that only wait() below receives them.
  const StopSignalsBlocked stop_signals;
  auto fail = [&](const std::string& message) {
    std::cerr << "netcap serve: " << message << "\n";
    return kExitFailure;
  };
  Expected<std::unique_ptr<TransformServer>> server = TransformServer::create(options);
  if (!server) return fail(server.status().message());
  Status started = (*server)->start();
  if (!started) return fail(started.message());
  const std::string url = (*server)->url();
  std::cout << "netcap serve: " << (*server)->transform_count() << " transforms over "
            << options.cases.size() << " case(s) at " << url << "\n"
            << "  health:  curl -s " << url << "/health\n"
            << "  example: curl -s -X POST --data-binary @request.xml " << url
            << "/run/netcap.ToHosts\n"
            << "Press Ctrl-C to stop." << std::endl;
  const int signal_number = stop_signals.wait();
  std::cerr << "netcap serve: stopping (signal " << signal_number << ")\n";
  (*server)->stop();
  return kExitOk;
}

}  // namespace netcap
