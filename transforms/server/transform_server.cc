// Implementation of the transform server (spec maltego.md §2.1, §2.5, §2.8, §2.9).
#include "transforms/server/transform_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "core/sinks/record_sink.h"
#include "transforms/case_index_pool.h"
#include "transforms/maltego/request.h"
#include "transforms/maltego/response.h"
#include "transforms/registry.h"

namespace netcap {

namespace fs = std::filesystem;

namespace {

constexpr const char* kXml = "text/xml; charset=UTF-8";
constexpr const char* kText = "text/plain; charset=UTF-8";

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Canonical form used to compare case directories; "" if it cannot be resolved.
std::string canonical_case(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::path(path), ec);
  if (ec) return {};
  std::string out = canonical.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void answer_exception(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(maltego::serialize_exception(text, maltego::OutputEncoding::kUtf8), kXml);
}

}  // namespace

struct TransformServer::Impl {
  TransformServerOptions options;
  TransformRegistry registry;
  std::map<std::string, const TransformSpec*> by_lower_id;  // spec §2.1: case-insensitive
  std::set<std::string> allowed_cases;                      // canonical paths
  mutable CaseIndexPool index_pool;    // thread-safe; connections kept open between requests
  std::vector<std::string> case_list;  // as given, for /health
  std::unique_ptr<httplib::Server> http;

  const TransformSpec* find(const std::string& name) const {
    auto it = by_lower_id.find(ascii_lower(name));
    return it == by_lower_id.end() ? nullptr : it->second;
  }

  static std::string probe_text(const std::string& name) {
    return "Transform '" + name + "' is available; POST a MaltegoMessage to run it.";
  }

  static std::string not_found_text(const std::string& name) {
    return "No transform found with the name '" + name + "'.";
  }

  bool api_key_ok(const maltego::TransformRequest& request) const {
    if (options.api_keys.empty()) return true;
    // Spec §2.9: setting lookup tries the exact name, then global#<name>.
    const std::string* key = request.transform_field(options.api_key_setting);
    if (key == nullptr) key = request.transform_field("global#" + options.api_key_setting);
    if (key == nullptr) return false;
    return std::find(options.api_keys.begin(), options.api_keys.end(), *key) !=
           options.api_keys.end();
  }

  void run(const httplib::Request& req, httplib::Response& res) const {
    const std::string name = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
    const TransformSpec* spec = find(name);
    if (spec == nullptr) return answer_exception(res, 404, not_found_text(name));
    if (req.method == "GET" || req.body.empty()) {
      res.status = 200;
      res.set_content(probe_text(spec->id), kText);
      return;
    }
    maltego::ParseLimits limits;
    limits.max_body_bytes = options.max_request_bytes;
    maltego::RequestError error = maltego::RequestError::kNone;
    Expected<maltego::TransformRequest> request = maltego::parse_request(req.body, limits, &error);
    if (!request) {
      if (error == maltego::RequestError::kTooLarge) {
        return answer_exception(res, 413,
                                "Malformed request: body larger than " +
                                    std::to_string(options.max_request_bytes) + " bytes");
      }
      if (error == maltego::RequestError::kEmptyBody) {
        res.status = 200;
        res.set_content(probe_text(spec->id), kText);
        return;
      }
      return answer_exception(res, 200, request.status().message());
    }
    if (!api_key_ok(*request)) {
      return answer_exception(res, 200, "Malformed request: invalid API key");
    }
    // Spec §2.3: the input entity (or one of its genealogy types) must be the declared type.
    if (!accepts_input_type(*spec, *request)) {
      return answer_exception(
          res, 200,
          "Malformed request: unsupported input entity type '" + request->effective_type() + "'");
    }
    Expected<std::string> case_dir = case_dir_for_request(*spec, *request);
    if (!case_dir) return answer_exception(res, 200, case_dir.status().message());
    // Only the cases given on the command line are reachable: anything else would let a
    // client open arbitrary SQLite files on this host.
    if (allowed_cases.count(canonical_case(*case_dir)) == 0) {
      return answer_exception(res, 200, "Malformed request: case not served");
    }
    maltego::TransformResponse response;
    Status status =
        execute_transform(*spec, *request, request->effective_limit(), response, &index_pool);
    if (!status) {
      // The registry's contract: the Status message is the exception text (the same document
      // local mode writes, spec §1.5/§2.8).
      return answer_exception(res, 200, status.message());
    }
    res.status = 200;
    res.set_content(maltego::serialize_response(response, maltego::OutputEncoding::kUtf8), kXml);
  }

  std::string index_text() const {
    std::string out = "You have reached a Maltego Transform Server.\n";
    for (const TransformSpec* spec : registry.list()) out += "/run/" + spec->id + "\n";
    return out;
  }

