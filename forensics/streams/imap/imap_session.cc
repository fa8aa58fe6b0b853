#include "forensics/streams/imap/imap_session.h"

#include "forensics/mail/sasl.h"
#include "forensics/streams/imap/imap_parser.h"
#include "proto/mail.pb.h"

namespace netcap::app::imap {

namespace {
// Client literals up to this size are copied into IMAPCommand.Arguments as quoted strings
// (LOGIN user names, mailbox names); larger ones are shown as "{n}" only.
constexpr uint64_t kMaxInlineLiteral = 1024;

bool printable(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void append_bounded(std::string& to, std::string_view s, size_t max) {
  if (to.size() < max) to.append(s.substr(0, max - to.size()));
}
}  // namespace

ImapSession::ImapSession(AppContext& ctx, mail::MailObserver* observer)
    : ctx_(ctx),
      observer_(observer),
      client_lines_(ctx.limits().max_line_bytes),
      server_lines_(ctx.limits().max_line_bytes) {}

void ImapSession::on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
  if (tls_) return;
  if (dir == StreamDirection::kClientToServer) {
    on_client(as_text(data), ts_ns);
  } else {
    on_server(as_text(data), ts_ns);
  }
}

void ImapSession::on_client(std::string_view data, int64_t ts) {
  while (!data.empty() && !tls_) {
    if (client_literal_.active) {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(client_literal_.remaining, data.size()));
      if (client_literal_.is_mail) message_.append(data.substr(0, n));
      if (client_literal_.inline_text) client_literal_.text.append(data.substr(0, n));
      client_literal_.remaining -= n;
      data.remove_prefix(n);
      if (client_literal_.remaining == 0) end_client_literal(ts);
      continue;
    }
    const size_t nl = data.find('\n');
    const size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
    client_lines_.feed(as_bytes(data.substr(0, n)), [&](std::string_view line, bool truncated) {
      client_line(line, truncated, ts);
    });
    data.remove_prefix(n);
  }
}

void ImapSession::client_line(std::string_view line, bool truncated, int64_t ts) {
  const size_t max = ctx_.limits().max_line_bytes;
  if (truncated) {
    ctx_.anomaly("imap.line_too_long", "client line longer than " + std::to_string(max) + " bytes",
                 ts);
  }
  if (command_.empty()) {
    if (auth_active_) {
      // RFC 3501 §6.2.2: one base64 line per continuation; "*" cancels.
      for (auto& p : pending_) {
        if (p.tag == auth_tag_ && line != "*") sasl_credential(p, line);
        if (p.tag != auth_tag_ || !p.user.empty()) continue;
        if (p.mechanism == "PLAIN") p.user = mail::sasl_plain_user(line);
        if (p.mechanism == "LOGIN") p.user = mail::sasl_text(line);
        if (p.mechanism == "CRAM-MD5") p.user = mail::sasl_cram_md5_user(line);
      }
      return;
    }
    if (idle_ && iequals(trim(line), "DONE")) {
      idle_ = false;
      return;
    }
    if (trim(line).empty()) return;
    command_ts_ = ts;
  }
  append_bounded(command_, line, max);
  LiteralSuffix lit = literal_suffix(line);
  if (lit.present && !lit.valid) {
    ctx_.anomaly("imap.bad_literal", "client literal " + std::string(line.substr(lit.brace, 24)),
                 ts);
  }
  if (lit.present && lit.valid && !truncated) {
    client_literal_ = Literal{};
    client_literal_.active = true;
    client_literal_.remaining = lit.size;
    std::string_view args;
    const std::string name = command_name(split_tag(command_).rest, &args);
    if (name == "APPEND") {
      // RFC 3501 §6.3.11: the literal of APPEND is the message.
      client_literal_.is_mail = true;
      message_.clear();
    } else if (lit.size <= kMaxInlineLiteral) {
      client_literal_.inline_text = true;
    }
    if (lit.size == 0) end_client_literal(ts);
    return;
  }
  client_command(ts);
}

void ImapSession::end_client_literal(int64_t ts) {
  client_literal_.active = false;
  const size_t max = ctx_.limits().max_line_bytes;
  if (client_literal_.is_mail) {
    emit_mail(StreamDirection::kClientToServer, "APPEND", ts, false);
  } else if (client_literal_.inline_text && printable(client_literal_.text)) {
    // Replace "{n}" by the string it carried.
    const size_t brace = command_.rfind('{');
    if (brace != std::string::npos) command_.resize(brace);
    append_bounded(command_, quote(client_literal_.text), max);
  }
  client_literal_.text.clear();
  // The command goes on with the next line.
}

