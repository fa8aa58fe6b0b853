// Test support: runs a capture file through the real engine (all packet decoders and every
// application protocol of forensics/streams/) and returns the records, in memory. Used by the
// protocol tests and conformance checks; not linked into the netcap binary.
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <vector>

#include "core/util/limits.h"
#include "core/util/status.h"
#include "forensics/app/file_sink.h"

namespace netcap::app::testing {

struct CaptureRun {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;  // in the order written

  // Records of message type T (a generated class), in the order written.
  template <typename T>
  std::vector<const T*> of() const {
    std::vector<const T*> out;
    for (const auto& r : records) {
      if (r->GetDescriptor() == T::descriptor()) out.push_back(static_cast<const T*>(r.get()));
    }
    return out;
  }
};

// `workers` shard threads (results must not depend on it). An error Status when the file cannot
// be read. `files`, when set, receives the extracted files (file_sink.h).
Expected<CaptureRun> run_capture(const std::string& path, int workers = 1, Limits limits = {},
                                 FileSink* files = nullptr);

// Path of a shared capture: NETCAP_SHARED_DIR "/pcaps/" + name; empty when ../shared is absent.
std::string shared_capture(const std::string& file_name);
// Path of a bundled sample: NETCAP_SOURCE_DIR "/samples/" + name.
std::string sample_capture(const std::string& file_name);

}  // namespace netcap::app::testing