  std::string health_json() const {
    std::string out = "{\"status\":\"ok\",\"version\":\"" + json_escape(netcap_version()) +
                      "\",\"transforms\":" + std::to_string(registry.size()) + ",\"cases\":[";
    for (size_t i = 0; i < case_list.size(); ++i) {
      out += (i == 0 ? "\"" : ",\"") + json_escape(case_list[i]) + "\"";
    }
    return out + "]}";
  }

  void install_routes() {
    httplib::Server& s = *http;
    const std::string run_pattern = R"(/run/([^/]+)/?)";
    auto run_handler = [this](const httplib::Request& req, httplib::Response& res) {
      try {
        run(req, res);
      } catch (const std::exception&) {
        answer_exception(res, 200, "Transform failed: internal error");
      }
    };
    s.Get(run_pattern, run_handler);
    s.Post(run_pattern, run_handler);
    auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "GET, POST");
      answer_exception(res, 405, "Malformed request: method not allowed");
    };
    for (const char* path : {R"(/run/([^/]+)/?)", "/", "/health"}) {
      s.Put(path, not_allowed);
      s.Delete(path, not_allowed);
      s.Patch(path, not_allowed);
      s.Options(path, not_allowed);
    }
    s.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(index_text(), kText);
    });
    s.Post("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(index_text(), kText);
    });
    s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(health_json(), "application/json");
    });
    // Errors raised by httplib itself (413 payload too large, 404 unrouted, 400 bad request
    // line) get an exception document instead of an empty or HTML page.
    s.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          std::string text = res.status == 413 ? "Malformed request: body too large"
                             : res.status == 404
                                 ? "Malformed request: no such route"
                                 : "Malformed request: HTTP error " + std::to_string(res.status);
          res.set_content(maltego::serialize_exception(text, maltego::OutputEncoding::kUtf8), kXml);
          return httplib::Server::HandlerResponse::Handled;
        }));
    s.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          answer_exception(res, 500, "Transform failed: internal error");
        });
    s.set_payload_max_length(options.max_request_bytes);
    s.set_read_timeout(options.io_timeout_seconds, 0);
    s.set_write_timeout(options.io_timeout_seconds, 0);
    s.set_keep_alive_timeout(5);
    // Answers are written as soon as they are ready: without this, Nagle's algorithm holds the
    // last segment until the client's delayed ACK (40 ms on Linux) on every keep-alive request.
    s.set_tcp_nodelay(true);
    // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and
    // silently take half of the requests. SO_REUSEADDR alone still allows a quick restart.
    s.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    const int workers = std::max(1, options.workers);
    s.new_task_queue = [workers] { return new httplib::ThreadPool(static_cast<size_t>(workers)); };
  }
};

TransformServer::TransformServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TransformServer::~TransformServer() { stop(); }

Expected<std::unique_ptr<TransformServer>> TransformServer::create(TransformServerOptions options) {
  auto impl = std::make_unique<Impl>();
  if (options.cases.empty()) return Status::error("no case directory to serve");
  for (const std::string& dir : options.cases) {
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / "index.db", ec)) {
      return Status::error("not a case directory (no index.db): " + dir);
    }
    impl->allowed_cases.insert(canonical_case(dir));
    impl->case_list.push_back(dir);
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Status::error("TLS needs both a certificate and a key file");
  }
  if (options.max_request_bytes == 0) {
    return Status::error("max request bytes must be positive");
  }
  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) return registry.status();
  impl->registry = std::move(*registry);
  for (const TransformSpec* spec : impl->registry.list()) {
    impl->by_lower_id[ascii_lower(spec->id)] = spec;
  }
  if (!options.tls_cert_file.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                    options.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return Status::error("cannot load TLS certificate/key " + options.tls_cert_file + " / " +
                           options.tls_key_file);
    }
    impl->http = std::move(ssl);
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  impl->options = std::move(options);
  impl->install_routes();
  return std::unique_ptr<TransformServer>(new TransformServer(std::move(impl)));
}

Status TransformServer::start() {
  if (thread_.joinable()) return Status::error("server already started");
  httplib::Server& s = *impl_->http;
  const TransformServerOptions& o = impl_->options;
  int bound =
      o.port == 0 ? s.bind_to_any_port(o.host) : (s.bind_to_port(o.host, o.port) ? o.port : -1);
  if (bound <= 0) {
    return Status::error("cannot listen on " + o.host + ":" + std::to_string(o.port));
  }
  port_ = bound;
  thread_ = std::thread([&s] { s.listen_after_bind(); });
  // listen_after_bind() marks the server running; stop() before that would be lost.
  for (int i = 0; i < 500 && !s.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::ok();
}

void TransformServer::stop() {
  if (impl_ && impl_->http) impl_->http->stop();
  if (thread_.joinable()) thread_.join();
}

std::string TransformServer::url() const {
  const bool tls = !impl_->options.tls_cert_file.empty();
  std::string host = impl_->options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port_);
}

size_t TransformServer::transform_count() const { return impl_->registry.size(); }

const std::vector<std::string>& TransformServer::served_cases() const { return impl_->case_list; }

}  // namespace netcap
