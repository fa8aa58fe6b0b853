#include "forensics/streams/pop3/pop3_session.h"

#include "forensics/mail/sasl.h"
#include "forensics/streams/pop3/pop3_parser.h"
#include "proto/mail.pb.h"

namespace netcap::app::pop3 {

Pop3Session::Pop3Session(AppContext& ctx, mail::MailObserver* observer)
    : ctx_(ctx),
      observer_(observer),
      client_lines_(ctx.limits().max_line_bytes),
      server_lines_(ctx.limits().max_line_bytes) {}

void Pop3Session::on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
  if (tls_) return;
  if (dir == StreamDirection::kClientToServer) {
    client_lines_.feed(data, [&](std::string_view line, bool truncated) {
      if (!tls_) client_line(line, truncated, ts_ns);
    });
  } else {
    on_server(as_text(data), ts_ns);
  }
}

void Pop3Session::client_line(std::string_view line, bool truncated, int64_t ts) {
  if (truncated) {
    ctx_.anomaly(
        "pop3.line_too_long",
        "client line longer than " + std::to_string(ctx_.limits().max_line_bytes) + " bytes", ts);
  }
  Pending p;
  p.ts = ts;
  if (auth_active_) {
    // RFC 5034 §4: one base64 response line per "+" challenge, "*" cancels.
    p.keyword = "AUTH-DATA";
    p.argument = std::string(line);
    p.mechanism = auth_mechanism_;
    if (line != "*") sasl_credential(line, ts);
    if (auth_mechanism_ == "PLAIN") p.user = mail::sasl_plain_user(line);
    if (auth_mechanism_ == "CRAM-MD5") p.user = mail::sasl_cram_md5_user(line);
    if (auth_mechanism_ == "LOGIN" && user_.empty()) p.user = mail::sasl_text(line);
    if (!p.user.empty()) user_ = p.user;
    push(std::move(p), ts);
    return;
  }
  if (line.empty()) return;
  Command c = parse_command(line);
  if (!c.well_formed) {
    ctx_.anomaly("pop3.bad_command", "not a POP3 command: " + std::string(line.substr(0, 64)), ts);
  }
  p.keyword = c.keyword;
  p.argument = std::string(c.argument);
  if (c.keyword == "USER") {
    user_ = std::string(trim(c.argument));
    p.user = user_;
  } else if (c.keyword == "APOP") {
    // RFC 1939 §7: APOP name digest.
    auto words = split(trim(c.argument), ' ');
    user_ = words.empty() ? std::string() : std::string(words[0]);
    p.user = user_;
    // The digest is MD5(banner timestamp + secret): hashcat mode 20, md5($salt.$pass).
    Credential cred;
    cred.user = user_;
    cred.method = "apop";
    if (words.size() >= 2 && !apop_banner_.empty()) {
      cred.hash = std::string(words[1]) + ":" + apop_banner_;
      cred.hashcat_mode = 20;
    }
    cred_.hold(ctx_, std::move(cred), ts);
  } else if (c.keyword == "PASS") {
    p.user = user_;
    cred_.hold(ctx_, Credential{user_, "", std::string(c.argument), "", 0, "user/pass", ""}, ts);
  } else if (c.keyword == "AUTH" && !trim(c.argument).empty()) {
    auto words = split(trim(c.argument), ' ');
    auth_mechanism_ = std::string(words[0]);
    for (char& ch : auth_mechanism_) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    p.mechanism = auth_mechanism_;
    user_.clear();
    cred_.flush(ctx_);
    auth_challenge_.clear();
    if (words.size() >= 2 && words[1] != "=") {
      sasl_credential(words[1], ts);
      if (auth_mechanism_ == "PLAIN") p.user = mail::sasl_plain_user(words[1]);
      if (auth_mechanism_ == "LOGIN") p.user = mail::sasl_text(words[1]);
      user_ = p.user;
    }
    auth_active_ = true;
  }
  push(std::move(p), ts);
}

void Pop3Session::push(Pending p, int64_t ts) {
  if (pending_.size() >= ctx_.limits().max_pending_transactions) {
    ctx_.anomaly("pop3.too_many_pending",
                 "more than " + std::to_string(ctx_.limits().max_pending_transactions) +
                     " commands without status",
                 ts);
    emit(pending_.front(), 0);
    pending_.pop_front();
  }
  pending_.push_back(std::move(p));
}

void Pop3Session::on_server(std::string_view data, int64_t ts) {
  while (!data.empty() && !tls_) {
    if (in_block_) {
      const size_t used = unstuffer_.feed(data, [&](std::string_view s) {
        block_bytes_ += s.size();
        if (block_is_mail_) message_.append(s);
      });
      data.remove_prefix(used);
      if (unstuffer_.done()) finish_block(ts, false);
      continue;
    }
    // One line at a time: a status line may start a multi-line block.
    const size_t nl = data.find('\n');
    const size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
    server_lines_.feed(as_bytes(data.substr(0, n)), [&](std::string_view line, bool truncated) {
      server_line(line, truncated, ts);
    });
    data.remove_prefix(n);
  }
}

