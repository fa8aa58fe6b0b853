// Hand-off from an IP layer (IPv4, IPv6) to the upper protocol, shared so that both versions
// treat fragments the same way (header-only).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/packet/packet_context.h"

namespace netcap {

// Dispatches an unfragmented payload: `declared_length` is its length per the IP header.
inline void dispatch_ip_payload(PacketContext& ctx, uint8_t protocol, Bytes payload,
                                uint32_t declared_length) {
  ctx.set_network_payload_length(declared_length);
  ctx.set_network_reassembled(false);
  ctx.dispatch(DispatchSpace::kIpProtocol, protocol, payload);
}

// Gives one fragment to the shard's reassembler (RFC 791 3.2 / RFC 8200 4.5); dispatches the
// datagram only when this fragment completes it. The reassembler's anomalies are raised here.
inline void add_ip_fragment(PacketContext& ctx, const FragmentKey& key, uint32_t offset_bytes,
                            bool more, Bytes payload) {
  FragmentReassembler::Outcome outcome =
      ctx.fragments().add(key, offset_bytes, more, payload, ctx.ts_ns(),
                          FragmentOrigin{ctx.packet().source_index, ctx.packet().file_offset});
  for (const std::string& name : outcome.anomalies) ctx.anomaly(name);
  if (outcome.result != FragmentReassembler::Result::kComplete) return;
  Bytes datagram = ctx.keep(std::move(outcome.datagram));
  ctx.set_network_payload_length(static_cast<uint32_t>(datagram.size()));
  ctx.set_network_reassembled(true, std::move(outcome.origins));
  ctx.dispatch(DispatchSpace::kIpProtocol, key.protocol, datagram);
}

}  // namespace netcap
