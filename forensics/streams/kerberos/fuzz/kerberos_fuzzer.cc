// Fuzzes the DER checker, the Kerberos message parser, the probe check and the session over
// UDP datagrams or a TCP stream cut into pieces with gaps: the first byte picks the mode.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "forensics/app/app_layer.h"
#include "forensics/streams/kerberos/der.h"
#include "forensics/streams/kerberos/kerberos_parser.h"
#include "forensics/streams/kerberos/kerberos_session.h"

namespace {

using namespace netcap;
using namespace netcap::app;

struct NullEmitter : RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  Bytes in(data + 1, size - 1);

  (void)kerberos::check_der(in, 1 + mode % kerberos::kMaxDerDepth);
  kerberos::KrbMessage m;
  (void)kerberos::parse_message(in, m);
  (void)kerberos::plausible_message(in, false);
  (void)kerberos::plausible_message(in, true);

  Limits limits;
  limits.max_pending_transactions = 4;
  NullEmitter emitter;
  ExpectationTable expectations(limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  flow.ip_protocol = (mode & 0x80) ? 6 : 17;
  flow.client_port = 40000;
  flow.server_port = 88;
  AppContext ctx(flow, limits, emitter, expectations, "kerberos");
  kerberos::KerberosSession session(ctx, flow.ip_protocol == 6);
  if (flow.ip_protocol == 6) {
    // The input as both directions' streams, cut into pieces, with gaps when bit 6 is set.
    const size_t step = 1 + (mode >> 2) % 16;
    int64_t ts = 1;
    for (size_t pos = 0; pos < in.size(); pos += step, ++ts) {
      const Bytes piece = in.subspan(pos, std::min(step, in.size() - pos));
      if ((mode & 0x40) && pos % 7 == 3) session.on_gap(StreamDirection::kClientToServer, step, ts);
      session.on_data(StreamDirection::kClientToServer, piece, ts);
      session.on_data(StreamDirection::kServerToClient, piece, ts);
    }
    session.on_end(StreamEndReason::kFin, ts);
  } else {
    session.on_datagram(StreamDirection::kClientToServer, in, static_cast<uint32_t>(in.size()), 1,
                        1);
    session.on_datagram(StreamDirection::kServerToClient, in,
                        static_cast<uint32_t>(in.size() + (mode & 1)), 2, 2);
    session.on_end(StreamEndReason::kIdle, 3);
  }
  return 0;
}
