// Fuzzes the HTTP session: the input is split into segments for both directions.
// Format: each segment is [1 byte control][1 byte length][length bytes]; control bit 0 picks
// the direction, bit 1 makes it a gap of `length` bytes instead of data.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "forensics/app/app_layer.h"
#include "forensics/streams/http/http_session.h"

namespace {

struct NullEmitter : netcap::RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  using namespace netcap::app;
  Limits limits;
  limits.max_line_bytes = 256;  // small bounds reach the limit paths
  limits.max_header_bytes = 1024;
  limits.max_header_fields = 8;
  limits.max_pending_transactions = 4;
  limits.max_items_per_message = 8;
  limits.max_decoded_body_bytes = 64 * 1024;
  NullEmitter emitter;
  AppRegistry registry;
  AppLayer layer(registry, limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  flow.ip_protocol = 6;
  flow.client_port = 40000;
  flow.server_port = 80;
  AppContext ctx(flow, limits, emitter, layer.expectations(), "http");
  ProbeInput probe;
  probe.client = std::span<const uint8_t>(data, size);
  (void)http::probe_http(probe);
  http::HttpSession session(ctx, nullptr);
  size_t i = 0;
  int64_t ts = 1;
  while (i + 2 <= size) {
    const uint8_t control = data[i];
    const size_t len = std::min<size_t>(data[i + 1], size - i - 2);
    const auto dir =
        (control & 1) ? StreamDirection::kServerToClient : StreamDirection::kClientToServer;
    if (control & 2) {
      session.on_gap(dir, data[i + 1], ts);
      i += 2;
    } else {
      session.on_data(dir, std::span<const uint8_t>(data + i + 2, len), ts);
      i += 2 + len;
    }
    ++ts;
  }
  session.on_end(StreamEndReason::kFin, ts);
  return 0;
}
