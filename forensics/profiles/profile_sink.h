// ProfileSink: a RecordSink decorator that forwards every record to the sink it wraps (the case
// index) and feeds it to a ProfileBuilder. The summary records (Software, Service,
// DeviceProfile, HostProfile) are written to the same sink while the capture runs, each time
// enough records or enough packet time went by (at a flush, so between batches), and once more
// at close with their final state. The index keeps one row per summary key ((record_key)), so
// the rewrites replace rather than duplicate.
//
// Threading: like every sink, driven by one writer thread; the builder runs on it, so no locks.
#pragma once

#include <memory>

#include "core/sinks/record_sink.h"
#include "forensics/profiles/field_data.h"
#include "forensics/profiles/profile_builder.h"

namespace netcap::profiles {

struct ProfileSinkOptions {
  ProfileLimits limits;
  // Write the changed summaries at a flush once this many records were observed since the last
  // time, or once this much packet time went by (whichever comes first). 0 turns either off.
  int64_t snapshot_every_records = 200'000;
  int64_t snapshot_every_ns = 10'000'000'000;  // 10 s of packet time (live captures)
};

// `inner` receives every record; `data` is owned by the sink (loaded by the caller, typically
// FieldData::load). Its status lines and the builder's drop counters go to the case meta at
// close.
std::unique_ptr<RecordSink> make_profile_sink(std::unique_ptr<RecordSink> inner,
                                              std::unique_ptr<FieldData> data,
                                              ProfileSinkOptions options = {});

}  // namespace netcap::profiles
