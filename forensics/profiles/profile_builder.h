// ProfileBuilder: observes finished records (Connection, HTTP, SSH, TLSClientHello, DNS,
// DHCPv4, Mail, FTP/SMTP/POP3/IMAP greetings, SIP) and aggregates them into the summary records
// of proto/profile.proto: Software, Service, DeviceProfile, HostProfile.
//
// Every table and list is bounded by ProfileLimits; a table that is full drops new keys (counted
// in stats()), a list that is full drops new items (counted in the record's DroppedItems).
// Lists are kept sorted, so the output does not depend on the order records arrive in (except
// which items a full list kept).
//
// Threading: one builder is used by one thread (the writer thread of the index sink). The
// FieldData it reads must outlive it.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "forensics/profiles/field_data.h"
#include "proto/profile.pb.h"

namespace netcap::profiles {

// Bounds of the profile tables (kept here rather than in core/util/limits.h: nothing outside
// forensics/profiles reads them).
struct ProfileLimits {
  size_t max_hosts = 65536;
  size_t max_devices = 16384;
  size_t max_services = 65536;
  size_t max_software = 16384;
  size_t max_list_items = 64;        // items per list field of one record
  size_t max_banner_bytes = 512;     // Service.Banner and the bytes given to nmap's patterns
  size_t max_cached_strings = 4096;  // parsed user agents / matched banners remembered
};

struct ProfileStats {
  int64_t records_seen = 0;
  int64_t dropped_hosts = 0, dropped_devices = 0, dropped_services = 0, dropped_software = 0;
};

class ProfileBuilder {
 public:
  explicit ProfileBuilder(const FieldData* data, ProfileLimits limits = {});
  ~ProfileBuilder();
  ProfileBuilder(const ProfileBuilder&) = delete;
  ProfileBuilder& operator=(const ProfileBuilder&) = delete;

  // Reads `record` during the call; other record types are ignored.
  void observe(const google::protobuf::Message& record);

  // The summary records changed since the last call (all of them the first time), ordered by
  // type (Software, Service, DeviceProfile, HostProfile) and key.
  std::vector<std::unique_ptr<google::protobuf::Message>> take_changed();
  // Every summary record as it stands now, in the same order (tests, final listings).
  std::vector<std::unique_ptr<google::protobuf::Message>> snapshot() const;

  const ProfileStats& stats() const { return stats_; }
  // Largest record time seen (Unix ns): drives periodic snapshots in packet time.
  int64_t latest_time() const { return latest_time_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ProfileStats stats_;
  int64_t latest_time_ = 0;
};

}  // namespace netcap::profiles
