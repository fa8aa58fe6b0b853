// Registration of the HTTP/1.x application protocol.
#include "forensics/streams/http/http.h"

#include "forensics/streams/http/http_files.h"
#include "forensics/streams/http/http_session.h"

namespace netcap::app {

AppProtocol http::make_http_protocol(HttpBodyObserverFactory observers) {
  AppProtocol p;
  p.name = "http";
  p.transport = AppTransport::kTcp;
  // Hints only: the probe finds HTTP on any port.
  p.ports = {80, 8080, 8000, 3128};
  p.probe = &http::probe_http;
  p.create = [observers = std::move(observers)](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<http::HttpSession>(ctx, observers ? observers(ctx) : nullptr);
  };
  return p;
}

Status register_app_http(AppRegistry& registry) {
  // Bodies go to file extraction when the context has a file sink (make_file_observer returns
  // nullptr otherwise).
  return registry.add(http::make_http_protocol(&http::make_file_observer));
}

}  // namespace netcap::app
