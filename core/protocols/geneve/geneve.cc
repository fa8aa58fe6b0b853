#include "core/protocols/geneve/geneve.h"

#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

GeneveParseResult parse_geneve(Bytes bytes, GeneveHeader& out) {
  ByteCursor c(bytes);
  const uint8_t b0 = c.u8();
  const uint8_t b1 = c.u8();
  out.protocol = c.u16be();
  out.vni = c.u24be();
  c.skip(1);
  if (!c.ok()) return GeneveParseResult::kTruncated;
  out.version = b0 >> 6;
  out.options_length = static_cast<uint8_t>((b0 & 0x3f) * 4);
  out.oam = (b1 & 0x80) != 0;
  out.critical = (b1 & 0x40) != 0;
  ByteCursor opts = c.sub(out.options_length);
  if (!opts.ok()) return GeneveParseResult::kTruncated;
  // RFC 8926 3.5: class (16), type (8), reserved (3) + length in 4-byte units (5), data.
  while (!opts.empty()) {
    GeneveOptionTlv o;
    o.option_class = opts.u16be();
    o.type = opts.u8();
    const uint8_t fl = opts.u8();
    o.flags = fl >> 5;
    o.data = opts.bytes((fl & 0x1f) * 4u);
    if (!opts.ok()) {
      out.bad_option = true;
      break;
    }
    out.options.push_back(o);
  }
  out.payload = c.rest();
  return GeneveParseResult::kOk;
}

namespace {

void decode_geneve(Bytes bytes, PacketContext& ctx) {
  GeneveHeader h;
  if (parse_geneve(bytes, h) != GeneveParseResult::kOk) {
    ctx.anomaly("geneve.truncated", std::to_string(bytes.size()) + " bytes");
    return;
  }
  if (h.bad_option) ctx.anomaly("geneve.bad_option", "option runs past the options length");
  if (ctx.layer_records()) {
    auto r = new_layer_record<Geneve>(ctx);
    r->set_version(h.version);
    r->set_optionslength(h.options_length);
    r->set_oampacket(h.oam);
    r->set_criticaloption(h.critical);
    r->set_protocol(h.protocol);
    r->set_vni(h.vni);
    for (const GeneveOptionTlv& o : h.options) {
      GeneveOption* po = r->add_options();
      po->set_class_(o.option_class);
      po->set_type(o.type);
      po->set_flags(o.flags);
      po->set_length(static_cast<int32_t>(o.data.size()));
      po->set_data(to_bytes(o.data));
    }
    r->set_srcip(ip_text(ctx.net_src()));
    r->set_dstip(ip_text(ctx.net_dst()));
    ctx.emit(std::move(r));
  }
  if (h.version != 0) {
    ctx.anomaly("geneve.bad_version", "version " + std::to_string(h.version));
    return;
  }
  ctx.dispatch(DispatchSpace::kEtherType, h.protocol, h.payload);
}

}  // namespace

Status register_geneve(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kUdpPort, 6081, {"geneve", &decode_geneve});
}

}  // namespace netcap
