// netcap proxy: a recording TCP reverse proxy. Every client connection to --listen is relayed to
// --remote, and both directions of the relayed bytes go through the same application layer a
// capture uses (HTTP transactions, TLS hellos with JA3/JA4, credentials, extracted files, ...),
// so the case it writes holds the same records as a capture of that traffic would, plus one
// Connection record per relayed connection. Go netcap's proxy records HTTP only and terminates
// the protocol itself; this one relays bytes unchanged, so TLS stays end to end.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "core/flow/community_id.h"
#include "core/flow/flow_table.h"
#include "core/net/address.h"
#include "core/packet/record_emitter.h"
#include "core/sinks/record_sink.h"
#include "forensics/app/default_app_layer.h"
#include "forensics/files/file_store.h"
#include "proto/connection.pb.h"
#include "transforms/catalog/precomputed_answers.h"
#include "transforms/registry.h"

namespace netcap {

namespace {

namespace fs = std::filesystem;
using cli::CommandSpec;

const CommandSpec& proxy_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "proxy";
    spec.summary = "a recording TCP reverse proxy: relayed traffic decoded into a case";
    spec.usage = "--listen ADDR:PORT --remote HOST:PORT -o CASE [OPTIONS]";
    spec.description =
        "Accepts TCP connections on --listen and relays each, byte for byte, to --remote. Both\n"
        "directions of every relayed connection are decoded by the application layer of\n"
        "'netcap capture' (protocol found by content: HTTP, TLS, SSH, SMTP, ...): the case gets\n"
        "the same HTTP, TLS, Credentials, File, ... records a capture of that traffic would,\n"
        "and one Connection record per connection (client, the remote server, bytes each way,\n"
        "application protocol, Community ID). Extracted files go to CASE/files as usual.\n"
        "\n"
        "Nothing is terminated: TLS stays end to end (the proxy records its handshakes:\n"
        "SNI, JA3/JA4, certificates of TLS 1.2). Times are the proxy's clock when bytes pass.\n"
        "Ctrl-C or SIGTERM stops accepting, closes the open connections and finishes the case\n"
        "(indexes, precomputed transform answers); 'netcap serve' and 'netcap query' work on it.";
    spec.options = {
        {"listen", 'l', "ADDR:PORT", "Address and port to accept clients on.", ""},
        {"remote", 'R', "HOST:PORT", "Where each connection is relayed to.", ""},
        {"out", 'o', "CASE", "Case directory to write.", ""},
        {"force", 'f', "", "Replace the records of an existing case directory.", ""},
        {"max-connections", 0, "N", "Relayed connections at once; more are refused.", "256"},
        {"idle-timeout", 0, "SECONDS", "A connection idle this long is closed.", "300"},
        {"no-files", 0, "", "Do not extract transferred files into CASE/files.", ""},
        {"quiet", 'q', "", "No line per connection.", ""},
    };
    spec.examples =
        "netcap proxy --listen 0.0.0.0:8080 --remote intranet-app:80 -o proxy-case\n"
        "netcap proxy --listen 127.0.0.1:8443 --remote example.com:443 -o tls-case   # JA3/SNI\n"
        "netcap query proxy-case --sql \"SELECT Method, Host, URI, StatusCode FROM HTTP\"";
    spec.exit_status =
        "0  stopped by Ctrl-C/SIGTERM and the case was finished\n"
        "1  the address cannot be bound, the remote not resolved, or the case not written\n"
        "2  bad command line";
    return spec;
  }();
  return kSpec;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool write_all(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// The sinks, shared by the connection threads: one writer at a time (RecordSink's rule).
class SharedSinks final : public RecordEmitter {
 public:
  explicit SharedSinks(std::vector<std::unique_ptr<RecordSink>> sinks) : sinks_(std::move(sinks)) {}
  void emit(std::unique_ptr<google::protobuf::Message> record) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!status_) return;
    for (auto& sink : sinks_) {
      Status s = sink->write(*record);
      if (!s && status_) status_ = std::move(s).with_context(std::string(sink->name()));
    }
  }
  void flush() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& sink : sinks_) (void)sink->flush();
  }
  Status close(const std::vector<std::pair<std::string, std::string>>& meta) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [k, v] : meta) (void)sinks_[0]->set_meta(k, v);
    for (auto& sink : sinks_) {
      Status s = sink->close();
      if (!s && status_) status_ = std::move(s).with_context(std::string(sink->name()));
    }
    return status_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<RecordSink>> sinks_;
  Status status_;
};

