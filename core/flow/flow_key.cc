#include "core/flow/flow_key.h"

namespace netcap {

namespace {
// Community ID v1 request/reply counterparts (spec, "ICMP and ICMPv6").
int icmp4_counterpart(int type) {
  switch (type) {
    case 8:
      return 0;  // echo request -> echo reply
    case 0:
      return 8;
    case 13:
      return 14;  // timestamp
    case 14:
      return 13;
    case 15:
      return 16;  // information
    case 16:
      return 15;
    case 10:
      return 9;  // router solicitation / advertisement
    case 9:
      return 10;
    case 17:
      return 18;  // address mask
    case 18:
      return 17;
    default:
      return -1;
  }
}
int icmp6_counterpart(int type) {
  switch (type) {
    case 128:
      return 129;  // echo
    case 129:
      return 128;
    case 133:
      return 134;  // router solicitation / advertisement
    case 134:
      return 133;
    case 135:
      return 136;  // neighbour solicitation / advertisement
    case 136:
      return 135;
    case 130:
      return 131;  // MLD query / report
    case 131:
      return 130;
    case 139:
      return 140;  // node information
    case 140:
      return 139;
    case 144:
      return 145;  // home agent address discovery
    case 145:
      return 144;
    default:
      return -1;
  }
}

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}
}  // namespace

FlowEndpoints flow_endpoints(const TransportInfo& t) {
  FlowEndpoints e{t.src_port, t.dst_port, false};
  if (t.ip_protocol == 1 || t.ip_protocol == 58) {
    int type = t.src_port;  // decoders put the ICMP type in src_port and the code in dst_port
    int counterpart = t.ip_protocol == 1 ? icmp4_counterpart(type) : icmp6_counterpart(type);
    if (counterpart >= 0) {
      e.dst_port = static_cast<uint16_t>(counterpart);
    } else {
      e.one_way = true;
    }
  }
  return e;
}

FlowKey make_flow_key(const TransportInfo& t, bool& from_lo) {
  FlowEndpoints e = flow_endpoints(t);
  FlowKey k;
  k.protocol = t.ip_protocol;
  k.vlan = t.vlan;
  bool src_is_lo = e.one_way || t.src < t.dst || (t.src == t.dst && e.src_port <= e.dst_port);
  if (src_is_lo) {
    k.addr_lo = t.src;
    k.port_lo = e.src_port;
    k.addr_hi = t.dst;
    k.port_hi = e.dst_port;
  } else {
    k.addr_lo = t.dst;
    k.port_lo = e.dst_port;
    k.addr_hi = t.src;
    k.port_hi = e.src_port;
  }
  from_lo = src_is_lo;
  return k;
}

size_t FlowKeyHash::operator()(const FlowKey& k) const noexcept {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t b : k.addr_lo.bytes()) h = (h ^ b) * 0x100000001b3ULL;
  for (uint8_t b : k.addr_hi.bytes()) h = (h ^ b) * 0x100000001b3ULL;
  h = mix(h, (uint64_t{k.port_lo} << 32) | (uint64_t{k.port_hi} << 16) | k.protocol);
  h = mix(h, k.vlan);
  return static_cast<size_t>(h);
}

}  // namespace netcap
