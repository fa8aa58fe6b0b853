// File extraction for mail (SMTP, POP3, IMAP): a MailObserver that stores each whole message as
// an .eml file (named from its subject) and every MIME part with content, transfer-decoded, as
// its own file (named from its file name, else "part-<path>"), through the context's FileSink.
#pragma once

#include <functional>
#include <memory>

#include "forensics/app/app_protocol.h"
#include "forensics/app/file_sink.h"
#include "forensics/mail/mail.h"

namespace netcap::app::mail {

// The observer for one session, or nullptr when ctx.files() is null. `direction`: who sent the
// messages (SMTP: upload; POP3/IMAP: download).
std::unique_ptr<MailObserver> make_file_observer(AppContext& ctx, FileDirection direction);

// A session that owns `observer` and the session made with a pointer to it (the mail sessions
// take a MailObserver* they do not own); the session is destroyed first.
std::unique_ptr<AppSession> with_observer(
    std::unique_ptr<MailObserver> observer,
    const std::function<std::unique_ptr<AppSession>(MailObserver*)>& make);

}  // namespace netcap::app::mail
