// Registration of DNS (UDP and TCP), mDNS and LLMNR.
#include <algorithm>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/dns/dns_parser.h"
#include "forensics/streams/dns/dns_session.h"

namespace netcap::app {

namespace {

using dns::Flavor;

constexpr uint16_t kDnsPort = 53;
constexpr uint16_t kMdnsPort = 5353;
constexpr uint16_t kLlmnrPort = 5355;

bool on_port(const ProbeInput& in, uint16_t port) {
  return in.client_port == port || in.server_port == port;
}

ProbeResult probe_udp(const ProbeInput& in, Flavor flavor, uint16_t port) {
  const Bytes msg = !in.client.empty() ? in.client : in.server;
  const bool hinted = on_port(in, port);
  if (flavor == Flavor::kDns && !hinted) {
    // NetBIOS name/datagram service and mDNS/LLMNR share the format; those ports are theirs.
    for (uint16_t other : {uint16_t{137}, uint16_t{138}, kMdnsPort, kLlmnrPort}) {
      if (on_port(in, other)) return ProbeResult::kNo;
    }
  }
  return dns::plausible_message(msg, flavor, /*strict=*/!hinted, /*partial=*/false) == 1
             ? ProbeResult::kYes
             : ProbeResult::kNo;
}

// DNS over TCP: the first message of the client (or, when the capture missed it, the server),
// after its two-byte length prefix (RFC 1035 §4.2.2).
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
  if (b.size() < 2) return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  const size_t length = (size_t{b[0]} << 8) | b[1];
  if (length < dns::kHeaderBytes) return ProbeResult::kNo;
  const Bytes msg = b.subspan(2, std::min(length, b.size() - 2));
  const bool partial = msg.size() < length;
  const int r = dns::plausible_message(msg, Flavor::kDns, !on_port(in, kDnsPort), partial);
  if (r == 1) return ProbeResult::kYes;
  if (r == 0 || final) return ProbeResult::kNo;
  return ProbeResult::kNeedMore;
}

AppProtocol udp_protocol(Flavor flavor, uint16_t port) {
  AppProtocol p;
  p.name = std::string(dns::flavor_protocol(flavor));
  p.transport = AppTransport::kUdp;
  p.ports = {port};
  // mDNS and LLMNR only on their ports: off them the same bytes are DNS.
  p.ports_only = flavor != Flavor::kDns;
  p.probe = [flavor, port](const ProbeInput& in) { return probe_udp(in, flavor, port); };
  p.create = [flavor](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<dns::DnsSession>(ctx, flavor, /*tcp=*/false);
  };
  return p;
}

}  // namespace

Status register_app_dns(AppRegistry& registry) {
  AppProtocol tcp;
  tcp.name = "dns";
  tcp.transport = AppTransport::kTcp;
  tcp.ports = {kDnsPort};
  tcp.probe = probe_tcp;
  tcp.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<dns::DnsSession>(ctx, Flavor::kDns, /*tcp=*/true);
  };
  if (Status s = registry.add(std::move(tcp)); !s.is_ok()) return s;
  if (Status s = registry.add(udp_protocol(Flavor::kDns, kDnsPort)); !s.is_ok()) return s;
  if (Status s = registry.add(udp_protocol(Flavor::kMdns, kMdnsPort)); !s.is_ok()) return s;
  return registry.add(udp_protocol(Flavor::kLlmnr, kLlmnrPort));
}

}  // namespace netcap::app
