#include "forensics/app/credentials.h"

#include <array>
#include <cstring>

#include "core/util/byte_cursor.h"
#include "forensics/app/text_util.h"
#include "proto/credentials.pb.h"

namespace netcap::app {

std::string_view login_result_name(LoginResult r) {
  switch (r) {
    case LoginResult::kAccepted:
      return "accepted";
    case LoginResult::kRejected:
      return "rejected";
    case LoginResult::kUnknown:
      break;
  }
  return "";
}

void emit_credential(AppContext& ctx, const Credential& c, int64_t ts_ns, LoginResult result,
                     std::string_view detail) {
  ctx.emit(build_credential(ctx, c, ts_ns, result, detail));
}

std::unique_ptr<Credentials> build_credential(AppContext& ctx, const Credential& c, int64_t ts_ns,
                                              LoginResult result, std::string_view detail) {
  bool cut = false;
  auto bounded = [&](const std::string& s) {
    if (s.size() <= kMaxCredentialFieldBytes) return s;
    cut = true;
    return s.substr(0, kMaxCredentialFieldBytes);
  };
  auto r = std::make_unique<netcap::Credentials>();
  ctx.stamp(*r, StreamDirection::kClientToServer, ts_ns);
  r->set_service(std::string(ctx.protocol()));
  r->set_user(bounded(c.user));
  r->set_domain(bounded(c.domain));
  r->set_secret(bounded(c.secret));
  r->set_hash(bounded(c.hash));
  r->set_hashcatmode(c.hashcat_mode);
  r->set_method(c.method);
  r->set_target(bounded(c.target));
  r->set_result(std::string(login_result_name(result)));
  r->set_resultdetail(std::string(detail.substr(0, 256)));
  if (cut) {
    ctx.anomaly(std::string(ctx.protocol()) + ".credential_too_long",
                "a credential field was longer than " + std::to_string(kMaxCredentialFieldBytes) +
                    " bytes and was cut",
                ts_ns);
  }
  return r;
}

void PendingCredential::hold(AppContext& ctx, Credential c, int64_t ts_ns) {
  flush(ctx);
  c_ = std::move(c);
  ts_ = ts_ns;
  active_ = true;
}

void PendingCredential::resolve(AppContext& ctx, LoginResult result, std::string_view detail) {
  if (!active_) return;
  active_ = false;
  emit_credential(ctx, c_, ts_, result, detail);
  c_ = Credential{};
}

void PendingCredential::flush(AppContext& ctx) { resolve(ctx, LoginResult::kUnknown, {}); }

// ---------------------------------------------------------------- NTLM

namespace {

// UTF-16LE to UTF-8; unpaired surrogates become U+FFFD, an odd last byte is dropped.
std::string utf16le(std::span<const uint8_t> b) {
  std::string out;
  auto put = [&](uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  };
  for (size_t i = 0; i + 1 < b.size(); i += 2) {
    uint32_t u = b[i] | (uint32_t{b[i + 1]} << 8);
    if (u >= 0xD800 && u < 0xDC00 && i + 3 < b.size()) {
      const uint32_t lo = b[i + 2] | (uint32_t{b[i + 3]} << 8);
      if (lo >= 0xDC00 && lo < 0xE000) {
        put(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u < 0xE000) u = 0xFFFD;
    put(u);
  }
  return out;
}

constexpr uint8_t kNtlmSignature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
constexpr uint32_t kNegotiateUnicode = 0x00000001;

}  // namespace

std::optional<NtlmMessage> parse_ntlm_message(std::span<const uint8_t> token) {
  if (token.size() < 12 || std::memcmp(token.data(), kNtlmSignature, 8) != 0) return std::nullopt;
  ByteCursor c(token);
  c.skip(8);
  NtlmMessage m;
  m.type = c.u32le();
  bool ok = c.ok();
  // [MS-NLMP] 2.2.1: Len (u16), MaxLen (u16), BufferOffset (u32) counted from the token start.
  auto field = [&]() -> std::span<const uint8_t> {
    const uint16_t len = c.u16le();
    c.skip(2);
    const uint32_t offset = c.u32le();
    if (!c.ok()) {
      ok = false;
      return {};
    }
    if (len == 0) return {};
    if (offset > token.size() || len > token.size() - offset) {
      ok = false;
      return {};
    }
    return token.subspan(offset, len);
  };
  switch (m.type) {
    case 1:
      return m;
    case 2: {  // CHALLENGE_MESSAGE (2.2.1.2)
      auto target = field();
      const uint32_t flags = c.u32le();
      auto challenge = c.bytes(8);
      if (!c.ok() || !ok) return std::nullopt;
      m.target_name =
          (flags & kNegotiateUnicode) != 0 ? utf16le(target) : std::string(as_text(target));
      m.server_challenge = hex(challenge);
      return m;
    }
    case 3: {  // AUTHENTICATE_MESSAGE (2.2.1.3)
      auto lm = field();
      auto nt = field();
      auto domain = field();
      auto user = field();
      auto workstation = field();
      (void)field();  // EncryptedRandomSessionKey
      const uint32_t flags = c.u32le();
      if (!c.ok() || !ok) return std::nullopt;
      const bool unicode = (flags & kNegotiateUnicode) != 0;
      auto text = [&](std::span<const uint8_t> b) {
        return unicode ? utf16le(b) : std::string(as_text(b));
      };
      m.lm_response = hex(lm);
      m.nt_response = hex(nt);
      m.domain = text(domain);
      m.user = text(user);
      m.workstation = text(workstation);
      return m;
    }
    default:
      return std::nullopt;
  }
}

std::string ntlm_hashcat(std::string_view user, std::string_view domain,
                         std::string_view server_challenge_hex, std::string_view lm_hex,
                         std::string_view nt_hex, int32_t& mode, std::string& method) {
  mode = 0;
  // NTLMv1 responses are 24 bytes (48 hex digits); NTLMv2 is NTProofStr (16) + a blob.
  method = nt_hex.size() > 48 ? "ntlmv2" : "ntlmv1";
  if (server_challenge_hex.size() != 16 || nt_hex.size() < 48) return {};
  std::string line;
  line.append(user).append("::").append(domain).append(":");
  if (nt_hex.size() == 48) {
    mode = 5500;
    line.append(lm_hex).append(":").append(nt_hex).append(":").append(server_challenge_hex);
  } else {
    mode = 5600;
    line.append(server_challenge_hex)
        .append(":")
        .append(nt_hex.substr(0, 32))
        .append(":")
        .append(nt_hex.substr(32));
  }
  return line;
}

// ---------------------------------------------------------------- Digest

std::vector<std::pair<std::string, std::string>> parse_auth_params(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ',' ||
                               text[i] == '\r' || text[i] == '\n'))
      ++i;
  };
  while (out.size() < kMaxAuthParams) {
    skip_ws();
    if (i >= text.size()) break;
    const size_t name_start = i;
    while (i < text.size() && text[i] != '=' && text[i] != ',' && text[i] != ' ') ++i;
    std::string name = to_lower(text.substr(name_start, i - name_start));
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != '=') {
      // A token without a value (a scheme name or a token68): skip it.
      continue;
    }
    ++i;  // '='
    while (i < text.size() && text[i] == ' ') ++i;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;  // quoted-pair
        value.push_back(text[i]);
        ++i;
      }
      if (i < text.size()) ++i;  // closing quote
    } else {
      const size_t v = i;
      while (i < text.size() && text[i] != ',') ++i;
      value = std::string(trim(text.substr(v, i - v)));
    }
    if (!name.empty()) out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

