// libFuzzer target for the agent/collector batch decoder (core/sinks/record_batch.h). The first
// byte chooses what the rest is: even, a body as received (gzip and all); odd, the frames
// themselves, gzip-compressed here first so the frame parser is reached past zlib's checksums.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/sinks/record_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  netcap::RecordBatchLimits limits;
  limits.max_decompressed_bytes = 1 << 20;
  limits.max_records = 10'000;
  if (data[0] % 2 == 0) {
    (void)netcap::decode_record_batch(rest, limits);
    return 0;
  }
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
  std::string body(deflateBound(&z, static_cast<uLong>(rest.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest.data()));
  z.avail_in = static_cast<uInt>(rest.size());
  z.next_out = reinterpret_cast<Bytef*>(body.data());
  z.avail_out = static_cast<uInt>(body.size());
  const int rc = deflate(&z, Z_FINISH);
  body.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return 0;
  auto records = netcap::decode_record_batch(body, limits);
  if (records) {
    for (const auto& r : *records) {
      if (r == nullptr) __builtin_trap();
    }
  }
  return 0;
}
