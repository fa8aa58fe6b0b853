#include "core/protocols/mpls/mpls.h"

#include "core/protocols/common/layer_util.h"
#include "proto/link.pb.h"

namespace netcap {

void parse_mpls(Bytes bytes, MplsStack& out) {
  ByteCursor c(bytes);
  while (true) {
    if (out.entries.size() >= kMaxMplsLabels) {
      out.too_many_labels = true;
      return;
    }
    const uint32_t v = c.u32be();
    if (!c.ok()) {
      out.truncated = true;
      return;
    }
    MplsEntry e;
    e.label = v >> 12;
    e.traffic_class = static_cast<uint8_t>((v >> 9) & 0x7);
    e.bottom = (v & 0x100) != 0;
    e.ttl = static_cast<uint8_t>(v & 0xff);
    out.entries.push_back(e);
    if (e.bottom) break;
  }
  out.payload = c.rest();
}

namespace {

void decode_mpls(Bytes bytes, PacketContext& ctx) {
  MplsStack s;
  parse_mpls(bytes, s);
  if (ctx.layer_records()) {
    for (const MplsEntry& e : s.entries) {
      auto r = new_layer_record<MPLS>(ctx);
      r->set_label(static_cast<int32_t>(e.label));
      r->set_trafficclass(e.traffic_class);
      r->set_stackbottom(e.bottom);
      r->set_ttl(e.ttl);
      ctx.emit(std::move(r));
    }
  }
  if (s.truncated) {
    ctx.anomaly("mpls.truncated", "label stack ends without bottom-of-stack after " +
                                      std::to_string(s.entries.size()) + " entries");
    return;
  }
  if (s.too_many_labels) {
    ctx.anomaly("mpls.too_many_labels", "more than " + std::to_string(kMaxMplsLabels));
    return;
  }
  uint32_t type = kEtherTypeUnidentified;
  if (!s.payload.empty()) {
    const int nibble = s.payload[0] >> 4;
    if (nibble == 4) type = kEtherTypeIpv4;
    if (nibble == 6) type = kEtherTypeIpv6;
  }
  ctx.dispatch(DispatchSpace::kEtherType, type, s.payload);
}

}  // namespace

Status register_mpls(LayerRegistry& registry) {
  Status s = registry.bind(DispatchSpace::kEtherType, 0x8847, {"mpls", &decode_mpls});
  if (!s) return s;
  return registry.bind(DispatchSpace::kEtherType, 0x8848, {"mpls", &decode_mpls});
}

}  // namespace netcap
