// Fuzzes the MySQL session and its parsers; the input format is
// tests/fuzz/stream_session_driver.h's.
#include <cstddef>
#include <cstdint>

#include "forensics/streams/mysql/mysql_parser.h"
#include "forensics/streams/mysql/mysql_session.h"
#include "tests/fuzz/stream_session_driver.h"

using namespace netcap;
using namespace netcap::app;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The probe and the pure parsers see the whole input too.
  mysql::probe_greeting({data, size}, true);
  mysql::parse_login({data, size});
  mysql::parse_greeting({data, size});
  fuzz::StreamFuzzContext fc(mysql::kPort, "mysql");
  auto session = mysql::make_session(*fc.ctx);
  fuzz::drive_stream_session(*session, data, size);
  return 0;
}