void ImapSession::client_command(int64_t ts) {
  (void)ts;
  Tagged t = split_tag(command_);
  Pending p;
  p.tag = std::string(t.tag);
  std::string_view args;
  p.command = command_name(t.rest, &args);
  p.arguments = std::string(args);
  p.ts = command_ts_;
  if (t.tag.empty() || t.rest.empty()) {
    ctx_.anomaly("imap.bad_command", "not a tagged command: " + command_.substr(0, 64), ts);
  }
  if (p.command == "LOGIN") {
    auto s = parse_strings(args, 2);
    if (!s.empty()) p.user = s[0];
    // RFC 3501 §6.2.3: LOGIN user password, both astrings in clear.
    if (!s.empty()) p.cred = Credential{s[0], "", s.size() > 1 ? s[1] : "", "", 0, "user/pass", ""};
  } else if (p.command == "AUTHENTICATE") {
    auto words = split(trim(args), ' ');
    p.mechanism = words.empty() ? std::string() : std::string(words[0]);
    for (char& c : p.mechanism) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    auth_challenge_.clear();
    if (words.size() >= 2) {
      // SASL-IR initial response (RFC 4959).
      if (p.mechanism == "PLAIN") p.user = mail::sasl_plain_user(words[1]);
      sasl_credential(p, words[1]);
    }
    auth_active_ = true;
    auth_tag_ = p.tag;
  } else if (p.command == "IDLE") {
    idle_ = true;
  }
  command_.clear();
  if (pending_.size() >= ctx_.limits().max_pending_transactions) {
    ctx_.anomaly("imap.too_many_pending",
                 "more than " + std::to_string(ctx_.limits().max_pending_transactions) +
                     " commands without completion",
                 ts);
    emit(pending_.front(), "", "", 0);
    pending_.pop_front();
  }
  pending_.push_back(std::move(p));
}

void ImapSession::on_server(std::string_view data, int64_t ts) {
  while (!data.empty() && !tls_) {
    if (server_literal_.active) {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(server_literal_.remaining, data.size()));
      if (server_literal_.is_mail) message_.append(data.substr(0, n));
      server_literal_.remaining -= n;
      data.remove_prefix(n);
      if (server_literal_.remaining == 0) end_server_literal(ts);
      continue;
    }
    const size_t nl = data.find('\n');
    const size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
    server_lines_.feed(as_bytes(data.substr(0, n)), [&](std::string_view line, bool truncated) {
      server_line(line, truncated, ts);
    });
    data.remove_prefix(n);
  }
}

void ImapSession::server_line(std::string_view line, bool truncated, int64_t ts) {
  const size_t max = ctx_.limits().max_line_bytes;
  if (truncated) {
    ctx_.anomaly("imap.line_too_long", "server line longer than " + std::to_string(max) + " bytes",
                 ts);
  }
  append_bounded(response_, line, max);
  LiteralSuffix lit = literal_suffix(line);
  if (lit.present && !lit.valid) {
    ctx_.anomaly("imap.bad_literal", "server literal " + std::string(line.substr(lit.brace, 24)),
                 ts);
  }
  if (lit.present && lit.valid && !truncated) {
    server_literal_ = Literal{};
    server_literal_.active = true;
    server_literal_.remaining = lit.size;
    const std::string item = fetch_item_before_literal(line.substr(0, lit.brace));
    if (item_is_message(item)) {
      if (lit.size > mail::kMaxMailBytes) {
        ctx_.anomaly("imap.literal_too_large",
                     "message literal of " + std::to_string(lit.size) + " bytes", ts);
      }
      server_literal_.is_mail = true;
      message_.clear();
      // "* 12 FETCH (..." -> "FETCH 12 BODY[]".
      Tagged t = split_tag(response_);
      Tagged n = split_tag(t.rest);
      literal_source_ = "FETCH " + std::string(n.tag) + " " + item;
    }
    if (lit.size == 0) end_server_literal(ts);
    return;
  }
  server_response(ts);
}

void ImapSession::end_server_literal(int64_t ts) {
  server_literal_.active = false;
  if (server_literal_.is_mail)
    emit_mail(StreamDirection::kServerToClient, literal_source_, ts, false);
}

