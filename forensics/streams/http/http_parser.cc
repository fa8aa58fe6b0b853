#include "forensics/streams/http/http_parser.h"

#include <algorithm>
#include <array>

#include "forensics/app/text_util.h"

namespace netcap::app::http {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// "HTTP/1.0", "HTTP/1.1" (any single minor digit; RFC 9112 §2.3).
bool is_http1_version(std::string_view v) {
  return v.size() == 8 && v.substr(0, 7) == "HTTP/1." && v[7] >= '0' && v[7] <= '9';
}

std::string cut(std::string_view s, size_t n = 80) {
  return std::string(s.substr(0, std::min(s.size(), n)));
}

}  // namespace

const std::string* MessageHead::find(std::string_view name) const {
  for (const HeaderField& f : headers) {
    if (iequals(f.name, name)) return &f.value;
  }
  return nullptr;
}

std::string MessageHead::joined(std::string_view name) const {
  std::string out;
  for (const HeaderField& f : headers) {
    if (!iequals(f.name, name)) continue;
    if (!out.empty()) out += ", ";
    out += f.value;
  }
  return out;
}

bool is_known_method(std::string_view m) {
  static constexpr std::array<std::string_view, 36> kMethods = {"GET",
                                                                "POST",
                                                                "HEAD",
                                                                "PUT",
                                                                "DELETE",
                                                                "OPTIONS",
                                                                "TRACE",
                                                                "CONNECT",
                                                                "PATCH",
                                                                "PROPFIND",
                                                                "PROPPATCH",
                                                                "MKCOL",
                                                                "COPY",
                                                                "MOVE",
                                                                "LOCK",
                                                                "UNLOCK",
                                                                "SEARCH",
                                                                "REPORT",
                                                                "MKACTIVITY",
                                                                "CHECKOUT",
                                                                "MERGE",
                                                                "M-SEARCH",
                                                                "NOTIFY",
                                                                "SUBSCRIBE",
                                                                "UNSUBSCRIBE",
                                                                "PURGE",
                                                                "LINK",
                                                                "UNLINK",
                                                                "MKCALENDAR",
                                                                "ACL",
                                                                "BIND",
                                                                "REBIND",
                                                                "UNBIND",
                                                                "VERSION-CONTROL",
                                                                "BASELINE-CONTROL",
                                                                "QUERY"};
  return std::find(kMethods.begin(), kMethods.end(), m) != kMethods.end();
}

