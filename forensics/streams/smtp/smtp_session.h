// One SMTP connection (RFC 5321): pairs each command with its reply (pipelining, RFC 2920:
// replies come in command order), follows AUTH exchanges, collects DATA (dot-unstuffed,
// §4.5.2) and BDAT chunks (RFC 3030) into Mail records with the envelope, and stops at
// STARTTLS (RFC 3207) once the server accepted it.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "forensics/app/app_protocol.h"
#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/mail/mail.h"

namespace netcap::app::smtp {

class SmtpSession : public AppSession {
 public:
  SmtpSession(AppContext& ctx, mail::MailObserver* observer);
  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override;
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override;
  void on_end(StreamEndReason reason, int64_t ts_ns) override;

 private:
  enum class ClientMode : uint8_t { kCommand, kData, kBdat };
  struct Pending {
    std::string verb;
    std::string argument;
    std::string mechanism;
    std::string user;
    int64_t ts = 0;
  };

  void on_client(std::string_view data, int64_t ts);
  void on_server(std::string_view data, int64_t ts);
  void client_line(std::string_view line, bool truncated, int64_t ts);
  void server_line(std::string_view line, bool truncated, int64_t ts);
  void reply(int code, const std::string& text, int64_t ts);
  void push(Pending p, int64_t ts);
  void emit(const Pending& p, int code, const std::string& text, int64_t reply_ts);
  void finish_message(int64_t ts, bool truncated);

  AppContext& ctx_;
  mail::MailObserver* observer_;
  LineSplitter client_lines_;
  LineSplitter server_lines_;
  ClientMode mode_ = ClientMode::kCommand;
  bool tls_ = false;             // STARTTLS accepted: the rest is encrypted
  bool greeted_ = false;         // the server greeting was seen
  std::deque<Pending> pending_;  // bounded by Limits::max_pending_transactions

  // Reply being assembled (multi-line).
  bool in_reply_ = false;
  int reply_code_ = 0;
  std::string reply_text_;  // bounded by Limits::max_header_bytes
  int64_t reply_ts_ = 0;

  // AUTH exchange in progress (RFC 4954 §4).
  bool auth_active_ = false;
  std::string auth_mechanism_;
  std::string auth_prompt_;  // last 334 challenge, decoded when text
  std::string auth_user_;
  std::string auth_challenge_;  // last 334 text as sent (base64), for CRAM-MD5
  // Credentials of the AUTH exchange, waiting for 235 (accepted) or 4xx/5xx (RFC 4954 §6).
  PendingCredential cred_;
  void sasl_credential(std::string_view response, int64_t ts);

  // Envelope and message.
  std::string mail_from_;
  std::vector<std::string> rcpt_to_;  // bounded by Limits::max_items_per_message
  mail::MailAccumulator message_;
  mail::DotUnstuffer unstuffer_;
  uint64_t bdat_remaining_ = 0;
  bool bdat_last_ = false;
};

}  // namespace netcap::app::smtp
