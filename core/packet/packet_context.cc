#include "core/packet/packet_context.h"

#include <algorithm>

#include "proto/anomaly.pb.h"

namespace netcap {

void DecodeStats::merge(const DecodeStats& other) {
  for (const auto& [k, v] : other.layers) layers[k] += v;
  for (const auto& [k, v] : other.anomalies) anomalies[k] += v;
  for (const auto& [k, v] : other.unknown) unknown[k] += v;
  other.values.for_each(
      [this](ValueKind kind, uint16_t value, uint64_t n) { values.add(kind, value, n); });
  packets += other.packets;
  wire_bytes += other.wire_bytes;
}

PacketContext::PacketContext(const RawPacket& packet, const LayerRegistry& registry,
                             const Limits& limits, FragmentReassembler& fragments,
                             RecordEmitter& emitter, DecodeStats& stats, bool layer_records)
    : packet_(packet),
      registry_(registry),
      limits_(limits),
      fragments_(fragments),
      emitter_(emitter),
      stats_(stats),
      layer_records_(layer_records) {}

void PacketContext::decode() {
  stats_.packets++;
  stats_.wire_bytes += packet_.wire_len;
  dispatch(DispatchSpace::kLinkType, packet_.linktype, packet_.bytes());
}

void PacketContext::count_layer(std::string_view name) {
  auto it = stats_.layers.find(name);
  if (it == stats_.layers.end()) it = stats_.layers.emplace(std::string(name), 0).first;
  ++it->second;
}

bool PacketContext::dispatch(DispatchSpace space, uint32_t key, std::span<const uint8_t> bytes) {
  const LayerDecoder* decoder = registry_.find(space, key);
  if (decoder == nullptr) {
    stats_.unknown[{space, key}]++;
    return false;
  }
  if (depth_ >= limits_.max_layer_depth) {
    anomaly("packet.too_many_layers",
            "more than " + std::to_string(limits_.max_layer_depth) + " nested layers");
    return false;
  }
  ++depth_;
  // A layer appearing twice in one packet (tunnels) counts once per packet.
  const auto path_end = path_.begin() + static_cast<std::ptrdiff_t>(path_len_);
  if (std::find(path_.begin(), path_end, decoder->name) == path_end) {
    count_layer(decoder->name);
  }
  if (path_len_ < path_.size()) path_[path_len_++] = decoder->name;
  decoder->decode(bytes, *this);
  --depth_;
  return true;
}

bool PacketContext::has_decoder(DispatchSpace space, uint32_t key) const {
  return registry_.find(space, key) != nullptr;
}

void PacketContext::anomaly(std::string_view name, std::string detail) {
  stats_.anomalies[std::string(name)]++;
  auto record = std::make_unique<Anomaly>();
  record->set_timestamp(packet_.ts_ns);
  record->set_frame(packet_.frame);
  record->set_name(std::string(name));
  record->set_layer(layer_path());
  if (detail.size() > limits_.max_anomaly_detail_bytes) {
    detail.resize(limits_.max_anomaly_detail_bytes);
  }
  record->set_detail(std::move(detail));
  if (net_src_.valid()) {
    record->set_srcip(net_src_.to_string());
    record->set_dstip(net_dst_.to_string());
  }
  if (transport_count_ > 0) {
    const TransportInfo& t = transports_[transport_count_ - 1];
    record->set_srcport(t.src_port);
    record->set_dstport(t.dst_port);
  }
  emitter_.emit(std::move(record));
}

void PacketContext::emit(std::unique_ptr<google::protobuf::Message> record) {
  if (layer_records_) emitter_.emit(std::move(record));
}

void PacketContext::set_link_addresses(const MacAddress& src, const MacAddress& dst) {
  if (has_macs_) return;  // keep the outermost
  src_mac_ = src;
  dst_mac_ = dst;
  has_macs_ = true;
}

void PacketContext::push_vlan(uint16_t id) {
  if (vlan_count_ < vlans_.size()) vlans_[vlan_count_++] = id;
}

void PacketContext::set_network(const IpAddress& src, const IpAddress& dst) {
  net_src_ = src;
  net_dst_ = dst;
}

TransportInfo* PacketContext::add_transport(uint8_t ip_protocol) {
  size_t cap = std::min<size_t>(
      transports_.size(), static_cast<size_t>(std::max(1, limits_.max_transports_per_packet)));
  if (transport_count_ >= cap) {
    anomaly("packet.too_many_transports",
            "more than " + std::to_string(cap) + " transport headers in one packet");
    return nullptr;
  }
  TransportInfo& t = transports_[transport_count_++];
  t = TransportInfo{};
  t.ip_protocol = ip_protocol;
  t.src = net_src_;
  t.dst = net_dst_;
  t.vlan = vlan_count_ ? vlans_[vlan_count_ - 1] : 0;
  t.window_scale = 0xff;
  return &t;
}

std::span<const uint8_t> PacketContext::keep(std::vector<uint8_t> buffer) {
  kept_.push_back(std::make_unique<std::vector<uint8_t>>(std::move(buffer)));
  const auto& b = *kept_.back();
  return {b.data(), b.size()};
}

std::string PacketContext::layer_path() const {
  std::string out;
  for (size_t i = 0; i < path_len_; ++i) {
    if (i) out += ':';
    out += path_[i];
  }
  return out;
}

}  // namespace netcap
