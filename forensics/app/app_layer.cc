#include "forensics/app/app_layer.h"

#include <algorithm>
#include <vector>

#include "proto/anomaly.pb.h"

namespace netcap::app {

namespace pb = google::protobuf;

// ---------------------------------------------------------------- AppRegistry / AppContext

Status AppRegistry::add(AppProtocol protocol) {
  if (protocol.name.empty()) return Status::error("application protocol without a name");
  if (!protocol.create)
    return Status::error("application protocol " + protocol.name + " has no session factory");
  if (find(protocol.transport, protocol.name) != nullptr) {
    return Status::error("application protocol " + protocol.name + " registered twice");
  }
  (protocol.transport == AppTransport::kTcp ? tcp_ : udp_).push_back(std::move(protocol));
  return Status::ok();
}

const AppProtocol* AppRegistry::find(AppTransport transport, std::string_view name) const {
  for (const AppProtocol& p : protocols(transport)) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

void AppContext::stamp(pb::Message& record, StreamDirection dir, int64_t ts_ns) const {
  const pb::Descriptor* d = record.GetDescriptor();
  const pb::Reflection* r = record.GetReflection();
  const bool from_client = dir == StreamDirection::kClientToServer;
  auto set_text = [&](const char* name, const std::string& value) {
    if (const pb::FieldDescriptor* f = d->FindFieldByName(name);
        f != nullptr && f->type() == pb::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
      r->SetString(&record, f, value);
    }
  };
  auto set_int = [&](const char* name, int64_t value) {
    const pb::FieldDescriptor* f = d->FindFieldByName(name);
    if (f == nullptr || f->is_repeated()) return;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(&record, f, static_cast<int32_t>(value));
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        r->SetInt64(&record, f, value);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(&record, f, static_cast<uint32_t>(value));
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        r->SetUInt64(&record, f, static_cast<uint64_t>(value));
        break;
      default:
        break;
    }
  };
  const std::string client = flow_.client.to_string();
  const std::string server = flow_.server.to_string();
  set_int("Timestamp", ts_ns);
  set_text("FlowID", flow_.flow_id);
  set_text("SrcIP", from_client ? client : server);
  set_text("DstIP", from_client ? server : client);
  set_int("SrcPort", from_client ? flow_.client_port : flow_.server_port);
  set_int("DstPort", from_client ? flow_.server_port : flow_.client_port);
  set_text("ClientIP", client);
  set_text("ServerIP", server);
  set_int("ClientPort", flow_.client_port);
  set_int("ServerPort", flow_.server_port);
}

void AppContext::anomaly(std::string_view name, std::string detail, int64_t ts_ns) {
  auto a = std::make_unique<Anomaly>();
  a->set_timestamp(ts_ns);
  a->set_name(std::string(name));
  a->set_layer(std::string(protocol_));
  if (detail.size() > limits_.max_anomaly_detail_bytes)
    detail.resize(limits_.max_anomaly_detail_bytes);
  a->set_detail(std::move(detail));
  a->set_srcip(flow_.client.to_string());
  a->set_dstip(flow_.server.to_string());
  a->set_srcport(flow_.client_port);
  a->set_dstport(flow_.server_port);
  a->set_flowid(flow_.flow_id);
  emitter_.emit(std::move(a));
}

void AppContext::expect(Expectation expectation, int64_t ts_ns) {
  expectation.expires_ns = ts_ns + limits_.expected_channel_timeout_ns;
  if (expectation.parent_flow.empty()) expectation.parent_flow = flow_.flow_id;
  expectations_.add(std::move(expectation), flow_, ts_ns);
}

// ---------------------------------------------------------------- ExpectationTable

void ExpectationTable::add(Expectation e, const FlowInfo& announcer, int64_t now_ns) {
  while (!pending_.empty() && pending_.front().expires_ns < now_ns) pending_.pop_front();
  if (pending_.size() >= limits_.max_expected_channels && !pending_.empty()) {
    auto a = std::make_unique<Anomaly>();
    a->set_timestamp(now_ns);
    a->set_name("app.expectation_table_full");
    a->set_layer(e.protocol);
    a->set_detail("limit " + std::to_string(limits_.max_expected_channels) +
                  " expected data channels per shard reached; the oldest was dropped");
    a->set_srcip(announcer.client.to_string());
    a->set_dstip(announcer.server.to_string());
    a->set_flowid(announcer.flow_id);
    emitter_.emit(std::move(a));
    pending_.pop_front();
  }
  pending_.push_back(std::move(e));
}

bool ExpectationTable::take(const FlowInfo& flow, Expectation& out) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->expires_ns < flow.first_ts_ns) continue;
    if (it->ip_protocol != flow.ip_protocol || it->port != flow.server_port ||
        !(it->server == flow.server) || (it->client.valid() && !(it->client == flow.client))) {
      continue;
    }
    out = std::move(*it);
    pending_.erase(it);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- the per-flow consumer

