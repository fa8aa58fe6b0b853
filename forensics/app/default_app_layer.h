// The application layer with every protocol of forensics/streams/, for
// EngineOptions::make_consumer_factory.
#pragma once

#include <memory>

#include "core/flow/flow_table.h"
#include "forensics/app/file_sink.h"

namespace netcap::app {

// An AppLayer over default_app_registry() for one shard. `files` (shared by all shards, may be
// null: no file extraction) must outlive the layer.
std::unique_ptr<FlowConsumerFactory> make_app_layer(RecordEmitter& emitter, const Limits& limits,
                                                    FileSink* files = nullptr);

}  // namespace netcap::app