struct ProxyConfig {
  addrinfo* remote = nullptr;  // resolved once
  int idle_timeout_s = 300;
  bool quiet = false;
  files::FileStore* files = nullptr;
  Limits limits;
};

struct ProxyCounts {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> failed{0};  // the remote could not be reached
  std::atomic<int> active{0};
};

int connect_remote(const addrinfo* remote) {
  for (const addrinfo* a = remote; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    ::close(fd);
  }
  return -1;
}

// Relays one client connection and decodes it; runs on a thread of its own.
void relay(int client_fd, const sockaddr_storage& client_addr, uint64_t serial,
           const ProxyConfig& config, SharedSinks& sinks, ProxyCounts& counts,
           const std::atomic<bool>& stopping) {
  const int server_fd = connect_remote(config.remote);
  if (server_fd < 0) {
    ++counts.failed;
    if (!config.quiet)
      std::cerr << "netcap proxy: cannot reach the remote: " << std::strerror(errno) << "\n";
    ::close(client_fd);
    --counts.active;
    return;
  }
  sockaddr_storage server_addr{};
  socklen_t len = sizeof server_addr;
  ::getpeername(server_fd, reinterpret_cast<sockaddr*>(&server_addr), &len);
  FlowInfo info;
  IpAddress::from_sockaddr(&client_addr, info.client, &info.client_port);
  IpAddress::from_sockaddr(&server_addr, info.server, &info.server_port);
  char uid[32];
  std::snprintf(uid, sizeof uid, "P%016llx", static_cast<unsigned long long>(serial));
  info.flow_id = uid;
  info.ip_protocol = 6;
  info.first_ts_ns = now_ns();

  // A consumer of its own per connection (the factory and its consumers are single-threaded).
  auto factory = app::make_app_layer(sinks, config.limits, config.files);
  std::unique_ptr<FlowConsumer> consumer = factory->create(info);
  uint64_t bytes[2] = {0, 0};
  int64_t last_ts = info.first_ts_ns;
  StreamEndReason reason = StreamEndReason::kFin;
  std::vector<uint8_t> buffer(64 * 1024);
  pollfd fds[2] = {{client_fd, POLLIN, 0}, {server_fd, POLLIN, 0}};
  bool open[2] = {true, true};  // client->server, server->client still readable
  int64_t idle_ms = 0;
  while ((open[0] || open[1]) && !stopping.load()) {
    fds[0].events = open[0] ? POLLIN : 0;
    fds[1].events = open[1] ? POLLIN : 0;
    const int ready = ::poll(fds, 2, 200);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready == 0) {
      idle_ms += 200;
      if (idle_ms >= int64_t{config.idle_timeout_s} * 1000) {
        reason = StreamEndReason::kIdle;
        break;
      }
      continue;
    }
    idle_ms = 0;
    for (int i = 0; i < 2; ++i) {
      if (!open[i] || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::recv(fds[i].fd, buffer.data(), buffer.size(), 0);
      const int peer = fds[1 - i].fd;
      if (n <= 0) {
        if (n < 0) reason = StreamEndReason::kRst;
        open[i] = false;
        ::shutdown(peer, SHUT_WR);  // pass the half-close on
        continue;
      }
      last_ts = now_ns();
      const auto dir = i == 0 ? StreamDirection::kClientToServer : StreamDirection::kServerToClient;
      if (consumer) consumer->on_data(dir, {buffer.data(), static_cast<size_t>(n)}, last_ts);
      bytes[i] += static_cast<uint64_t>(n);
      if (!write_all(peer, buffer.data(), static_cast<size_t>(n))) {
        reason = StreamEndReason::kRst;
        open[0] = open[1] = false;
      }
    }
  }
  if (stopping.load()) reason = StreamEndReason::kEndOfCapture;
  ::close(client_fd);
  ::close(server_fd);
  if (consumer) consumer->on_end(reason, last_ts);

  auto conn = std::make_unique<Connection>();
  conn->set_timestampfirst(info.first_ts_ns);
  conn->set_timestamplast(last_ts);
  conn->set_duration(last_ts - info.first_ts_ns);
  conn->set_networkproto(info.client.is_v4() ? "ipv4" : "ipv6");
  conn->set_transportproto("tcp");
  conn->set_applicationproto(consumer ? std::string(consumer->application_protocol()) : "");
  conn->set_srcip(info.client.to_string());
  conn->set_srcport(info.client_port);
  conn->set_dstip(info.server.to_string());
  conn->set_dstport(info.server_port);
  conn->set_uid(info.flow_id);
  // Only the relayed payload is known (no frames, no TCP segments): it fills both the payload
  // and the byte fields.
  const auto up = static_cast<int64_t>(bytes[0]), down = static_cast<int64_t>(bytes[1]);
  conn->set_payloadclienttoserver(up);
  conn->set_payloadservertoclient(down);
  conn->set_bytesclienttoserver(up);
  conn->set_bytesservertoclient(down);
  conn->set_totalsize(up + down);
  conn->set_apppayloadsize(up + down);
  // Zeek's states: both sides closed normally, the originator reset, or still established.
  conn->set_connstate(reason == StreamEndReason::kFin   ? "SF"
                      : reason == StreamEndReason::kRst ? "RSTO"
                                                        : "S1");
  conn->set_communityid(
      community_id_v1(info.client, info.server, 6, info.client_port, info.server_port));
  sinks.emit(std::move(conn));
  consumer.reset();
  factory.reset();
  sinks.flush();
  if (!config.quiet) {
    std::cerr << "netcap proxy: " << info.flow_id << " " << info.client.to_string() << ":"
              << info.client_port << " -> " << info.server.to_string() << ":" << info.server_port
              << " " << bytes[0] << "/" << bytes[1] << " bytes\n";
  }
  --counts.active;
}

}  // namespace

