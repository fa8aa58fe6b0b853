#include "cli/metrics_endpoint.h"

#include <httplib.h>

#include <chrono>

namespace netcap::cli {

namespace {
constexpr const char* kExpositionType = "text/plain; version=0.0.4; charset=utf-8";
}

Expected<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(
    const std::string& host, int port, MetricsStore& store, std::function<void()> before_render) {
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  endpoint->server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *endpoint->server_;
  s.new_task_queue = [] { return new httplib::ThreadPool(2); };
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_payload_max_length(64 * 1024);  // scrapes carry no body
  // Not httplib's default SO_REUSEPORT: a second exporter on the same port must fail to bind,
  // not silently answer every other scrape.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.Get("/metrics", [&store, before_render](const httplib::Request&, httplib::Response& res) {
    if (before_render) before_render();
    res.set_content(store.render(), kExpositionType);
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("netcap metrics: GET /metrics (Prometheus text format)\n", "text/plain");
  });
  auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    res.set_content("method not allowed\n", "text/plain");
  };
  s.Post(".*", not_allowed);
  s.Put(".*", not_allowed);
  s.Delete(".*", not_allowed);
  s.Patch(".*", not_allowed);
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.set_content("not found: try /metrics\n", "text/plain");
  });
  const int bound = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return Status::error("cannot listen on " + host + ":" + std::to_string(port));
  }
  endpoint->host_ = host;
  endpoint->port_ = bound;
  endpoint->thread_ = std::thread([&s] { s.listen_after_bind(); });
  // listen_after_bind() marks the server running; a stop() before that would be lost.
  for (int i = 0; i < 500 && !s.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() { stop(); }

void MetricsEndpoint::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string MetricsEndpoint::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) + "/metrics";
}

}  // namespace netcap::cli
