// Fuzzes the SIP parser and both sessions. The first byte picks the mode: even = UDP datagrams
// (the rest cut at every 0xFF byte), odd = a TCP stream delivered in chunks of (byte % 97) + 1
// bytes, alternating directions at every 0xFE byte; the rest also goes to parse_sdp.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "forensics/app/app_layer.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/sip/sip_parser.h"
#include "forensics/streams/sip/sip_session.h"

namespace {
struct NullEmitter : netcap::RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  using namespace netcap::app;
  if (size == 0) return 0;
  Limits limits;
  limits.max_header_bytes = 4096;
  limits.max_header_fields = 16;
  limits.max_items_per_message = 16;
  NullEmitter emitter;
  ExpectationTable expectations(limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  const uint8_t mode = data[0];
  Bytes rest(data + 1, size - 1);
  std::vector<sip::Problem> problems;
  (void)sip::parse_sdp(as_text(rest), 16, problems);
  ProbeInput in;
  in.client = rest;
  (void)sip::probe(in);
  if (mode % 2 == 0) {
    flow.ip_protocol = 17;
    AppContext ctx(flow, limits, emitter, expectations, "sip");
    auto s = sip::make_udp_session(ctx);
    size_t start = 0;
    for (size_t i = 0; i <= rest.size(); ++i) {
      if (i == rest.size() || rest[i] == 0xFF) {
        Bytes d = rest.subspan(start, i - start);
        s->on_datagram(StreamDirection::kClientToServer, d, uint32_t(d.size() + (mode & 4)),
                       int64_t(i), i);
        start = i + 1;
      }
    }
    s->on_end(StreamEndReason::kIdle, 0);
  } else {
    flow.ip_protocol = 6;
    AppContext ctx(flow, limits, emitter, expectations, "sip");
    auto s = sip::make_tcp_session(ctx);
    const size_t chunk = size_t(mode % 97) + 1;
    StreamDirection dir = StreamDirection::kClientToServer;
    for (size_t i = 0; i < rest.size(); i += chunk) {
      Bytes d = rest.subspan(i, std::min(chunk, rest.size() - i));
      if (d[0] == 0xFE) {
        dir = dir == StreamDirection::kClientToServer ? StreamDirection::kServerToClient
                                                      : StreamDirection::kClientToServer;
      }
      if (d[0] == 0xFD) {
        s->on_gap(dir, 10, int64_t(i));
        continue;
      }
      s->on_data(dir, d, int64_t(i));
    }
    s->on_end(StreamEndReason::kFin, 0);
  }
  return 0;
}
