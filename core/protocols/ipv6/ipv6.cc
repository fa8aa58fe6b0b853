#include "core/protocols/ipv6/ipv6.h"

#include <algorithm>

#include "core/protocols/common/ip_payload.h"
#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

namespace {
constexpr uint8_t kHopByHop = 0;
constexpr uint8_t kRouting = 43;
constexpr uint8_t kFragment = 44;
constexpr uint8_t kAuthentication = 51;
constexpr uint8_t kDestinationOptions = 60;
constexpr uint8_t kNoNextHeader = 59;

bool is_walked_extension(uint8_t type) {
  return type == kHopByHop || type == kRouting || type == kFragment || type == kAuthentication ||
         type == kDestinationOptions;
}
}  // namespace

Ipv6ParseResult parse_ipv6(Bytes bytes, Ipv6Header& out) {
  ByteCursor c(bytes);
  const uint32_t first = c.u32be();
  out.payload_length = c.u16be();
  out.next_header = c.u8();
  out.hop_limit = c.u8();
  out.src = read_ipv6(c);
  out.dst = read_ipv6(c);
  if (!c.ok()) return Ipv6ParseResult::kTruncated;
  out.version = static_cast<uint8_t>(first >> 28);
  out.traffic_class = static_cast<uint8_t>((first >> 20) & 0xff);
  out.flow_label = first & 0xfffff;
  if (out.version != 6) return Ipv6ParseResult::kBadVersion;
  Bytes rest = c.rest();
  if (out.payload_length <= rest.size()) {
    rest = rest.first(out.payload_length);
  } else {
    out.payload_beyond_capture = true;
  }

  ByteCursor p(rest);
  uint8_t next = out.next_header;
  out.extensions.reserve(4);
  while (is_walked_extension(next)) {
    if (out.extensions.size() >= kMaxIpv6ExtensionHeaders) {
      out.too_many_extensions = true;
      break;
    }
    Ipv6ExtensionHeader e;
    e.type = next;
    const size_t start = p.offset();
    e.next_header = p.peek_u8(0);
    const uint8_t len_field = p.peek_u8(1);
    if (!p.has(2)) {
      out.bad_extension = true;
      break;
    }
    // Lengths: RFC 8200 4.3-4.6 in 8-octet units not counting the first 8; fragment header is
    // always 8 octets; AH (RFC 4302 2.2) in 4-octet units minus 2.
    e.length = next == kFragment         ? 8u
               : next == kAuthentication ? (len_field + 2u) * 4u
                                         : (len_field + 1u) * 8u;
    ByteCursor h = p.sub(e.length);
    if (!h.ok()) {
      out.bad_extension = true;
      break;
    }
    h.skip(2);
    if (next == kFragment) {
      const uint16_t off = h.u16be();
      e.fragment_offset = off >> 3;
      e.more_fragments = (off & 1) != 0;
      e.identification = h.u32be();
    } else {
      e.data = h.rest();
      if (next == kRouting) {
        e.routing_type = h.u8();
        e.segments_left = h.u8();
      }
    }
    out.extensions.push_back(e);
    out.extension_bytes += static_cast<uint32_t>(p.offset() - start);
    next = e.next_header;
  }
  for (size_t i = 0; i < out.extensions.size(); ++i) {
    if (out.extensions[i].type == kFragment) out.fragment_index = static_cast<int>(i);
  }
  out.upper_protocol = next;
  out.payload = p.rest();
  return Ipv6ParseResult::kOk;
}

