// SIP sessions: one SIP record per message. UDP: one message per datagram. TCP: messages are
// framed by their head's empty line and Content-Length (RFC 3261 §18.3), several per stream.
#pragma once

#include <memory>
#include <string>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/sip/sip_parser.h"

namespace netcap::app::sip {

// The probe of both transports: a SIP start line in the first bytes of either direction.
ProbeResult probe(const ProbeInput& in);

std::unique_ptr<AppSession> make_udp_session(AppContext& ctx);
std::unique_ptr<AppSession> make_tcp_session(AppContext& ctx);

}  // namespace netcap::app::sip
