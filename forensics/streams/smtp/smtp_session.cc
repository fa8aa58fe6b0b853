#include "forensics/streams/smtp/smtp_session.h"

#include "forensics/mail/sasl.h"
#include "forensics/streams/smtp/smtp_parser.h"
#include "proto/mail.pb.h"

namespace netcap::app::smtp {

SmtpSession::SmtpSession(AppContext& ctx, mail::MailObserver* observer)
    : ctx_(ctx),
      observer_(observer),
      client_lines_(ctx.limits().max_line_bytes),
      server_lines_(ctx.limits().max_line_bytes) {}

void SmtpSession::on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
  if (tls_) return;
  if (dir == StreamDirection::kClientToServer) {
    on_client(as_text(data), ts_ns);
  } else {
    on_server(as_text(data), ts_ns);
  }
}

void SmtpSession::on_client(std::string_view data, int64_t ts) {
  while (!data.empty() && !tls_) {
    switch (mode_) {
      case ClientMode::kData: {
        const size_t used = unstuffer_.feed(data, [&](std::string_view s) { message_.append(s); });
        data.remove_prefix(used);
        if (unstuffer_.done()) finish_message(ts, false);
        break;
      }
      case ClientMode::kBdat: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(bdat_remaining_, data.size()));
        message_.append(data.substr(0, n));
        data.remove_prefix(n);
        bdat_remaining_ -= n;
        if (bdat_remaining_ == 0) {
          mode_ = ClientMode::kCommand;
          if (bdat_last_) finish_message(ts, false);
        }
        break;
      }
      case ClientMode::kCommand: {
        // One line at a time: a command may switch the mode for the bytes after it.
        const size_t nl = data.find('\n');
        const size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
        client_lines_.feed(as_bytes(data.substr(0, n)), [&](std::string_view line, bool truncated) {
          client_line(line, truncated, ts);
        });
        data.remove_prefix(n);
        break;
      }
    }
  }
}

void SmtpSession::client_line(std::string_view line, bool truncated, int64_t ts) {
  if (truncated) {
    ctx_.anomaly(
        "smtp.line_too_long",
        "client line longer than " + std::to_string(ctx_.limits().max_line_bytes) + " bytes", ts);
  }
  if (auth_active_) {
    // RFC 4954 §4: a client response is one base64 line, "*" cancels.
    Pending p{"AUTH-DATA", std::string(line), auth_mechanism_, "", ts};
    if (line != "*") sasl_credential(line, ts);
    if (line != "*") {
      if (auth_mechanism_ == "PLAIN") {
        p.user = mail::sasl_plain_user(line);
      } else if (auth_mechanism_ == "LOGIN" && auth_user_.empty() &&
                 (auth_prompt_.empty() || ifind(auth_prompt_, "user") != std::string::npos)) {
        p.user = mail::sasl_text(line);
      } else if (auth_mechanism_ == "CRAM-MD5") {
        p.user = mail::sasl_cram_md5_user(line);
      }
      if (!p.user.empty()) auth_user_ = p.user;
    }
    push(std::move(p), ts);
    return;
  }
  if (line.empty()) return;
  Command c = parse_command(line);
  if (!c.well_formed) {
    ctx_.anomaly("smtp.bad_command", "not an SMTP command: " + std::string(line.substr(0, 64)), ts);
  }
  Pending p{c.verb, std::string(c.argument), "", "", ts};
  if (c.verb == "AUTH") {
    auto words = split(trim(c.argument), ' ');
    auth_mechanism_ = words.empty() ? std::string() : to_lower(words[0]);
    for (char& ch : auth_mechanism_) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    auth_active_ = true;
    auth_prompt_.clear();
    auth_user_.clear();
    auth_challenge_.clear();
    cred_.flush(ctx_);
    p.mechanism = auth_mechanism_;
    if (words.size() >= 2 && words[1] != "=") {
      sasl_credential(words[1], ts);
      // Initial response (RFC 4954 §4).
      if (auth_mechanism_ == "PLAIN") p.user = mail::sasl_plain_user(words[1]);
      if (auth_mechanism_ == "LOGIN") p.user = mail::sasl_text(words[1]);
      auth_user_ = p.user;
    }
  } else if (c.verb == "MAIL") {
    mail_from_ = parse_path(c.argument, "FROM:");
    rcpt_to_.clear();
  } else if (c.verb == "RCPT") {
    if (rcpt_to_.size() < ctx_.limits().max_items_per_message) {
      rcpt_to_.push_back(parse_path(c.argument, "TO:"));
    } else {
      ctx_.anomaly("smtp.too_many_recipients",
                   "more than " + std::to_string(ctx_.limits().max_items_per_message) + " RCPT TO",
                   ts);
    }
  } else if (c.verb == "RSET" || c.verb == "HELO" || c.verb == "EHLO") {
    mail_from_.clear();
    rcpt_to_.clear();
  } else if (c.verb == "DATA") {
    // The data follows once the server answered 354; with pipelining the client may not wait
    // for it, so switch now and switch back if DATA is refused.
    mode_ = ClientMode::kData;
    message_.clear();
    unstuffer_.reset();
  } else if (c.verb == "BDAT") {
    auto b = parse_bdat(c.argument);
    if (!b) {
      ctx_.anomaly("smtp.bad_bdat", "BDAT " + std::string(c.argument.substr(0, 64)), ts);
    } else {
      if (b->size > 0) {
        mode_ = ClientMode::kBdat;
        bdat_remaining_ = b->size;
      }
      bdat_last_ = b->last;
      if (b->size == 0 && b->last) finish_message(ts, false);
    }
  }
  push(std::move(p), ts);
}

