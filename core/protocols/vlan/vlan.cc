#include "core/protocols/vlan/vlan.h"

#include "core/protocols/common/layer_util.h"
#include "proto/link.pb.h"

namespace netcap {

bool parse_vlan(Bytes bytes, VlanTag& out) {
  ByteCursor c(bytes);
  const uint16_t tci = c.u16be();
  out.type = c.u16be();
  if (!c.ok()) return false;
  out.priority = static_cast<uint8_t>(tci >> 13);
  out.drop_eligible = (tci & 0x1000) != 0;
  out.id = tci & 0x0fff;
  out.payload = c.rest();
  return true;
}

namespace {

template <uint16_t kTpid>
void decode_vlan(Bytes bytes, PacketContext& ctx) {
  VlanTag t;
  if (!parse_vlan(bytes, t)) {
    ctx.anomaly("vlan.truncated", std::to_string(bytes.size()) + " bytes, tag needs 4");
    return;
  }
  ctx.push_vlan(t.id);
  if (ctx.layer_records()) {
    auto r = new_layer_record<Dot1Q>(ctx);
    r->set_priority(t.priority);
    r->set_dropeligible(t.drop_eligible);
    r->set_vlanidentifier(t.id);
    r->set_type(t.type);
    r->set_tpid(kTpid);
    ctx.emit(std::move(r));
  }
  if (t.type <= kMax8023Length) return;  // LLC inside the tag (e.g. CDP): not decoded
  ctx.dispatch(DispatchSpace::kEtherType, t.type, t.payload);
}

}  // namespace

Status register_vlan(LayerRegistry& registry) {
  Status s = registry.bind(DispatchSpace::kEtherType, 0x8100, {"vlan", &decode_vlan<0x8100>});
  if (!s) return s;
  s = registry.bind(DispatchSpace::kEtherType, 0x88a8, {"vlan", &decode_vlan<0x88a8>});
  if (!s) return s;
  return registry.bind(DispatchSpace::kEtherType, 0x9100, {"vlan", &decode_vlan<0x9100>});
}

}  // namespace netcap
