// HTTP/1.x message parser for one direction of a TCP stream (RFC 9112): bytes in, heads, body
// pieces and message ends out through a listener. Incremental: heads may be split at any byte,
// bodies are passed through without being kept. Gaps inside a body are reported and skipped; a
// gap anywhere else makes the parser resynchronise at the next request/status line.
//
// Bounds: a line is at most Limits::max_line_bytes (longer is cut, "http.line_too_long"), a head
// at most Limits::max_header_bytes ("http.header_too_large": further fields dropped) with at most
// Limits::max_header_fields fields ("http.too_many_headers"). Nothing else is buffered.
//
// Not thread-safe; one parser per direction of one flow.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/limits.h"

namespace netcap::app::http {

using Bytes = std::span<const uint8_t>;

struct HeaderField {
  std::string name;
  std::string value;
};

// A parsed request line or status line with its header fields.
struct MessageHead {
  bool is_request = true;
  std::string method;   // request
  std::string target;   // request, as sent
  std::string version;  // "HTTP/1.1"
  int status = 0;       // response
  std::string reason;   // response
  std::vector<HeaderField> headers;
  int64_t ts_ns = 0;  // time of the data holding the first byte of the start line

  // First value of a field (case-insensitive name), nullptr when absent.
  const std::string* find(std::string_view name) const;
  // All values of a field joined with ", " (RFC 9110 §5.3), empty when absent.
  std::string joined(std::string_view name) const;
};

// How the body of a message is delimited (RFC 9112 §6.3).
enum class BodyFraming : uint8_t {
  kNone,        // no body
  kLength,      // Content-Length bytes
  kChunked,     // chunked transfer coding
  kUntilClose,  // everything until the end of the stream (responses only)
  kTunnel,      // no body, and the rest of the stream is not HTTP (after CONNECT 2xx / 101)
};

// What the owner decides for a head (see HttpParserListener::on_head).
struct HeadDecision {
  BodyFraming framing = BodyFraming::kNone;
  // After this message, drop the direction's bytes until resume() or enter_tunnel() is called
  // (a CONNECT or Upgrade request waits for its response).
  bool hold_after = false;
};

class HttpParserListener {
 public:
  virtual ~HttpParserListener() = default;
  // A complete head; `proposed` is the framing the headers give (RFC 9112 §6.3 without the
  // request context). Returns the framing to use (the owner knows HEAD, 1xx/204/304, CONNECT).
  virtual HeadDecision on_head(MessageHead& head, BodyFraming proposed, int64_t ts_ns) = 0;
  // Body bytes after transfer decoding (still content-encoded). Valid during the call only.
  virtual void on_body(Bytes data, int64_t ts_ns) = 0;
  // `length` body bytes are missing here (TCP gap).
  virtual void on_body_gap(uint64_t length, int64_t ts_ns) = 0;
  // The message ended; `complete` is false when the stream ended or broke inside it.
  // `trailers` holds the trailer fields of a chunked body (may be moved from).
  virtual void on_message_end(bool complete, std::vector<HeaderField>& trailers, int64_t ts_ns) = 0;
  // A problem: "http.<problem>" and the values seen.
  virtual void on_anomaly(std::string_view name, std::string detail, int64_t ts_ns) = 0;
};

// Request line "METHOD SP target SP HTTP/1.x" (RFC 9112 §3). Any token method is accepted;
// strict about the version.
struct RequestLine {
  std::string_view method, target, version;
};
bool parse_request_line(std::string_view line, RequestLine& out);
// Status line "HTTP/1.x SP 3DIGIT [SP reason]" (RFC 9112 §4).
struct StatusLine {
  std::string_view version, reason;
  int status = 0;
};
bool parse_status_line(std::string_view line, StatusLine& out);
// A registered method name (RFC 9110, WebDAV, ...): the probe only trusts these.
bool is_known_method(std::string_view method);

class HttpParser {
 public:
  // `limits` and `listener` are kept by reference and must outlive the parser.
  HttpParser(bool is_request, const Limits& limits, HttpParserListener& listener);

  void feed(Bytes data, int64_t ts_ns);
  // `length` bytes are missing at this point of the stream.
  void gap(uint64_t length, int64_t ts_ns);
  // End of the stream: a read-until-close body ends complete, any other message in progress
  // ends incomplete ("http.body_truncated" for a body).
  void finish(int64_t ts_ns);

  // Stops parsing: every further byte is counted as tunnel payload.
  void enter_tunnel();
  // Leaves the hold state (see HeadDecision::hold_after): parsing starts again.
  void resume();

  bool in_tunnel() const { return state_ == State::kTunnel; }
  bool holding() const { return state_ == State::kHold; }
  // Inside a message (head started or body in progress).
  bool in_message() const;
  uint64_t tunnel_bytes() const { return tunnel_bytes_; }
  uint64_t skipped_bytes() const { return skipped_bytes_; }

 private:
  enum class State : uint8_t {
    kStartLine,   // before a message (empty lines ignored)
    kHeaders,     // header lines until the empty line
    kBodyLength,  // Content-Length body
    kChunkSize,   // chunk-size line
    kChunkData,   // chunk bytes
    kChunkEnd,    // CRLF after chunk bytes
    kTrailers,    // trailer lines after the last chunk
    kUntilClose,  // body until the end of the stream
    kResync,      // skipping lines until a request/status line
    kHold,        // waiting for the owner (CONNECT/Upgrade)
    kTunnel,      // not HTTP any more
  };

  // Accumulates a line from data[i..]; returns true when a whole line is in line_ (CR
  // dropped), advancing i. Bounded by max_line_bytes.
  bool take_line(Bytes data, size_t& i, int64_t ts_ns);
  void on_line(std::string_view line, int64_t ts_ns);
  bool start_message(std::string_view line, int64_t ts_ns, bool quiet);
  void add_header_line(std::string_view line, int64_t ts_ns, std::vector<HeaderField>& into);
  void end_head(int64_t ts_ns);
  void end_message(bool complete, int64_t ts_ns);
  void begin_resync();

  const bool is_request_;
  const Limits& limits_;
  HttpParserListener& listener_;
  State state_ = State::kStartLine;
  std::string line_;
  bool line_truncated_ = false;
  int64_t line_ts_ = 0;  // ts of the first byte of the current line
  MessageHead head_;
  size_t head_bytes_ = 0;
  bool head_limit_reported_ = false;
  std::vector<HeaderField> trailers_;
  uint64_t remaining_ = 0;  // body or chunk bytes still expected
  bool hold_after_ = false;
  bool body_gap_ = false;  // bytes of the current body were missing
  uint64_t tunnel_bytes_ = 0;
  uint64_t skipped_bytes_ = 0;  // bytes dropped while resynchronising or holding
};

}  // namespace netcap::app::http
