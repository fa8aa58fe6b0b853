// Mail messages shared by the SMTP, POP3 and IMAP sessions: accumulating the bytes of one
// message, dot-unstuffing (RFC 5321 §4.5.2, RFC 1939 §3), MIME parsing with GMime 3 into a
// `Mail` record with every part, and the observer that file extraction plugs in.
//
// Thread-safety: GMime is initialised once per process (std::call_once); parse_mail touches no
// other global state, so it may run on every shard thread at once. Everything else here is
// per-session state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "forensics/app/app_protocol.h"
#include "proto/mail.pb.h"

namespace netcap::app::mail {

// Bytes of one message kept for parsing. Limits::max_header_bytes (a header block) is far too
// small for bodies with attachments; 64 MiB covers common mail size limits (25-50 MB
// attachments grow by a third in base64). Past it the message is cut and marked Truncated.
inline constexpr size_t kMaxMailBytes = 64 * 1024 * 1024;

// Collects the bytes of one message up to a bound; counts what it drops.
class MailAccumulator {
 public:
  explicit MailAccumulator(size_t max_bytes = kMaxMailBytes) : max_(max_bytes) {}
  void append(std::string_view bytes);
  // Marks the message as incomplete (a gap, the connection ended mid-message).
  void mark_truncated() { truncated_ = true; }
  const std::string& data() const { return data_; }
  // Bytes seen, kept or not.
  uint64_t size() const { return size_; }
  // Bytes were dropped (limit) or marked missing.
  bool truncated() const { return truncated_ || size_ > data_.size(); }
  bool over_limit() const { return size_ > data_.size(); }
  bool empty() const { return size_ == 0 && !truncated_; }
  void clear();

 private:
  size_t max_;
  std::string data_;
  uint64_t size_ = 0;
  bool truncated_ = false;
};

// Removes the dot-stuffing of a dot-terminated text block (SMTP DATA, POP3 multi-line
// responses): a line "." ends the block, a leading "." of any other line is dropped. Works on
// any split of the byte stream; lines are not length-bounded (the caller bounds the output).
class DotUnstuffer {
 public:
  // Feeds `data`; unstuffed bytes go to `out(std::string_view)`. Returns the bytes of `data`
  // consumed: all of them, or up to and including the terminating ".\r\n" (then done() is true
  // and the rest belongs to the protocol again).
  template <typename Out>
  size_t feed(std::string_view data, Out&& out);
  bool done() const { return state_ == State::kDone; }
  void reset() { state_ = State::kLineStart; }

 private:
  enum class State : uint8_t { kLineStart, kMiddle, kDot, kDotCr, kDone };
  State state_ = State::kLineStart;
};

template <typename Out>
size_t DotUnstuffer::feed(std::string_view data, Out&& out) {
  size_t i = 0;
  size_t run = 0;  // start of the pending run of plain bytes
  auto flush = [&](size_t end) {
    if (end > run) out(data.substr(run, end - run));
  };
  for (; i < data.size() && state_ != State::kDone; ++i) {
    const char c = data[i];
    switch (state_) {
      case State::kLineStart:
        if (c == '.') {
          flush(i);
          state_ = State::kDot;
          run = i + 1;
        } else {
          state_ = c == '\n' ? State::kLineStart : State::kMiddle;
        }
        break;
      case State::kMiddle:
        if (c == '\n') state_ = State::kLineStart;
        break;
      case State::kDot:
        if (c == '\r') {
          state_ = State::kDotCr;
          run = i + 1;
        } else if (c == '\n') {
          state_ = State::kDone;  // a bare ".\n" (tolerated)
          run = i + 1;
        } else {
          // A stuffed dot: it was dropped, the line goes on from here.
          run = i;
          state_ = State::kMiddle;
        }
        break;
      case State::kDotCr:
        if (c == '\n') {
          state_ = State::kDone;
          run = i + 1;
        } else {
          out(std::string_view("\r"));  // ".\rX": keep the CR, drop the dot
          run = i;
          state_ = c == '\n' ? State::kLineStart : State::kMiddle;
        }
        break;
      case State::kDone:
        break;
    }
  }
  if (state_ != State::kDone && state_ != State::kDot && state_ != State::kDotCr) flush(i);
  return i;
}

// One MIME part with its decoded content, for observers.
struct DecodedPart {
  netcap::MailPart info;
  std::string content;  // transfer-decoded bytes
};

// Receives every complete (or cut) message: the raw bytes as carried (.eml) and each part with
// its decoded content. Implemented by file extraction; called on the shard thread.
class MailObserver {
 public:
  virtual ~MailObserver() = default;
  virtual void on_message(const netcap::Mail& record, std::string_view raw,
                          const std::vector<DecodedPart>& parts) = 0;
};

// Parse problems worth an anomaly.
struct ParseNotes {
  bool too_many_parts = false;    // more than Limits::max_items_per_message parts
  bool too_many_headers = false;  // more than Limits::max_header_fields fields
  bool decode_limit = false;      // a part decoded past Limits::max_decoded_body_bytes
  bool no_headers = false;        // GMime found no message (not a mail)
};

// Parses `raw` into `record` (header fields, parts; not the flow fields, Protocol, envelope,
// Size or Truncated). `parts_out`, when not null, receives every part with its decoded content.
ParseNotes parse_mail(std::string_view raw, const Limits& limits, netcap::Mail& record,
                      std::vector<DecodedPart>* parts_out);

// What a session knows about a message besides its bytes.
struct MailContext {
  const char* protocol = "";                               // "smtp", "pop3", "imap"
  StreamDirection dir = StreamDirection::kClientToServer;  // direction that carried the bytes
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string source;
};

// Parses the accumulated message, emits the Mail record (and anomalies mail.truncated,
// mail.too_many_parts, mail.too_many_headers, mail.decode_limit) and calls `observer` when set.
void emit_mail(AppContext& ctx, const MailAccumulator& message, const MailContext& mc,
               int64_t ts_ns, MailObserver* observer);

// Strips "<...>" around an address or id and surrounding blanks.
std::string strip_angles(std::string_view text);

}  // namespace netcap::app::mail
