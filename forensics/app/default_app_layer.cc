#include "forensics/app/default_app_layer.h"

#include "forensics/app/app_layer.h"

namespace netcap::app {

std::unique_ptr<FlowConsumerFactory> make_app_layer(RecordEmitter& emitter, const Limits& limits,
                                                    FileSink* files) {
  return std::make_unique<AppLayer>(default_app_registry(), limits, emitter, files);
}

}  // namespace netcap::app