void Pop3Session::server_line(std::string_view line, bool truncated, int64_t ts) {
  if (truncated) {
    ctx_.anomaly(
        "pop3.line_too_long",
        "server line longer than " + std::to_string(ctx_.limits().max_line_bytes) + " bytes", ts);
  }
  auto s = parse_status(line);
  if (!s) {
    if (!line.empty()) {
      ctx_.anomaly("pop3.bad_status", "not a POP3 status line: " + std::string(line.substr(0, 64)),
                   ts);
    }
    return;
  }
  if (pending_.empty()) {
    if (greeted_) {
      ctx_.anomaly("pop3.unexpected_status", s->indicator + " without a command", ts);
    }
    if (!greeted_ && s->indicator == "+OK") {
      // RFC 1939 §7: the APOP timestamp is the "<...>" part of the greeting.
      const size_t open = s->text.find('<');
      const size_t close = s->text.find('>', open == std::string_view::npos ? 0 : open);
      if (open != std::string_view::npos && close != std::string_view::npos)
        apop_banner_ = std::string(s->text.substr(open, close - open + 1));
    }
    greeted_ = true;
    Pending g;
    g.ts = ts;
    g.status = s->indicator;
    g.text = std::string(s->text);
    g.reply_ts = ts;
    emit(g, 0);
    return;
  }
  greeted_ = true;
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  p.status = s->indicator;
  p.text = std::string(s->text);
  p.reply_ts = ts;
  if (p.keyword == "AUTH" || p.keyword == "AUTH-DATA") {
    if (s->indicator != "+") auth_active_ = false;
    if (s->indicator == "+") auth_challenge_ = std::string(trim(s->text));
  }
  if ((p.keyword == "PASS" || p.keyword == "APOP" || p.keyword == "AUTH" ||
       p.keyword == "AUTH-DATA") &&
      s->indicator != "+") {
    cred_.resolve(ctx_, s->indicator == "+OK" ? LoginResult::kAccepted : LoginResult::kRejected,
                  s->indicator);
  }
  if (p.keyword == "STLS" && s->indicator == "+OK") {
    // RFC 2595 section 4: the TLS negotiation begins right after the +OK.
    tls_ = true;
    ctx_.switch_protocol("tls");
  }
  if (s->indicator == "+OK" && has_multiline_response(p.keyword, p.argument)) {
    in_block_ = true;
    block_is_mail_ = p.keyword == "RETR" || p.keyword == "TOP";
    block_bytes_ = 0;
    unstuffer_.reset();
    message_.clear();
    block_cmd_ = std::move(p);
    return;
  }
  emit(p, 0);
}

void Pop3Session::sasl_credential(std::string_view response, int64_t ts) {
  if (auth_mechanism_ == "PLAIN") {
    if (auto up = sasl_plain(response))
      cred_.hold(ctx_, Credential{up->first, "", up->second, "", 0, "plain", ""}, ts);
  } else if (auth_mechanism_ == "LOGIN") {
    // RFC draft-murchison-sasl-login: the user name, then the password, one per challenge.
    if (!cred_.active()) {
      cred_.hold(ctx_, Credential{mail::sasl_text(response), "", "", "", 0, "login", ""}, ts);
    } else if (cred_.held().method == "login" && cred_.held().secret.empty()) {
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

void Pop3Session::finish_block(int64_t ts, bool truncated) {
  in_block_ = false;
  if (block_is_mail_) {
    if (truncated) message_.mark_truncated();
    mail::MailContext mc;
    mc.protocol = "pop3";
    mc.dir = StreamDirection::kServerToClient;
    mc.source = block_cmd_.keyword + " " + block_cmd_.argument;
    mail::emit_mail(ctx_, message_, mc, ts, observer_);
    message_.clear();
  }
  emit(block_cmd_, block_bytes_);
}

void Pop3Session::emit(const Pending& p, uint64_t block_bytes) {
  auto r = std::make_unique<netcap::POP3Command>();
  ctx_.stamp(
      *r, p.keyword.empty() ? StreamDirection::kServerToClient : StreamDirection::kClientToServer,
      p.ts);
  r->set_command(p.keyword);
  r->set_argument(p.argument);
  r->set_status(p.status);
  r->set_statustext(p.text);
  r->set_authmechanism(p.mechanism);
  r->set_authuser(p.user);
  r->set_responsebytes(static_cast<int64_t>(block_bytes));
  r->set_replytimestamp(p.reply_ts);
  ctx_.emit(std::move(r));
}

void Pop3Session::on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
  (void)length, (void)ts_ns;
  if (tls_) return;
  if (dir == StreamDirection::kClientToServer) {
    client_lines_.reset();
  } else {
    server_lines_.reset();
    // The block goes on after the gap: its terminator still ends it.
    if (in_block_ && block_is_mail_) message_.mark_truncated();
  }
}

void Pop3Session::on_end(StreamEndReason reason, int64_t ts_ns) {
  (void)reason;
  if (in_block_) finish_block(ts_ns, true);
  cred_.flush(ctx_);
  while (!pending_.empty()) {
    emit(pending_.front(), 0);
    pending_.pop_front();
  }
}

}  // namespace netcap::app::pop3
