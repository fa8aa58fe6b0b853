// libFuzzer target for the packet-layer decoders: the first input byte selects a link type,
// the rest is the frame. Decodes with layer records on (so record building is fuzzed too) and
// feeds every input through one long-lived FragmentReassembler (so fragment state is fuzzed).
#include <cstddef>
#include <cstdint>

#include "core/packet/packet.h"
#include "core/protocols/tests/decode_harness.h"

namespace {
constexpr uint32_t kLinkTypes[] = {
    netcap::linktype::kEthernet, netcap::linktype::kLinuxSll, netcap::linktype::kLinuxSll2,
    netcap::linktype::kNull,     netcap::linktype::kLoop,     netcap::linktype::kRaw,
    netcap::linktype::kRawBsd12, netcap::linktype::kIpv4,     netcap::linktype::kIpv6,
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static netcap::testing::DecodeHarness harness;
  if (size < 1) return 0;
  const uint32_t lt = kLinkTypes[data[0] % (sizeof(kLinkTypes) / sizeof(kLinkTypes[0]))];
  netcap::RawPacket p;
  p.frame = 1;
  p.linktype = lt;
  p.data.assign(data + 1, data + size);
  // Odd selector bytes pretend the snap length cut the frame, to reach those branches too.
  p.wire_len = static_cast<uint32_t>(p.data.size()) + ((data[0] / 16) % 2 ? 100 : 0);
  netcap::testing::DecodeResult r = harness.decode(p, true);
  (void)r;
  return 0;
}
