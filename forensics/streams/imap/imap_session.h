// One IMAP connection (RFC 3501): collects each tagged client command (with its literals) and
// pairs it with its tagged completion, follows LOGIN and AUTHENTICATE, turns message literals
// of FETCH responses (BODY[], RFC822, header sections) and of APPEND commands into Mail
// records, and stops after an accepted STARTTLS.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "forensics/app/app_protocol.h"
#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/mail/mail.h"

namespace netcap::app::imap {

class ImapSession : public AppSession {
 public:
  ImapSession(AppContext& ctx, mail::MailObserver* observer);
  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override;
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override;
  void on_end(StreamEndReason reason, int64_t ts_ns) override;

 private:
  struct Pending {
    std::string tag;
    std::string command;
    std::string arguments;
    std::string mechanism;
    std::string user;
    int64_t ts = 0;
    int untagged = 0;
    // LOGIN / AUTHENTICATE: the credentials, written with the tagged completion's result.
    std::optional<Credential> cred;
  };
  // A literal being read in one direction.
  struct Literal {
    bool active = false;
    uint64_t remaining = 0;
    bool is_mail = false;
    bool inline_text = false;  // small client literal copied into the command text
    std::string text;
  };

  void on_client(std::string_view data, int64_t ts);
  void on_server(std::string_view data, int64_t ts);
  void client_line(std::string_view line, bool truncated, int64_t ts);
  void server_line(std::string_view line, bool truncated, int64_t ts);
  void client_command(int64_t ts);
  void server_response(int64_t ts);
  void end_client_literal(int64_t ts);
  void end_server_literal(int64_t ts);
  void emit_mail(StreamDirection dir, std::string source, int64_t ts, bool truncated);
  void emit(const Pending& p, const std::string& status, std::string_view text, int64_t reply_ts);
  // Fills p.cred from a SASL client response (PLAIN, LOGIN, CRAM-MD5).
  void sasl_credential(Pending& p, std::string_view response);

  AppContext& ctx_;
  mail::MailObserver* observer_;
  LineSplitter client_lines_;
  LineSplitter server_lines_;
  bool tls_ = false;
  bool greeted_ = false;
  std::deque<Pending> pending_;  // bounded by Limits::max_pending_transactions

  // Client command being assembled across literals (bounded by Limits::max_line_bytes).
  std::string command_;
  int64_t command_ts_ = 0;
  Literal client_literal_;
  bool auth_active_ = false;  // AUTHENTICATE exchange: client lines are SASL responses
  std::string auth_tag_;
  std::string auth_challenge_;  // last "+ " continuation text of AUTHENTICATE (CRAM-MD5)
  bool idle_ = false;           // IDLE: the client ends it with "DONE" (RFC 2177)

  // Server response being assembled across literals (bounded by Limits::max_line_bytes).
  std::string response_;
  Literal server_literal_;
  std::string literal_source_;

  mail::MailAccumulator message_;
};

}  // namespace netcap::app::imap
