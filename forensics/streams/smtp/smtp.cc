// Registers SMTP (forensics/streams/smtp).
#include "forensics/app/app_protocol.h"
#include "forensics/mail/mail.h"
#include "forensics/mail/mail_files.h"
#include "forensics/streams/smtp/smtp_parser.h"
#include "forensics/streams/smtp/smtp_session.h"

namespace netcap::app {

Status register_app_smtp(AppRegistry& registry) {
  AppProtocol p;
  p.name = "smtp";
  p.transport = AppTransport::kTcp;
  // 25 relay, 587 submission, 2525 common alternative; 465 is implicit TLS (nothing to parse).
  p.ports = {25, 587, 2525};
  p.probe = &smtp::probe;
  // Messages and their parts go to file extraction when the context has a file sink.
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return mail::with_observer(mail::make_file_observer(ctx, FileDirection::kUpload),
                               [&ctx](mail::MailObserver* observer) {
                                 return std::make_unique<smtp::SmtpSession>(ctx, observer);
                               });
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
