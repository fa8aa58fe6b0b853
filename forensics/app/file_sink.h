// The protocol-free file interface: how an application protocol hands over the contents of a
// transferred file (an HTTP body, an FTP data channel, an SMB file, a mail message or part).
//
// A protocol opens one FileWriter per transfer with its origin (FileOrigin), gives it the bytes
// at their offsets in the file (in any order; a byte written twice keeps its first copy),
// declares missing ranges, and closes it, saying whether the transfer was complete. close()
// returns the File record with everything the store learnt (hashes, type, size, stored path,
// completeness and the limits hit); the protocol stamps the flow fields (AppContext::stamp) and
// emits it. The writer never interprets names: FileOrigin::name is only recorded.
//
// A FileSink is shared by every shard thread (open() is thread-safe); a FileWriter belongs to
// the thread that opened it. The sink reaches sessions through AppContext::files(); nullptr
// means extraction is off.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace netcap {
class File;
}

namespace netcap::app {

// Who sent the file: the server to the client (download) or the client to the server (upload).
enum class FileDirection : uint8_t { kDownload, kUpload };

inline std::string_view file_direction_name(FileDirection d) {
  return d == FileDirection::kDownload ? "download" : "upload";
}

struct FileOrigin {
  std::string protocol;       // "http", "ftp", "smb", "smtp", "pop3", "imap"
  std::string name;           // name given by the protocol (untrusted, never a path)
  std::string declared_type;  // MIME type the protocol declared (Content-Type), may be empty
  FileDirection direction = FileDirection::kDownload;
  std::string host;            // HTTP Host, SMB share ("\\server\share"), mail From
  std::string context;         // URL, FTP command ("RETR a.pdf"), SMB path, mail subject
  std::string message_id;      // mail Message-ID, HTTP "transaction/part", else empty
  int64_t declared_size = -1;  // size announced by the protocol (Content-Length, ...), -1 unknown
  int64_t ts_ns = 0;           // time of the transfer's first byte
};

class FileWriter {
 public:
  virtual ~FileWriter() = default;
  // Bytes of the file at `offset`, valid during the call only. Bytes past the per-file size
  // cap or the total-storage cap are dropped and the hit is recorded.
  virtual void write(uint64_t offset, std::span<const uint8_t> data, int64_t ts_ns) = 0;
  // `length` bytes at `offset` are missing and will never arrive (counted in MissingBytes
  // unless later written after all).
  virtual void gap(uint64_t offset, uint64_t length, int64_t ts_ns) = 0;
  // The protocol cut the content itself (decompression-ratio cap, decode limit, message cap):
  // recorded as Truncated with `reason`.
  virtual void truncated(std::string_view reason) = 0;
  // The size of the file became known after open (SMB end of file at CLOSE); bytes up to it
  // that never came count as missing.
  virtual void set_declared_size(int64_t size) = 0;
  // Ends the transfer: hashes, detects the type, moves the content into the store and returns
  // the File record (flow fields not yet stamped). `complete` is the protocol's view (all bytes
  // seen, regular end); `why` says what ended an incomplete transfer ("" when complete).
  // Returns nullptr for an empty transfer (no byte and no gap). Call at most once.
  virtual std::unique_ptr<netcap::File> close(bool complete, std::string_view why,
                                              int64_t ts_ns) = 0;
};

class FileSink {
 public:
  virtual ~FileSink() = default;
  // Starts a transfer. Thread-safe. Never null.
  virtual std::unique_ptr<FileWriter> open(const FileOrigin& origin) = 0;
};

}  // namespace netcap::app
