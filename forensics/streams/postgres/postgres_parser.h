// PostgreSQL frontend/backend protocol 3.0 (PostgreSQL docs, "Message Formats"): the untyped
// first messages of a connection (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage),
// typed messages (a type byte, then a length that counts itself) and the payloads the session
// needs. Pure: bytes in, structs out; no I/O, no records.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::postgres {

using Bytes = std::span<const uint8_t>;

inline constexpr uint16_t kPort = 5432;
inline constexpr uint32_t kSslRequestCode = 80877103;
inline constexpr uint32_t kGssEncRequestCode = 80877104;
inline constexpr uint32_t kCancelRequestCode = 80877102;
inline constexpr uint32_t kProtocol3 = 196608;  // 3.0: major << 16 | minor
// Strings kept from the wire (parameter values, user names, error texts).
inline constexpr size_t kMaxStringBytes = 1024;
inline constexpr size_t kMaxParameters = 64;

// An untyped first message: code and, for a StartupMessage, its "key=value" parameters.
struct FirstMessage {
  uint32_t code = 0;
  std::vector<std::pair<std::string, std::string>> parameters;
  bool parameters_cut = false;  // more than kMaxParameters, or a value longer than kMaxStringBytes
};
// `message` is the whole message including its length field. Nothing when it is none of the
// four kinds or is malformed.
std::optional<FirstMessage> parse_first_message(Bytes message);

// A typed message: type byte and payload (after the length).
struct Message {
  char type = 0;
  Bytes payload;
};
// Length of the typed message starting at `buffer` (type byte + length field + payload), 0
// while the 5-byte header is incomplete, SIZE_MAX when the length field is invalid (< 4).
size_t typed_message_size(Bytes buffer);

// Authentication request ('R'): code (0 ok, 3 cleartext, 5 MD5, 10 SASL, ...), the MD5 salt,
// the SASL mechanisms.
struct AuthRequest {
  uint32_t code = 0;
  std::string md5_salt;                 // 4 bytes, raw
  std::vector<std::string> mechanisms;  // SASL
};
std::optional<AuthRequest> parse_auth_request(Bytes payload);
// The method the request names: "trust" for 0, "cleartext", "md5", "sasl:<m1,m2>", "gss",
// "sspi", "kerberos", else "auth-<code>".
std::string auth_method_name(const AuthRequest& request);

// ErrorResponse / NoticeResponse fields: severity ('V', else 'S'), SQLSTATE ('C'), message ('M').
struct ErrorFields {
  std::string severity, code, message;
};
std::optional<ErrorFields> parse_error_fields(Bytes payload);

// ParameterStatus ('S'): name and value.
std::optional<std::pair<std::string, std::string>> parse_parameter_status(Bytes payload);

// The SQL text of a Query ('Q') or Parse ('P') message, at most `max` bytes.
std::optional<std::string> query_text(const Message& message, size_t max);

// The client's first message as a probe: 2 = a StartupMessage/SSLRequest/GSSENCRequest,
// 1 = a prefix of one, 0 = not PostgreSQL.
int probe_first_message(Bytes client, bool final);

// hashcat mode 11100 (PostgreSQL CRAM (MD5)): "$postgres$" + user + "*" + hex(salt) + "*" +
// the 32 hex digits after the "md5" prefix of the password message; empty when malformed.
std::string md5_hashcat(std::string_view user, std::string_view salt, std::string_view password);

}  // namespace netcap::app::postgres
