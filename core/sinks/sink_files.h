// Internal to core/sinks: shared handling of CASE/records/<Type>.<ext> files.
#pragma once

#include <string>

#include "core/util/status.h"

namespace netcap::sinks_internal {

// Creates CASE/records and removes files ending in `extension` left by an earlier run, so that a
// re-run does not leave stale types behind. Returns the records directory.
Expected<std::string> prepare_records_dir(const std::string& case_dir,
                                          const std::string& extension);

}  // namespace netcap::sinks_internal
