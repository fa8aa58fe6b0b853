// Fuzzes the SMTP session: the input is split into alternating client/server pieces at 0xFF
// bytes (the first piece comes from the server), plus a gap on 0xFE.
#include <cstdint>

#include "forensics/mail/testing/session_fixture.h"
#include "forensics/streams/smtp/smtp_parser.h"
#include "forensics/streams/smtp/smtp_session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  using namespace netcap::app;
  mail::testing::SessionFixture fx(25, "smtp");
  fx.limits.max_line_bytes = 256;
  fx.limits.max_pending_transactions = 8;
  smtp::SmtpSession s(*fx.ctx, nullptr);
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
  in.client = Bytes(data, size);
  smtp::probe(in);
  s.on_end(StreamEndReason::kFin, ts);
  return 0;
}
