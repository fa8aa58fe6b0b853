#include "core/protocols/null_loopback/null_loopback.h"

#include "core/protocols/common/layer_util.h"
#include "proto/link.pb.h"

namespace netcap {

bool parse_loopback(Bytes bytes, bool network_order, LoopbackHeader& out) {
  ByteCursor c(bytes);
  if (!c.has(4)) return false;
  const bool be = network_order || (c.peek_u8(0) == 0 && c.peek_u8(1) == 0);
  out.family = be ? c.u32be() : c.u32le();
  out.big_endian = be;
  out.payload = c.rest();
  return true;
}

uint32_t loopback_family_ethertype(uint32_t family) {
  switch (family) {
    case 2:
      return kEtherTypeIpv4;
    case 10:
    case 24:
    case 28:
    case 30:
      return kEtherTypeIpv6;
    default:
      return 0;
  }
}

namespace {

void decode(Bytes bytes, PacketContext& ctx, bool network_order) {
  LoopbackHeader h;
  if (!parse_loopback(bytes, network_order, h)) {
    ctx.anomaly("loopback.truncated", std::to_string(bytes.size()) + " bytes, header needs 4");
    return;
  }
  if (ctx.layer_records()) {
    auto r = new_layer_record<Loopback>(ctx);
    r->set_family(h.family);
    r->set_bigendian(h.big_endian);
    r->set_payloadsize(static_cast<int32_t>(h.payload.size()));
    ctx.emit(std::move(r));
  }
  uint32_t type = loopback_family_ethertype(h.family);
  if (type == 0 && bytes.size() >= 4) {
    // Some captures put an EtherType in the last two header bytes (Wireshark's null dissector
    // accepts it too); honour it when it names IPv4 or IPv6.
    const uint32_t ether = (uint32_t{bytes[2]} << 8) | bytes[3];
    if (ether == kEtherTypeIpv4 || ether == kEtherTypeIpv6) type = ether;
  }
  if (type == 0) {
    ctx.anomaly("loopback.unknown_family", "AF value " + std::to_string(h.family));
    return;
  }
  ctx.dispatch(DispatchSpace::kEtherType, type, h.payload);
}

void decode_null(Bytes bytes, PacketContext& ctx) { decode(bytes, ctx, false); }
void decode_loop(Bytes bytes, PacketContext& ctx) { decode(bytes, ctx, true); }

}  // namespace

Status register_null_loopback(LayerRegistry& registry) {
  Status s = registry.bind(DispatchSpace::kLinkType, 0, {"loopback", &decode_null});
  if (!s) return s;
  return registry.bind(DispatchSpace::kLinkType, 108, {"loopback", &decode_loop});
}

}  // namespace netcap
