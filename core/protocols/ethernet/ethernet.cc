#include "core/protocols/ethernet/ethernet.h"

#include "core/protocols/common/layer_util.h"
#include "proto/link.pb.h"

namespace netcap {

bool parse_ethernet(Bytes bytes, EthernetHeader& out) {
  ByteCursor c(bytes);
  Bytes dst = c.bytes(6);
  Bytes src = c.bytes(6);
  out.type_or_length = c.u16be();
  if (!c.ok()) return false;
  out.dst = MacAddress::from(dst);
  out.src = MacAddress::from(src);
  out.payload = c.rest();
  return true;
}

namespace {

void decode_ethernet(Bytes bytes, PacketContext& ctx) {
  EthernetHeader h;
  if (!parse_ethernet(bytes, h)) {
    ctx.anomaly("ethernet.truncated", std::to_string(bytes.size()) + " bytes, header needs 14");
    return;
  }
  ctx.set_link_addresses(h.src, h.dst);
  const bool is_length = h.type_or_length <= kMax8023Length;
  if (ctx.layer_records()) {
    auto r = new_layer_record<Ethernet>(ctx);
    r->set_srcmac(h.src.to_string());
    r->set_dstmac(h.dst.to_string());
    r->set_ethernettype(is_length ? 0 : h.type_or_length);
    r->set_length(is_length ? h.type_or_length : 0);
    r->set_payloadsize(static_cast<int32_t>(h.payload.size()));
    ctx.emit(std::move(r));
  }
  // IEEE 802.3 length frame: LLC/SNAP payload, not decoded (out of scope).
  if (is_length) return;
  ctx.count_value(ValueKind::kEtherType, h.type_or_length);
  ctx.dispatch(DispatchSpace::kEtherType, h.type_or_length, h.payload);
}

}  // namespace

Status register_ethernet(LayerRegistry& registry) {
  const LayerDecoder d{"ethernet", &decode_ethernet};
  Status s = registry.bind(DispatchSpace::kLinkType, 1, d);
  if (!s) return s;
  return registry.bind(DispatchSpace::kEtherType, kEtherTypeTransparentBridging, d);
}

}  // namespace netcap
