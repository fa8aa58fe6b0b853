// What identifies the version of a file that was read: its size and modification time. The
// capture stores it for each input file (index meta key "input_file_stats"), so that readers of
// byte offsets into those files (pcap slices through PacketMap records) can tell that a file
// has been replaced or changed since and must not be read by offset.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>

namespace netcap {

struct FileIdentity {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

// nullopt when the file cannot be stat()ed.
inline std::optional<FileIdentity> file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileIdentity{static_cast<uint64_t>(st.st_size),
                      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

}  // namespace netcap
