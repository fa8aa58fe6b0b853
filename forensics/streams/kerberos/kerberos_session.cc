#include "forensics/streams/kerberos/kerberos_session.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/util/byte_cursor.h"
#include "forensics/app/text_util.h"
#include "proto/kerberos.pb.h"

namespace netcap::app::kerberos {

void SaltCache::put(const std::string& key, const std::string& salt) {
  auto [it, inserted] = salts_.try_emplace(key, salt);
  if (!inserted) {
    it->second = salt;
    return;
  }
  order_.push_back(key);
  if (order_.size() > kMaxEntries) {
    salts_.erase(order_.front());
    order_.pop_front();
  }
}

const std::string* SaltCache::find(const std::string& key) const {
  auto it = salts_.find(key);
  return it == salts_.end() ? nullptr : &it->second;
}

KerberosSession::KerberosSession(AppContext& ctx, bool tcp) : ctx_(ctx), tcp_(tcp) {
  salt_prefix_ = ctx.flow().client.to_string() + " " + ctx.flow().server.to_string() + " ";
}

void KerberosSession::on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length,
                                  int64_t ts_ns, uint64_t frame) {
  handle_message(dir, payload, ts_ns, frame, payload.size() < payload_length);
}

// RFC 4120 §7.2.2: each message is preceded by its length as 4 octets in network byte order;
// several messages may share a segment and a message may span several.
void KerberosSession::on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
  framers_[static_cast<int>(dir)].feed(
      data,
      [&](uint32_t length, Bytes prefix) {
        if ((length & 0x80000000u) != 0) {
          // "The high bit of the length is reserved for future expansion and MUST currently be
          // set to zero"; nothing defines what follows, so this direction stops.
          ctx_.anomaly("kerberos.tcp_reserved_bit",
                       "record mark 0x" + hex(prefix) +
                           " has the reserved high bit set; parsing of this direction stops",
                       ts_ns);
          return LengthPrefixFramer::Verdict::kStop;
        }
        if (length == 0) {
          ctx_.anomaly("kerberos.truncated", "TCP record of length 0", ts_ns);
          return LengthPrefixFramer::Verdict::kCollect;  // nothing to collect
        }
        if (length > kMaxTcpMessageBytes) {
          ctx_.anomaly("kerberos.message_too_large",
                       "TCP record of " + std::to_string(length) + " bytes (limit " +
                           std::to_string(kMaxTcpMessageBytes) + "); the message is skipped",
                       ts_ns);
          return LengthPrefixFramer::Verdict::kSkip;
        }
        return LengthPrefixFramer::Verdict::kCollect;
      },
      [&](Bytes message) { handle_message(dir, message, ts_ns, 0, false); });
}

void KerberosSession::on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
  LengthPrefixFramer& f = framers_[static_cast<int>(dir)];
  const std::string detail = f.describe_gap(f.gap(length), length, "record mark");
  if (!detail.empty()) ctx_.anomaly("kerberos.tcp_gap", detail, ts_ns);
}

void KerberosSession::on_end(StreamEndReason, int64_t ts_ns) {
  if (tcp_) {
    for (const LengthPrefixFramer& f : framers_) {
      if (f.ended_in_prefix()) {
        ctx_.anomaly("kerberos.truncated", "stream ended inside a record mark", ts_ns);
      } else if (f.ended_in_message()) {
        ctx_.anomaly("kerberos.truncated",
                     "stream ended inside a message: " + std::to_string(f.collected()) + " of " +
                         std::to_string(f.need()) + " bytes",
                     ts_ns);
      }
    }
  }
  // Requests never answered: their credentials with an unknown result.
  for (Pending& p : pending_) emit_held(p, LoginResult::kUnknown, {});
  pending_.clear();
}

void KerberosSession::emit_held(Pending& p, LoginResult result, std::string_view detail) {
  if (!p.credential) return;
  emit_credential(ctx_, *p.credential, p.ts_ns, result, detail);
  p.credential.reset();
}

bool KerberosSession::add_pending(Pending p, int64_t ts_ns) {
  for (const Pending& q : pending_) {
    // A retransmitted request (same nonce): the first one stays, the client waited since then.
    if (q.msg_type == p.msg_type && q.dir == p.dir && q.nonce == p.nonce) return false;
  }
  if (pending_.size() >= std::max<size_t>(1, ctx_.limits().max_pending_transactions)) {
    if (!pending_overflow_reported_) {
      ctx_.anomaly("kerberos.too_many_pending",
                   std::to_string(pending_.size()) +
                       " unanswered requests on the flow (limit max_pending_transactions); the "
                       "oldest are no longer paired",
                   ts_ns);
      pending_overflow_reported_ = true;
    }
    emit_held(pending_.front(), LoginResult::kUnknown, {});
    pending_.pop_front();
  }
  pending_.push_back(std::move(p));
  return true;
}

