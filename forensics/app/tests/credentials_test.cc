// The credentials helper's pure functions: NTLMSSP parsing and hashcat lines, Digest
// parameters and hashcat 11400 lines, SASL PLAIN, CRAM-MD5, form fields.
#include "forensics/app/credentials.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "forensics/app/text_util.h"

using namespace netcap::app;

namespace {

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
std::vector<uint8_t> utf16(std::string_view s) {
  std::vector<uint8_t> out;
  for (char c : s) {
    out.push_back(static_cast<uint8_t>(c));
    out.push_back(0);
  }
  return out;
}

// An AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3) with the given responses, Unicode names.
std::vector<uint8_t> authenticate(const std::vector<uint8_t>& lm, const std::vector<uint8_t>& nt,
                                  std::string_view domain, std::string_view user,
                                  std::string_view workstation) {
  std::vector<uint8_t> b(64, 0);
  const char sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(sig[i]);
  put32(b, 8, 3);
  const std::vector<uint8_t> fields[] = {lm, nt, utf16(domain), utf16(user), utf16(workstation),
                                         {}};
  for (size_t i = 0; i < 6; ++i) {
    const size_t at = 12 + 8 * i;
    put16(b, at, static_cast<uint16_t>(fields[i].size()));
    put16(b, at + 2, static_cast<uint16_t>(fields[i].size()));
    put32(b, at + 4, static_cast<uint32_t>(b.size()));
    b.insert(b.end(), fields[i].begin(), fields[i].end());
  }
  put32(b, 60, 0x00000001);  // NTLMSSP_NEGOTIATE_UNICODE
  return b;
}

std::vector<uint8_t> from_hex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

}  // namespace

TEST_CASE("NTLMv2 AUTHENTICATE gives the hashcat 5600 line") {
  // hashcat's example NetNTLMv2 hash (password "hashcat"): rebuilt from its parts.
  const std::string challenge = "08ca45b7d7ea58ee";
  const std::string proof = "88dcbe4446168966a153a0064958dac6";
  const std::string blob =
      "5c7830315c7830310000000000000b45c67103d07d7b95acd12ffa11230e0000000052920b85f78d013c31cdb3b9"
      "2f5d765c783030";
  auto token = authenticate(std::vector<uint8_t>(24, 0), from_hex(proof + blob), "N46iSNekpT",
                            "admin", "WS1");
  auto m = parse_ntlm_message(token);
  REQUIRE(m);
  CHECK(m->type == 3);
  CHECK(m->user == "admin");
  CHECK(m->domain == "N46iSNekpT");
  CHECK(m->workstation == "WS1");
  int32_t mode = 0;
  std::string method;
  const std::string line =
      ntlm_hashcat(m->user, m->domain, challenge, m->lm_response, m->nt_response, mode, method);
  CHECK(mode == 5600);
  CHECK(method == "ntlmv2");
  CHECK(line == "admin::N46iSNekpT:08ca45b7d7ea58ee:88dcbe4446168966a153a0064958dac6:" + blob);
}

TEST_CASE("NTLMv1 gives the hashcat 5500 line; no challenge gives none") {
  // hashcat's example NetNTLMv1 hash.
  const std::string lm = "338d08f8e26de93300000000000000000000000000000000";
  const std::string nt = "9526fb8c23a90751cdd619b6cea564742e1e4bf33006ba41";
  int32_t mode = 0;
  std::string method;
  CHECK(ntlm_hashcat("u4-netntlm", "kNS", "cb8086049ec4736c", lm, nt, mode, method) ==
        "u4-netntlm::kNS:" + lm + ":" + nt + ":cb8086049ec4736c");
  CHECK(mode == 5500);
  CHECK(method == "ntlmv1");
  CHECK(ntlm_hashcat("u", "d", "", lm, nt, mode, method).empty());
  CHECK(mode == 0);
  CHECK(ntlm_hashcat("", "", "cb8086049ec4736c", "00", "", mode, method).empty());
}

