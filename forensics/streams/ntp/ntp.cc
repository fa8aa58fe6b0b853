// NTP over UDP (port 123 only): one NTP record per datagram.
#include <memory>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/ntp/ntp_parser.h"
#include "proto/ntp.pb.h"

namespace netcap::app {
namespace {

// Stateless: every datagram is a complete message.
class NtpSession : public AppSession {
 public:
  explicit NtpSession(AppContext& ctx) : ctx_(ctx) {}

  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts_ns,
                   uint64_t frame) override {
    auto record = std::make_unique<netcap::NTP>();
    ctx_.stamp(*record, dir, ts_ns);
    record->set_frame(frame);
    std::vector<ntp::Finding> findings;
    const bool cut = payload_length > payload.size();
    if (cut) {
      findings.push_back(
          {"ntp.truncated", "datagram cut by the snap length: " + std::to_string(payload.size()) +
                                " of " + std::to_string(payload_length) + " bytes"});
    }
    const bool ok = ntp::decode_ntp(payload, *record, findings);
    if (cut) record->set_malformed(true);
    for (auto& f : findings) ctx_.anomaly(f.name, std::move(f.detail), ts_ns);
    if (ok) ctx_.emit(std::move(record));
  }

 private:
  AppContext& ctx_;
};

}  // namespace

Status register_app_ntp(AppRegistry& registry) {
  AppProtocol p;
  p.name = "ntp";
  p.transport = AppTransport::kUdp;
  p.ports = {ntp::kPort};
  p.probe = &ntp::probe_ntp;
  // NTP content is not distinctive: only flows on port 123 are considered.
  p.ports_only = true;
  p.create = [](AppContext& ctx) -> std::unique_ptr<AppSession> {
    return std::make_unique<NtpSession>(ctx);
  };
  return registry.add(std::move(p));
}

}  // namespace netcap::app
