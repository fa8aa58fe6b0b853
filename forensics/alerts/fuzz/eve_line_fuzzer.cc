// libFuzzer target for the EVE line parser (`netcap label`): any bytes as one line; the time and
// address helpers on the same bytes. Must never crash or hang; malformed input is an error value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "forensics/alerts/eve_alerts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  netcap::alerts::EveLine line = netcap::alerts::parse_eve_line(text, "fuzz:1");
  if (line.kind == netcap::alerts::EveLine::Kind::kAlert) {
    // An accepted alert has what the matcher relies on.
    if (line.alert.srcip().empty() || line.alert.dstip().empty() || line.alert.timestamp() < 0) {
      __builtin_trap();
    }
  }
  (void)netcap::alerts::parse_eve_time(text);
  (void)netcap::alerts::canonical_address(text);
  (void)netcap::alerts::transport_name(text.substr(0, 16));
  return 0;
}
