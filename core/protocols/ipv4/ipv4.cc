#include "core/protocols/ipv4/ipv4.h"

#include "core/protocols/common/ip_payload.h"
#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

namespace {
constexpr uint8_t kOptionEndOfList = 0;
constexpr uint8_t kOptionNop = 1;
}  // namespace

Ipv4ParseResult parse_ipv4(Bytes bytes, Ipv4Header& out) {
  ByteCursor c(bytes);
  const uint8_t vihl = c.u8();
  if (!c.has(19)) return Ipv4ParseResult::kTruncated;
  out.version = vihl >> 4;
  out.ihl = vihl & 0x0f;
  if (out.version != 4) return Ipv4ParseResult::kBadVersion;
  if (out.ihl < 5) return Ipv4ParseResult::kBadHeaderLength;
  const size_t header_length = size_t{out.ihl} * 4;
  if (bytes.size() < header_length) return Ipv4ParseResult::kTruncated;
  out.tos = c.u8();
  out.total_length = c.u16be();
  out.id = c.u16be();
  const uint16_t ff = c.u16be();
  out.flags = static_cast<uint8_t>(ff >> 13);
  out.frag_offset = ff & 0x1fff;
  out.ttl = c.u8();
  out.protocol = c.u8();
  out.checksum = c.u16be();
  out.src = read_ipv4(c);
  out.dst = read_ipv4(c);
  // Options (RFC 791 section 3.1, "Options"): single-octet EOL and NOP, else type-length-value.
  ByteCursor opts = c.sub(header_length - 20);
  while (!opts.empty()) {
    Ipv4Option o;
    o.type = opts.u8();
    if (o.type == kOptionEndOfList) {
      o.length = 1;
      out.options.push_back(o);
      out.padding = opts.take_rest();
      break;
    }
    if (o.type == kOptionNop) {
      o.length = 1;
      out.options.push_back(o);
      continue;
    }
    o.length = opts.u8();
    if (!opts.ok() || o.length < 2 || o.length - 2u > opts.remaining()) {
      out.bad_option = true;
      break;
    }
    o.data = opts.bytes(o.length - 2u);
    out.options.push_back(o);
  }
  Bytes rest = c.rest();
  if (out.total_length >= header_length && out.total_length - header_length <= rest.size()) {
    rest = rest.first(out.total_length - header_length);
  }
  out.payload = rest;
  return Ipv4ParseResult::kOk;
}

namespace {

void emit_record(const Ipv4Header& h, uint32_t payload_size, PacketContext& ctx) {
  auto r = new_layer_record<IPv4>(ctx);
  r->set_version(h.version);
  r->set_ihl(h.ihl);
  r->set_tos(h.tos);
  r->set_length(h.total_length);
  r->set_id(h.id);
  r->set_flags(h.flags);
  r->set_fragoffset(h.frag_offset);
  r->set_ttl(h.ttl);
  r->set_protocol(h.protocol);
  r->set_checksum(h.checksum);
  r->set_srcip(h.src.to_string());
  r->set_dstip(h.dst.to_string());
  for (const Ipv4Option& o : h.options) {
    IPv4Option* po = r->add_options();
    po->set_optiontype(o.type);
    po->set_optionlength(o.length);
    po->set_optiondata(to_bytes(o.data));
  }
  r->set_padding(to_bytes(h.padding));
  r->set_payloadsize(static_cast<int32_t>(payload_size));
  ctx.emit(std::move(r));
}

void decode_ipv4(Bytes bytes, PacketContext& ctx) {
  Ipv4Header h;
  switch (parse_ipv4(bytes, h)) {
    case Ipv4ParseResult::kOk:
      break;
    case Ipv4ParseResult::kTruncated:
      ctx.anomaly("ipv4.truncated_header", std::to_string(bytes.size()) + " bytes, header needs " +
                                               std::to_string(h.ihl >= 5 ? h.ihl * 4 : 20));
      return;
    case Ipv4ParseResult::kBadVersion:
      ctx.anomaly("ipv4.bad_version", "version " + std::to_string(h.version));
      return;
    case Ipv4ParseResult::kBadHeaderLength:
      ctx.anomaly("ipv4.bad_header_length", "IHL " + std::to_string(h.ihl) + " (< 5)");
      return;
  }
  const uint32_t header_length = h.ihl * 4u;
  ctx.set_network(h.src, h.dst);
  IpFingerprintFields fp;
  fp.version = 4;
  fp.ttl = h.ttl;
  fp.ecn = h.tos & 0x03;
  fp.dont_fragment = (h.flags & 0x2) != 0;
  fp.reserved_flag = (h.flags & 0x4) != 0;
  fp.id = h.id;
  fp.options_length = static_cast<uint16_t>(header_length - 20);
  ctx.set_ip_fingerprint_fields(fp);
  bool dispatchable = true;
  uint32_t declared = static_cast<uint32_t>(h.payload.size());
  if (h.total_length == 0) {
    // TSO capture: the NIC fills in the length later; use what was captured.
  } else if (h.total_length < header_length) {
    ctx.anomaly("ipv4.bad_total_length", "total length " + std::to_string(h.total_length) +
                                             " < header length " + std::to_string(header_length));
    dispatchable = false;
    declared = 0;
  } else {
    declared = h.total_length - header_length;
    if (declared > h.payload.size() && !frame_snapped(ctx)) {
      ctx.anomaly("ipv4.bad_total_length", "total length " + std::to_string(h.total_length) +
                                               " > " + std::to_string(bytes.size()) +
                                               " bytes available");
      declared = static_cast<uint32_t>(h.payload.size());
    }
  }
  if (h.bad_option) ctx.anomaly("ipv4.bad_option", "option length runs past the header");
  ctx.count_value(ValueKind::kIPv4Protocol, h.protocol);
  if (ctx.layer_records()) emit_record(h, declared, ctx);
  if (!dispatchable) return;

  const bool more_fragments = (h.flags & 0x1) != 0;
  if (more_fragments || h.frag_offset != 0) {
    if (h.payload.size() < declared) {
      // A fragment cut by the snap length cannot be reassembled correctly.
      ctx.anomaly("ipv4.truncated_fragment", "fragment cut by the snap length");
      return;
    }
    add_ip_fragment(ctx, FragmentKey{h.src, h.dst, h.id, h.protocol}, h.frag_offset * 8u,
                    more_fragments, h.payload);
    return;
  }
  dispatch_ip_payload(ctx, h.protocol, h.payload, declared);
}

}  // namespace

Status register_ipv4(LayerRegistry& registry) {
  const LayerDecoder d{"ipv4", &decode_ipv4};
  Status s = registry.bind(DispatchSpace::kEtherType, kEtherTypeIpv4, d);
  if (!s) return s;
  return registry.bind(DispatchSpace::kIpProtocol, 4, d);
}

}  // namespace netcap
