// LayerRegistry: where packet-layer decoders bind themselves under their parent's key.
//
// A parent decoder never names its children: Ethernet calls ctx.dispatch(kEtherType, type, rest)
// and whichever decoder bound itself to that ethertype runs. Each protocol folder provides one
// `register_<name>(LayerRegistry&)`; core/protocols/all_protocols.cc lists them.
//
// Thread-safety: filled once at start-up, then only read (shared by all shards).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/status.h"

namespace netcap {

class PacketContext;

// Key spaces a parent forwards on.
enum class DispatchSpace : uint8_t {
  kLinkType,    // LINKTYPE_* of the capture interface
  kEtherType,   // IEEE ethertype (Ethernet, VLAN, SLL, GRE protocol type, MPLS/raw payload guess)
  kIpProtocol,  // IANA protocol number (IPv4 protocol, IPv6 next header)
  kUdpPort,     // UDP port hint (tunnels such as VXLAN and Geneve)
};

std::string_view to_string(DispatchSpace space);

// Decodes `bytes` (this layer's header and everything after it). Must never read outside
// `bytes`, never throw, and report malformed input through ctx.anomaly().
using LayerDecodeFn = void (*)(std::span<const uint8_t> bytes, PacketContext& ctx);

struct LayerDecoder {
  std::string_view name;  // short layer name, lower case: "ethernet", "ipv4", "tcp"
  LayerDecodeFn decode = nullptr;
};

class LayerRegistry {
 public:
  // Binds `decoder` under (space, key). Binding a taken key is a programming error: returns an
  // error Status naming both decoders.
  Status bind(DispatchSpace space, uint32_t key, LayerDecoder decoder);

  // The decoder bound under (space, key), or nullptr.
  const LayerDecoder* find(DispatchSpace space, uint32_t key) const;

  struct Binding {
    DispatchSpace space;
    uint32_t key;
    LayerDecoder decoder;
  };
  // All bindings, ordered by space then key (for --help and docs).
  std::vector<Binding> bindings() const;

 private:
  std::map<std::pair<DispatchSpace, uint32_t>, LayerDecoder> table_;
};

// Fills `registry` with every protocol of core/protocols (defined in all_protocols.cc).
Status register_all_protocols(LayerRegistry& registry);

}  // namespace netcap
