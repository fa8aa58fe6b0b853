// Registration of TLS over TCP (forensics/streams/tls/).
#include "forensics/app/app_protocol.h"
#include "forensics/streams/tls/tls_session.h"

namespace netcap::app {

Status register_app_tls(AppRegistry& registry) {
  AppProtocol p;
  p.name = "tls";
  p.transport = AppTransport::kTcp;
  // HTTPS, SMTPS (submissions), IMAPS, POP3S, DNS over TLS, HTTPS-alt, LDAPS, SIP over TLS.
  // Hints only: TLS is found by content on any port. STARTTLS (TLS after a cleartext
  // protocol's upgrade command) is not handled here.
  p.ports = {443, 465, 993, 995, 853, 8443, 636, 5061};
  p.probe = probe_tls;
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<TlsSession>(ctx);
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
