// Fuzz target: any bytes as a capture file through format detection and both readers.
#include <cstddef>
#include <cstdint>

#include "core/capture/capture_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  // A small packet bound keeps the window small and exercises the "too big" paths.
  auto reader = open_capture_reader(memory_input(Bytes(data, size)), "fuzz", 4096);
  if (!reader) return 0;
  RawPacket packet;
  for (;;) {
    auto got = (*reader)->next(packet);
    if (!got || !*got) break;
  }
  (void)(*reader)->issues();
  return 0;
}