namespace {

bool has_port(const AppProtocol& p, const FlowInfo& flow) {
  return std::find(p.ports.begin(), p.ports.end(), flow.server_port) != p.ports.end() ||
         std::find(p.ports.begin(), p.ports.end(), flow.client_port) != p.ports.end();
}

class AppFlowConsumer : public FlowConsumer {
 public:
  AppFlowConsumer(AppLayer& layer, const FlowInfo& flow) : layer_(layer), flow_(flow) {
    start_probing();
  }

  // Starts directly with `protocol` (an expectation matched).
  void start_expected(const AppProtocol& protocol, Expectation e) {
    start(protocol);
    ctx_->set_matched_expectation(std::move(e));
    session_ = protocol.create(*ctx_);
  }

  void on_data(StreamDirection dir, std::span<const uint8_t> data, int64_t ts_ns) override {
    if (state_ == State::kActive) {
      session_->on_data(dir, data, ts_ns);
      follow_protocol_switch(dir, data, ts_ns);
      return;
    }
    if (state_ == State::kUnknown || data.empty()) return;
    const int d = static_cast<int>(dir);
    if (final_[d]) {
      // More bytes in a direction that is already past the probe limit: decide now, so the
      // kept chunks stay bounded (2 x max_probe_bytes plus this chunk).
      keep_chunk(dir, data, 0, ts_ns, 0);
      final_[0] = final_[1] = true;
    } else {
      kept_[d].insert(kept_[d].end(), data.begin(), data.end());
      keep_chunk(dir, data, 0, ts_ns, 0);
      if (kept_[d].size() >= layer_.limits().max_probe_bytes) final_[d] = true;
    }
    decide_stream(/*force=*/final_[0] || final_[1]);
  }

  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override {
    if (state_ == State::kActive) {
      session_->on_gap(dir, length, ts_ns);
      follow_protocol_switch(dir, {}, ts_ns);
      return;
    }
    if (state_ == State::kUnknown) return;
    keep_chunk(dir, {}, length, ts_ns, 0);
    // Probes need a stream's first bytes in one piece: decide with what there is.
    final_[0] = final_[1] = true;
    decide_stream(/*force=*/true);
  }

  void on_datagram(StreamDirection dir, std::span<const uint8_t> payload, uint32_t payload_length,
                   int64_t ts_ns, uint64_t frame) override {
    if (state_ == State::kActive) {
      session_->on_datagram(dir, payload, payload_length, ts_ns, frame);
      return;
    }
    if (state_ == State::kUnknown) return;
    ProbeInput in;
    (dir == StreamDirection::kClientToServer ? in.client : in.server) = payload;
    in.client_port = flow_.client_port;
    in.server_port = flow_.server_port;
    in.client_final = in.server_final = true;
    const AppProtocol* chosen = nullptr;
    for (Candidate& c : candidates_) {
      if (c.ruled_out) continue;
      ProbeResult r = c.protocol->probe(in);
      if (r == ProbeResult::kYes || (r == ProbeResult::kNeedMore && c.hinted)) {
        chosen = c.protocol;
        break;
      }
    }
    if (chosen == nullptr) {
      keep_chunk(dir, payload, 0, ts_ns, frame, payload_length);
      if (++datagrams_probed_ >= layer_.limits().max_probe_datagrams) give_up();
      return;
    }
    start(*chosen);
    session_ = chosen->create(*ctx_);
    replay();
    session_->on_datagram(dir, payload, payload_length, ts_ns, frame);
  }

  void on_end(StreamEndReason reason, int64_t ts_ns) override {
    if (state_ == State::kProbing && flow_.ip_protocol == 6) {
      final_[0] = final_[1] = true;
      ending_ = true;
      decide_stream(/*force=*/true);
    }
    // Sessions the stream was switched away from end first, in the order they ran.
    for (auto& [ctx, session] : switched_from_) session->on_end(reason, ts_ns);
    if (state_ == State::kActive) session_->on_end(reason, ts_ns);
  }