int run_proxy(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::ParsedArgs parsed;
  int exit_code = 0;
  if (!cli::parse_or_report(proxy_spec(), args, &parsed, &exit_code, std::cout, std::cerr)) {
    return exit_code;
  }
  auto usage = [](const std::string& m) {
    std::cerr << "netcap proxy: " << m << "\ntry 'netcap proxy --help'\n";
    return cli::kExitUsage;
  };
  auto fail = [](const std::string& m) {
    std::cerr << "netcap proxy: " << m << "\n";
    return cli::kExitFailure;
  };
  std::string listen_host, remote_host;
  int listen_port = 0, remote_port = 0;
  if (!cli::parse_listen(parsed.get("listen"), &listen_host, &listen_port)) {
    return usage("--listen ADDR:PORT is required");
  }
  if (!cli::parse_listen(parsed.get("remote"), &remote_host, &remote_port) || remote_port == 0) {
    return usage("--remote HOST:PORT is required");
  }
  const std::string case_dir = parsed.get("out");
  if (case_dir.empty()) return usage("-o CASE is required");
  auto max_connections = parsed.get_int("max-connections", 256, 1, 65536);
  auto idle = parsed.get_int("idle-timeout", 300, 1, 86400);
  if (!max_connections) return usage(max_connections.status().message());
  if (!idle) return usage(idle.status().message());

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* remote = nullptr;
  if (const int rc =
          getaddrinfo(remote_host.c_str(), std::to_string(remote_port).c_str(), &hints, &remote);
      rc != 0) {
    return fail("cannot resolve " + remote_host + ": " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> remote_guard(remote, freeaddrinfo);

  // Listening socket before the case is touched: a busy port costs nothing.
  addrinfo* local = nullptr;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  if (getaddrinfo(listen_host.c_str(), std::to_string(listen_port).c_str(), &hints, &local) != 0) {
    return usage("--listen needs a numeric address");
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> local_guard(local, freeaddrinfo);
  const int listen_fd = ::socket(local->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (listen_fd < 0 || ::bind(listen_fd, local->ai_addr, local->ai_addrlen) != 0 ||
      ::listen(listen_fd, 128) != 0) {
    if (listen_fd >= 0) ::close(listen_fd);
    return fail("cannot listen on " + parsed.get("listen") + ": " + std::strerror(errno));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  IpAddress bound_ip;
  uint16_t bound_port = 0;
  IpAddress::from_sockaddr(&bound, bound_ip, &bound_port);

  std::error_code ec;
  if (fs::exists(fs::path(case_dir) / "index.db", ec) && !parsed.has("force")) {
    ::close(listen_fd);
    return fail("case " + case_dir + " already holds an index; use --force to replace it");
  }
  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) return fail(registry.status().message());
  SinkOptions options;
  options.case_dir = case_dir;
  options.input_source = "netcap proxy " + parsed.get("listen") + " -> " + parsed.get("remote");
  std::vector<std::unique_ptr<RecordSink>> sink_list;
  for (const char* kind : {"index", "ncap"}) {
    auto sink = open_sink(kind, options);
    if (!sink) return fail(sink.status().message());
    sink_list.push_back(std::move(sink.value()));
  }
  SharedSinks sinks(std::move(sink_list));
  std::unique_ptr<files::FileStore> file_store;
  if (!parsed.has("no-files")) {
    auto store = files::FileStore::create(case_dir);
    if (!store) return fail(store.status().message());
    file_store = std::move(store.value());
  }
  ProxyConfig config;
  config.remote = remote;
  config.idle_timeout_s = static_cast<int>(*idle);
  config.quiet = parsed.has("quiet");
  config.files = file_store.get();
  ProxyCounts counts;
  std::atomic<bool> stopping{false};

  // Blocked before any thread exists; one thread waits for them and sets `stopping`.
  const cli::StopSignalsBlocked stop_signals;
  std::thread signal_thread([&] {
    stop_signals.wait();
    stopping.store(true);
  });
  std::cerr << "netcap proxy: relaying " << bound_ip.to_string() << ":" << bound_port << " -> "
            << parsed.get("remote") << " into " << case_dir << " (Ctrl-C stops)\n";
  uint64_t serial = 0;
  while (!stopping.load()) {
    pollfd pfd{listen_fd, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    sockaddr_storage client{};
    socklen_t client_len = sizeof client;
    const int fd =
        ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&client), &client_len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (counts.active.load() >= *max_connections) {
      ++counts.refused;
      ::close(fd);
      continue;
    }
    ++counts.active;
    ++counts.connections;
    std::thread(relay, fd, client, ++serial, std::cref(config), std::ref(sinks), std::ref(counts),
                std::cref(stopping))
        .detach();
  }
  ::close(listen_fd);
  signal_thread.join();
  while (counts.active.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::cerr << "netcap proxy: stopping after " << counts.connections.load() << " connections ("
            << counts.refused.load() << " refused, " << counts.failed.load()
            << " could not reach the remote); finishing the case\n";
  Status closed = sinks.close({{"input", options.input_source},
                               {"proxy_connections", std::to_string(counts.connections.load())}});
  if (!closed) return fail(closed.message());
  auto report = catalog::precompute_answers(case_dir, *registry);
  if (!report) {
    std::cerr << "netcap proxy: warning: transform answers not precomputed: "
              << report.status().message() << "\n";
  }
  return cli::kExitOk;
}

}  // namespace netcap