bool parse_request_line(std::string_view line, RequestLine& out) {
  // RFC 9112 §3: method SP request-target SP HTTP-version. Extra spaces are tolerated around
  // the target (§3 allows lenient parsing); the version must be last.
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return false;
  const std::string_view method = line.substr(0, sp1);
  if (!std::all_of(method.begin(), method.end(), is_tchar)) return false;
  std::string_view rest = line.substr(sp1 + 1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  const size_t sp2 = rest.rfind(' ');
  if (sp2 == std::string_view::npos) return false;
  const std::string_view version = rest.substr(sp2 + 1);
  if (!is_http1_version(version)) return false;
  std::string_view target = rest.substr(0, sp2);
  while (!target.empty() && target.front() == ' ') target.remove_prefix(1);
  while (!target.empty() && target.back() == ' ') target.remove_suffix(1);
  if (target.empty()) return false;
  for (char c : target) {
    if (static_cast<unsigned char>(c) < 0x21 && c != ' ') return false;  // controls
  }
  out.method = method;
  out.target = target;
  out.version = version;
  return true;
}

bool parse_status_line(std::string_view line, StatusLine& out) {
  // RFC 9112 §4: HTTP-version SP status-code SP [reason-phrase]. The SP before an empty reason
  // is often missing in practice.
  if (line.size() < 12 || !is_http1_version(line.substr(0, 8)) || line[8] != ' ') return false;
  const std::string_view code = line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (line.size() > 12 && line[12] != ' ') return false;
  out.version = line.substr(0, 8);
  out.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  out.reason = line.size() > 13 ? trim(line.substr(13)) : std::string_view();
  return true;
}

HttpParser::HttpParser(bool is_request, const Limits& limits, HttpParserListener& listener)
    : is_request_(is_request), limits_(limits), listener_(listener) {}

bool HttpParser::in_message() const {
  switch (state_) {
    case State::kStartLine:
      return !line_.empty();
    case State::kResync:
    case State::kHold:
    case State::kTunnel:
      return false;
    default:
      return true;
  }
}

void HttpParser::enter_tunnel() {
  state_ = State::kTunnel;
  line_.clear();
  line_truncated_ = false;
}

void HttpParser::resume() {
  if (state_ == State::kHold) state_ = State::kStartLine;
}

void HttpParser::begin_resync() {
  state_ = State::kResync;
  body_gap_ = false;
  line_.clear();
  line_truncated_ = false;
  head_ = MessageHead();
  trailers_.clear();
  hold_after_ = false;
}

bool HttpParser::take_line(Bytes data, size_t& i, int64_t ts_ns) {
  if (line_.empty() && !line_truncated_) line_ts_ = ts_ns;
  const uint8_t* begin = data.data() + i;
  const uint8_t* end = data.data() + data.size();
  const uint8_t* lf = std::find(begin, end, uint8_t('\n'));
  const size_t piece = static_cast<size_t>(lf - begin);
  const size_t room =
      limits_.max_line_bytes > line_.size() ? limits_.max_line_bytes - line_.size() : 0;
  if (piece > room) line_truncated_ = true;
  line_.append(reinterpret_cast<const char*>(begin), std::min(piece, room));
  if (state_ == State::kResync) skipped_bytes_ += piece + (lf != end ? 1 : 0);
  if (lf == end) {
    i = data.size();
    return false;
  }
  i += piece + 1;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

void HttpParser::feed(Bytes data, int64_t ts_ns) {
  size_t i = 0;
  while (i < data.size()) {
    switch (state_) {
      case State::kBodyLength:
      case State::kChunkData: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - i));
        listener_.on_body(data.subspan(i, n), ts_ns);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          if (state_ == State::kBodyLength) {
            end_message(true, ts_ns);
          } else {
            state_ = State::kChunkEnd;
          }
        }
        break;
      }
      case State::kUntilClose:
        listener_.on_body(data.subspan(i), ts_ns);
        i = data.size();
        break;
      case State::kHold:
        skipped_bytes_ += data.size() - i;
        i = data.size();
        break;
      case State::kTunnel:
        tunnel_bytes_ += data.size() - i;
        i = data.size();
        break;
      default:
        if (take_line(data, i, ts_ns)) {
          std::string line = std::move(line_);
          const bool truncated = line_truncated_;
          line_.clear();
          line_truncated_ = false;
          if (truncated && state_ != State::kResync) {
            listener_.on_anomaly("http.line_too_long",
                                 "line longer than " + std::to_string(limits_.max_line_bytes) +
                                     " bytes cut: " + cut(line),
                                 line_ts_);
          }
          on_line(line, line_ts_);
        }
        break;
    }
  }
}

void HttpParser::on_line(std::string_view line, int64_t ts_ns) {
  switch (state_) {
    case State::kStartLine:
      // RFC 9112 §2.2: empty lines before a request line are ignored (robustness).
      if (line.empty()) return;
      if (!start_message(line, ts_ns, false)) begin_resync();
      return;
    case State::kResync:
      start_message(line, ts_ns, true);
      return;
    case State::kHeaders:
      if (line.empty()) {
        end_head(ts_ns);
      } else {
        add_header_line(line, ts_ns, head_.headers);
      }
      return;
    case State::kChunkSize: {
      // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF. Whitespace before the extension is
      // tolerated (seen in practice).
      std::string_view size = line.substr(0, line.find(';'));
      size = trim(size);
      uint64_t value = 0;
      bool ok = !size.empty() && size.size() <= 15;
      for (char c : size) {
        int d = -1;
        if (c >= '0' && c <= '9')
          d = c - '0';
        else if (c >= 'a' && c <= 'f')
          d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
          d = c - 'A' + 10;
        if (d < 0) {
          ok = false;
          break;
        }
        value = value * 16 + static_cast<uint64_t>(d);
      }
      if (!ok) {
        listener_.on_anomaly("http.bad_chunk", "bad chunk-size line: " + cut(line), ts_ns);
        end_message(false, ts_ns);
        begin_resync();
        return;
      }
      if (value == 0) {
        state_ = State::kTrailers;
      } else {
        remaining_ = value;
        state_ = State::kChunkData;
      }
      return;
    }
    case State::kChunkEnd:
      if (!line.empty()) {
        listener_.on_anomaly("http.bad_chunk", "chunk data not followed by CRLF: " + cut(line),
                             ts_ns);
        end_message(false, ts_ns);
        begin_resync();
        return;
      }
      state_ = State::kChunkSize;
      return;
    case State::kTrailers:
      if (line.empty()) {
        end_message(true, ts_ns);
      } else {
        add_header_line(line, ts_ns, trailers_);
      }
      return;
    default:
      return;
  }
}

