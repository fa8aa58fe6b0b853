// Test harness for the packet-layer decoders: a LayerRegistry filled by register_all_protocols,
// a collecting RecordEmitter, DecodeStats and a FragmentReassembler (kept across packets, so
// fragment sequences can be fed one by one), plus small builders for hand-made packets.
// Header-only; for tests and the fuzzer only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/packet/layer_registry.h"
#include "core/packet/packet_context.h"
#include "proto/anomaly.pb.h"

namespace netcap::testing {

using ByteVec = std::vector<uint8_t>;

// "00 1b d4" / "001bd4" -> bytes (whitespace ignored).
inline ByteVec from_hex(std::string_view hex) {
  ByteVec out;
  int hi = -1;
  for (char ch : hex) {
    int v;
    if (ch >= '0' && ch <= '9')
      v = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
      v = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
      v = ch - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline ByteVec cat(std::initializer_list<ByteVec> parts) {
  ByteVec out;
  for (const ByteVec& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline void put16(ByteVec& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void put32(ByteVec& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}

// Ethernet II header (RFC 894 layout): dst 02:00:00:00:00:02, src 02:00:00:00:00:01.
inline ByteVec eth(uint16_t type) {
  ByteVec b = from_hex("020000000002 020000000001");
  put16(b, type);
  return b;
}
inline ByteVec vlan_tag(uint16_t tci, uint16_t inner_type) {
  ByteVec b;
  put16(b, tci);
  put16(b, inner_type);
  return b;
}

struct Ipv4Spec {
  uint8_t a[4] = {10, 0, 0, 1};
  uint8_t b[4] = {10, 0, 0, 2};
  uint8_t protocol = 6;
  uint16_t id = 0x1234;
  uint16_t flags_frag = 0;  // flags << 13 | offset
  uint8_t ttl = 64;
  ByteVec options;             // multiple of 4
  int total_length_delta = 0;  // added to the correct total length
};
// IPv4 header (RFC 791 3.1) followed by `payload`.
inline ByteVec ipv4(const Ipv4Spec& s, const ByteVec& payload) {
  ByteVec h;
  const size_t hl = 20 + s.options.size();
  h.push_back(static_cast<uint8_t>(0x40 | (hl / 4)));
  h.push_back(0);
  put16(h, static_cast<uint16_t>(hl + payload.size() + s.total_length_delta));
  put16(h, s.id);
  put16(h, s.flags_frag);
  h.push_back(s.ttl);
  h.push_back(s.protocol);
  put16(h, 0xbeef);
  h.insert(h.end(), s.a, s.a + 4);
  h.insert(h.end(), s.b, s.b + 4);
  h.insert(h.end(), s.options.begin(), s.options.end());
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// IPv6 header (RFC 8200 3): src 2001:db8::1, dst 2001:db8::2.
inline ByteVec ipv6(uint8_t next_header, const ByteVec& payload, int length_delta = 0) {
  ByteVec h = from_hex("6000 0000");
  put16(h, static_cast<uint16_t>(payload.size() + length_delta));
  h.push_back(next_header);
  h.push_back(64);
  ByteVec src = from_hex("20010db8000000000000000000000001");
  ByteVec dst = from_hex("20010db8000000000000000000000002");
  h.insert(h.end(), src.begin(), src.end());
  h.insert(h.end(), dst.begin(), dst.end());
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// TCP header (RFC 9293 3.1) with `options` (padded by the caller to a multiple of 4).
inline ByteVec tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                   const ByteVec& options = {}, const ByteVec& payload = {}) {
  ByteVec h;
  put16(h, sport);
  put16(h, dport);
  put32(h, seq);
  put32(h, ack);
  h.push_back(static_cast<uint8_t>(((20 + options.size()) / 4) << 4));
  h.push_back(flags);
  put16(h, 65535);
  put16(h, 0xabcd);
  put16(h, 0);
  h.insert(h.end(), options.begin(), options.end());
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

inline ByteVec udp(uint16_t sport, uint16_t dport, const ByteVec& payload, int length_delta = 0) {
  ByteVec h;
  put16(h, sport);
  put16(h, dport);
  put16(h, static_cast<uint16_t>(8 + payload.size() + length_delta));
  put16(h, 0);
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// A transport as seen after decoding, with its payload copied out of the packet.
struct SeenTransport {
  TransportInfo info;  // info.payload and info.syn_signature are cleared (they pointed into
                       // the packet)
  ByteVec payload;
  std::string syn_signature;
};

struct DecodeResult {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;  // layer records, in order
  std::vector<std::string> anomalies;                               // anomaly names, in order
  std::vector<std::string> anomaly_layers;
  std::vector<SeenTransport> transports;
  std::string layer_path;

  template <typename T>
  std::vector<const T*> all() const {
    std::vector<const T*> out;
    for (const auto& r : records) {
      if (const T* t = dynamic_cast<const T*>(r.get())) out.push_back(t);
    }
    return out;
  }
  template <typename T>
  const T* first() const {
    auto v = all<T>();
    return v.empty() ? nullptr : v.front();
  }
  // Record type names in emission order ("Ethernet,IPv4,TCP").
  std::string record_types() const {
    std::string out;
    for (const auto& r : records) {
      if (!out.empty()) out += ',';
      out += r->GetDescriptor()->name();
    }
    return out;
  }
  bool has_anomaly(std::string_view name) const {
    for (const auto& a : anomalies) {
      if (a == name) return true;
    }
    return false;
  }
};

class CollectingEmitter : public RecordEmitter {
 public:
  explicit CollectingEmitter(DecodeResult& out) : out_(out) {}
  void emit(std::unique_ptr<google::protobuf::Message> record) override {
    if (const auto* a = dynamic_cast<const Anomaly*>(record.get())) {
      out_.anomalies.push_back(a->name());
      out_.anomaly_layers.push_back(a->layer());
      return;
    }
    out_.records.push_back(std::move(record));
  }

 private:
  DecodeResult& out_;
};

class DecodeHarness {
 public:
  DecodeHarness() : fragments_(limits_) {
    Status s = register_all_protocols(registry_);
    registry_ok_ = s.is_ok();
    registry_error_ = s.message();
  }

  bool registry_ok() const { return registry_ok_; }
  const std::string& registry_error() const { return registry_error_; }
  const DecodeStats& stats() const { return stats_; }
  Limits& limits() { return limits_; }

  // Decodes one frame; `wire_len` 0 means "not snapped" (= bytes.size()).
  DecodeResult decode(uint32_t linktype, const ByteVec& bytes, uint32_t wire_len = 0,
                      bool layer_records = true) {
    RawPacket p;
    p.frame = ++frame_;
    p.ts_ns = 1'000'000'000LL * static_cast<int64_t>(frame_);
    p.linktype = linktype;
    p.data = bytes;
    p.wire_len = wire_len ? wire_len : static_cast<uint32_t>(bytes.size());
    return decode(p, layer_records);
  }

  DecodeResult decode(const RawPacket& p, bool layer_records = true) {
    DecodeResult out;
    CollectingEmitter emitter(out);
    PacketContext ctx(p, registry_, limits_, fragments_, emitter, stats_, layer_records);
    ctx.decode();
    for (const TransportInfo& t : ctx.transports()) {
      SeenTransport s;
      s.info = t;
      s.payload.assign(t.payload.begin(), t.payload.end());
      s.info.payload = {};
      s.syn_signature = std::string(t.syn_signature);
      s.info.syn_signature = {};
      out.transports.push_back(std::move(s));
    }
    out.layer_path = ctx.layer_path();
    return out;
  }

 private:
  Limits limits_;
  LayerRegistry registry_;
  FragmentReassembler fragments_;
  DecodeStats stats_;
  bool registry_ok_ = false;
  std::string registry_error_;
  uint64_t frame_ = 0;
};

}  // namespace netcap::testing
