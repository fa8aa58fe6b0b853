// ProfileSink: a RecordSink that feeds every record to a ProfileBuilder and posts the summary
// records (Software, Service, DeviceProfile, HostProfile) to a mailbox (the case index's
// MailboxSink, core/sinks/mailbox_sink.h) while the capture runs, each time enough records or
// enough packet time went by (at a flush, so between batches), and once more at close with their
// final state, followed by the field-data status lines and drop counters as case meta. The
// index keeps one row per summary key ((record_key)), so the rewrites replace rather than
// duplicate.
//
// Threading: like every sink, driven by one writer thread of its own, so the builder's work does
// not slow the index writer; the builder runs on that thread only. Close it before the index, so
// that its final records reach the index before the index closes.
#pragma once

#include <memory>

#include "core/sinks/mailbox_sink.h"
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

// `out` receives the summary records and meta (it must outlive the sink); `data` is owned by the
// sink (loaded by the caller, typically FieldData::load).
std::unique_ptr<RecordSink> make_profile_sink(RecordMailbox& out, std::unique_ptr<FieldData> data,
                                              ProfileSinkOptions options = {});

}  // namespace netcap::profiles