std::optional<KerberosSession::Pending> KerberosSession::take_pending(int msg_type,
                                                                      StreamDirection dir) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->dir == dir) continue;
    const bool answers = msg_type == kKrbError || (msg_type == kAsRep && it->msg_type == kAsReq) ||
                         (msg_type == kTgsRep && it->msg_type == kTgsReq);
    if (!answers) continue;
    Pending p = std::move(*it);
    pending_.erase(it);
    return p;
  }
  return std::nullopt;
}

void KerberosSession::learn_salt(const std::string& salt) {
  if (salt.empty()) return;
  ctx_.shard_state().get<SaltCache>().put(salt_prefix_ + to_lower(salt), salt);
}

std::string KerberosSession::salted_user(const std::string& realm,
                                         const PrincipalName& name) const {
  // RFC 4120 §4: the default salt is the realm followed by the name components. hashcat
  // rebuilds it as upper-case REALM + user, so a salt the KDC sent that differs from ours
  // only in case (AD keeps the account name's case) tells which spelling to write.
  const std::string fallback = name.concatenated();
  std::string upper_realm = realm;
  for (char& c : upper_realm) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  const SaltCache& cache = ctx_.shard_state().get<SaltCache>();
  const std::string* salt = cache.find(salt_prefix_ + to_lower(realm + fallback));
  if (salt == nullptr || salt->compare(0, upper_realm.size(), upper_realm) != 0) return fallback;
  return salt->substr(upper_realm.size());
}

void KerberosSession::credential_for_request(const KrbMessage& m, Pending& p) {
  if (m.msg_type != kAsReq || !m.pa_enc_timestamp.present || m.cname.components.empty()) return;
  // RFC 4120 §5.2.7.2: PA-ENC-TIMESTAMP is the current time encrypted with the client's key:
  // a guessed password can be checked against it offline.
  Credential c;
  c.user = m.cname.joined();
  c.domain = m.realm;
  c.method = "krb5pa";
  c.target = m.sname.joined();
  HashInput in;
  in.etype = m.pa_enc_timestamp.etype;
  in.user = c.user;
  in.user_salted = salted_user(m.realm, m.cname);
  in.realm = m.realm;
  in.cipher = m.pa_enc_timestamp.cipher;
  HashLine h = krb5pa_hashcat(in);
  c.hash = std::move(h.line);
  c.hashcat_mode = h.mode;
  p.credential = std::move(c);
}

void KerberosSession::credential_for_reply(const KrbMessage& m,
                                           const std::optional<Pending>& request, int64_t ts_ns) {
  const bool pkinit =
      std::find(m.padata_types.begin(), m.padata_types.end(), kPaPkAsRep) != m.padata_types.end();
  Credential c;
  c.user = m.cname.joined();
  c.domain = m.crealm;
  c.target = m.sname.joined();
  HashInput in;
  in.user = c.user;
  in.user_salted = salted_user(m.crealm, m.cname);
  in.realm = m.crealm;
  in.spn = c.target;
  HashLine h;
  if (m.msg_type == kAsRep) {
    // AS-REP roasting: without pre-authentication anyone can ask for an AS-REP whose enc-part
    // is encrypted with the client's key (RFC 4120 §3.1.3). Replies to pre-authenticated
    // requests are left out (their PA-ENC-TIMESTAMP is already a krb5pa credential), as are
    // PKINIT replies (the reply key comes from the Diffie-Hellman exchange, RFC 4556 §3.2.3).
    if ((request && request->pre_authenticated) || pkinit || !m.enc_part.present) return;
    c.method = "krb5asrep";
    in.etype = m.enc_part.etype;
    in.cipher = m.enc_part.cipher;
    h = krb5asrep_hashcat(in);
  } else if (m.msg_type == kTgsRep) {
    // Kerberoasting: a service ticket is encrypted with the service account's key. Tickets
    // for krbtgt (TGTs, referrals) use the KDC's random key and are left out.
    if (!m.ticket_enc_part.present ||
        (!m.sname.components.empty() && iequals(m.sname.components[0], "krbtgt"))) {
      return;
    }
    c.method = "krb5tgs";
    in.etype = m.ticket_enc_part.etype;
    in.cipher = m.ticket_enc_part.cipher;
    h = krb5tgs_hashcat(in);
  } else {
    return;
  }
  if (h.line.empty() || c.user.empty()) return;  // nothing hashcat could take
  if (h.line.size() > kMaxCredentialFieldBytes) {
    // A cut line would not verify: better none, and say so.
    ctx_.anomaly("kerberos.hash_too_long",
                 c.method + " line of " + std::to_string(h.line.size()) + " characters for " +
                     c.user + " exceeds the credential field limit of " +
                     std::to_string(kMaxCredentialFieldBytes) + "; not written",
                 ts_ns);
    return;
  }
  c.hash = std::move(h.line);
  c.hashcat_mode = h.mode;
  // No Result: the KDC checked no password in these exchanges.
  emit_credential(ctx_, c, ts_ns);
}

