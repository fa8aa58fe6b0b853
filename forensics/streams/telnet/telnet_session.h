// The Telnet session: one `Telnet` record per connection, written at its end.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"

namespace netcap::app::telnet {

// IAC WILL/WONT/DO/DONT/SB <option> at the start of either side; on port 23 also plain text.
ProbeResult probe(const ProbeInput& in);

std::unique_ptr<AppSession> make_session(AppContext& ctx);

}  // namespace netcap::app::telnet
