// Application protocols: how a parser over reassembled TCP streams or UDP datagrams plugs into
// the engine (ARCHITECTURE.md §2 and §4).
//
// A protocol lives in `forensics/streams/<name>/` and registers itself with one function
//   Status register_app_<name>(AppRegistry& registry);
// found by the build (forensics/CMakeLists.txt generates the list from the folders). It adds
// an AppProtocol per transport: a name, port hints, a content probe and a session factory.
//
// For every TCP or UDP flow the application layer (app_layer.h) keeps the first bytes of each
// direction (Limits::max_probe_bytes, Limits::max_probe_datagrams), asks the probes, creates the
// session of the protocol that answers yes and replays what it kept. A session is an incremental
// state machine: it keeps only what it needs, never the whole conversation.
//
// Thread-safety: the registry is built once and then shared read-only by all shards; a session
// and its AppContext are used by exactly one shard thread.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/flow/flow_table.h"
#include "core/packet/record_emitter.h"
#include "core/reassembly/stream_consumer.h"
#include "core/util/limits.h"
#include "core/util/status.h"
#include "forensics/app/file_sink.h"

namespace netcap::app {

using Bytes = std::span<const uint8_t>;

enum class ProbeResult : uint8_t {
  kNo,        // not this protocol
  kNeedMore,  // cannot tell yet: ask again with more bytes
  kYes,       // this protocol
};

// What a probe sees: the first bytes of each direction of a TCP flow (either may be empty), or
// one datagram of a UDP flow (in `client` or `server` by its direction).
struct ProbeInput {
  Bytes client;
  Bytes server;
  uint16_t client_port = 0;
  uint16_t server_port = 0;
  // True when no more bytes will come for that direction (end of flow, gap, probe limit).
  bool client_final = false;
  bool server_final = false;
};

// A data channel announced on another flow (FTP PORT/PASV/EPRT/EPSV, ...): the next flow whose
// responder is `server`:`port` (and, when set, whose originator is `client`) gets a session of
// `protocol` without probing.
struct Expectation {
  std::string protocol;  // an AppProtocol name registered for the transport
  IpAddress client;      // invalid (default) = any originator
  IpAddress server;
  uint16_t port = 0;
  uint8_t ip_protocol = 6;
  std::string parent_flow;  // UID of the flow that announced it
  std::string note;         // protocol-defined (e.g. "RETR report.pdf")
  int64_t expires_ns = 0;
  // State shared by the announcing session and the expected one, for what is only learnt after
  // the announcement (FTP: the transfer command usually follows PASV after the client already
  // connected). Both sessions run on the same shard thread (a data channel shares its control
  // connection's address pair), so no locking is needed. Protocol-defined type.
  std::shared_ptr<void> link;
};

class ExpectationTable;

// Per-shard state shared by the sessions of one protocol on one shard thread: caches such as
// parsed certificates, keyed by type. An entry is created with T's default constructor on first
// use and lives as long as the shard's application layer. Only the shard thread touches it, so
// no locking; T must bound its own size (it is a table like any other).
class ShardState {
 public:
  template <typename T>
  T& get() {
    std::shared_ptr<void>& slot = entries_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<void>> entries_;
};

// Everything a session may touch: its flow, the limits, the record emitter, per-shard shared
// state. Owned by the application layer; outlives the session.
class AppContext {
 public:
  AppContext(const FlowInfo& flow, const Limits& limits, RecordEmitter& emitter,
             ExpectationTable& expectations, std::string_view protocol)
      : flow_(flow),
        limits_(limits),
        emitter_(emitter),
        expectations_(expectations),
        protocol_(protocol) {}

  const FlowInfo& flow() const { return flow_; }
  const Limits& limits() const { return limits_; }

  // Hands a finished record to the sinks.
  void emit(std::unique_ptr<google::protobuf::Message> record) { emitter_.emit(std::move(record)); }

  // Fills the flow fields a record message declares, by name, when present:
  //   Timestamp (= ts_ns), FlowID, SrcIP, SrcPort, DstIP, DstPort (Src = the sender of `dir`),
  //   ClientIP, ClientPort, ServerIP, ServerPort.
  // Records of application protocols declare these so pivots work the same way for all.
  void stamp(google::protobuf::Message& record, StreamDirection dir, int64_t ts_ns) const;

  // Emits an Anomaly record named "<protocol>.<problem>" (pass the full name) tied to the flow.
  void anomaly(std::string_view name, std::string detail, int64_t ts_ns);

  // Announces a data channel (see Expectation) at packet time `ts_ns`; it waits
  // Limits::expected_channel_timeout_ns. Past Limits::max_expected_channels the oldest is
  // dropped (recorded as the anomaly "app.expectation_table_full").
  void expect(Expectation expectation, int64_t ts_ns);

  // The expectation this flow was created for, or nullptr when it was probed.
  const Expectation* expectation() const { return matched_.protocol.empty() ? nullptr : &matched_; }
  void set_matched_expectation(Expectation e) { matched_ = std::move(e); }

