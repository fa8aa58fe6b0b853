// Registers IMAP (forensics/streams/imap).
#include "forensics/app/app_protocol.h"
#include "forensics/mail/mail.h"
#include "forensics/mail/mail_files.h"
#include "forensics/streams/imap/imap_parser.h"
#include "forensics/streams/imap/imap_session.h"

namespace netcap::app {

Status register_app_imap(AppRegistry& registry) {
  AppProtocol p;
  p.name = "imap";
  p.transport = AppTransport::kTcp;
  p.ports = {143};  // 993 is implicit TLS
  p.probe = &imap::probe;
  // Messages and their parts go to file extraction when the context has a file sink.
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return mail::with_observer(mail::make_file_observer(ctx, FileDirection::kDownload),
                               [&ctx](mail::MailObserver* observer) {
                                 return std::make_unique<imap::ImapSession>(ctx, observer);
                               });
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
