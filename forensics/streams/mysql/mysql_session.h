// The MySQL session: one MySQL record per connection from its connection phase and, after an
// accepted login, the SQL text of the client's commands (emitted when the connection ends); a
// Credentials record for the login; the switch to TLS after an SSLRequest.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"

namespace netcap::app::mysql {

std::unique_ptr<AppSession> make_session(AppContext& ctx);

}  // namespace netcap::app::mysql
