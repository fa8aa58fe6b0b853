// The application layer with every protocol of forensics/streams/, for
// EngineOptions::make_consumer_factory.
#pragma once

#include <memory>

#include "core/flow/flow_table.h"

namespace netcap::app {

// An AppLayer over default_app_registry() for one shard.
std::unique_ptr<FlowConsumerFactory> make_app_layer(RecordEmitter& emitter, const Limits& limits);

}  // namespace netcap::app
