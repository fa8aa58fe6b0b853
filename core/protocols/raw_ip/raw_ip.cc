#include "core/protocols/raw_ip/raw_ip.h"

#include "core/protocols/common/layer_util.h"

namespace netcap {

uint32_t raw_ip_ethertype(Bytes bytes) {
  if (bytes.empty()) return 0;
  switch (bytes[0] >> 4) {
    case 4:
      return kEtherTypeIpv4;
    case 6:
      return kEtherTypeIpv6;
    default:
      return 0;
  }
}

namespace {

void decode_raw_ip(Bytes bytes, PacketContext& ctx) {
  const uint32_t type = raw_ip_ethertype(bytes);
  if (type == 0) {
    ctx.anomaly("raw.bad_ip_version",
                bytes.empty() ? "empty packet" : "version nibble " + std::to_string(bytes[0] >> 4));
    return;
  }
  ctx.dispatch(DispatchSpace::kEtherType, type, bytes);
}

}  // namespace

Status register_raw_ip(LayerRegistry& registry) {
  for (uint32_t lt : {101u, 12u, 14u, 228u, 229u}) {
    Status s = registry.bind(DispatchSpace::kLinkType, lt, {"raw", &decode_raw_ip});
    if (!s) return s;
  }
  return Status::ok();
}

}  // namespace netcap
