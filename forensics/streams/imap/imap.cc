// Registers IMAP (forensics/streams/imap).
#include "forensics/app/app_protocol.h"
#include "forensics/mail/mail.h"
#include "forensics/streams/imap/imap_parser.h"
#include "forensics/streams/imap/imap_session.h"

namespace netcap::app {

Status register_app_imap(AppRegistry& registry) {
  AppProtocol p;
  p.name = "imap";
  p.transport = AppTransport::kTcp;
  p.ports = {143};  // 993 is implicit TLS
  p.probe = &imap::probe;
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<imap::ImapSession>(ctx, /*observer=*/nullptr);
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
