#include "core/protocols/udp/udp.h"

#include <algorithm>

#include "core/protocols/common/layer_util.h"
#include "proto/transport.pb.h"

namespace netcap {

bool parse_udp(Bytes bytes, UdpHeader& out) {
  ByteCursor c(bytes);
  out.src_port = c.u16be();
  out.dst_port = c.u16be();
  out.length = c.u16be();
  out.checksum = c.u16be();
  if (!c.ok()) return false;
  out.payload = c.rest();
  if (out.length >= 8 && out.length - 8u < out.payload.size()) {
    out.payload = out.payload.first(out.length - 8u);
  }
  return true;
}

namespace {

void decode_udp(Bytes bytes, PacketContext& ctx) {
  UdpHeader h;
  if (!parse_udp(bytes, h)) {
    ctx.anomaly("udp.truncated_header", std::to_string(bytes.size()) + " bytes, header needs 8");
    return;
  }
  // The IP payload length bounds the datagram (RFC 768: length includes the header).
  const uint32_t ip_length =
      std::max<uint32_t>(ctx.network_payload_length(), static_cast<uint32_t>(bytes.size()));
  uint32_t payload_length = h.length >= 8 ? h.length - 8u : 0;
  if (h.length < 8 || h.length > ip_length) {
    ctx.anomaly("udp.bad_length",
                "length " + std::to_string(h.length) + ", IP payload " + std::to_string(ip_length));
    payload_length = ip_length - 8;
  }
  if (TransportInfo* t = ctx.add_transport(17)) {
    t->src_port = h.src_port;
    t->dst_port = h.dst_port;
    t->payload = h.payload;
    t->payload_length = payload_length;
    t->from_reassembled_fragments = ctx.network_reassembled();
  }
  if (ctx.layer_records()) {
    auto r = new_layer_record<UDP>(ctx);
    r->set_srcport(h.src_port);
    r->set_dstport(h.dst_port);
    r->set_length(h.length);
    r->set_checksum(h.checksum);
    r->set_payloadsize(static_cast<int32_t>(payload_length));
    r->set_srcip(ip_text(ctx.net_src()));
    r->set_dstip(ip_text(ctx.net_dst()));
    ctx.emit(std::move(r));
  }
  if (ctx.has_decoder(DispatchSpace::kUdpPort, h.dst_port)) {
    ctx.dispatch(DispatchSpace::kUdpPort, h.dst_port, h.payload);
  } else if (ctx.has_decoder(DispatchSpace::kUdpPort, h.src_port)) {
    ctx.dispatch(DispatchSpace::kUdpPort, h.src_port, h.payload);
  }
}

}  // namespace

Status register_udp(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kIpProtocol, 17, {"udp", &decode_udp});
}

}  // namespace netcap
