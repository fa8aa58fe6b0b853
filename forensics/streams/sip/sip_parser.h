// SIP (RFC 3261) message and SDP (RFC 4566) body parsing: text in, structs out. Pure: no
// records, no state between calls. The session (sip.cc) finds message boundaries (a datagram,
// or Content-Length framing on TCP) and turns these structs into SIP records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netcap::app::sip {

// A problem found while parsing: the session reports it as the anomaly "sip.<name>".
struct Problem {
  std::string name;    // "bad_header_line", ...
  std::string detail;  // the values seen
};

struct NameAddr {
  std::string display_name;
  std::string uri;
  std::string tag;
};

struct Via {
  std::string transport;
  std::string sent_by;
  std::string branch;
  std::string received;
  std::string rport;
};

struct Digest {
  std::string header;  // header name as canonical ("Authorization", ...)
  std::string scheme;
  std::string username, realm, nonce, uri, response, algorithm, opaque, qop, nc, cnonce;
};

struct SdpRtpMap {
  int payload_type = 0;
  std::string encoding;
  int clock_rate = 0;
  std::string parameters;
};

struct SdpMedia {
  std::string media;
  int port = 0;
  std::string protocol;
  std::vector<std::string> formats;
  std::string connection_address;
  std::vector<SdpRtpMap> rtpmaps;
  std::string direction;
};

struct Sdp {
  std::string owner_username, session_id, session_version, owner_address, session_name;
  std::vector<std::string> connection_addresses;
  std::vector<SdpMedia> media;
  std::vector<std::string> codecs;
};

// The start line (RFC 3261 §7.1 Request-Line, §7.2 Status-Line).
struct StartLine {
  bool is_request = false;
  std::string method;
  std::string request_uri;
  int status_code = 0;
  std::string reason;
  std::string version;  // "SIP/2.0"
};

struct Message {
  StartLine start;
  // Header lines in order (name as written, value with folding joined), up to the bound.
  std::vector<std::pair<std::string, std::string>> headers;
  // Interpreted headers (compact forms understood).
  std::string call_id;
  NameAddr from, to;
  uint32_t cseq_number = 0;
  std::string cseq_method;
  std::vector<Via> via;
  std::vector<NameAddr> contact;
  std::string user_agent, server, content_type;
  int64_t content_length = -1;          // -1: absent
  std::optional<Digest> authorization;  // first Authorization / Proxy-Authorization
  std::optional<Digest> challenge;      // first WWW-Authenticate / Proxy-Authenticate
  bool has_authorization = false;
  bool has_challenge = false;
};

// Parses a start line (without CRLF); nothing when it is not a SIP/2.0 start line.
std::optional<StartLine> parse_start_line(std::string_view line);

// Whether `text` (the first bytes of a stream or datagram, possibly without a complete line)
// can still be the beginning of a SIP start line: used by the probes.
enum class StartLineCheck { kNo, kPrefix, kYes };
StartLineCheck check_start_line(std::string_view text);

// Parses a message head: the start line and header lines, without the empty line ending it
// (LF or CRLF line ends). Header lines past `max_fields` are not kept ("too_many_headers").
// Returns false (and a "bad_start_line" problem) when the start line is not SIP.
bool parse_head(std::string_view head, size_t max_fields, Message& out,
                std::vector<Problem>& problems);

// Position just past the empty line ending the head in `text` ("\r\n\r\n" or "\n\n"), and the
// length of the head without that empty line; nothing when the head is not complete.
struct HeadEnd {
  size_t head_length;
  size_t body_start;
};
std::optional<HeadEnd> find_head_end(std::string_view text);

// Canonical lower-case name of a header, compact forms expanded (RFC 3261 §7.3.3): "i" ->
// "call-id", "f" -> "from", "t" -> "to", "v" -> "via", "m" -> "contact", "l" ->
// "content-length", "c" -> "content-type", ...
std::string canonical_header(std::string_view name);

// Header value helpers (RFC 3261 §25.1 grammar, leniently).
NameAddr parse_name_addr(std::string_view value);
// Splits at commas outside quotes and angle brackets (Via, Contact lists).
std::vector<std::string_view> split_list(std::string_view value);
Via parse_via(std::string_view value);
Digest parse_digest(std::string_view header, std::string_view value);

// Parses an SDP body; media and formats are bounded by `max_items`.
Sdp parse_sdp(std::string_view body, size_t max_items, std::vector<Problem>& problems);

}  // namespace netcap::app::sip