std::string_view auth_param(const std::vector<std::pair<std::string, std::string>>& params,
                            std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

std::string digest_hashcat(const std::vector<std::pair<std::string, std::string>>& params,
                           std::string_view method, std::string_view server,
                           std::string_view client) {
  const std::string_view algorithm = auth_param(params, "algorithm");
  if (!algorithm.empty() && !iequals(algorithm, "MD5")) return {};
  const std::string_view response = auth_param(params, "response");
  const std::string_view uri = auth_param(params, "uri");
  // Without qop (RFC 2069) the response ignores cnonce and nc: leave them out, as hashcat then
  // computes MD5(HA1:nonce:HA2).
  const std::string_view qop = auth_param(params, "qop");
  if (response.size() != 32 || uri.empty()) return {};
  // hashcat rebuilds A2 as METHOD ":" prefix ":" resource [":" suffix]; a URI with a scheme
  // ("sip:bob@host:5060") is split at its colons, a path ("/dir") is the resource alone.
  std::string_view prefix, resource = uri, suffix;
  const size_t colon = uri.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      uri.substr(0, colon).find('/') == std::string_view::npos) {
    prefix = uri.substr(0, colon);
    resource = uri.substr(colon + 1);
    const size_t second = resource.find(':');
    if (second != std::string_view::npos) {
      suffix = resource.substr(second + 1);
      resource = resource.substr(0, second);
    }
  }
  const std::string_view fields[] = {
      server,
      client,
      auth_param(params, "username"),
      auth_param(params, "realm"),
      method,
      prefix,
      resource,
      suffix,
      auth_param(params, "nonce"),
      qop.empty() ? std::string_view() : auth_param(params, "cnonce"),
      qop.empty() ? std::string_view() : auth_param(params, "nc"),
      qop,
      "MD5",
      response};
  std::string line = "$sip$";
  for (std::string_view f : fields) {
    if (f.find('*') != std::string_view::npos) return {};
    line.append("*").append(f);
  }
  return line;
}