  // The protocol found by content; after a switch (STARTTLS) still the first one ("smtp").
  std::string_view application_protocol() const override {
    if (!switched_from_.empty()) return switched_from_.front().first->protocol();
    return ctx_ ? ctx_->protocol() : std::string_view();
  }

 private:
  enum class State : uint8_t { kProbing, kActive, kUnknown };
  struct Candidate {
    const AppProtocol* protocol;
    bool hinted;
    bool ruled_out;
  };
  struct Chunk {
    StreamDirection dir;
    std::vector<uint8_t> bytes;
    uint64_t gap;  // > 0: a gap of this many bytes instead of data
    int64_t ts_ns;
    uint64_t frame;
    uint32_t payload_length;
  };

  void keep_chunk(StreamDirection dir, std::span<const uint8_t> bytes, uint64_t gap, int64_t ts,
                  uint64_t frame, uint32_t payload_length = 0) {
    chunks_.push_back(Chunk{dir, std::vector<uint8_t>(bytes.begin(), bytes.end()), gap, ts, frame,
                            payload_length});
  }

  // `force`: decide now (a direction is final): a kNeedMore candidate no longer blocks later
  // ones, and a port-hinted kNeedMore is taken when nothing says yes.
  void decide_stream(bool force) {
    ProbeInput in;
    in.client = kept_[0];
    in.server = kept_[1];
    in.client_port = flow_.client_port;
    in.server_port = flow_.server_port;
    in.client_final = final_[0];
    in.server_final = final_[1];
    const AppProtocol* chosen = nullptr;
    const AppProtocol* hinted_maybe = nullptr;
    bool waiting = false;
    for (Candidate& c : candidates_) {
      if (c.ruled_out) continue;
      ProbeResult r = c.protocol->probe(in);
      if (r == ProbeResult::kNo) {
        c.ruled_out = true;
        continue;
      }
      if (r == ProbeResult::kYes) {
        if (!waiting) chosen = c.protocol;
        break;
      }
      // kNeedMore: only a port-hinted candidate makes later ones wait (a client-first
      // protocol's probe cannot say no before the client spoke).
      if (!force && c.hinted) {
        waiting = true;
        break;
      }
      if (c.hinted && hinted_maybe == nullptr) hinted_maybe = c.protocol;
    }
    if (chosen == nullptr && waiting) return;
    if (chosen == nullptr && force && (final_[0] && final_[1])) chosen = hinted_maybe;
    if (chosen == nullptr) {
      // Nothing yet: keep waiting unless everything is ruled out or nothing more can come.
      bool any_left = std::any_of(candidates_.begin(), candidates_.end(),
                                  [](const Candidate& c) { return !c.ruled_out; });
      if (!any_left || (final_[0] && final_[1]) || ending_) give_up();
      return;
    }
    start(*chosen);
    session_ = chosen->create(*ctx_);
    replay();
  }

  // A session asked for the rest of the stream to go to another protocol (AppContext::
  // switch_protocol): the new protocol's session takes over, with a context of its own; the
  // old one is kept for its on_end. An unknown name, or a switch past the bound (a chain of
  // upgrades is a loop or an attack), is an anomaly and the stream stays where it is.
  // `data` is what the old session was just given; its last carried bytes (switch_protocol) go
  // to the new protocol. Recursion is bounded by kMaxProtocolSwitches.
  void follow_protocol_switch(StreamDirection dir, std::span<const uint8_t> data, int64_t ts_ns) {
    const std::string_view to = ctx_->take_protocol_switch();
    const size_t carried = std::min(ctx_->take_switch_carried_bytes(), data.size());
    if (to.empty()) return;
    const AppTransport transport = flow_.ip_protocol == 6 ? AppTransport::kTcp : AppTransport::kUdp;
    const bool probe_again = to == AppContext::kProbeAgain;
    const AppProtocol* next = probe_again ? nullptr : layer_.registry().find(transport, to);
    if ((next == nullptr && !probe_again) || switched_from_.size() >= kMaxProtocolSwitches) {
      ctx_->anomaly(
          "app.protocol_switch_refused",
          std::string(ctx_->protocol()) + " asked to continue as " + std::string(to) +
              (next == nullptr ? ", which is not registered"
                               : ", past the bound of " + std::to_string(kMaxProtocolSwitches) +
                                     " switches per stream"),
          ts_ns);
      return;
    }
    switched_from_.emplace_back(std::move(ctx_), std::move(session_));
    if (probe_again) {
      // The following bytes are probed like a new flow's (an HTTP CONNECT tunnel).
      final_[0] = final_[1] = false;
      ending_ = false;
      start_probing();
    } else {
      start(*next);
      session_ = next->create(*ctx_);
    }
    if (carried > 0) on_data(dir, data.last(carried), ts_ns);
  }