namespace {

void emit_record(const Ipv6Header& h, uint32_t payload_size, PacketContext& ctx) {
  auto r = new_layer_record<IPv6>(ctx);
  r->set_version(h.version);
  r->set_trafficclass(h.traffic_class);
  r->set_flowlabel(h.flow_label);
  r->set_length(h.payload_length);
  r->set_nextheader(h.next_header);
  r->set_hoplimit(h.hop_limit);
  r->set_srcip(h.src.to_string());
  r->set_dstip(h.dst.to_string());
  for (const Ipv6ExtensionHeader& e : h.extensions) {
    IPv6ExtensionHeader* pe = r->add_extensionheaders();
    pe->set_type(e.type);
    pe->set_nextheader(e.next_header);
    pe->set_length(static_cast<int32_t>(e.length));
    pe->set_data(to_bytes(e.data));
    pe->set_fragmentoffset(e.fragment_offset);
    pe->set_morefragments(e.more_fragments);
    pe->set_identification(e.identification);
    pe->set_routingtype(e.routing_type);
    pe->set_segmentsleft(e.segments_left);
  }
  r->set_upperprotocol(h.upper_protocol);
  r->set_payloadsize(static_cast<int32_t>(payload_size));
  ctx.emit(std::move(r));
}

void decode_ipv6(Bytes bytes, PacketContext& ctx) {
  Ipv6Header h;
  switch (parse_ipv6(bytes, h)) {
    case Ipv6ParseResult::kOk:
      break;
    case Ipv6ParseResult::kTruncated:
      ctx.anomaly("ipv6.truncated_header",
                  std::to_string(bytes.size()) + " bytes, header needs 40");
      return;
    case Ipv6ParseResult::kBadVersion:
      ctx.anomaly("ipv6.bad_version", "version " + std::to_string(h.version));
      return;
  }
  ctx.set_network(h.src, h.dst);
  IpFingerprintFields fp;
  fp.version = 6;
  fp.ttl = h.hop_limit;
  fp.ecn = h.traffic_class & 0x03;
  fp.flow_label = h.flow_label;
  fp.options_length = static_cast<uint16_t>(std::min<uint32_t>(h.extension_bytes, 0xffff));
  ctx.set_ip_fingerprint_fields(fp);
  const bool snapped = frame_snapped(ctx);
  if (h.payload_beyond_capture && !snapped) {
    ctx.anomaly("ipv6.bad_payload_length", "payload length " + std::to_string(h.payload_length) +
                                               " > " + std::to_string(bytes.size() - 40) +
                                               " bytes available");
  }
  if (h.bad_extension) {
    ctx.anomaly(snapped && h.payload_beyond_capture ? "ipv6.truncated_extension_header"
                                                    : "ipv6.bad_extension_header",
                "extension header runs past the payload");
  }
  if (h.too_many_extensions) {
    ctx.anomaly("ipv6.too_many_extension_headers",
                "more than " + std::to_string(kMaxIpv6ExtensionHeaders));
  }
  // Payload length per the header, after the extension headers.
  uint32_t declared = h.payload_beyond_capture && !snapped
                          ? static_cast<uint32_t>(bytes.size() - 40)
                          : h.payload_length;
  declared = declared > h.extension_bytes ? declared - h.extension_bytes : 0;
  ctx.count_value(ValueKind::kIPv6TrafficClass, h.traffic_class);
  if (ctx.layer_records()) emit_record(h, declared, ctx);
  if (h.bad_extension || h.too_many_extensions || h.upper_protocol == kNoNextHeader) return;

  const Ipv6ExtensionHeader* fragment =
      h.fragment_index >= 0 ? &h.extensions[static_cast<size_t>(h.fragment_index)] : nullptr;
  if (fragment != nullptr && (fragment->more_fragments || fragment->fragment_offset != 0)) {
    if (h.payload.size() < declared) {
      ctx.anomaly("ipv6.truncated_fragment", "fragment cut by the snap length");
      return;
    }
    add_ip_fragment(ctx, FragmentKey{h.src, h.dst, fragment->identification, h.upper_protocol},
                    fragment->fragment_offset * 8u, fragment->more_fragments, h.payload);
    return;
  }
  dispatch_ip_payload(ctx, h.upper_protocol, h.payload, declared);
}

}  // namespace

Status register_ipv6(LayerRegistry& registry) {
  const LayerDecoder d{"ipv6", &decode_ipv6};
  Status s = registry.bind(DispatchSpace::kEtherType, kEtherTypeIpv6, d);
  if (!s) return s;
  return registry.bind(DispatchSpace::kIpProtocol, 41, d);
}

}  // namespace netcap
