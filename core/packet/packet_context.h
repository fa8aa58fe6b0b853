// PacketContext: the state of decoding one packet, handed to every layer decoder.
//
// Decoders read their bytes through ByteCursor, record what later stages need (addresses,
// ports, TCP header fields) in the context, emit their layer record when layer records are
// enabled, report malformed input with anomaly(), and forward the rest with dispatch().
// After decoding, the shard reads transports() to update flows and feed TCP reassembly.
//
// Lifetime: one context per packet, on the shard's stack; spans it hands out are valid until
// the packet is done. Thread-safety: none (one shard thread).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/address.h"
#include "core/packet/ip_fragments.h"
#include "core/packet/layer_registry.h"
#include "core/packet/packet.h"
#include "core/packet/record_emitter.h"
#include "core/util/limits.h"

namespace netcap {

// Header fields whose value distribution is counted for every packet (ValueDistribution
// records, proto/distribution.proto). Every value fits 16 bits (ICMP: type << 8 | code), so a
// kind has at most 65536 distinct values: the tables are bounded by their domain.
enum class ValueKind : uint8_t {
  kEtherType,
  kIPv4Protocol,
  kIPv6TrafficClass,
  kTCPFlags,
  kICMPv4TypeCode,
  kICMPv6TypeCode,
  kIGMPType,
  kIGMPGroupRecordType,
  kARPHardwareType,  // the last: kValueKindCount follows from it
};
inline constexpr size_t kValueKindCount = static_cast<size_t>(ValueKind::kARPHardwareType) + 1;

// Counters a shard keeps while decoding; merged across shards for the summary.
struct DecodeStats {
  // layer name -> packets that contained it (transparent comparator: no string per lookup)
  std::map<std::string, uint64_t, std::less<>> layers;
  std::map<std::string, uint64_t, std::less<>> anomalies;  // anomaly name -> occurrences
  // (space, key) that no decoder is bound to -> occurrences ("linktype 105" unsupported etc.)
  std::map<std::pair<DispatchSpace, uint32_t>, uint64_t> unknown;
  // Occurrences of each header value, see ValueKind: one flat table of 65536 counters per kind,
  // allocated when the kind is first seen (a counter per packet and header must cost an add, not
  // a hash lookup).
  struct ValueCounts {
    std::array<std::unique_ptr<uint64_t[]>, kValueKindCount> by_kind;
    void add(ValueKind kind, uint16_t value, uint64_t n = 1) {
      auto& table = by_kind[static_cast<size_t>(kind)];
      if (!table) table = std::make_unique<uint64_t[]>(65536);  // zeroed
      table[value] += n;
    }
    // Calls f(kind, value, count) for every non-zero counter, by kind then value.
    template <typename F>
    void for_each(F&& f) const {
      for (size_t k = 0; k < kValueKindCount; ++k) {
        if (!by_kind[k]) continue;
        for (uint32_t v = 0; v < 65536; ++v) {
          if (by_kind[k][v] != 0)
            f(static_cast<ValueKind>(k), static_cast<uint16_t>(v), by_kind[k][v]);
        }
      }
    }
  };
  ValueCounts values;
  uint64_t packets = 0;
  uint64_t wire_bytes = 0;
  void merge(const DecodeStats& other);
};

// The IP header fields passive OS fingerprinting reads (p0f v3's IP quirks, see
// core/protocols/tcp/tcp_signature.h). The IPv4 and IPv6 decoders set them for the innermost
// network layer.
struct IpFingerprintFields {
  uint8_t version = 0;          // 4 or 6; 0: no IP layer decoded yet
  uint8_t ttl = 0;              // IPv4 TTL, IPv6 hop limit
  uint8_t ecn = 0;              // ECN bits of the IPv4 TOS / IPv6 traffic class (RFC 3168)
  bool dont_fragment = false;   // IPv4 DF
  bool reserved_flag = false;   // IPv4 flag bit 0, "must be zero" (RFC 791 section 3.1)
  uint16_t id = 0;              // IPv4 identification
  uint32_t flow_label = 0;      // IPv6 flow label
  uint16_t options_length = 0;  // IPv4 option bytes, IPv6 extension header bytes
};

// One transport-layer header found in the packet (outer and inner ones for tunnels).
struct TransportInfo {
  uint8_t ip_protocol = 0;  // 6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6, ...
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;  // ICMP/ICMPv6: type
  uint16_t dst_port = 0;  // ICMP/ICMPv6: code
  uint16_t vlan = 0;      // innermost 802.1Q VLAN id around this layer, 0 if none
  // TCP header fields (valid when ip_protocol == 6)
  uint8_t tcp_flags = 0;  // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint16_t window = 0;
  uint8_t window_scale = 0;       // from the SYN's window scale option, 0xff when absent
  bool header_truncated = false;  // the transport header itself was cut by the snap length
  // Payload as captured, and its length according to the headers (> payload.size() when the
  // snap length cut it).
  std::span<const uint8_t> payload;
  uint32_t payload_length = 0;
  bool from_reassembled_fragments = false;
  // TCP SYN and SYN+ACK: the packet's p0f v3 signature (tcp_signature.h), valid until the
  // packet is done; empty for other segments (computed for SYNs only: negligible cost).
  std::string_view syn_signature;
};

class PacketContext {
 public:
  PacketContext(const RawPacket& packet, const LayerRegistry& registry, const Limits& limits,
                FragmentReassembler& fragments, RecordEmitter& emitter, DecodeStats& stats,
                bool layer_records);

