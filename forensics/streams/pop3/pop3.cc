// Registers POP3 (forensics/streams/pop3).
#include "forensics/app/app_protocol.h"
#include "forensics/mail/mail.h"
#include "forensics/mail/mail_files.h"
#include "forensics/streams/pop3/pop3_parser.h"
#include "forensics/streams/pop3/pop3_session.h"

namespace netcap::app {

Status register_app_pop3(AppRegistry& registry) {
  AppProtocol p;
  p.name = "pop3";
  p.transport = AppTransport::kTcp;
  p.ports = {110};  // 995 is implicit TLS
  p.probe = &pop3::probe;
  // Messages and their parts go to file extraction when the context has a file sink.
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return mail::with_observer(mail::make_file_observer(ctx, FileDirection::kDownload),
                               [&ctx](mail::MailObserver* observer) {
                                 return std::make_unique<pop3::Pop3Session>(ctx, observer);
                               });
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
