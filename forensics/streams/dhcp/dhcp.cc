// DHCPv4 / BOOTP over UDP: one DHCPv4 record per datagram (ports 67/68, found by the magic
// cookie on any port).
#include <memory>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/dhcp/dhcp_parser.h"
#include "proto/dhcp.pb.h"

namespace netcap::app {
namespace {

// Stateless: every datagram is a complete message (RFC 2131 section 4.1).
class DhcpSession : public AppSession {
 public:
  explicit DhcpSession(AppContext& ctx) : ctx_(ctx) {}

  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts_ns,
                   uint64_t frame) override {
    auto record = std::make_unique<netcap::DHCPv4>();
    ctx_.stamp(*record, dir, ts_ns);  // before decoding: decode_dhcpv4 overwrites ClientIP
    record->set_frame(frame);
    std::vector<dhcp::Finding> findings;
    if (payload_length > payload.size()) {
      findings.push_back(
          {"dhcp.truncated", "datagram cut by the snap length: " + std::to_string(payload.size()) +
                                 " of " + std::to_string(payload_length) + " bytes"});
      record->set_malformed(true);
    }
    const bool cut = record->malformed();
    const bool ok =
        dhcp::decode_dhcpv4(payload, ctx_.limits().max_items_per_message, *record, findings);
    if (cut) record->set_malformed(true);
    for (auto& f : findings) ctx_.anomaly(f.name, std::move(f.detail), ts_ns);
    if (ok) ctx_.emit(std::move(record));
  }

 private:
  AppContext& ctx_;
};

}  // namespace

Status register_app_dhcp(AppRegistry& registry) {
  AppProtocol p;
  p.name = "dhcp";
  p.transport = AppTransport::kUdp;
  p.ports = {dhcp::kServerPort, dhcp::kClientPort};
  p.probe = &dhcp::probe_dhcpv4;
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<DhcpSession>(ctx);
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