void SmtpSession::push(Pending p, int64_t ts) {
  if (pending_.size() >= ctx_.limits().max_pending_transactions) {
    ctx_.anomaly("smtp.too_many_pending",
                 "more than " + std::to_string(ctx_.limits().max_pending_transactions) +
                     " commands without reply",
                 ts);
    emit(pending_.front(), 0, "", 0);
    pending_.pop_front();
  }
  pending_.push_back(std::move(p));
}

void SmtpSession::on_server(std::string_view data, int64_t ts) {
  // Replies are lines; after a 220 to STARTTLS the rest is TLS (tls_ stops the callback's work).
  server_lines_.feed(as_bytes(data), [&](std::string_view line, bool truncated) {
    if (!tls_) server_line(line, truncated, ts);
  });
}

void SmtpSession::server_line(std::string_view line, bool truncated, int64_t ts) {
  if (truncated) {
    ctx_.anomaly(
        "smtp.line_too_long",
        "server line longer than " + std::to_string(ctx_.limits().max_line_bytes) + " bytes", ts);
  }
  auto r = parse_reply_line(line);
  if (!r) {
    if (!line.empty())
      ctx_.anomaly("smtp.bad_reply", "not an SMTP reply: " + std::string(line.substr(0, 64)), ts);
    return;
  }
  if (!in_reply_) {
    in_reply_ = true;
    reply_code_ = r->code;
    reply_text_.clear();
    reply_ts_ = ts;
  } else {
    if (r->code != reply_code_) {
      ctx_.anomaly("smtp.bad_reply",
                   "reply code changed from " + std::to_string(reply_code_) + " to " +
                       std::to_string(r->code) + " inside a multi-line reply",
                   ts);
    }
    if (reply_text_.size() < ctx_.limits().max_header_bytes) reply_text_ += '\n';
  }
  if (reply_text_.size() < ctx_.limits().max_header_bytes) {
    reply_text_.append(r->text.substr(0, ctx_.limits().max_header_bytes - reply_text_.size()));
  }
  if (r->more) return;
  in_reply_ = false;
  reply(reply_code_, reply_text_, reply_ts_);
}

void SmtpSession::reply(int code, const std::string& text, int64_t ts) {
  if (pending_.empty()) {
    if (!greeted_) {
      greeted_ = true;
    } else if (code != 421) {
      // 421 may be sent at any time (§3.8); anything else is a reply nobody asked for.
      ctx_.anomaly("smtp.unexpected_reply", "reply " + std::to_string(code) + " without a command",
                   ts);
    }
    emit(Pending{"", "", "", "", ts}, code, text, ts);
    return;
  }
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  greeted_ = true;
  if (p.verb == "AUTH" || p.verb == "AUTH-DATA") {
    if (code == 334) {
      auth_prompt_ = mail::sasl_text(text);
      auth_challenge_ = std::string(trim(text));
    } else {
      auth_active_ = false;
      cred_.resolve(ctx_,
                    code == 235   ? LoginResult::kAccepted
                    : code >= 400 ? LoginResult::kRejected
                                  : LoginResult::kUnknown,
                    std::to_string(code));
    }
  } else if (p.verb == "DATA") {
    if (code != 354 && mode_ == ClientMode::kData && message_.empty()) mode_ = ClientMode::kCommand;
  } else if (p.verb == "STARTTLS" && code == 220) {
    // RFC 3207 section 4.2: after the 220 the next bytes on both sides are the TLS handshake.
    tls_ = true;
    ctx_.switch_protocol("tls");
  }
  emit(p, code, text, ts);
}

