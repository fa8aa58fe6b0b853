#include "core/engine/engine.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <thread>

#include "core/engine/bounded_queue.h"
#include "core/engine/shard_key.h"
#include "core/packet/value_names.h"
#include "proto/anomaly.pb.h"
#include "proto/distribution.pb.h"

namespace netcap {

namespace {

using RecordBatch = std::vector<std::unique_ptr<google::protobuf::Message>>;
// Names the calling thread (15 characters at most), so that top -H and perf tell them apart.
void name_thread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

using SharedBatch = std::shared_ptr<const RecordBatch>;
// Packets travel from the reader to a shard in batches; processed batches go back to the reader
// through a recycling queue so that packet buffers are reused instead of reallocated.
struct PacketBatch {
  std::vector<RawPacket> items;
  size_t count = 0;
};

// One writer thread per sink; the first error stops writing to that sink (the rest of its
// queue is drained and dropped so producers never block forever) and is reported by run().
class SinkWriter {
 public:
  SinkWriter(RecordSink* sink, size_t capacity) : sink_(sink), queue_(capacity) {}
  void start() {
    thread_ = std::thread([this] {
      name_thread("sink " + std::string(sink_->name()));
      loop();
    });
  }
  void finish() {
    queue_.close();
    if (thread_.joinable()) thread_.join();
  }
  BoundedQueue<SharedBatch>& queue() { return queue_; }
  const Status& status() const { return status_; }
  RecordSink* sink() const { return sink_; }

 private:
  // Records are flushed (the index commits its transaction) at most once a second, and when
  // the queue has been idle for a moment: bulk loads are not slowed by a commit per batch and a
  // live capture still shows its records promptly.
  void loop() {
    using Clock = std::chrono::steady_clock;
    SharedBatch batch;
    bool dirty = false;
    auto last_flush = Clock::now();
    while (true) {
      auto got = queue_.pop_for(batch, std::chrono::milliseconds(200));
      if (got == BoundedQueue<SharedBatch>::PopResult::kClosed) break;
      if (got == BoundedQueue<SharedBatch>::PopResult::kItem && status_.is_ok()) {
        for (const auto& record : *batch) {
          Status s = sink_->write(*record);
          if (!s.is_ok()) {
            status_ = std::move(s).with_context(std::string(sink_->name()));
            break;
          }
        }
        dirty = true;
      }
      batch.reset();
      const bool idle = got == BoundedQueue<SharedBatch>::PopResult::kTimeout;
      if (dirty && status_.is_ok() &&
          (idle || Clock::now() - last_flush >= std::chrono::seconds(1))) {
        Status s = sink_->flush();
        if (!s.is_ok()) status_ = std::move(s).with_context(std::string(sink_->name()));
        dirty = false;
        last_flush = Clock::now();
      }
    }
    if (dirty && status_.is_ok()) {
      Status s = sink_->flush();
      if (!s.is_ok()) status_ = std::move(s).with_context(std::string(sink_->name()));
    }
  }

  RecordSink* sink_;
  BoundedQueue<SharedBatch> queue_;
  Status status_;
  std::thread thread_;
};

class RecordBus {
 public:
  explicit RecordBus(std::vector<std::unique_ptr<SinkWriter>>& writers) : writers_(writers) {}
  void publish(RecordBatch batch) {
    records_.fetch_add(batch.size(), std::memory_order_relaxed);
    auto shared = std::make_shared<const RecordBatch>(std::move(batch));
    for (auto& w : writers_) w->queue().push(shared);
  }
  uint64_t records() const { return records_.load(std::memory_order_relaxed); }

 private:
  std::vector<std::unique_ptr<SinkWriter>>& writers_;
  std::atomic<uint64_t> records_{0};
};

class ShardEmitter final : public RecordEmitter {
 public:
  ShardEmitter(RecordBus& bus, size_t batch_size) : bus_(bus), batch_size_(batch_size) {
    batch_.reserve(batch_size_);
  }
  void emit(std::unique_ptr<google::protobuf::Message> record) override {
    counts_[record->GetDescriptor()]++;
    batch_.push_back(std::move(record));
    if (batch_.size() >= batch_size_) flush();
  }
  void flush() {
    if (batch_.empty()) return;
    bus_.publish(std::move(batch_));
    batch_ = RecordBatch();
    batch_.reserve(batch_size_);
  }
  const std::map<const google::protobuf::Descriptor*, uint64_t>& counts() const { return counts_; }

 private:
  RecordBus& bus_;
  size_t batch_size_;
  RecordBatch batch_;
  std::map<const google::protobuf::Descriptor*, uint64_t> counts_;
};

class Shard {
 public:
  Shard(const LayerRegistry& registry, const EngineOptions& options, RecordBus& bus,
        size_t queue_batches, BoundedQueue<PacketBatch>& recycle)
      : registry_(registry),
        options_(options),
        queue_(queue_batches),
        recycle_(recycle),
        fragments_(options.limits),
        emitter_(bus, options.limits.record_batch_size),
        consumers_(options.make_consumer_factory
                       ? options.make_consumer_factory(emitter_, options.limits)
                       : nullptr),
        flows_(options.limits, emitter_, consumers_.get()) {}

