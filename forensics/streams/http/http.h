// HTTP/1.x application protocol (forensics/streams/http): one HTTP record per transaction.
// See README.md for the design and ANOMALIES.md for the anomalies.
#pragma once

#include "forensics/app/app_protocol.h"
#include "forensics/streams/http/http_body_observer.h"

namespace netcap::app {

namespace http {
// The "http" AppProtocol; `observers` (may be empty) gives each session its body observer.
AppProtocol make_http_protocol(HttpBodyObserverFactory observers);
}  // namespace http

// Registers make_http_protocol(make_file_observer): bodies are stored when ctx.files() is set.
Status register_app_http(AppRegistry& registry);

}  // namespace netcap::app
