#include "core/protocols/icmpv4/icmpv4.h"

#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

bool icmpv4_is_error(uint8_t type) {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

QuotedIpHeader parse_quoted_ipv4(Bytes bytes) {
  QuotedIpHeader q;
  ByteCursor c(bytes);
  const uint8_t vihl = c.u8();
  if (!c.ok() || (vihl >> 4) != 4 || (vihl & 0x0f) < 5) return q;
  c.skip(8);
  q.protocol = c.u8();
  c.skip(2);
  q.src = read_ipv4(c);
  q.dst = read_ipv4(c);
  if (!c.ok()) return q;
  q.present = true;
  ByteCursor t(bytes);
  t.skip((vihl & 0x0f) * 4u);
  if (q.protocol == 6 || q.protocol == 17 || q.protocol == 132) {
    q.src_port = t.u16be();
    q.dst_port = t.u16be();
    q.has_ports = t.ok();
  }
  return q;
}

bool parse_icmpv4(Bytes bytes, Icmpv4Message& out) {
  ByteCursor c(bytes);
  out.type = c.u8();
  out.code = c.u8();
  out.checksum = c.u16be();
  if (!c.ok()) return false;
  out.body = c.rest();
  switch (out.type) {
    case 0:
    case 8:
    case 13:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18:
      out.id = c.u16be();
      out.seq = c.u16be();
      break;
    case 5:
      out.gateway = read_ipv4(c);
      break;
    case 3:
      c.skip(2);
      out.mtu = c.u16be();
      break;
    default:
      c.skip(icmpv4_is_error(out.type) ? 4 : 0);
      break;
  }
  out.truncated = !c.ok();
  if (icmpv4_is_error(out.type) && c.ok()) out.quoted = parse_quoted_ipv4(c.rest());
  return true;
}

void add_icmp_transport(PacketContext& ctx, uint8_t ip_protocol, uint8_t type, uint8_t code,
                        Bytes body) {
  TransportInfo* t = ctx.add_transport(ip_protocol);
  if (t == nullptr) return;
  const uint32_t declared = ctx.network_payload_length();
  t->src_port = type;
  t->dst_port = code;
  t->payload = body;
  t->payload_length = declared >= 4 ? declared - 4 : 0;  // after type, code and checksum
  t->from_reassembled_fragments = ctx.network_reassembled();
}

namespace {

void decode_icmpv4(Bytes bytes, PacketContext& ctx) {
  Icmpv4Message m;
  if (!parse_icmpv4(bytes, m)) {
    ctx.anomaly("icmp.truncated", std::to_string(bytes.size()) + " bytes, header needs 4");
    return;
  }
  if (m.truncated) ctx.anomaly("icmp.truncated", "type " + std::to_string(m.type) + " cut short");
  const uint32_t declared = ctx.network_payload_length();
  add_icmp_transport(ctx, 1, m.type, m.code, m.body);
  ctx.count_value(ValueKind::kICMPv4TypeCode, static_cast<uint16_t>(m.type << 8 | m.code));
  if (!ctx.layer_records()) return;
  auto r = new_layer_record<ICMPv4>(ctx);
  r->set_typecode((m.type << 8) | m.code);
  r->set_type(m.type);
  r->set_code(m.code);
  r->set_checksum(m.checksum);
  r->set_id(m.id);
  r->set_seq(m.seq);
  r->set_gateway(ip_text(m.gateway));
  set_quoted_fields(m.quoted, *r);
  r->set_mtu(m.type == 3 && m.code == 4 ? m.mtu : 0);
  r->set_payloadsize(static_cast<int32_t>(declared >= 4 ? declared - 4 : 0));
  r->set_srcip(ip_text(ctx.net_src()));
  r->set_dstip(ip_text(ctx.net_dst()));
  ctx.emit(std::move(r));
}

}  // namespace

Status register_icmpv4(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kIpProtocol, 1, {"icmp", &decode_icmpv4});
}

}  // namespace netcap
