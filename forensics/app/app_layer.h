// The application layer of one shard: a FlowConsumerFactory that gives each TCP/UDP flow a
// consumer which finds the flow's protocol by content and then drives that protocol's session.
//
// Detection (TCP): the first bytes of each direction are kept (Limits::max_probe_bytes), in
// arrival order with their gaps. Candidates are the registered protocols, those whose port hint
// matches first, in registration order. After each delivery the candidates are asked in order:
// the first kYes wins unless an earlier port-hinted candidate answers kNeedMore (then we wait;
// a gap or the probe limit ends the wait). When
// every candidate says kNo, or nothing was decided when both directions are final, the flow
// stays unclassified (at the end a port-hinted kNeedMore candidate is taken: a server banner
// alone still gets parsed). The chosen session receives everything kept, in order.
//
// Detection (UDP): each of the first Limits::max_probe_datagrams datagrams is offered the same
// way; a port-hinted kNeedMore counts as yes. Datagrams before the decision are replayed.
//
// Expectations (FTP data channels, ...) are matched before probing.
//
// Thread-safety: one instance per shard, used by that shard's thread only.
#pragma once

#include <deque>
#include <memory>

#include "core/flow/flow_table.h"
#include "forensics/app/app_protocol.h"

namespace netcap::app {

class ExpectationTable {
 public:
  ExpectationTable(const Limits& limits, RecordEmitter& emitter)
      : limits_(limits), emitter_(emitter) {}
  void add(Expectation e, const FlowInfo& announcer, int64_t now_ns);
  // The first live expectation the new flow fulfils (removed from the table), or nothing.
  bool take(const FlowInfo& flow, Expectation& out);
  size_t size() const { return pending_.size(); }

 private:
  const Limits& limits_;
  RecordEmitter& emitter_;
  std::deque<Expectation> pending_;  // oldest first
};

class AppLayer : public FlowConsumerFactory {
 public:
  // `registry`, `limits` and `emitter` must outlive the AppLayer and every consumer it creates.
  // `files` (may be null: no file extraction) must outlive them too.
  AppLayer(const AppRegistry& registry, const Limits& limits, RecordEmitter& emitter,
           FileSink* files = nullptr);
  ~AppLayer() override;

  std::unique_ptr<FlowConsumer> create(const FlowInfo& flow) override;

  const AppRegistry& registry() const { return registry_; }
  const Limits& limits() const { return limits_; }
  RecordEmitter& emitter() { return emitter_; }
  ExpectationTable& expectations() { return expectations_; }
  ShardState& shard_state() { return shard_state_; }
  FileSink* files() const { return files_; }

 private:
  const AppRegistry& registry_;
  const Limits& limits_;
  RecordEmitter& emitter_;
  ExpectationTable expectations_;
  ShardState shard_state_;
  FileSink* files_ = nullptr;
};

}  // namespace netcap::app