void ImapSession::server_response(int64_t ts) {
  std::string response = std::move(response_);
  response_.clear();
  if (trim(response).empty()) return;
  Tagged t = split_tag(response);
  if (t.tag == "+") {
    if (auth_active_) auth_challenge_ = std::string(trim(t.rest));
    return;  // continuation request: the client goes on
  }
  if (t.tag == "*") {
    if (!greeted_ && pending_.empty()) {
      greeted_ = true;
      if (auto s = parse_status(t.rest)) {
        Pending g;
        g.ts = ts;
        emit(g, s->status, s->text, ts);
        if (s->status == "PREAUTH" || s->status == "OK") return;
      }
      return;
    }
    greeted_ = true;
    if (!pending_.empty()) ++pending_.front().untagged;
    return;
  }
  greeted_ = true;
  auto s = parse_status(t.rest);
  if (!s) {
    ctx_.anomaly("imap.bad_response", "tagged response without status: " + response.substr(0, 64),
                 ts);
    return;
  }
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->tag != t.tag) continue;
    Pending p = std::move(*it);
    pending_.erase(it);
    if (p.tag == auth_tag_) auth_active_ = false;
    if (p.command == "IDLE") idle_ = false;
    if (p.command == "STARTTLS" && s->status == "OK") {
      // RFC 9051 section 6.2.1: the TLS negotiation begins right after the tagged OK.
      tls_ = true;
      ctx_.switch_protocol("tls");
    }
    emit(p, s->status, s->text, ts);
    return;
  }
  ctx_.anomaly(
      "imap.unknown_tag",
      "completion for tag " + std::string(t.tag.substr(0, 32)) + " that no pending command has",
      ts);
}

void ImapSession::emit_mail(StreamDirection dir, std::string source, int64_t ts, bool truncated) {
  if (truncated) message_.mark_truncated();
  mail::MailContext mc;
  mc.protocol = "imap";
  mc.dir = dir;
  mc.source = std::move(source);
  mail::emit_mail(ctx_, message_, mc, ts, observer_);
  message_.clear();
}

void ImapSession::emit(const Pending& p, const std::string& status, std::string_view text,
                       int64_t reply_ts) {
  auto r = std::make_unique<netcap::IMAPCommand>();
  ctx_.stamp(*r,
             p.tag.empty() ? StreamDirection::kServerToClient : StreamDirection::kClientToServer,
             p.ts);
  r->set_tag(p.tag);
  r->set_command(p.command);
  r->set_arguments(p.arguments);
  r->set_status(status);
  r->set_statustext(std::string(text));
  r->set_authmechanism(p.mechanism);
  r->set_authuser(p.user);
  r->set_untaggedresponses(p.untagged);
  r->set_replytimestamp(reply_ts);
  ctx_.emit(std::move(r));
  if (p.cred) {
    // RFC 3501 §7.1: OK logs in, NO refuses, BAD is a protocol error (also not logged in).
    const LoginResult result = status == "OK"                      ? LoginResult::kAccepted
                               : status == "NO" || status == "BAD" ? LoginResult::kRejected
                                                                   : LoginResult::kUnknown;
    emit_credential(ctx_, *p.cred, p.ts, result, status);
  }
}

void ImapSession::sasl_credential(Pending& p, std::string_view response) {
  if (p.mechanism == "PLAIN") {
    if (auto up = sasl_plain(response))
      p.cred = Credential{up->first, "", up->second, "", 0, "plain", ""};
  } else if (p.mechanism == "LOGIN") {
    // The user name, then the password (one base64 line per continuation).
    if (!p.cred) {
      p.cred = Credential{mail::sasl_text(response), "", "", "", 0, "login", ""};
    } else if (p.cred->secret.empty()) {
      p.cred->secret = base64_decode(trim(response)).value_or(std::string(response));
    }
  } else if (p.mechanism == "CRAM-MD5") {
    std::string hash = cram_md5_hashcat(auth_challenge_, response);
    const int32_t mode = hash.empty() ? 0 : 16400;
    p.cred = Credential{
        mail::sasl_cram_md5_user(response), "", "", std::move(hash), mode, "cram-md5", ""};
  }
}

void ImapSession::on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
  (void)length;
  if (tls_) return;
  Literal& lit = dir == StreamDirection::kClientToServer ? client_literal_ : server_literal_;
  if (lit.active) {
    // The literal's byte count still holds: consume the missing bytes from it.
    if (lit.is_mail) message_.mark_truncated();
    if (length >= lit.remaining) {
      lit.remaining = 0;
      if (dir == StreamDirection::kClientToServer) {
        end_client_literal(ts_ns);
      } else {
        end_server_literal(ts_ns);
      }
    } else {
      lit.remaining -= length;
    }
    return;
  }
  if (dir == StreamDirection::kClientToServer) {
    client_lines_.reset();
    command_.clear();
  } else {
    server_lines_.reset();
    response_.clear();
  }
}

void ImapSession::on_end(StreamEndReason reason, int64_t ts_ns) {
  (void)reason;
  if ((client_literal_.active && client_literal_.is_mail) ||
      (server_literal_.active && server_literal_.is_mail)) {
    emit_mail(client_literal_.active ? StreamDirection::kClientToServer
                                     : StreamDirection::kServerToClient,
              client_literal_.active ? "APPEND" : literal_source_, ts_ns, true);
  }
  client_literal_.active = server_literal_.active = false;
  while (!pending_.empty()) {
    emit(pending_.front(), "", "", 0);
    pending_.pop_front();
  }
}

}  // namespace netcap::app::imap