  // The protocol name written into the Connection record; starts as the AppProtocol's name, a
  // session may refine it (e.g. "mdns" for DNS on 5353). Must be a string with static lifetime.
  std::string_view protocol() const { return protocol_; }
  void set_protocol(std::string_view name) { protocol_ = name; }

  // The shard's ShardState (set by the application layer); a context made alone (unit tests)
  // gets a private one.
  ShardState& shard_state() {
    if (shard_state_ == nullptr) {
      own_state_ = std::make_unique<ShardState>();
      shard_state_ = own_state_.get();
    }
    return *shard_state_;
  }
  void set_shard_state(ShardState* state) { shard_state_ = state; }

  // Asks the application layer to hand this stream to `protocol` (a name registered for the
  // transport, e.g. "tls" after SMTP STARTTLS, RFC 3207 section 4.2) from the next bytes
  // delivered on, plus the last `carried_bytes` bytes of the current on_data call: a reply that
  // accepts the upgrade may share a segment with the first bytes of the new protocol (a proxy's
  // "200 Connection established" and the tunnelled server's SSH banner). The session keeps its
  // context and still gets its on_end; the Connection keeps this protocol's name. Must be a
  // string with static lifetime.
  // kProbeAgain instead of a name: the following bytes are probed as a new flow's would be (an
  // HTTP CONNECT tunnel may carry TLS, SSH, ...).
  void switch_protocol(std::string_view protocol, size_t carried_bytes = 0) {
    switch_to_ = protocol;
    switch_carried_bytes_ = carried_bytes;
  }
  static constexpr std::string_view kProbeAgain = "*";
  // The protocol asked for by switch_protocol (cleared by the call), empty when none.
  std::string_view take_protocol_switch() { return std::exchange(switch_to_, {}); }
  // Its carried_bytes (cleared by the call).
  size_t take_switch_carried_bytes() { return std::exchange(switch_carried_bytes_, 0); }

  // Where extracted files go (file_sink.h); nullptr when file extraction is off. Shared by all
  // shards; set by the application layer.
  FileSink* files() const { return files_; }
  void set_files(FileSink* files) { files_ = files; }

 private:
  const FlowInfo& flow_;
  const Limits& limits_;
  RecordEmitter& emitter_;
  ExpectationTable& expectations_;
  std::string_view protocol_;
  std::string_view switch_to_;
  size_t switch_carried_bytes_ = 0;
  Expectation matched_;
  ShardState* shard_state_ = nullptr;
  std::unique_ptr<ShardState> own_state_;
  FileSink* files_ = nullptr;
};

// One flow's parser. TCP sessions receive on_data/on_gap, UDP sessions on_datagram; every session
// gets exactly one on_end. Spans are valid only during the call.
class AppSession {
 public:
  virtual ~AppSession() = default;
  virtual void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
    (void)dir, (void)data, (void)ts_ns;
  }
  // `length` bytes of `dir` are missing here and will never arrive.
  virtual void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
    (void)dir, (void)length, (void)ts_ns;
  }
  // One datagram; `payload_length` is the length per the UDP header (larger when cut by the
  // snap length); `frame` its frame number.
  virtual void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length,
                           int64_t ts_ns, uint64_t frame) {
    (void)dir, (void)payload, (void)payload_length, (void)ts_ns, (void)frame;
  }
  virtual void on_end(StreamEndReason reason, int64_t ts_ns) { (void)reason, (void)ts_ns; }
};

enum class AppTransport : uint8_t { kTcp, kUdp };

struct AppProtocol {
  // Lower-case protocol name: "http", "dns", ... (Connection.ApplicationProto, anomaly prefix).
  std::string name;
  AppTransport transport = AppTransport::kTcp;
  // Well-known ports (either side). Hints only: a protocol on a hinted port is asked first.
  std::vector<uint16_t> ports;
  // Content probe; must be cheap and must not keep the spans. Empty: the protocol is only used
  // through expectations (e.g. "ftp-data").
  std::function<ProbeResult(const ProbeInput&)> probe;
  // Only on its ports: the probe is not asked for flows on other ports (for protocols whose
  // content is not distinctive enough, e.g. NTP).
  bool ports_only = false;
  // Creates the session for one flow; `ctx` outlives the session.
  std::function<std::unique_ptr<AppSession>(AppContext& ctx)> create;
};

// Built once at start-up, then read-only.
class AppRegistry {
 public:
  // Errors: empty name, missing create function, or a name already registered for the transport.
  Status add(AppProtocol protocol);
  const std::vector<AppProtocol>& protocols(AppTransport transport) const {
    return transport == AppTransport::kTcp ? tcp_ : udp_;
  }
  const AppProtocol* find(AppTransport transport, std::string_view name) const;

 private:
  std::vector<AppProtocol> tcp_, udp_;
};

// Every protocol in forensics/streams/ registered (generated list). Built on first use.
const AppRegistry& default_app_registry();

}  // namespace netcap::app
