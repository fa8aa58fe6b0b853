#include "core/packet/layer_registry.h"

namespace netcap {

std::string_view to_string(DispatchSpace space) {
  switch (space) {
    case DispatchSpace::kLinkType: return "linktype";
    case DispatchSpace::kEtherType: return "ethertype";
    case DispatchSpace::kIpProtocol: return "ip_protocol";
    case DispatchSpace::kUdpPort: return "udp_port";
  }
  return "unknown";
}

Status LayerRegistry::bind(DispatchSpace space, uint32_t key, LayerDecoder decoder) {
  auto [it, inserted] = table_.emplace(std::make_pair(space, key), decoder);
  if (!inserted) {
    return Status::error("layer registry: " + std::string(decoder.name) + " and " +
                         std::string(it->second.name) + " both bind " +
                         std::string(to_string(space)) + " " + std::to_string(key));
  }
  return Status::ok();
}

const LayerDecoder* LayerRegistry::find(DispatchSpace space, uint32_t key) const {
  auto it = table_.find({space, key});
  return it == table_.end() ? nullptr : &it->second;
}

std::vector<LayerRegistry::Binding> LayerRegistry::bindings() const {
  std::vector<Binding> out;
  out.reserve(table_.size());
  for (const auto& [k, d] : table_) out.push_back({k.first, k.second, d});
  return out;
}

}  // namespace netcap
