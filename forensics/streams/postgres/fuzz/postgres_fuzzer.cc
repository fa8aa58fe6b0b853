// Fuzzes the PostgreSQL session and its parsers; the input format is
// tests/fuzz/stream_session_driver.h's.
#include <cstddef>
#include <cstdint>

#include "forensics/streams/postgres/postgres_parser.h"
#include "forensics/streams/postgres/postgres_session.h"
#include "tests/fuzz/stream_session_driver.h"

using namespace netcap;
using namespace netcap::app;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The probe and the pure parsers see the whole input too.
  postgres::probe_first_message({data, size}, true);
  postgres::parse_first_message({data, size});
  postgres::parse_auth_request({data, size});
  postgres::parse_error_fields({data, size});
  fuzz::StreamFuzzContext fc(postgres::kPort, "postgres");
  auto session = postgres::make_session(*fc.ctx);
  fuzz::drive_stream_session(*session, data, size);
  return 0;
}