void KerberosSession::resolve(Pending& p, const KrbMessage& reply) {
  if (!p.credential) return;
  if (reply.msg_type == kAsRep) {
    emit_held(p, LoginResult::kAccepted, "AS-REP");
    return;
  }
  std::string detail(error_code_name(reply.error_code));
  if (detail.empty()) detail = std::to_string(reply.error_code);
  // KRB_ERR_RESPONSE_TOO_BIG says only "retry over TCP"; every other error refused the login
  // (KDC_ERR_PREAUTH_FAILED: wrong password; others: locked, expired, unknown, policy).
  emit_held(p, reply.error_code == 52 ? LoginResult::kUnknown : LoginResult::kRejected, detail);
}

void KerberosSession::handle_message(StreamDirection dir, Bytes msg, int64_t ts_ns, uint64_t frame,
                                     bool snap_cut) {
  KrbMessage m;
  ParseResult result = parse_message(msg, m);
  for (Finding& f : result.findings) {
    if (snap_cut && f.name == "kerberos.truncated") {
      f.detail += " (datagram cut by the capture's snap length)";
    }
    ctx_.anomaly(f.name, std::move(f.detail), ts_ns);
  }
  if (!result.recognized) return;

  auto rec = std::make_unique<netcap::Kerberos>();
  ctx_.stamp(*rec, dir, ts_ns);
  rec->set_frame(frame);
  rec->set_transport(tcp_ ? "tcp" : "udp");
  rec->set_msgtype(m.msg_type);
  rec->set_msgtypename(std::string(msg_type_name(m.msg_type)));
  rec->set_clientname(m.cname.joined());
  rec->set_clientnametype(m.cname.type);
  rec->set_servername(m.sname.joined());
  rec->set_servernametype(m.sname.type);
  for (int32_t e : m.etypes) rec->add_etypes(e);
  if (m.has_kdc_options) {
    rec->set_kdcoptions(m.kdc_options);
    for (std::string& n : kdc_option_names(m.kdc_options)) rec->add_kdcoptionnames(std::move(n));
  }
  rec->set_nonce(m.nonce);
  rec->set_till(m.till_ns);
  for (const std::string& a : m.addresses) rec->add_addresses(a);
  for (int32_t t : m.padata_types) rec->add_padatatypes(t);
  rec->set_preauthetype(m.pa_enc_timestamp.present ? m.pa_enc_timestamp.etype : 0);
  rec->set_salt(m.salt);
  rec->set_malformed(!result.complete);

  const bool request = m.msg_type == kAsReq || m.msg_type == kTgsReq;
  if (request) {
    rec->set_clientrealm(m.msg_type == kAsReq ? m.realm : std::string());
    rec->set_serverrealm(m.realm);
    Pending p;
    p.msg_type = m.msg_type;
    p.dir = dir;
    p.ts_ns = ts_ns;
    p.frame = frame;
    p.nonce = m.nonce;
    p.pre_authenticated = m.pa_enc_timestamp.present;
    credential_for_request(m, p);
    // A retransmission carries the same PA-ENC-TIMESTAMP: one credential is enough.
    add_pending(std::move(p), ts_ns);
  } else {
    if (m.has_salt) learn_salt(m.salt);
    std::optional<Pending> req = take_pending(m.msg_type, dir);
    if (req) {
      rec->set_responsetimens(ts_ns - req->ts_ns);
      rec->set_requestframe(req->frame);
      rec->set_requesttimestamp(req->ts_ns);
      rec->set_nonce(req->nonce);
      resolve(*req, m);
    }
    if (m.msg_type == kKrbError) {
      rec->set_clientrealm(m.crealm);
      rec->set_serverrealm(m.realm);
      rec->set_errorcode(m.error_code);
      rec->set_errorname(std::string(error_code_name(m.error_code)));
      rec->set_errortext(m.e_text);
    } else {
      rec->set_clientrealm(m.crealm);
      rec->set_serverrealm(m.ticket_realm);
      rec->set_ticketetype(m.ticket_enc_part.etype);
      rec->set_ticketkvno(static_cast<int32_t>(m.ticket_enc_part.kvno));
      rec->set_encpartetype(m.enc_part.etype);
      rec->set_encpartkvno(static_cast<int32_t>(m.enc_part.kvno));
      if (result.complete) credential_for_reply(m, req, ts_ns);
    }
  }
  ctx_.emit(std::move(rec));
}

}  // namespace netcap::app::kerberos
