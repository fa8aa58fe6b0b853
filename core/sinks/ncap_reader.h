// NcapReader: reads a .ncap.gz file written by open_ncap_sink (or netcap's Go implementation):
// gzip(varint length + serialized message)*, the first message a netcap.Header whose Type names
// the message type of every following record.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/util/status.h"
#include "proto/header.pb.h"

namespace netcap {

// Movable, not copyable, not thread-safe. Owns the open file.
class NcapReader {
 public:
  // Opens `path` and reads the Header. The record type is looked up by Header.Type in the record
  // catalog (then as "netcap.<Type>" in the generated pool). Fails with a one-line message for
  // missing files, non-netcap files and unknown types.
  static Expected<NcapReader> open(const std::string& path);

  const Header& header() const { return header_; }
  const google::protobuf::Descriptor* record_descriptor() const { return descriptor_; }
  // A new, empty message of the file's record type.
  std::unique_ptr<google::protobuf::Message> new_record() const;

  // Reads the next record into `record` (which must be of record_descriptor()'s type).
  // true: a record was read; false: clean end of file; error: truncated or corrupt file
  // (the message says which record and at which uncompressed offset).
  Expected<bool> next(google::protobuf::Message& record);

  // Records read so far (the Header not counted).
  uint64_t records_read() const { return records_; }

  // Largest record accepted; bigger length prefixes mean a corrupt file.
  static constexpr uint64_t kMaxRecordBytes = 64ull << 20;

 private:
  struct GzCloser {
    void operator()(gzFile_s* file) const { gzclose(file); }
  };
  NcapReader() = default;
  // Reads one length-delimited message body into buffer_. false at a clean end.
  Expected<bool> read_raw();

  std::unique_ptr<gzFile_s, GzCloser> file_;
  std::string path_;
  Header header_;
  const google::protobuf::Descriptor* descriptor_ = nullptr;
  const google::protobuf::Message* prototype_ = nullptr;
  std::string buffer_;
  uint64_t records_ = 0;
  uint64_t offset_ = 0;  // uncompressed bytes consumed
};

}  // namespace netcap
