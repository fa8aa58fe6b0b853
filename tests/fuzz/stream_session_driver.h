// Fuzzing support for TCP application sessions: a context on a fixed flow and the chunk format
// the stream fuzzers share. The input is a sequence of chunks "<ctl> <len> <len bytes>": ctl
// bit 0 is the direction (1: server to client), bit 1 makes the chunk a gap of `len` bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "forensics/app/app_layer.h"

namespace netcap::fuzz {

// Everything an AppContext needs, records thrown away.
struct StreamFuzzContext {
  struct NullEmitter : RecordEmitter {
    void emit(std::unique_ptr<google::protobuf::Message>) override {}
  };
  Limits limits;
  NullEmitter emitter;
  app::ExpectationTable expectations{limits, emitter};
  FlowInfo flow;
  std::unique_ptr<app::AppContext> ctx;

  StreamFuzzContext(uint16_t server_port, std::string_view protocol) {
    flow.flow_id = "Cfuzz";
    flow.ip_protocol = 6;
    flow.client_port = 40000;
    flow.server_port = server_port;
    ctx = std::make_unique<app::AppContext>(flow, limits, emitter, expectations, protocol);
  }
};

// Feeds the chunks of `data` to `session`, then ends it.
inline void drive_stream_session(app::AppSession& session, const uint8_t* data, size_t size) {
  size_t i = 0;
  int64_t ts = 1;
  while (i + 2 <= size) {
    const uint8_t ctl = data[i];
    const size_t len = data[i + 1];
    i += 2;
    const auto dir =
        (ctl & 1) ? StreamDirection::kServerToClient : StreamDirection::kClientToServer;
    if (ctl & 2) {
      session.on_gap(dir, len, ts++);
      continue;
    }
    const size_t n = len < size - i ? len : size - i;
    session.on_data(dir, {data + i, n}, ts++);
    i += n;
  }
  session.on_end(StreamEndReason::kFin, ts);
}

}  // namespace netcap::fuzz
