// The PostgreSQL session: one PostgreSQL record per connection (connection phase and the SQL
// of the queries), a Credentials record for the login, and the switch to TLS after an accepted
// SSLRequest.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"

namespace netcap::app::postgres {

std::unique_ptr<AppSession> make_session(AppContext& ctx);

}  // namespace netcap::app::postgres
