// Registration of Kerberos v5 (RFC 4120) over UDP and TCP, port 88 as a hint: the probe is
// strict enough (outer APPLICATION tag, pvno 5, matching msg-type) to find KDC traffic on
// other ports.
#include <algorithm>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/kerberos/kerberos_parser.h"
#include "forensics/streams/kerberos/kerberos_session.h"

namespace netcap::app {

namespace {

constexpr uint16_t kKerberosPort = 88;

ProbeResult probe_udp(const ProbeInput& in) {
  const Bytes msg = !in.client.empty() ? in.client : in.server;
  return kerberos::plausible_message(msg, /*partial=*/false) == 1 ? ProbeResult::kYes
                                                                  : ProbeResult::kNo;
}

// The first message of the client (or of the server when the capture missed the client's)
// after its 4-byte record mark (RFC 4120 §7.2.2), whose length must match the DER length.
ProbeResult probe_tcp(const ProbeInput& in) {
  Bytes b;
  bool final = false;
  if (!in.client.empty()) {
    b = in.client;
    final = in.client_final;
  } else if (!in.client_final) {
    return ProbeResult::kNeedMore;
  } else if (!in.server.empty()) {
    b = in.server;
    final = in.server_final;
  } else {
    return ProbeResult::kNo;
  }
  if (b.size() < 4) return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  const size_t length = (size_t{b[0]} << 24) | (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | b[3];
  if (length > kerberos::kMaxTcpMessageBytes || length < 12) return ProbeResult::kNo;
  const Bytes msg = b.subspan(4, std::min(length, b.size() - 4));
  // The record mark counts exactly the one DER message that follows.
  size_t total = 0;
  const int t = kerberos::outer_total_length(msg, total);
  if (t == 0 || (t == 1 && total != length)) return ProbeResult::kNo;
  const int r = kerberos::plausible_message(msg, /*partial=*/msg.size() < length);
  if (r == 1) return ProbeResult::kYes;
  if (r == 0 || final) return ProbeResult::kNo;
  return ProbeResult::kNeedMore;
}

}  // namespace

Status register_app_kerberos(AppRegistry& registry) {
  AppProtocol tcp;
  tcp.name = "kerberos";
  tcp.transport = AppTransport::kTcp;
  tcp.ports = {kKerberosPort};
  tcp.probe = probe_tcp;
  tcp.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<kerberos::KerberosSession>(ctx, /*tcp=*/true);
  };
  if (Status s = registry.add(std::move(tcp)); !s.is_ok()) return s;
  AppProtocol udp;
  udp.name = "kerberos";
  udp.transport = AppTransport::kUdp;
  udp.ports = {kKerberosPort};
  udp.probe = probe_udp;
  udp.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<kerberos::KerberosSession>(ctx, /*tcp=*/false);
  };
  return registry.add(std::move(udp));
}

}  // namespace netcap::app
