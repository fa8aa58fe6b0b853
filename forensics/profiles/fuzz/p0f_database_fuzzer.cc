// Fuzzes the p0f.fp parser (a data file we do not control) and the matcher: the input is read
// as a database, then a few observed signatures (and the input's last line, read as one) are
// matched against it in both directions.
#include <cstdint>
#include <string>
#include <string_view>

#include "forensics/profiles/p0f.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap::profiles;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  P0fLimits limits;
  limits.max_signatures = 512;
  limits.max_line_bytes = 1024;
  limits.max_errors_kept = 4;
  const P0fDatabase db = P0fDatabase::parse(in, limits);
  std::string_view last = in.substr(in.rfind('\n', in.size() > 0 ? in.size() - 1 : 0) + 1);
  const std::string_view observed[] = {
      "4:57:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0",
      "4:121:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0",
      "6:60:0:1440:28800,7:mss,sok,ts,nop,ws:flow:0",
      "4:20:0:0:0,0:::+",
      last,
  };
  size_t matched = 0;
  for (std::string_view sig : observed) {
    for (bool request : {true, false}) {
      for (uint16_t syn_mss : {uint16_t{0}, uint16_t{1}, uint16_t{12}, uint16_t{1460}}) {
        if (auto m = db.match(sig, request, syn_mss)) matched += m->label->os().size();
      }
    }
  }
  return matched == static_cast<size_t>(-1) ? 1 : 0;
}
