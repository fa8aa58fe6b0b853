// The netcap TDS/iTDS transform server: Maltego remote transforms over HTTP(S)
// (spec /work/shared/reference/maltego.md §2.1 routes, §2.5 limits, §2.8 errors, §2.9 API key).
//
// Routes (transform names matched case-insensitively, spec §2.1):
//   POST /run/<id>[/]  non-empty body -> 200 text/xml, response or exception document
//                      empty body     -> 200 text/plain probe answer
//   GET  /run/<id>[/]                 -> 200 text/plain probe answer
//   /run/<unknown>     (GET or POST)  -> 404 text/xml exception document
//   body over max_request_bytes       -> 413 text/xml exception document
//   other methods on /run/...         -> 405, Allow: GET, POST, exception document
//   GET  /                            -> 200 text/plain, banner and one line per transform
//   GET  /health                      -> 200 application/json
// Every answer on /run is a Maltego document: a request can never crash the server or produce
// an HTML error page.
//
// Thread-safety: start()/stop()/port() are called from one controlling thread; requests are
// served concurrently by `workers` threads, which only read the immutable registry and
// options and open case indexes read-only per request.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/util/status.h"

namespace netcap {

struct TransformServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = ephemeral; port() reports the bound one
  // The only case directories requests may reach (compared after canonicalisation); anything
  // else is answered with the exception "Malformed request: case not served".
  std::vector<std::string> cases;
  int workers = 8;
  size_t max_request_bytes = 16 * 1024 * 1024;  // spec §2.1 default
  // Spec §2.9: when non-empty, the request's transform setting `api_key_setting` (or
  // "global#<name>") must equal one of these, else "Malformed request: invalid API key".
  std::vector<std::string> api_keys;
  std::string api_key_setting = "apikey";
  // Both set -> HTTPS (cpp-httplib built with OpenSSL); both empty -> HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  int io_timeout_seconds = 30;  // read/write timeout per connection
};

class TransformServer {
 public:
  // Validates the options (cases must exist and hold index.db, TLS files readable) and builds
  // the transform registry. Nothing is bound yet.
  static Expected<std::unique_ptr<TransformServer>> create(TransformServerOptions options);
  ~TransformServer();  // stops the server
  TransformServer(const TransformServer&) = delete;
  TransformServer& operator=(const TransformServer&) = delete;

  // Binds and serves on a background thread. Error if binding fails or already started.
  Status start();
  // Stops accepting, waits for the serving thread. Idempotent.
  void stop();
  // The bound port (valid after a successful start()).
  int port() const { return port_; }
  // "http://host:port" (https with TLS).
  std::string url() const;
  size_t transform_count() const;
  const std::vector<std::string>& served_cases() const;

  struct Impl;

 private:
  explicit TransformServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace netcap
