#include "core/protocols/gre/gre.h"

#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

GreParseResult parse_gre(Bytes bytes, GreHeader& out) {
  ByteCursor c(bytes);
  const uint16_t f = c.u16be();
  out.protocol = c.u16be();
  if (!c.ok()) return GreParseResult::kTruncated;
  out.checksum_present = (f & 0x8000) != 0;
  out.routing_present = (f & 0x4000) != 0;
  out.key_present = (f & 0x2000) != 0;
  out.seq_present = (f & 0x1000) != 0;
  out.strict_source_route = (f & 0x0800) != 0;
  out.recursion = static_cast<uint8_t>((f >> 8) & 0x7);
  out.ack_present = (f & 0x0080) != 0;
  out.flags = static_cast<uint8_t>((f >> 3) & 0x0f);
  out.version = static_cast<uint8_t>(f & 0x7);
  // RFC 1701: checksum and offset are both present if either C or R is set.
  if (out.checksum_present || out.routing_present) {
    out.checksum = c.u16be();
    out.offset = c.u16be();
  }
  if (out.key_present) out.key = c.u32be();
  if (out.seq_present) out.seq = c.u32be();
  if (out.version == 1 && out.ack_present) out.ack = c.u32be();
  if (!c.ok()) return GreParseResult::kTruncated;
  if (out.routing_present) {
    // RFC 1701: source route entries (address family, SRE offset, SRE length, data) until an
    // entry with address family 0 and length 0.
    size_t n = 0;
    while (true) {
      const uint16_t family = c.u16be();
      c.skip(1);
      const uint8_t length = c.u8();
      if (!c.ok()) return GreParseResult::kTruncated;
      if (family == 0 && length == 0) break;
      if (++n > kMaxGreSres || !c.skip(length)) return GreParseResult::kBadRouting;
    }
  }
  out.payload = c.rest();
  return GreParseResult::kOk;
}

namespace {

void decode_gre(Bytes bytes, PacketContext& ctx) {
  GreHeader h;
  const GreParseResult result = parse_gre(bytes, h);
  if (result == GreParseResult::kTruncated) {
    ctx.anomaly("gre.truncated", std::to_string(bytes.size()) + " bytes");
    return;
  }
  if (result == GreParseResult::kBadRouting) {
    ctx.anomaly("gre.bad_routing",
                "source route entries past the end or more than " + std::to_string(kMaxGreSres));
  }
  if (ctx.layer_records()) {
    auto r = new_layer_record<GRE>(ctx);
    r->set_checksumpresent(h.checksum_present);
    r->set_routingpresent(h.routing_present);
    r->set_keypresent(h.key_present);
    r->set_seqpresent(h.seq_present);
    r->set_strictsourceroute(h.strict_source_route);
    r->set_ackpresent(h.ack_present);
    r->set_recursioncontrol(h.recursion);
    r->set_flags(h.flags);
    r->set_version(h.version);
    r->set_protocol(h.protocol);
    r->set_checksum(h.checksum);
    r->set_offset(h.offset);
    r->set_key(h.key);
    r->set_seq(h.seq);
    r->set_ack(h.ack);
    r->set_srcip(ip_text(ctx.net_src()));
    r->set_dstip(ip_text(ctx.net_dst()));
    ctx.emit(std::move(r));
  }
  if (result != GreParseResult::kOk) return;
  if (h.version > 1) {
    ctx.anomaly("gre.bad_version", "version " + std::to_string(h.version));
    return;
  }
  if (h.version == 0) ctx.dispatch(DispatchSpace::kEtherType, h.protocol, h.payload);
}

}  // namespace

Status register_gre(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kIpProtocol, 47, {"gre", &decode_gre});
}

}  // namespace netcap
