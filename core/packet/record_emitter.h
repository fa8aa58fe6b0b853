// RecordEmitter: where decoders, flows and stream parsers hand finished records.
// Implementations batch records and pass them to the sinks; emit() never blocks for long and
// takes ownership. Not thread-safe: each shard owns its emitter.
#pragma once

#include <memory>

#include <google/protobuf/message.h>

namespace netcap {

class RecordEmitter {
 public:
  virtual ~RecordEmitter() = default;
  virtual void emit(std::unique_ptr<google::protobuf::Message> record) = 0;
};

}  // namespace netcap