  // Decodes the whole packet, starting with the decoder bound to its link type.
  void decode();

  // ---- for decoders ----
  const RawPacket& packet() const { return packet_; }
  int64_t ts_ns() const { return packet_.ts_ns; }
  uint64_t frame() const { return packet_.frame; }
  const Limits& limits() const { return limits_; }

  // Hands `bytes` to the decoder bound under (space, key). Unbound keys are counted in
  // DecodeStats::unknown (not an anomaly: unsupported is not malformed). Depth beyond
  // limits.max_layer_depth is the anomaly "packet.too_many_layers". Returns true if a decoder ran.
  bool dispatch(DispatchSpace space, uint32_t key, std::span<const uint8_t> bytes);
  // True if a decoder is bound under (space, key). Lets a parent try optional hints (UDP ports)
  // without counting an unbound key as unknown.
  bool has_decoder(DispatchSpace space, uint32_t key) const;

  // Records a named anomaly ("ipv4.bad_header_length") with a short detail, stamped with the
  // packet's frame, time, current addresses and the layer path so far.
  void anomaly(std::string_view name, std::string detail = {});

  // Counts one occurrence of a header field's value (always, layer records or not).
  void count_value(ValueKind kind, uint16_t value) { stats_.values.add(kind, value); }

  // Emits a layer record if layer records are enabled (decoders should check
  // layer_records() before building one, to avoid the cost).
  bool layer_records() const { return layer_records_; }
  void emit(std::unique_ptr<google::protobuf::Message> record);

  // Link layer: the outermost Ethernet addresses are kept for flows.
  void set_link_addresses(const MacAddress& src, const MacAddress& dst);
  bool has_link_addresses() const { return has_macs_; }
  const MacAddress& src_mac() const { return src_mac_; }
  const MacAddress& dst_mac() const { return dst_mac_; }

  // VLAN tags, outer first (up to 8 kept).
  void push_vlan(uint16_t id);
  std::span<const uint16_t> vlans() const { return {vlans_.data(), vlan_count_}; }

  // Network layer currently being decoded (innermost so far).
  void set_network(const IpAddress& src, const IpAddress& dst);
  const IpAddress& net_src() const { return net_src_; }
  const IpAddress& net_dst() const { return net_dst_; }
  // Payload length of the innermost network layer according to its header (IPv4 total length
  // minus header, IPv6 payload length minus extension headers). It can exceed the bytes handed
  // to the transport decoder when the snap length cut the frame.
  void set_network_payload_length(uint32_t length) { net_payload_length_ = length; }
  uint32_t network_payload_length() const { return net_payload_length_; }
  // True while the innermost network payload is a reassembled datagram (transport decoders copy
  // it into TransportInfo::from_reassembled_fragments).
  // `origins`: the packets of the datagram's fragments (FragmentReassembler::Outcome).
  void set_network_reassembled(bool reassembled, std::vector<FragmentOrigin> origins = {}) {
    net_reassembled_ = reassembled;
    reassembled_origins_ = std::move(origins);
  }
  bool network_reassembled() const { return net_reassembled_; }
  // The innermost IP header's fingerprinting fields (IpFingerprintFields).
  void set_ip_fingerprint_fields(const IpFingerprintFields& fields) { ip_fields_ = fields; }
  const IpFingerprintFields& ip_fingerprint_fields() const { return ip_fields_; }
  // The packets the innermost reassembled datagram was made of (empty when not reassembled).
  const std::vector<FragmentOrigin>& reassembled_origins() const { return reassembled_origins_; }

  // Adds a transport layer; returns nullptr (and records "packet.too_many_transports") past
  // limits.max_transports_per_packet. src/dst/vlan are pre-filled from the current network.
  TransportInfo* add_transport(uint8_t ip_protocol);
  std::span<const TransportInfo> transports() const {
    return {transports_.data(), transport_count_};
  }

  // Shard-owned IP fragment reassembly.
  FragmentReassembler& fragments() { return fragments_; }
  // Keeps a buffer (e.g. a reassembled datagram) alive until the packet is done and returns a
  // span over it.
  std::span<const uint8_t> keep(std::vector<uint8_t> buffer);

  // Layer names in decoding order ("ethernet:vlan:ipv4:udp:vxlan:ethernet:ipv4:tcp").
  std::string layer_path() const;
  // The outermost layer's name (the first element of layer_path()), empty before any layer was
  // decoded. Valid as long as the registry's decoders; cheaper than splitting layer_path().
  std::string_view outer_layer() const { return path_len_ > 0 ? path_[0] : std::string_view(); }

 private:
  const RawPacket& packet_;
  const LayerRegistry& registry_;
  void count_layer(std::string_view name);

  const Limits& limits_;
  FragmentReassembler& fragments_;
  RecordEmitter& emitter_;
  DecodeStats& stats_;
  bool layer_records_;

  int depth_ = 0;
  std::array<std::string_view, 24> path_{};  // layer names; deeper layers are not listed
  size_t path_len_ = 0;
  bool has_macs_ = false;
  MacAddress src_mac_, dst_mac_;
  std::array<uint16_t, 8> vlans_{};
  size_t vlan_count_ = 0;
  IpAddress net_src_, net_dst_;
  uint32_t net_payload_length_ = 0;
  bool net_reassembled_ = false;
  IpFingerprintFields ip_fields_;
  std::vector<FragmentOrigin> reassembled_origins_;
  std::array<TransportInfo, 8> transports_{};
  size_t transport_count_ = 0;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> kept_;
};

}  // namespace netcap
