// FlowKey: the canonical identity of a flow — the full 5-tuple plus VLAN, ordered so that both
// directions map to the same key (never a bare hash; see ARCHITECTURE.md §1).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

#include "core/net/address.h"
#include "core/packet/packet_context.h"

namespace netcap {

struct FlowKey {
  IpAddress addr_lo;  // the lower endpoint (address, then port)
  IpAddress addr_hi;
  uint16_t port_lo = 0;
  uint16_t port_hi = 0;
  uint8_t protocol = 0;
  uint16_t vlan = 0;
  auto operator<=>(const FlowKey&) const = default;
  bool operator==(const FlowKey&) const = default;
};

// The endpoints a flow is keyed on for a transport layer. For ICMP/ICMPv6 the "ports" follow
// Community ID v1: (type, counterpart type) for request/reply pairs so that an echo request and
// its reply share a flow, else (type, code) and the flow is one-way.
struct FlowEndpoints {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  bool one_way = false;  // ICMP types without a counterpart: never reordered
};
FlowEndpoints flow_endpoints(const TransportInfo& t);

// Builds the canonical key; `from_lo` tells whether the packet travels from addr_lo to addr_hi.
FlowKey make_flow_key(const TransportInfo& t, bool& from_lo);

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const noexcept;
};

}  // namespace netcap
