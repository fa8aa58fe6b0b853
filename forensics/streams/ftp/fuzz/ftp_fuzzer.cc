// Fuzzes the FTP control session and a data session created from what it announced. The input
// is a sequence of chunks "<ctl> <len> <len bytes>": ctl bit 0 is the direction, bit 1 makes
// the chunk a gap, bit 2 sends it to the data session instead of the control session.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "forensics/app/app_layer.h"
#include "forensics/streams/ftp/ftp_session.h"

using namespace netcap;
using namespace netcap::app;

namespace {
struct NullEmitter : RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Limits limits;
  limits.max_line_bytes = 64;
  limits.max_header_bytes = 256;
  limits.max_pending_transactions = 4;
  NullEmitter emitter;
  ExpectationTable expectations(limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  flow.ip_protocol = 6;
  IpAddress::parse("10.0.0.1", flow.client);
  IpAddress::parse("10.0.0.2", flow.server);
  flow.client_port = 40000;
  flow.server_port = 21;
  AppContext ctx(flow, limits, emitter, expectations, "ftp");
  auto control = ftp::make_control_session(ctx);

  // The data connection: whatever the control session announced first, else a plain one.
  FlowInfo data_flow = flow;
  data_flow.flow_id = "Cdata";
  data_flow.server_port = 20000;
  AppContext data_ctx(data_flow, limits, emitter, expectations, "ftp-data");
  std::unique_ptr<AppSession> data_session;

  size_t i = 0;
  int64_t ts = 1;
  while (i + 2 <= size) {
    const uint8_t ctl = data[i];
    const size_t len = data[i + 1];
    i += 2;
    const auto dir =
        (ctl & 1) ? StreamDirection::kServerToClient : StreamDirection::kClientToServer;
    AppSession* target = control.get();
    if (ctl & 4) {
      if (!data_session) {
        Expectation e;
        if (expectations.take(data_flow, e)) data_ctx.set_matched_expectation(e);
        data_session = ftp::make_data_session(data_ctx, nullptr);
      }
      target = data_session.get();
    }
    if (ctl & 2) {
      target->on_gap(dir, len, ts++);
      continue;
    }
    const size_t n = len < size - i ? len : size - i;
    target->on_data(dir, std::span<const uint8_t>(data + i, n), ts++);
    i += n;
  }
  if (data_session) data_session->on_end(StreamEndReason::kFin, ts);
  control->on_end(StreamEndReason::kFin, ts);
  return 0;
}
