#include "core/protocols/arp/arp.h"

#include "core/protocols/common/layer_util.h"
#include "proto/link.pb.h"

namespace netcap {

bool parse_arp(Bytes bytes, ArpMessage& out) {
  ByteCursor c(bytes);
  out.hardware_type = c.u16be();
  out.protocol_type = c.u16be();
  out.hardware_size = c.u8();
  out.protocol_size = c.u8();
  out.operation = c.u16be();
  out.sender_hw = c.bytes(out.hardware_size);
  out.sender_proto = c.bytes(out.protocol_size);
  out.target_hw = c.bytes(out.hardware_size);
  out.target_proto = c.bytes(out.protocol_size);
  return c.ok();
}

namespace {

std::string proto_address(Bytes b) {
  if (b.size() == 4) return IpAddress::v4(b).to_string();
  return colon_hex(b);
}

void decode_arp(Bytes bytes, PacketContext& ctx) {
  ArpMessage m;
  if (!parse_arp(bytes, m)) {
    ctx.anomaly("arp.truncated", std::to_string(bytes.size()) + " bytes");
    return;
  }
  ctx.count_value(ValueKind::kARPHardwareType, m.hardware_type);
  if (!ctx.layer_records()) return;
  auto r = new_layer_record<ARP>(ctx);
  r->set_addrtype(m.hardware_type);
  r->set_protocol(m.protocol_type);
  r->set_hwaddresssize(m.hardware_size);
  r->set_protocoladdresssize(m.protocol_size);
  r->set_operation(m.operation);
  r->set_srchwaddress(colon_hex(m.sender_hw));
  r->set_srcprotocoladdress(proto_address(m.sender_proto));
  r->set_dsthwaddress(colon_hex(m.target_hw));
  r->set_dstprotocoladdress(proto_address(m.target_proto));
  ctx.emit(std::move(r));
}

}  // namespace

Status register_arp(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kEtherType, 0x0806, {"arp", &decode_arp});
}

}  // namespace netcap