void SmtpSession::sasl_credential(std::string_view response, int64_t ts) {
  if (auth_mechanism_ == "PLAIN") {
    if (auto up = sasl_plain(response))
      cred_.hold(ctx_, Credential{up->first, "", up->second, "", 0, "plain", ""}, ts);
  } else if (auth_mechanism_ == "LOGIN") {
    // The user name, then the password, each after a 334 prompt ("Username:", "Password:");
    // the prompt decides when it is text, else the order does.
    const bool password_prompt = ifind(auth_prompt_, "pass") != std::string::npos;
    const bool user_prompt = ifind(auth_prompt_, "user") != std::string::npos;
    if (!cred_.active() || (user_prompt && !password_prompt)) {
      cred_.hold(ctx_, Credential{mail::sasl_text(response), "", "", "", 0, "login", ""}, ts);
    } else if (cred_.held().method == "login") {
      auto decoded = base64_decode(trim(response));
      cred_.held().secret = decoded.value_or(std::string(response));
    }
  } else if (auth_mechanism_ == "CRAM-MD5") {
    std::string hash = cram_md5_hashcat(auth_challenge_, response);
    const int32_t mode = hash.empty() ? 0 : 16400;
    cred_.hold(ctx_,
               Credential{mail::sasl_cram_md5_user(response), "", "", std::move(hash), mode,
                          "cram-md5", ""},
               ts);
  }
}

void SmtpSession::emit(const Pending& p, int code, const std::string& text, int64_t reply_ts) {
  auto r = std::make_unique<netcap::SMTPCommand>();
  ctx_.stamp(*r,
             p.verb.empty() ? StreamDirection::kServerToClient : StreamDirection::kClientToServer,
             p.ts);
  r->set_command(p.verb);
  r->set_argument(p.argument);
  r->set_replycode(code);
  r->set_replytext(text);
  r->set_authmechanism(p.mechanism);
  r->set_authuser(p.user);
  r->set_replytimestamp(reply_ts);
  ctx_.emit(std::move(r));
}

void SmtpSession::finish_message(int64_t ts, bool truncated) {
  mode_ = ClientMode::kCommand;
  if (truncated) message_.mark_truncated();
  mail::MailContext mc;
  mc.protocol = "smtp";
  mc.dir = StreamDirection::kClientToServer;
  mc.mail_from = mail_from_;
  mc.rcpt_to = rcpt_to_;
  mail::emit_mail(ctx_, message_, mc, ts, observer_);
  const uint64_t size = message_.size();
  message_.clear();
  unstuffer_.reset();
  // The server's reply to the end of data (DATA) or to the last chunk (BDAT ... LAST) pairs
  // with this pseudo command; for BDAT the chunk command already waits for it.
  if (!bdat_last_) push(Pending{"EOM", std::to_string(size), "", "", ts}, ts);
  bdat_last_ = false;
}

void SmtpSession::on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
  (void)length;
  if (tls_) return;
  if (dir == StreamDirection::kClientToServer) {
    client_lines_.reset();
    if (mode_ != ClientMode::kCommand) message_.mark_truncated();
    if (mode_ == ClientMode::kBdat) {
      // The chunk count is lost with the bytes: give up on this message.
      finish_message(ts_ns, true);
    }
  } else {
    server_lines_.reset();
    in_reply_ = false;
  }
}

void SmtpSession::on_end(StreamEndReason reason, int64_t ts_ns) {
  (void)reason;
  cred_.flush(ctx_);
  if (mode_ != ClientMode::kCommand && !message_.empty()) finish_message(ts_ns, true);
  while (!pending_.empty()) {
    emit(pending_.front(), 0, "", 0);
    pending_.pop_front();
  }
}

}  // namespace netcap::app::smtp
