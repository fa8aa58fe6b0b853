// Building blocks of the file source, public so that tests and fuzzers can drive them alone:
//  * InputStream: raw bytes of one capture (a file, a gzip-compressed file, or memory);
//  * BufferedReader: a bounded window over an InputStream (never the whole file);
//  * CaptureFileReader: a pcap or pcapng parser producing RawPackets and SourceIssues.
//
// Ownership: a CaptureFileReader owns its BufferedReader, which owns its InputStream.
// Thread-safety: none; one reader thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/capture/packet_source.h"
#include "core/packet/packet.h"
#include "core/util/byte_cursor.h"
#include "core/util/status.h"

namespace netcap {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to n bytes into dst; 0 at the end of the stream. An I/O failure of the
  // environment is a Status. Corrupt compressed data ends the stream (returns 0) and is
  // described by corruption().
  virtual Expected<size_t> read(uint8_t* dst, size_t n) = 0;
  // Bytes of the underlying file consumed so far (compressed bytes for gzip).
  virtual uint64_t raw_offset() const = 0;
  // Why the stream ended early ("" when it did not).
  virtual std::string corruption() const { return {}; }
};

// Opens `path`: gzip-compressed files (magic 1f 8b) are decompressed transparently.
// *file_size receives the size on disk. Errors: missing, unreadable, not a regular file.
Expected<std::unique_ptr<InputStream>> open_input_file(const std::string& path,
                                                       uint64_t* file_size);
// A stream over bytes the caller keeps alive for the stream's lifetime (tests, fuzzers).
std::unique_ptr<InputStream> memory_input(Bytes data);

// A window of at most `max_window` bytes over the stream. The window grows on demand from a small
// start, so thousands of open files do not each hold the maximum.
class BufferedReader {
 public:
  BufferedReader(std::unique_ptr<InputStream> input, size_t max_window);

  // Makes at least n bytes available (n <= max_window()); returns the number available, which is
  // less than n only at the end of the stream.
  Expected<size_t> fill(size_t n);
  // The first n available bytes (n <= available()).
  Bytes view(size_t n) const { return Bytes(buffer_.data() + start_, n); }
  size_t available() const { return end_ - start_; }
  void consume(size_t n);
  // Discards n bytes (may exceed the window); returns how many were discarded (< n at the end).
  Expected<uint64_t> skip(uint64_t n);
  // Offset of the next unread byte in the (decompressed) stream.
  uint64_t offset() const { return offset_; }
  size_t max_window() const { return max_window_; }
  const InputStream& input() const { return *input_; }

 private:
  std::unique_ptr<InputStream> input_;
  std::vector<uint8_t> buffer_;
  size_t start_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;
  size_t max_window_;
  bool eof_ = false;
};

enum class CaptureFormat { kPcap, kPcapNg };

class CaptureFileReader {
 public:
  virtual ~CaptureFileReader() = default;
  // Next packet of this file (frame and source_index are left for the caller to set).
  // false at the end of the file, including an end forced by corruption (then an issue with
  // fatal_for_file=true was appended to issues()). Status only for environment failures.
  virtual Expected<bool> next(RawPacket& out) = 0;
  virtual CaptureFormat format() const = 0;
  // Link types of the interfaces known so far (pcap: the one from the file header).
  virtual std::vector<uint32_t> link_types() const = 0;

  const std::vector<SourceIssue>& issues() const { return issues_; }
  uint64_t packets_read() const { return packets_; }
  uint64_t raw_offset() const { return reader_.input().raw_offset(); }

 protected:
  CaptureFileReader(std::string name, BufferedReader reader, uint32_t max_packet_bytes)
      : name_(std::move(name)), reader_(std::move(reader)), max_packet_bytes_(max_packet_bytes) {}
  // Records an issue at `offset`; a fatal one also ends the file.
  void issue(uint64_t offset, std::string reason, bool fatal);
  // Reason for running out of bytes at the end of the stream (mentions gzip corruption).
  std::string end_reason(const std::string& what, size_t needed, size_t left) const;

  std::string name_;
  BufferedReader reader_;
  uint32_t max_packet_bytes_;
  uint64_t packets_ = 0;
  bool done_ = false;
  std::vector<SourceIssue> issues_;
};

// Checks the magic number and builds the matching reader. Errors: not a pcap/pcapng (the message
// names `name` and the magic found), or an I/O failure.
Expected<std::unique_ptr<CaptureFileReader>> open_capture_reader(std::unique_ptr<InputStream> input,
                                                                 const std::string& name,
                                                                 uint32_t max_packet_bytes);

}  // namespace netcap
