// Fuzzes the POP3 session: the input is split into alternating server/client pieces at 0xFF
// bytes (the first piece comes from the server), plus a gap on 0xFE.
#include <cstdint>

#include "forensics/mail/testing/session_fixture.h"
#include "forensics/streams/pop3/pop3_parser.h"
#include "forensics/streams/pop3/pop3_session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  using namespace netcap::app;
  mail::testing::SessionFixture fx(110, "pop3");
  fx.limits.max_line_bytes = 256;
  fx.limits.max_pending_transactions = 8;
  pop3::Pop3Session s(*fx.ctx, nullptr);
  StreamDirection dir = StreamDirection::kServerToClient;
  size_t start = 0;
  int64_t ts = 1;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == 0xFF || data[i] == 0xFE) {
      s.on_data(dir, Bytes(data + start, i - start), ts++);
      if (i < size && data[i] == 0xFE) s.on_gap(dir, 10, ts++);
      dir = dir == StreamDirection::kServerToClient ? StreamDirection::kClientToServer
                                                    : StreamDirection::kServerToClient;
      start = i + 1;
    }
  }
  ProbeInput in;
  in.server = Bytes(data, size);
  pop3::probe(in);
  s.on_end(StreamEndReason::kFin, ts);
  return 0;
}
