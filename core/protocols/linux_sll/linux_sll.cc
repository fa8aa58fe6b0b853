#include "core/protocols/linux_sll/linux_sll.h"

#include <algorithm>

#include "core/protocols/common/layer_util.h"
#include "proto/link.pb.h"

namespace netcap {

bool parse_linux_sll(Bytes bytes, LinuxSllHeader& out) {
  ByteCursor c(bytes);
  out.packet_type = c.u16be();
  out.arphrd_type = c.u16be();
  out.address_length = c.u16be();
  Bytes addr = c.bytes(8);
  out.protocol = c.u16be();
  if (!c.ok()) return false;
  out.address = addr.first(std::min<size_t>(out.address_length, 8));
  out.payload = c.rest();
  return true;
}

namespace {

void decode_linux_sll(Bytes bytes, PacketContext& ctx) {
  LinuxSllHeader h;
  if (!parse_linux_sll(bytes, h)) {
    ctx.anomaly("sll.truncated", std::to_string(bytes.size()) + " bytes, header needs 16");
    return;
  }
  if (ctx.layer_records()) {
    auto r = new_layer_record<LinuxSLL>(ctx);
    r->set_version(1);
    r->set_packettype(h.packet_type);
    r->set_addrtype(h.arphrd_type);
    r->set_addrlen(h.address_length);
    r->set_addr(colon_hex(h.address));
    r->set_ethernettype(h.protocol);
    r->set_payloadsize(static_cast<int32_t>(h.payload.size()));
    ctx.emit(std::move(r));
  }
  if (h.protocol <= kMax8023Length) return;  // LLC, CAN, ...: not an EtherType
  ctx.dispatch(DispatchSpace::kEtherType, h.protocol, h.payload);
}

}  // namespace

Status register_linux_sll(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kLinkType, 113, {"linux_sll", &decode_linux_sll});
}

}  // namespace netcap
