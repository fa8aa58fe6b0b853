#include "core/protocols/icmpv6/icmpv6.h"

#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

QuotedIpHeader parse_quoted_ipv6(Bytes bytes) {
  QuotedIpHeader q;
  ByteCursor c(bytes);
  const uint8_t v = c.u8();
  if (!c.ok() || (v >> 4) != 6) return q;
  c.skip(5);
  q.protocol = c.u8();
  c.skip(1);
  q.src = read_ipv6(c);
  q.dst = read_ipv6(c);
  if (!c.ok()) return q;
  q.present = true;
  if (q.protocol == 6 || q.protocol == 17 || q.protocol == 132) {
    q.src_port = c.u16be();
    q.dst_port = c.u16be();
    q.has_ports = c.ok();
  }
  return q;
}

namespace {

// RFC 4861 section 4.6: type, length in units of 8 octets (0 is invalid), body.
void parse_nd_options(ByteCursor& c, Icmpv6Message& out) {
  while (!c.empty()) {
    if (out.options.size() >= kMaxNdOptions) {
      out.too_many_options = true;
      return;
    }
    NdOption o;
    o.type = c.u8();
    const uint8_t units = c.u8();
    if (!c.ok() || units == 0 || units * 8u - 2u > c.remaining()) {
      out.bad_option = true;
      return;
    }
    o.length = units * 8u;
    ByteCursor b = c.sub(o.length - 2);
    o.data = b.rest();
    switch (o.type) {
      case 1:
      case 2:
        o.link_layer_address = b.rest();
        break;
      case 3:  // prefix information, RFC 4861 4.6.2
        o.prefix_length = b.u8();
        {
          const uint8_t f = b.u8();
          o.on_link = (f & 0x80) != 0;
          o.autonomous = (f & 0x40) != 0;
        }
        o.valid_lifetime = b.u32be();
        o.preferred_lifetime = b.u32be();
        b.skip(4);
        o.prefix = read_ipv6(b);
        break;
      case 5:  // MTU, RFC 4861 4.6.4
        b.skip(2);
        o.mtu = b.u32be();
        break;
      default:
        break;
    }
    out.options.push_back(o);
  }
}

}  // namespace

bool parse_icmpv6(Bytes bytes, Icmpv6Message& out) {
  ByteCursor c(bytes);
  out.type = c.u8();
  out.code = c.u8();
  out.checksum = c.u16be();
  if (!c.ok()) return false;
  out.body = c.rest();
  bool options = false;
  switch (out.type) {
    case 1:
    case 2:
    case 3:
    case 4:
      out.mtu = c.u32be();  // unused / MTU / unused / pointer
      if (c.ok()) out.quoted = parse_quoted_ipv6(c.rest());
      break;
    case 128:
    case 129:
      out.identifier = c.u16be();
      out.seq = c.u16be();
      break;
    case 130:
    case 131:
    case 132:
      c.skip(4);  // maximum response delay, reserved
      out.multicast = read_ipv6(c);
      break;
    case 143:
      c.skip(2);
      out.group_records = c.u16be();
      break;
    case 133:
      c.skip(4);
      options = true;
      break;
    case 134:
      out.hop_limit = c.u8();
      out.flags = c.u8();
      out.router_lifetime = c.u16be();
      out.reachable_time = c.u32be();
      out.retrans_timer = c.u32be();
      options = true;
      break;
    case 135:
    case 136:
      out.flags = out.type == 136 ? c.u8() : 0;
      c.skip(out.type == 136 ? 3 : 4);
      out.target = read_ipv6(c);
      options = true;
      break;
    case 137:
      c.skip(4);
      out.target = read_ipv6(c);
      c.skip(16);  // destination address
      options = true;
      break;
    default:
      break;
  }
  out.truncated = !c.ok();
  if (options && c.ok()) parse_nd_options(c, out);
  return true;
}

namespace {

void decode_icmpv6(Bytes bytes, PacketContext& ctx) {
  Icmpv6Message m;
  if (!parse_icmpv6(bytes, m)) {
    ctx.anomaly("icmpv6.truncated", std::to_string(bytes.size()) + " bytes, header needs 4");
    return;
  }
  if (m.truncated) {
    ctx.anomaly("icmpv6.truncated", "type " + std::to_string(m.type) + " cut short");
  }
  if (m.bad_option) ctx.anomaly("icmpv6.bad_option", "option length 0 or past the end");
  if (m.too_many_options) {
    ctx.anomaly("icmpv6.too_many_options", "more than " + std::to_string(kMaxNdOptions));
  }
  const uint32_t declared = ctx.network_payload_length();
  add_icmp_transport(ctx, 58, m.type, m.code, m.body);
  ctx.count_value(ValueKind::kICMPv6TypeCode, static_cast<uint16_t>(m.type << 8 | m.code));
  if (!ctx.layer_records()) return;
  auto r = new_layer_record<ICMPv6>(ctx);
  r->set_typecode((m.type << 8) | m.code);
  r->set_type(m.type);
  r->set_code(m.code);
  r->set_checksum(m.checksum);
  r->set_identifier(m.identifier);
  r->set_seqnumber(m.seq);
  r->set_targetaddress(ip_text(m.target));
  r->set_flags(m.flags);
  r->set_hoplimit(m.hop_limit);
  r->set_routerlifetime(m.router_lifetime);
  r->set_reachabletime(m.reachable_time);
  r->set_retranstimer(m.retrans_timer);
  for (const NdOption& o : m.options) {
    ICMPv6Option* po = r->add_options();
    po->set_type(o.type);
    po->set_length(static_cast<int32_t>(o.length));
    po->set_data(to_bytes(o.data));
    if (!o.link_layer_address.empty()) po->set_linklayeraddress(colon_hex(o.link_layer_address));
    po->set_prefixlength(o.prefix_length);
    po->set_onlink(o.on_link);
    po->set_autonomous(o.autonomous);
    po->set_validlifetime(o.valid_lifetime);
    po->set_preferredlifetime(o.preferred_lifetime);
    po->set_prefix(ip_text(o.prefix));
    po->set_mtu(o.mtu);
  }
  r->set_multicastaddress(ip_text(m.multicast));
  r->set_numberofgrouprecords(m.group_records);
  set_quoted_fields(m.quoted, *r);
  r->set_mtu(m.mtu);
  r->set_payloadsize(static_cast<int32_t>(declared >= 4 ? declared - 4 : 0));
  r->set_srcip(ip_text(ctx.net_src()));
  r->set_dstip(ip_text(ctx.net_dst()));
  ctx.emit(std::move(r));
}

}  // namespace

Status register_icmpv6(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kIpProtocol, 58, {"icmpv6", &decode_icmpv6});
}

}  // namespace netcap