TEST_CASE("NTLMSSP: CHALLENGE and truncated tokens") {
  std::vector<uint8_t> b(48, 0);
  const char sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(sig[i]);
  put32(b, 8, 2);
  auto target = utf16("CORP");
  put16(b, 12, static_cast<uint16_t>(target.size()));
  put16(b, 14, static_cast<uint16_t>(target.size()));
  put32(b, 16, 48);
  put32(b, 20, 1);
  for (int i = 0; i < 8; ++i) b[24 + i] = static_cast<uint8_t>(0x11 * (i + 1));
  b.insert(b.end(), target.begin(), target.end());
  auto m = parse_ntlm_message(b);
  REQUIRE(m);
  CHECK(m->type == 2);
  CHECK(m->server_challenge == "1122334455667788");
  CHECK(m->target_name == "CORP");
  // Every cut of a valid AUTHENTICATE is refused or parsed without reading past the end.
  auto token =
      authenticate(std::vector<uint8_t>(24, 1), std::vector<uint8_t>(24, 2), "D", "U", "W");
  for (size_t n = 0; n < token.size(); ++n) {
    auto cut = parse_ntlm_message(std::span<const uint8_t>(token.data(), n));
    CHECK_FALSE(cut.has_value());
  }
  // A field pointing past the end.
  put32(token, 12 + 4, 100000);
  CHECK_FALSE(parse_ntlm_message(token).has_value());
}

TEST_CASE("Digest parameters and the hashcat 11400 line") {
  auto p = parse_auth_params(
      R"(username="bob", realm="asterisk", nonce="2b01df0b", uri="sip:192.168.100.121", )"
      R"(response="ad0520061ca07c120d7e8ce696a6df2d", algorithm=MD5)");
  CHECK(auth_param(p, "username") == "bob");
  CHECK(auth_param(p, "algorithm") == "MD5");
  CHECK(digest_hashcat(p, "REGISTER", "192.168.100.100", "192.168.100.121") ==
        "$sip$*192.168.100.100*192.168.100.121*bob*asterisk*REGISTER*sip*192.168.100.121**"
        "2b01df0b****MD5*ad0520061ca07c120d7e8ce696a6df2d");
  // HTTP: a path URI, qop=auth with cnonce and nc.
  auto h = parse_auth_params(
      R"(username="Mufasa", realm="testrealm@host.com", nonce="dcd98b", uri="/dir/index.html", )"
      R"(qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1")");
  CHECK(digest_hashcat(h, "GET", "s", "c") ==
        "$sip$*s*c*Mufasa*testrealm@host.com*GET**/dir/index.html**dcd98b*0a4f113b*00000001*auth*"
        "MD5*6629fae49393a05397450978507c4ef1");
  // No qop (RFC 2069): nc and cnonce are not part of the response, so not of the line.
  auto n = parse_auth_params(
      R"(username="bob", realm="r", nonce="n1", uri="sip:h", nc=00000001, cnonce="c", )"
      R"(response="ad0520061ca07c120d7e8ce696a6df2d")");
  CHECK(digest_hashcat(n, "INVITE", "s", "c") ==
        "$sip$*s*c*bob*r*INVITE*sip*h**n1****MD5*ad0520061ca07c120d7e8ce696a6df2d");
  // Quoted-pair and a non-MD5 algorithm.
  auto q = parse_auth_params(R"(username="a\"b", response="x", algorithm=SHA-256, uri="/")");
  CHECK(auth_param(q, "username") == "a\"b");
  CHECK(digest_hashcat(q, "GET", "s", "c").empty());
}

TEST_CASE("SASL PLAIN and CRAM-MD5") {
  // base64("\0alice\0wonderland")
  auto plain = sasl_plain(base64_encode(as_bytes(std::string("\0alice\0wonderland", 17))));
  REQUIRE(plain);
  CHECK(plain->first == "alice");
  CHECK(plain->second == "wonderland");
  CHECK_FALSE(sasl_plain("not base64!").has_value());
  CHECK_FALSE(sasl_plain(base64_encode(as_bytes(std::string_view("no separators")))).has_value());
  CHECK(cram_md5_hashcat(" PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+ ", "dGlt") ==
        "$cram_md5$PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+$dGlt");
  CHECK(cram_md5_hashcat("", "dGlt").empty());
}

TEST_CASE("form and query fields") {
  CHECK(is_user_field("username"));
  CHECK(is_user_field("Login"));
  CHECK(is_user_field("user_email"));
  CHECK(is_user_field("uid"));
  CHECK_FALSE(is_user_field("password"));
  CHECK_FALSE(is_user_field("q"));
  CHECK(is_password_field("passwd"));
  CHECK(is_password_field("user_password"));
  CHECK(is_password_field("pw"));
  CHECK_FALSE(is_password_field("pwr_state"));
  auto c = form_credential("redirect=%2Fhome&login=bob%40example.com&pass=s3cr%26t+x&submit=Go");
  REQUIRE(c);
  CHECK(c->user == "bob@example.com");
  CHECK(c->secret == "s3cr&t x");
  CHECK_FALSE(form_credential("q=search+terms&user=bob").has_value());
  CHECK_FALSE(form_credential("user=&pass=").has_value());
  CHECK_FALSE(form_credential("").has_value());
}
