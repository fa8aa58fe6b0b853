// The SSH session: one `SSH` record per connection, written once both directions are
// encrypted (after SSH_MSG_NEWKEYS) or at the end of the connection.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"

namespace netcap::app::ssh {

// RFC 4253 §4.2 probe: either side starts with "SSH-"; on port 22 the server may send other
// lines first.
ProbeResult probe(const ProbeInput& in);

std::unique_ptr<AppSession> make_session(AppContext& ctx);

}  // namespace netcap::app::ssh
