// The hook through which HTTP bodies leave the parser: the session calls an observer with each
// request and response body after transfer decoding (de-chunking) and content decoding (gzip,
// deflate, br). The default observer does nothing; file extraction implements one.
//
// A session has one observer. At most two bodies are open at a time (a request body and a
// response body of pipelined transactions), so every call names its body by HttpBodyInfo
// (transaction index and direction).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace netcap::app {
class AppContext;
}

namespace netcap::app::http {

struct HttpBodyInfo {
  uint64_t transaction = 0;         // 0-based index of the transaction in the flow
  bool is_request = false;          // request body (POST/PUT upload) or response body
  int64_t ts_ns = 0;                // time of the message's first byte
  std::string method;               // the request's method (empty for a response without request)
  std::string host;                 // Host of the request
  std::string uri;                  // request target as sent
  int status = 0;                   // response status (0 for request bodies)
  std::string content_type;         // Content-Type of this message
  std::string content_encoding;     // Content-Encoding of this message (already decoded)
  std::string content_disposition;  // Content-Disposition of this message
  bool decoded = true;              // false when the coding is unsupported: data is still encoded
  std::string content_range;        // Content-Range of this message (206 responses)
  int64_t content_length = -1;      // Content-Length of this message, -1 when absent or invalid
  std::string error;                // why decoding stopped (set before on_body_end), else empty
};

class HttpBodyObserver {
 public:
  virtual ~HttpBodyObserver() = default;
  // A body starts (called before its first byte, only for messages that have a body).
  virtual void on_body_start(const HttpBodyInfo& info) { (void)info; }
  // Decoded bytes at `offset` (decoded bytes before them). Valid during the call only.
  virtual void on_body_data(const HttpBodyInfo& info, std::span<const uint8_t> data,
                            uint64_t offset) {
    (void)info, (void)data, (void)offset;
  }
  // `length` encoded bytes are missing (TCP gap). For a content-encoded body decoding stops
  // here (on_body_end(false) follows at the end of the message); for an identity body the
  // next on_body_data continues at offset + length.
  virtual void on_body_gap(const HttpBodyInfo& info, uint64_t length, uint64_t offset) {
    (void)info, (void)length, (void)offset;
  }
  // The body ended; `complete` is false when bytes were missing, the stream ended early or
  // decoding failed or stopped (decompression bomb, limits).
  virtual void on_body_end(const HttpBodyInfo& info, bool complete) { (void)info, (void)complete; }
};

// Creates the observer of one HTTP session (one flow); may return nullptr (no observer).
using HttpBodyObserverFactory = std::function<std::unique_ptr<HttpBodyObserver>(AppContext& ctx)>;

}  // namespace netcap::app::http
