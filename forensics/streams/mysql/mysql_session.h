// The MySQL session: one MySQL record per connection from its connection phase, a Credentials
// record for the login, and the switch to TLS after an SSLRequest.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"

namespace netcap::app::mysql {

std::unique_ptr<AppSession> make_session(AppContext& ctx);

}  // namespace netcap::app::mysql
