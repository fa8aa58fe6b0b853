// Credentials: the shared helper the application sessions use to build and emit a Credentials
// record (proto/credentials.proto), and the pure functions that turn what a mechanism sent into
// the record's fields: hashcat lines for NetNTLMv1/v2, HTTP/SIP Digest and CRAM-MD5, APOP,
// NTLMSSP parsing (for NTLM carried in HTTP headers), Digest/Authorization parameter parsing and
// the user/password field names of HTML forms.
//
// All functions are pure and take borrowed views. PendingCredential holds one credential per
// session while it waits for the server's answer; it belongs to one session (one shard thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "forensics/app/app_protocol.h"

namespace netcap {
class Credentials;
}

namespace netcap::app {

// What one login attempt carried. Service, flow and endpoints come from the AppContext.
struct Credential {
  std::string user;
  std::string domain;
  std::string secret;  // cleartext password, when sent in clear
  std::string hash;    // crackable form (hashcat input line), when a challenge response
  int32_t hashcat_mode = 0;
  std::string method;  // "basic", "digest", "ntlmv2", "plain", ... (see the proto)
  std::string target;  // URL, realm/URI or NTLM target; may be empty
};

enum class LoginResult : uint8_t { kUnknown, kAccepted, kRejected };
std::string_view login_result_name(LoginResult r);  // "", "accepted", "rejected"

// Builds the Credentials record for `c` stamped as a client message at `ts_ns` (Client* = the
// flow's originator), with Service = ctx.protocol(), and emits it. Fields longer than
// kMaxCredentialFieldBytes are cut (a user name or hash is never that long; a cut is recorded as
// the anomaly "<protocol>.credential_too_long").
constexpr size_t kMaxCredentialFieldBytes = 8192;
// build_credential makes the record without emitting it (for a session that must fix the
// endpoints, e.g. HTTP seen from the middle of a connection); emit it with ctx.emit.
std::unique_ptr<Credentials> build_credential(AppContext& ctx, const Credential& c, int64_t ts_ns,
                                              LoginResult result, std::string_view detail);
void emit_credential(AppContext& ctx, const Credential& c, int64_t ts_ns,
                     LoginResult result = LoginResult::kUnknown, std::string_view detail = {});

// One credential waiting for the server's answer (FTP 230/530, POP3 +OK/-ERR, SMTP 235/535,
// IMAP tagged OK/NO, HTTP status, SMB status). Holding a second one emits the first with an
// unknown result, so at most one is kept per session. Call flush() from on_end.
class PendingCredential {
 public:
  bool active() const { return active_; }
  void hold(AppContext& ctx, Credential c, int64_t ts_ns);
  void resolve(AppContext& ctx, LoginResult result, std::string_view detail);
  void flush(AppContext& ctx);
  // The held credential (valid while active()): a session may complete it (e.g. LOGIN's
  // password after the user name).
  Credential& held() { return c_; }

 private:
  bool active_ = false;
  Credential c_;
  int64_t ts_ = 0;
};

// ---------------------------------------------------------------- NTLM ([MS-NLMP])

// The fields of an NTLMSSP message that credentials need.
struct NtlmMessage {
  uint32_t type = 0;                      // 1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE
  std::string server_challenge;           // CHALLENGE: 16 hex digits
  std::string target_name;                // CHALLENGE: TargetName, UTF-8
  std::string user, domain, workstation;  // AUTHENTICATE, UTF-8
  std::string lm_response, nt_response;   // AUTHENTICATE: hex
};
// Parses a token starting with "NTLMSSP\0"; nothing when it is malformed or cut.
std::optional<NtlmMessage> parse_ntlm_message(std::span<const uint8_t> token);

// hashcat line of an AUTHENTICATE answered to `server_challenge_hex` (16 hex digits):
//   NetNTLMv1 (NT response of 24 bytes), mode 5500: user::domain:lm:nt:challenge
//   NetNTLMv2 (longer NT response),        mode 5600: user::domain:challenge:ntproofstr:blob
// Sets `mode` and `method` ("ntlmv1"/"ntlmv2"). Empty (mode 0) without a challenge or with an
// empty/anonymous NT response.
std::string ntlm_hashcat(std::string_view user, std::string_view domain,
                         std::string_view server_challenge_hex, std::string_view lm_hex,
                         std::string_view nt_hex, int32_t& mode, std::string& method);

// ---------------------------------------------------------------- Digest (RFC 7616, RFC 3261)

// name=value pairs of an auth-param list (`realm="x", nonce="y", qop=auth`): names lower-cased,
// quoted-string values unescaped. Bounded by kMaxAuthParams.
constexpr size_t kMaxAuthParams = 64;
std::vector<std::pair<std::string, std::string>> parse_auth_params(std::string_view text);
// Value of `name` (lower case) in `params`, empty when absent.
std::string_view auth_param(const std::vector<std::pair<std::string, std::string>>& params,
                            std::string_view name);

// hashcat mode 11400 line of a Digest response ("$sip$*server*client*user*realm*METHOD*prefix*
// resource*suffix*nonce*cnonce*nc*qop*MD5*response"); `method` is the request method, `uri`
// the digest uri (split at the first ':' when it has a scheme, as for SIP). Empty when the
// algorithm is not MD5 (hashcat has no mode for the others) or a field hashcat cannot carry
// (containing '*') is present.
std::string digest_hashcat(const std::vector<std::pair<std::string, std::string>>& params,
                           std::string_view method, std::string_view server,
                           std::string_view client);

// ---------------------------------------------------------------- SASL and mail

// SASL PLAIN (RFC 4616): base64("authzid\0authcid\0passwd") -> user (authcid, else authzid) and
// password; nothing when not decodable.
std::optional<std::pair<std::string, std::string>> sasl_plain(std::string_view base64);
// hashcat mode 16400 line of CRAM-MD5 (RFC 2195): "$cram_md5$<challenge b64>$<response b64>".
std::string cram_md5_hashcat(std::string_view challenge_base64, std::string_view response_base64);

// ---------------------------------------------------------------- forms and query strings

// True for field names that hold a user name / a password (ASCII case ignored; also names like
// "login[username]" or "user_email" that contain one of the words).
bool is_user_field(std::string_view name);
bool is_password_field(std::string_view name);
// User and password from an application/x-www-form-urlencoded body or a query string: the first
// user-like and first password-like field. Nothing unless a password-like field is present.
std::optional<Credential> form_credential(std::string_view urlencoded);

}  // namespace netcap::app
