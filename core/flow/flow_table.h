// FlowTable: one shard's flows. Tracks every transport flow (TCP, UDP, SCTP, ICMP, ...) keyed by
// the canonical 5-tuple + VLAN, keeps Zeek-style state and history, feeds TCP segments to the
// reassembler, and emits one Connection record per flow when it ends: FIN/RST (after a short
// linger for trailing ACKs), idle timeout, eviction when the table is full, or end of capture.
//
// Time is packet time (never the wall clock), so the same input gives the same records.
// Thread-safety: none; owned by one shard thread.
#pragma once

#include <cstdint>
#include <limits>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/flow/flow_key.h"
#include "core/flow/packet_map.h"
#include "core/packet/packet_context.h"
#include "core/packet/record_emitter.h"
#include "core/reassembly/stream_consumer.h"
#include "core/reassembly/tcp_connection_reassembler.h"
#include "core/util/limits.h"

namespace netcap {

// What a flow consumer knows about its flow, fixed when the flow is created. The client is the
// originator (the side that sent the first SYN, or else the first packet).
struct FlowInfo {
  std::string flow_id;  // the Connection UID
  uint8_t ip_protocol = 0;
  IpAddress client, server;
  uint16_t client_port = 0, server_port = 0;
  bool has_macs = false;
  MacAddress client_mac, server_mac;
  uint16_t vlan = 0;
  int64_t first_ts_ns = 0;
};

// A flow's application-protocol consumer: TCP flows get reassembled stream data (on_data,
// on_gap), UDP flows their datagrams; every flow gets exactly one on_end. Driven by one shard
// thread.
class FlowConsumer : public StreamConsumer {
 public:
  // One UDP datagram. `payload` is what was captured (valid during the call);
  // `payload_length` the length per the UDP header (larger when the snap length cut it).
  virtual void on_datagram(StreamDirection dir, std::span<const uint8_t> payload,
                           uint32_t payload_length, int64_t ts_ns, uint64_t frame) = 0;
  // The application protocol found by content ("http", "dns", ...), empty when none. Read when
  // the Connection record is written (after on_end); must stay valid as long as the consumer.
  virtual std::string_view application_protocol() const = 0;
};

// Chooses a consumer for each new TCP and UDP flow (the application-protocol layer plugs in
// here). May return nullptr: the flow is then only counted.
class FlowConsumerFactory {
 public:
  virtual ~FlowConsumerFactory() = default;
  virtual std::unique_ptr<FlowConsumer> create(const FlowInfo& flow) = 0;
};

struct FlowTableStats {
  uint64_t flows_created = 0;
  uint64_t flows_closed = 0;
  uint64_t flows_evicted = 0;
  uint64_t flows_timed_out = 0;
  uint64_t tcp_segments = 0;
  uint64_t retransmissions = 0;
  uint64_t missed_bytes = 0;
  void merge(const FlowTableStats& o);
};

class FlowTable {
 public:
  FlowTable(const Limits& limits, RecordEmitter& emitter, FlowConsumerFactory* consumers);
  ~FlowTable();

  // Accounts one transport layer of a packet. `ctx` supplies frame, time, wire length, MACs.
  void on_transport(const TransportInfo& t, const PacketContext& ctx);

  // Closes flows idle longer than their timeout at packet time `now_ns` (call regularly).
  void sweep(int64_t now_ns);

  // Ends every flow (end of capture).
  void close_all(int64_t now_ns);

  size_t size() const { return flows_.size(); }
  const FlowTableStats& stats() const { return stats_; }

 private:
  struct Direction {
    uint64_t packets = 0;
    uint64_t bytes = 0;    // frame bytes on the wire
    uint64_t payload = 0;  // transport payload bytes per headers
    bool syn = false, synack = false, fin = false, rst = false;
  };
  enum class Timeout : uint8_t { kTcp, kUdp, kOther, kClosing };
  struct Flow {
    FlowKey key;
    bool orig_is_lo = true;  // originator is key.addr_lo side
    IpAddress orig_addr, resp_addr;
    uint16_t orig_port = 0, resp_port = 0;
    uint8_t protocol = 0;
    uint16_t vlan = 0;
    // Kept compact and turned into text only when the Connection record is built: a string
    // per field would cost allocations for every flow (MAC text does not fit the small-string
    // buffer). The network protocol follows from orig_addr.
    std::string link_proto;  // outermost layer name (fits the small-string buffer)
    bool has_macs = false;
    MacAddress src_mac, dst_mac;
    int64_t first_ts = 0, last_ts = 0;
    uint64_t first_frame = 0;
    Direction dir[2];  // [0] originator -> responder, [1] responder -> originator
    uint32_t flag_counts[8] = {};
    uint64_t window_sum = 0, window_packets = 0;
    std::string history;
    uint16_t history_seen[2] = {0, 0};  // bit per letter already recorded, per direction
    bool flipped = false;
    bool has_isn = false;   // originator's SYN seen
    uint32_t orig_isn = 0;  // its sequence number
    // p0f signatures of the originator's first SYN and the responder's first SYN+ACK
    // (TransportInfo::syn_signature); empty until seen.
    std::string client_signature, server_signature;
    int icmp_type = -1, icmp_code = -1;
    char uid[18] = {};  // "C" + 16 hex digits + NUL: no allocation per flow
    std::string community_id;
    std::unique_ptr<FlowConsumer> consumer;
    std::unique_ptr<TcpConnectionReassembler> reassembler;
    PacketMapWriter packet_map;  // where the flow's packets are in the capture files
    std::string map_incomplete;  // why the map stops early; "" while complete
    Timeout timeout = Timeout::kOther;
    std::list<Flow*>::iterator lru_pos;
  };

  Flow* create_flow(const FlowKey& key, bool from_lo, const TransportInfo& t,
                    const PacketContext& ctx);
  void add_history(Flow& f, int dir, char letter);
  // Appends the packet's file position (for a reassembled datagram, every fragment's) to f's
  // packet map, bounded by Limits; add_packet_location returns false once the map is cut.
  void note_packet_location(Flow& f, const TransportInfo& t, const PacketContext& ctx);
  bool add_packet_location(Flow& f, uint32_t file, uint64_t offset);
  void cut_packet_map(Flow& f, std::string reason);
  void touch(Flow& f, Timeout timeout);
  void finish(Flow& f, StreamEndReason reason, int64_t now_ns);
  void erase(Flow* f);
  std::list<Flow*>& lru(Timeout t) { return lru_[static_cast<int>(t)]; }
  int64_t timeout_ns(Timeout t) const;
  std::string conn_state(const Flow& f) const;
  void emit_flow_anomaly(const Flow& f, const std::string& name, std::string detail, int64_t ts,
                         uint64_t frame);

  const Limits& limits_;
  size_t packet_map_bytes_ = 0;  // all open flows' packet maps
  RecordEmitter& emitter_;
  FlowConsumerFactory* consumers_;
  ReassemblyBudget budget_;
  std::unordered_map<FlowKey, std::unique_ptr<Flow>, FlowKeyHash> flows_;
  std::list<Flow*> lru_[4];  // per timeout class, least recently active first
  FlowTableStats stats_;
};

}  // namespace netcap