  // Probing state: every protocol with a probe is a candidate, port-hinted ones first, then the
  // rest, each in registration order.
  void start_probing() {
    const AppTransport transport = flow_.ip_protocol == 6 ? AppTransport::kTcp : AppTransport::kUdp;
    const auto& all = layer_.registry().protocols(transport);
    candidates_.clear();
    for (const AppProtocol& p : all) {
      if (p.probe && has_port(p, flow_)) candidates_.push_back({&p, true, false});
    }
    for (const AppProtocol& p : all) {
      if (p.probe && !p.ports_only && !has_port(p, flow_))
        candidates_.push_back({&p, false, false});
    }
    state_ = candidates_.empty() ? State::kUnknown : State::kProbing;
  }

  void start(const AppProtocol& protocol) {
    ctx_ = std::make_unique<AppContext>(flow_, layer_.limits(), layer_.emitter(),
                                        layer_.expectations(), protocol.name);
    ctx_->set_shard_state(&layer_.shard_state());
    ctx_->set_files(layer_.files());
    state_ = State::kActive;
  }

  void replay() {
    std::vector<Chunk> chunks = std::move(chunks_);
    release_probe_state();
    for (const Chunk& c : chunks) {
      if (flow_.ip_protocol == 17) {
        on_datagram(c.dir, c.bytes, c.payload_length, c.ts_ns, c.frame);
      } else if (c.gap > 0) {
        on_gap(c.dir, c.gap, c.ts_ns);
      } else {
        // Through on_data, not straight to the session: a protocol switch half-way through the
        // replay (kProbeAgain leaves no session) sends the rest where the new state says.
        on_data(c.dir, c.bytes, c.ts_ns);
      }
    }
  }

  void give_up() {
    state_ = State::kUnknown;
    release_probe_state();
  }

  void release_probe_state() {
    chunks_ = {};
    kept_[0] = {};
    kept_[1] = {};
    candidates_ = {};
  }

  AppLayer& layer_;
  const FlowInfo flow_;
  State state_ = State::kProbing;
  std::vector<Candidate> candidates_;
  std::vector<uint8_t> kept_[2];
  bool final_[2] = {false, false};
  bool ending_ = false;
  int datagrams_probed_ = 0;
  std::vector<Chunk> chunks_;
  std::unique_ptr<AppContext> ctx_;
  std::unique_ptr<AppSession> session_;
  // Contexts and sessions the stream was switched away from, oldest first (bounded).
  static constexpr size_t kMaxProtocolSwitches = 2;
  std::vector<std::pair<std::unique_ptr<AppContext>, std::unique_ptr<AppSession>>> switched_from_;
};

}  // namespace

// ---------------------------------------------------------------- AppLayer

AppLayer::AppLayer(const AppRegistry& registry, const Limits& limits, RecordEmitter& emitter,
                   FileSink* files)
    : registry_(registry),
      limits_(limits),
      emitter_(emitter),
      expectations_(limits, emitter),
      files_(files) {}

AppLayer::~AppLayer() = default;

std::unique_ptr<FlowConsumer> AppLayer::create(const FlowInfo& flow) {
  const AppTransport transport = flow.ip_protocol == 6 ? AppTransport::kTcp : AppTransport::kUdp;
  auto consumer = std::make_unique<AppFlowConsumer>(*this, flow);
  if (expectations_.size() > 0) {
    Expectation e;
    if (expectations_.take(flow, e)) {
      if (const AppProtocol* p = registry_.find(transport, e.protocol); p != nullptr) {
        consumer->start_expected(*p, std::move(e));
      }
    }
  }
  return consumer;
}

}  // namespace netcap::app
