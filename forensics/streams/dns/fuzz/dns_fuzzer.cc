// Fuzzes the DNS message parser, the probes' plausibility check and the TCP session (framing,
// gaps, pairing) with one input: the first byte picks the mode.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/streams/dns/dns_parser.h"
#include "forensics/streams/dns/dns_session.h"

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
  const auto flavor = static_cast<dns::Flavor>(mode % 3);

  // The parser alone.
  DNS record;
  dns::ParseOptions options;
  options.flavor = flavor;
  options.max_records = 64;
  (void)dns::parse_message(in, options, record);
  for (bool strict : {false, true}) {
    for (bool partial : {false, true}) (void)dns::plausible_message(in, flavor, strict, partial);
  }

  // A session: TCP (stream cut into pieces, with a gap) or UDP datagrams.
  Limits limits;
  limits.max_pending_transactions = 4;
  limits.max_items_per_message = 64;
  NullEmitter emitter;
  ExpectationTable expectations(limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  flow.ip_protocol = (mode & 0x80) ? 6 : 17;
  flow.client_port = 40000;
  flow.server_port = 53;
  AppContext ctx(flow, limits, emitter, expectations, "dns");
  dns::DnsSession session(ctx, flavor, flow.ip_protocol == 6);
  size_t pos = 0;
  int64_t ts = 1;
  const size_t step = 1 + (mode >> 3) % 7;
  while (pos < in.size()) {
    const size_t n = std::min(in.size() - pos, step * 13);
    const auto dir =
        (pos / n) % 2 ? StreamDirection::kServerToClient : StreamDirection::kClientToServer;
    if (flow.ip_protocol == 6) {
      if ((mode & 0x40) && pos > 0 && pos % 5 == 0) session.on_gap(dir, in[pos] % 64, ts);
      session.on_data(StreamDirection::kClientToServer, in.subspan(pos, n), ts);
      session.on_data(StreamDirection::kServerToClient, in.subspan(pos, n), ts);
    } else {
      session.on_datagram(dir, in.subspan(pos, n), static_cast<uint32_t>(n + (mode & 1)), ts, pos);
      session.on_datagram(dir, in, static_cast<uint32_t>(in.size()), ts, pos);
    }
    pos += n;
    ++ts;
  }
  session.on_end(StreamEndReason::kFin, ts);
  return 0;
}
