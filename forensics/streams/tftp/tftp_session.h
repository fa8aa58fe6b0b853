// The TFTP session: one class for both kinds of TFTP flow.
//
// * A request flow (probed on port 69): every RRQ/WRQ from the client announces the transfer
//   flow through the application layer's expectations (originator: the server, from any port;
//   responder: the client's address and port; UDP), with the Request in Expectation::link.
//   A retransmitted request (same opcode, name, mode and options while unanswered) counts in
//   Request::requests instead of announcing again. Requests nobody answered are written as TFTP
//   records when the flow ends. A server that answers from port 69 itself (RFC 1350 §4 wants a
//   new port) gets the transfer run on the request flow (tftp.no_new_port).
// * A transfer flow (created for an expectation): a Transfer (tftp_transfer.h) over all its
//   datagrams, finished when the flow ends.
//
// Thread-safety: one shard thread.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/tftp/tftp_parser.h"

namespace netcap::app::tftp {

// `limits` must outlive the session.
std::unique_ptr<AppSession> make_session(AppContext& ctx, const TftpLimits& limits);

// Registers "tftp" (UDP, port 69 only) with sessions using `limits`, which must outlive the
// registry's sessions.
Status register_tftp(AppRegistry& registry, const TftpLimits& limits);

}  // namespace netcap::app::tftp
