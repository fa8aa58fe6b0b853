#include "core/reassembly/stream_consumer.h"

namespace netcap {

std::string_view to_string(StreamEndReason reason) {
  switch (reason) {
    case StreamEndReason::kFin:
      return "fin";
    case StreamEndReason::kRst:
      return "rst";
    case StreamEndReason::kIdle:
      return "idle";
    case StreamEndReason::kEvicted:
      return "evicted";
    case StreamEndReason::kEndOfCapture:
      return "end_of_capture";
  }
  return "unknown";
}

}  // namespace netcap
