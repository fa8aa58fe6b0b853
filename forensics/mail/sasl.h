// SASL helpers shared by SMTP AUTH, POP3 AUTH and IMAP AUTHENTICATE: the user name of the
// cleartext mechanisms, from their base64 client responses. Passwords are never returned here
// (credentials are a separate record).
#pragma once

#include <string>
#include <string_view>

namespace netcap::app::mail {

// RFC 4616 PLAIN: base64("authzid\0authcid\0passwd") -> authcid (authzid when authcid is
// empty); empty when not decodable.
std::string sasl_plain_user(std::string_view base64);
// RFC 2195 CRAM-MD5 response: base64("user hexdigest") -> user.
std::string sasl_cram_md5_user(std::string_view base64);
// Decoded base64 when it is printable text (LOGIN user names and prompts), else empty.
std::string sasl_text(std::string_view base64);

}  // namespace netcap::app::mail
