#include "core/protocols/vxlan/vxlan.h"

#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

bool parse_vxlan(Bytes bytes, VxlanHeader& out) {
  ByteCursor c(bytes);
  const uint8_t f0 = c.u8();
  const uint8_t f1 = c.u8();
  out.group_policy_id = c.u16be();
  out.vni = c.u24be();
  c.skip(1);
  if (!c.ok()) return false;
  out.gbp = (f0 & 0x80) != 0;
  out.valid_vni = (f0 & 0x08) != 0;
  out.dont_learn = (f1 & 0x40) != 0;
  out.policy_applied = (f1 & 0x08) != 0;
  if (!out.gbp) out.group_policy_id = 0;
  out.payload = c.rest();
  return true;
}

namespace {

void decode_vxlan(Bytes bytes, PacketContext& ctx) {
  VxlanHeader h;
  if (!parse_vxlan(bytes, h)) {
    ctx.anomaly("vxlan.truncated", std::to_string(bytes.size()) + " bytes, header needs 8");
    return;
  }
  if (ctx.layer_records()) {
    auto r = new_layer_record<VXLAN>(ctx);
    r->set_valididflag(h.valid_vni);
    r->set_vni(h.vni);
    r->set_gbpextension(h.gbp);
    r->set_gbpdontlearn(h.dont_learn);
    r->set_gbpapplied(h.policy_applied);
    r->set_gbpgrouppolicyid(h.group_policy_id);
    r->set_srcip(ip_text(ctx.net_src()));
    r->set_dstip(ip_text(ctx.net_dst()));
    ctx.emit(std::move(r));
  }
  ctx.dispatch(DispatchSpace::kEtherType, kEtherTypeTransparentBridging, h.payload);
}

}  // namespace

Status register_vxlan(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kUdpPort, 4789, {"vxlan", &decode_vxlan});
}

}  // namespace netcap
