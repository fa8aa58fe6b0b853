#include "core/protocols/linux_sll2/linux_sll2.h"

#include <algorithm>

#include "core/protocols/common/layer_util.h"
#include "proto/link.pb.h"

namespace netcap {

bool parse_linux_sll2(Bytes bytes, LinuxSll2Header& out) {
  ByteCursor c(bytes);
  out.protocol = c.u16be();
  c.skip(2);  // reserved (MBZ)
  out.interface_index = c.u32be();
  out.arphrd_type = c.u16be();
  out.packet_type = c.u8();
  out.address_length = c.u8();
  Bytes addr = c.bytes(8);
  if (!c.ok()) return false;
  out.address = addr.first(std::min<size_t>(out.address_length, 8));
  out.payload = c.rest();
  return true;
}

namespace {

void decode_linux_sll2(Bytes bytes, PacketContext& ctx) {
  LinuxSll2Header h;
  if (!parse_linux_sll2(bytes, h)) {
    ctx.anomaly("sll2.truncated", std::to_string(bytes.size()) + " bytes, header needs 20");
    return;
  }
  if (ctx.layer_records()) {
    auto r = new_layer_record<LinuxSLL>(ctx);
    r->set_version(2);
    r->set_packettype(h.packet_type);
    r->set_addrtype(h.arphrd_type);
    r->set_addrlen(h.address_length);
    r->set_addr(colon_hex(h.address));
    r->set_ethernettype(h.protocol);
    r->set_interfaceindex(h.interface_index);
    r->set_payloadsize(static_cast<int32_t>(h.payload.size()));
    ctx.emit(std::move(r));
  }
  if (h.protocol <= kMax8023Length) return;
  ctx.dispatch(DispatchSpace::kEtherType, h.protocol, h.payload);
}

}  // namespace

Status register_linux_sll2(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kLinkType, 276, {"linux_sll2", &decode_linux_sll2});
}

}  // namespace netcap