bool HttpParser::start_message(std::string_view line, int64_t ts_ns, bool quiet) {
  head_ = MessageHead();
  head_.is_request = is_request_;
  head_.ts_ns = ts_ns;
  if (is_request_) {
    RequestLine r;
    // While resynchronising only registered methods count: a body line "FOO bar HTTP/1.1" is
    // unlikely, but cheap to exclude.
    if (!parse_request_line(line, r) || (quiet && !is_known_method(r.method))) {
      if (!quiet)
        listener_.on_anomaly("http.bad_request_line", "not a request line: " + cut(line), ts_ns);
      return false;
    }
    head_.method = r.method;
    head_.target = r.target;
    head_.version = r.version;
  } else {
    StatusLine s;
    if (!parse_status_line(line, s)) {
      if (!quiet)
        listener_.on_anomaly("http.bad_status_line", "not a status line: " + cut(line), ts_ns);
      return false;
    }
    head_.version = s.version;
    head_.status = s.status;
    head_.reason = s.reason;
  }
  head_bytes_ = line.size() + 2;
  head_limit_reported_ = false;
  state_ = State::kHeaders;
  return true;
}

void HttpParser::add_header_line(std::string_view line, int64_t ts_ns,
                                 std::vector<HeaderField>& into) {
  head_bytes_ += line.size() + 2;
  if (head_bytes_ > limits_.max_header_bytes || into.size() >= limits_.max_header_fields) {
    if (!head_limit_reported_) {
      head_limit_reported_ = true;
      if (head_bytes_ > limits_.max_header_bytes) {
        listener_.on_anomaly("http.header_too_large",
                             "head larger than " + std::to_string(limits_.max_header_bytes) +
                                 " bytes; further fields dropped",
                             ts_ns);
      } else {
        listener_.on_anomaly("http.too_many_headers",
                             "more than " + std::to_string(limits_.max_header_fields) +
                                 " header fields; further fields dropped",
                             ts_ns);
      }
    }
    return;
  }
  // RFC 9112 §5.2: obs-fold continues the previous field value.
  if ((line.front() == ' ' || line.front() == '\t') && !into.empty()) {
    into.back().value += ' ';
    into.back().value += trim(line);
    return;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    listener_.on_anomaly("http.bad_header",
                         "header line without a field name and ':': " + cut(line), ts_ns);
    return;
  }
  into.push_back(HeaderField{std::string(trim(line.substr(0, colon))),
                             std::string(trim(line.substr(colon + 1)))});
}

void HttpParser::end_head(int64_t ts_ns) {
  // RFC 9112 §6.3: Transfer-Encoding wins over Content-Length; without either a request has
  // no body and a response is read until the connection closes.
  BodyFraming proposed = is_request_ ? BodyFraming::kNone : BodyFraming::kUntilClose;
  uint64_t length = 0;
  const std::string te = head_.joined("Transfer-Encoding");
  const std::string* cl = head_.find("Content-Length");
  if (!te.empty()) {
    const std::vector<std::string_view> codings = split(te, ',');
    if (iequals(trim(codings.back()), "chunked")) {
      proposed = BodyFraming::kChunked;
    } else {
      listener_.on_anomaly("http.bad_transfer_encoding",
                           "final transfer coding is not chunked: " + cut(te), ts_ns);
    }
    if (cl != nullptr) {
      listener_.on_anomaly("http.bad_content_length",
                           "both Transfer-Encoding and Content-Length (" + cut(*cl) + ")", ts_ns);
    }
  } else if (cl != nullptr) {
    // RFC 9110 §8.6: a list of identical values is accepted as one value.
    const std::string all = head_.joined("Content-Length");
    std::optional<uint64_t> value;
    bool ok = true;
    for (std::string_view v : split(all, ',')) {
      std::optional<uint64_t> n = parse_decimal(trim(v));
      if (!n || (value && *value != *n)) {
        ok = false;
        break;
      }
      value = n;
    }
    if (!ok || !value) {
      listener_.on_anomaly("http.bad_content_length", "invalid Content-Length: " + cut(all), ts_ns);
    } else {
      length = *value;
      proposed = length > 0 ? BodyFraming::kLength : BodyFraming::kNone;
    }
  }
  const HeadDecision d = listener_.on_head(head_, proposed, ts_ns);
  hold_after_ = d.hold_after;
  switch (d.framing) {
    case BodyFraming::kNone:
      end_message(true, ts_ns);
      return;
    case BodyFraming::kTunnel:
      end_message(true, ts_ns);
      enter_tunnel();
      return;
    case BodyFraming::kLength:
      remaining_ = length;
      state_ = length > 0 ? State::kBodyLength : State::kStartLine;
      if (length == 0) end_message(true, ts_ns);
      return;
    case BodyFraming::kChunked:
      state_ = State::kChunkSize;
      return;
    case BodyFraming::kUntilClose:
      state_ = State::kUntilClose;
      return;
  }
}

