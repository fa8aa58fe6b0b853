// Fuzzes the PostgreSQL session: the input is a sequence of chunks "<ctl> <len> <len bytes>" where
// ctl bit 0 is the direction and bit 1 makes the chunk a gap of `len` bytes instead.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "forensics/app/app_layer.h"
#include "forensics/streams/postgres/postgres_parser.h"
#include "forensics/streams/postgres/postgres_session.h"

using namespace netcap;
using namespace netcap::app;

namespace {
struct NullEmitter : RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Limits limits;
  NullEmitter emitter;
  ExpectationTable expectations(limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  flow.ip_protocol = 6;
  flow.client_port = 40000;
  flow.server_port = 5432;
  AppContext ctx(flow, limits, emitter, expectations, "postgres");
  // The probe and the pure parsers see the whole input too.
  postgres::probe_first_message({data, size}, true);
  postgres::parse_first_message({data, size});
  postgres::parse_auth_request({data, size});
  postgres::parse_error_fields({data, size});
  auto session = postgres::make_session(ctx);
  size_t i = 0;
  int64_t ts = 1;
  while (i + 2 <= size) {
    const uint8_t ctl = data[i];
    const size_t len = data[i + 1];
    i += 2;
    const auto dir =
        (ctl & 1) ? StreamDirection::kServerToClient : StreamDirection::kClientToServer;
    if (ctl & 2) {
      session->on_gap(dir, len, ts++);
      continue;
    }
    const size_t n = len < size - i ? len : size - i;
    session->on_data(dir, {data + i, n}, ts++);
    i += n;
  }
  session->on_end(StreamEndReason::kFin, ts);
  return 0;
}
