// One POP3 connection (RFC 1939): pairs each command with its status line (commands are
// answered in order; RFC 2449 pipelining), follows USER/PASS/APOP/AUTH, dot-unstuffs multi-line
// responses and turns RETR and TOP replies into Mail records; stops after an accepted STLS.
#pragma once

#include <deque>
#include <string>

#include "forensics/app/app_protocol.h"
#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/mail/mail.h"

namespace netcap::app::pop3 {

class Pop3Session : public AppSession {
 public:
  Pop3Session(AppContext& ctx, mail::MailObserver* observer);
  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override;
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override;
  void on_end(StreamEndReason reason, int64_t ts_ns) override;

 private:
  struct Pending {
    std::string keyword;
    std::string argument;
    std::string mechanism;
    std::string user;
    int64_t ts = 0;
    // Filled from the status line when the record waits for a multi-line block.
    std::string status;
    std::string text;
    int64_t reply_ts = 0;
  };

  void client_line(std::string_view line, bool truncated, int64_t ts);
  void server_line(std::string_view line, bool truncated, int64_t ts);
  void on_server(std::string_view data, int64_t ts);
  void finish_block(int64_t ts, bool truncated);
  // Holds the credential a SASL client response carries (PLAIN, LOGIN, CRAM-MD5).
  void sasl_credential(std::string_view response, int64_t ts);
  void push(Pending p, int64_t ts);
  void emit(const Pending& p, uint64_t block_bytes);

  AppContext& ctx_;
  mail::MailObserver* observer_;
  LineSplitter client_lines_;
  LineSplitter server_lines_;
  std::deque<Pending> pending_;  // bounded by Limits::max_pending_transactions
  bool greeted_ = false;
  bool tls_ = false;

  // Multi-line block being read (the command waits in block_cmd_).
  bool in_block_ = false;
  bool block_is_mail_ = false;
  Pending block_cmd_;
  uint64_t block_bytes_ = 0;
  mail::DotUnstuffer unstuffer_;
  mail::MailAccumulator message_;

  bool auth_active_ = false;
  std::string auth_mechanism_;
  std::string user_;  // last USER/APOP/SASL user, for the following records

  // Credentials (USER/PASS, APOP, AUTH PLAIN/LOGIN/CRAM-MD5) waiting for +OK/-ERR.
  PendingCredential cred_;
  std::string apop_banner_;     // "<...>" of the greeting (RFC 1939 §7), bounded by the line
  std::string auth_challenge_;  // last "+ " challenge of an AUTH exchange, as sent (base64)
};

}  // namespace netcap::app::pop3