  void start(size_t index) {
    thread_ = std::thread([this, index] {
      name_thread("shard " + std::to_string(index));
      loop();
    });
  }
  // `end_ts` is the largest timestamp of the whole input: flows are closed relative to it, so
  // the records do not depend on how packets were spread over shards.
  void finish(int64_t end_ts) {
    end_ts_ = end_ts;  // read by the shard thread only after the queue is closed and drained
    queue_.close();
    if (thread_.joinable()) thread_.join();
  }
  BoundedQueue<PacketBatch>& queue() { return queue_; }
  const DecodeStats& stats() const { return stats_; }
  const FlowTableStats& flow_stats() const { return flows_.stats(); }
  const ShardEmitter& emitter() const { return emitter_; }
  uint64_t open_flows() const { return open_flows_.load(std::memory_order_relaxed); }
  size_t fragments_pending() const { return fragments_pending_; }

 private:
  void loop() {
    PacketBatch batch;
    while (queue_.pop(batch)) {
      for (size_t i = 0; i < batch.count; ++i) process(batch.items[i]);
      batch.count = 0;
      recycle_.try_push(batch);  // dropped when the recycling queue is full
      batch = PacketBatch();
    }
    end();
  }

  void process(const RawPacket& packet) {
    PacketContext ctx(packet, registry_, options_.limits, fragments_, emitter_, stats_,
                      options_.layer_records);
    ctx.decode();
    // Shard time only moves forward: captures can hold packets with timestamps in the past.
    if (packet.ts_ns > now_) now_ = packet.ts_ns;
    for (const TransportInfo& t : ctx.transports()) flows_.on_transport(t, ctx);
    if (last_sweep_ == std::numeric_limits<int64_t>::min()) last_sweep_ = now_;
    if (now_ - last_sweep_ >= options_.limits.flow_sweep_interval_ns) {
      flows_.sweep(now_);
      for (const FragmentKey& key : fragments_.expire(now_))
        fragment_anomaly(key, "ip.fragment_timeout");
      last_sweep_ = now_;
      open_flows_.store(flows_.size(), std::memory_order_relaxed);
    }
  }

  void end() {
    if (end_ts_ > now_) now_ = end_ts_;
    flows_.close_all(now_);
    fragments_pending_ = fragments_.pending();
    for (const FragmentKey& key : fragments_.expire(std::numeric_limits<int64_t>::max())) {
      fragment_anomaly(key, "ip.fragment_incomplete");
    }
    emitter_.flush();
    open_flows_.store(0);
  }

  void fragment_anomaly(const FragmentKey& key, const char* name) {
    auto a = std::make_unique<Anomaly>();
    a->set_timestamp(now_);
    a->set_name(name);
    a->set_layer(key.src.is_v6() ? "ipv6" : "ipv4");
    a->set_detail("datagram id " + std::to_string(key.id) + " protocol " +
                  std::to_string(key.protocol) + " never completed");
    a->set_srcip(key.src.to_string());
    a->set_dstip(key.dst.to_string());
    stats_.anomalies[name]++;
    emitter_.emit(std::move(a));
  }

  const LayerRegistry& registry_;
  const EngineOptions& options_;
  BoundedQueue<PacketBatch> queue_;
  BoundedQueue<PacketBatch>& recycle_;
  FragmentReassembler fragments_;
  ShardEmitter emitter_;
  DecodeStats stats_;
  std::unique_ptr<FlowConsumerFactory> consumers_;
  FlowTable flows_;
  int64_t now_ = std::numeric_limits<int64_t>::min();
  int64_t last_sweep_ = std::numeric_limits<int64_t>::min();
  int64_t end_ts_ = std::numeric_limits<int64_t>::min();
  std::atomic<uint64_t> open_flows_{0};
  size_t fragments_pending_ = 0;
  std::thread thread_;
};

}  // namespace

Engine::Engine(const LayerRegistry& registry, EngineOptions options, std::vector<RecordSink*> sinks)
    : registry_(registry), options_(std::move(options)), sinks_(std::move(sinks)) {}

namespace {

// One ValueDistribution record per counted value, sorted by kind, then value.
void emit_value_distributions(const DecodeStats::ValueCounts& counts, RecordEmitter& emitter) {
  counts.for_each([&emitter](ValueKind kind, uint16_t value, uint64_t count) {
    auto record = std::make_unique<ValueDistribution>();
    record->set_kind(std::string(value_kind_name(kind)));
    record->set_value(value);
    record->set_name(value_name(kind, value));
    record->set_count(static_cast<int64_t>(count));
    emitter.emit(std::move(record));
  });
}

}  // namespace

Expected<CaptureSummary> Engine::run(PacketSource& source) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  int workers = options_.workers > 0 ? options_.workers
                                     : static_cast<int>(std::thread::hardware_concurrency());
  workers = std::clamp(workers, 1, 256);

