// MetricsEndpoint: serves a MetricsStore over HTTP for Prometheus (`netcap export`,
// `netcap capture --metrics`).
//
//   GET /metrics   the store in the text exposition format 0.0.4
//   GET /          a one-line pointer to /metrics
//   anything else  404; methods other than GET/HEAD: 405
//
// The server runs on threads of its own from start() until stop() (or destruction). The store
// must outlive the endpoint; `before_render`, when set, is called (from a server thread) before
// each /metrics answer, to refresh time-dependent gauges.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/sinks/metrics.h"
#include "core/util/status.h"

namespace httplib {
class Server;
}

namespace netcap::cli {

class MetricsEndpoint {
 public:
  // Binds host:port (port 0: any free port) and starts serving. An error Status when the
  // address cannot be bound.
  static Expected<std::unique_ptr<MetricsEndpoint>> start(const std::string& host, int port,
                                                          MetricsStore& store,
                                                          std::function<void()> before_render);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  int port() const { return port_; }
  std::string url() const;  // http://host:port/metrics
  void stop();

 private:
  MetricsEndpoint() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

}  // namespace netcap::cli
