// DHCPv6 over UDP (ports 546/547 only): one DHCPv6 record per datagram.
#include <memory>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/dhcpv6/dhcpv6_parser.h"
#include "proto/dhcp.pb.h"

namespace netcap::app {
namespace {

// Stateless: every datagram is a complete message (RFC 8415 section 8).
class Dhcpv6Session : public AppSession {
 public:
  explicit Dhcpv6Session(AppContext& ctx) : ctx_(ctx) {}

  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts_ns,
                   uint64_t frame) override {
    auto record = std::make_unique<netcap::DHCPv6>();
    ctx_.stamp(*record, dir, ts_ns);
    record->set_frame(frame);
    std::vector<dhcpv6::Finding> findings;
    const bool cut = payload_length > payload.size();
    if (cut) {
      findings.push_back({"dhcpv6.truncated",
                          "datagram cut by the snap length: " + std::to_string(payload.size()) +
                              " of " + std::to_string(payload_length) + " bytes"});
    }
    const bool ok =
        dhcpv6::decode_dhcpv6(payload, ctx_.limits().max_items_per_message, *record, findings);
    if (cut) record->set_malformed(true);
    for (auto& f : findings) ctx_.anomaly(f.name, std::move(f.detail), ts_ns);
    if (ok) ctx_.emit(std::move(record));
  }

 private:
  AppContext& ctx_;
};

}  // namespace

Status register_app_dhcpv6(AppRegistry& registry) {
  AppProtocol p;
  p.name = "dhcpv6";
  p.transport = AppTransport::kUdp;
  p.ports = {dhcpv6::kClientPort, dhcpv6::kServerPort};
  p.probe = &dhcpv6::probe_dhcpv6;
  // Option TLVs alone are not distinctive enough to claim flows on other ports.
  p.ports_only = true;
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<Dhcpv6Session>(ctx);
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