void HttpParser::end_message(bool complete, int64_t ts_ns) {
  complete = complete && !body_gap_;
  body_gap_ = false;
  state_ = hold_after_ ? State::kHold : State::kStartLine;
  hold_after_ = false;
  listener_.on_message_end(complete, trailers_, ts_ns);
  trailers_.clear();
  head_ = MessageHead();
}

void HttpParser::gap(uint64_t length, int64_t ts_ns) {
  switch (state_) {
    case State::kBodyLength:
    case State::kChunkData: {
      const uint64_t in_body = std::min(length, remaining_);
      body_gap_ = true;
      listener_.on_body_gap(in_body, ts_ns);
      remaining_ -= in_body;
      if (in_body < length) {
        // The gap runs past the body: the next head is damaged too.
        end_message(false, ts_ns);
        begin_resync();
      } else if (remaining_ == 0) {
        if (state_ == State::kBodyLength) {
          end_message(false, ts_ns);
        } else {
          state_ = State::kChunkEnd;
        }
      }
      return;
    }
    case State::kUntilClose:
      body_gap_ = true;
      listener_.on_body_gap(length, ts_ns);
      return;
    case State::kHold:
      skipped_bytes_ += length;
      return;
    case State::kTunnel:
      tunnel_bytes_ += length;
      return;
    case State::kResync:
      skipped_bytes_ += length;
      line_.clear();
      line_truncated_ = false;
      return;
    case State::kStartLine:
      if (!line_.empty()) {
        listener_.on_anomaly("http.gap_in_head",
                             std::to_string(length) + " bytes missing in a start line", ts_ns);
      }
      begin_resync();
      skipped_bytes_ += length;
      return;
    case State::kHeaders: {
      listener_.on_anomaly("http.gap_in_head",
                           std::to_string(length) + " bytes missing in a message head", ts_ns);
      // The start line and the fields so far are still worth a record: deliver what we have
      // as an incomplete message.
      hold_after_ = false;
      listener_.on_head(head_, BodyFraming::kNone, ts_ns);
      end_message(false, ts_ns);
      begin_resync();
      skipped_bytes_ += length;
      return;
    }
    case State::kChunkSize:
    case State::kChunkEnd:
    case State::kTrailers:
      listener_.on_body_gap(length, ts_ns);
      end_message(false, ts_ns);
      begin_resync();
      return;
  }
}

void HttpParser::finish(int64_t ts_ns) {
  switch (state_) {
    case State::kUntilClose:
      end_message(true, ts_ns);
      return;
    case State::kBodyLength:
    case State::kChunkData:
    case State::kChunkSize:
    case State::kChunkEnd:
    case State::kTrailers:
      listener_.on_anomaly(
          "http.body_truncated",
          state_ == State::kBodyLength
              ? "stream ended " + std::to_string(remaining_) + " bytes before the end of the body"
              : std::string("stream ended inside a chunked body"),
          ts_ns);
      end_message(false, ts_ns);
      return;
    case State::kHeaders:
      hold_after_ = false;
      listener_.on_head(head_, BodyFraming::kNone, ts_ns);
      end_message(false, ts_ns);
      return;
    default:
      return;
  }
}

}  // namespace netcap::app::http