// ---------------------------------------------------------------- SASL

std::optional<std::pair<std::string, std::string>> sasl_plain(std::string_view base64) {
  auto decoded = base64_decode(trim(base64));
  if (!decoded) return std::nullopt;
  auto fields = split(*decoded, '\0');
  if (fields.size() != 3) return std::nullopt;
  return std::make_pair(std::string(fields[1].empty() ? fields[0] : fields[1]),
                        std::string(fields[2]));
}

std::string cram_md5_hashcat(std::string_view challenge_base64, std::string_view response_base64) {
  challenge_base64 = trim(challenge_base64);
  response_base64 = trim(response_base64);
  if (challenge_base64.empty() || response_base64.empty()) return {};
  return "$cram_md5$" + std::string(challenge_base64) + "$" + std::string(response_base64);
}

// ---------------------------------------------------------------- forms

namespace {

// Words a field name must contain. Short words ("pw", "id") only match whole names.
constexpr std::array<std::string_view, 8> kUserWords = {"user", "login",   "email", "e-mail",
                                                        "mail", "account", "uname", "logon"};
constexpr std::array<std::string_view, 3> kUserNames = {"uid", "usr", "name"};
constexpr std::array<std::string_view, 4> kPasswordWords = {"pass", "pwd", "secret", "passwd"};
constexpr std::array<std::string_view, 3> kPasswordNames = {"pw", "pin", "pword"};

}  // namespace

bool is_password_field(std::string_view name) {
  for (auto w : kPasswordNames)
    if (iequals(name, w)) return true;
  for (auto w : kPasswordWords)
    if (ifind(name, w) != std::string_view::npos) return true;
  return false;
}

bool is_user_field(std::string_view name) {
  if (is_password_field(name)) return false;  // "user_password" is the password
  for (auto w : kUserNames)
    if (iequals(name, w)) return true;
  for (auto w : kUserWords)
    if (ifind(name, w) != std::string_view::npos) return true;
  return false;
}

std::optional<Credential> form_credential(std::string_view urlencoded) {
  std::optional<std::string> user, password;
  size_t pairs = 0;
  for (std::string_view pair : split(urlencoded, '&')) {
    if (++pairs > kMaxAuthParams * 4) break;  // forms with a login have a handful of fields
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name = percent_decode(pair.substr(0, eq), true);
    if (!password && is_password_field(name)) {
      password = percent_decode(pair.substr(eq + 1), true);
    } else if (!user && is_user_field(name)) {
      user = percent_decode(pair.substr(eq + 1), true);
    }
  }
  if (!password || (password->empty() && user.value_or("").empty())) return std::nullopt;
  Credential c;
  c.user = user.value_or("");
  c.secret = *password;
  return c;
}

}  // namespace netcap::app