  // Live capture hands packets over one by one so records appear promptly; files in batches.
  const bool live = source.progress().bytes_total == 0;
  const size_t packets_per_batch = live ? 1 : 256;
  const size_t queue_batches =
      std::max<size_t>(2, options_.limits.shard_queue_packets / packets_per_batch);

  std::vector<std::unique_ptr<SinkWriter>> writers;
  for (RecordSink* sink : sinks_) {
    writers.push_back(std::make_unique<SinkWriter>(sink, options_.limits.sink_queue_batches));
  }
  RecordBus bus(writers);
  BoundedQueue<PacketBatch> recycle(queue_batches * static_cast<size_t>(workers) + 4);
  std::vector<std::unique_ptr<Shard>> shards;
  for (int i = 0; i < workers; ++i) {
    shards.push_back(std::make_unique<Shard>(registry_, options_, bus, queue_batches, recycle));
  }
  for (auto& w : writers) w->start();
  for (size_t i = 0; i < shards.size(); ++i) shards[i]->start(i);

  CaptureSummary summary;
  summary.shards = workers;
  auto fresh_batch = [&] {
    PacketBatch b;
    if (!recycle.try_pop(b)) b.items.resize(packets_per_batch);
    b.count = 0;
    return b;
  };
  std::vector<PacketBatch> pending(shards.size());
  for (auto& p : pending) p = fresh_batch();
  Status read_status;
  RawPacket packet;
  auto last_progress = Clock::now();
  bool first = true;
  while (true) {
    Expected<bool> got = source.next(packet);
    if (!got.has_value()) {
      read_status = got.status();
      break;
    }
    if (!got.value()) break;
    summary.packets++;
    summary.wire_bytes += packet.wire_len;
    summary.captured_bytes += packet.data.size();
    if (first || packet.ts_ns < summary.first_ts_ns) summary.first_ts_ns = packet.ts_ns;
    if (first || packet.ts_ns > summary.last_ts_ns) summary.last_ts_ns = packet.ts_ns;
    first = false;
    size_t shard = shards.size() == 1 ? 0 : routing_hash(packet) % shards.size();
    PacketBatch& batch = pending[shard];
    // Swap: the batch slot's old buffer comes back in `packet` for the source to refill.
    std::swap(batch.items[batch.count++], packet);
    if (batch.count >= batch.items.size()) {
      shards[shard]->queue().push(std::move(batch));
      batch = fresh_batch();
    }
    if (options_.on_progress && (summary.packets & 1023) == 0) {
      auto now = Clock::now();
      if (now - last_progress >= std::chrono::milliseconds(options_.progress_interval_ms)) {
        last_progress = now;
        EngineProgress p;
        p.packets = summary.packets;
        p.bytes_read = source.progress().bytes_read;
        p.bytes_total = source.progress().bytes_total;
        p.records = bus.records();
        for (auto& s : shards) p.flows += s->open_flows();
        p.elapsed_seconds = std::chrono::duration<double>(now - started).count();
        options_.on_progress(p);
      }
    }
  }
  for (size_t i = 0; i < shards.size(); ++i) {
    if (pending[i].count > 0) shards[i]->queue().push(std::move(pending[i]));
  }
  for (auto& s : shards) {
    s->finish(summary.last_ts_ns);
    summary.decode.merge(s->stats());
  }
  // The value distributions, merged over the shards and written once (one record per value,
  // sorted), so they do not depend on how packets were spread over shards.
  ShardEmitter totals(bus, options_.limits.record_batch_size);
  emit_value_distributions(summary.decode.values, totals);
  totals.flush();
  for (auto& w : writers) w->finish();

  Status sink_status;
  for (auto& w : writers) {
    if (!w->status().is_ok() && sink_status.is_ok()) sink_status = w->status();
  }

  for (auto& s : shards) {
    summary.flows.merge(s->flow_stats());
    summary.fragments_pending += s->fragments_pending();
    for (const auto& [descriptor, n] : s->emitter().counts())
      summary.records[descriptor->name()] += n;
  }
  for (const auto& [descriptor, n] : totals.counts()) summary.records[descriptor->name()] += n;
  summary.source_issues = source.issues();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (options_.on_progress) {
    EngineProgress p;
    p.packets = summary.packets;
    p.bytes_read = source.progress().bytes_read;
    p.bytes_total = source.progress().bytes_total;
    p.records = bus.records();
    p.elapsed_seconds = summary.wall_seconds;
    options_.on_progress(p);
  }
  if (!read_status.is_ok()) return read_status;
  if (!sink_status.is_ok()) return sink_status;
  return summary;
}

}  // namespace netcap
