// Kerberos v5 messages exchanged with a KDC (RFC 4120 §5.4.1 KDC-REQ, §5.4.2 KDC-REP, §5.9.1
// KRB-ERROR): bytes in, a KrbMessage out, with the problems found. No records, no flow state.
// Also the content probe and the hashcat lines of the crackable parts (kerberos_hashcat below).
//
// Pure functions; KrbMessage borrows the message bytes for its cipher spans (valid as long as
// the buffer passed to parse_message).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::kerberos {

using Bytes = std::span<const uint8_t>;

// Message types (RFC 4120 §7.5.7); the APPLICATION tag of each message equals its type.
inline constexpr int kAsReq = 10;
inline constexpr int kAsRep = 11;
inline constexpr int kTgsReq = 12;
inline constexpr int kTgsRep = 13;
inline constexpr int kKrbError = 30;
std::string_view msg_type_name(int msg_type);  // "AS-REQ", ...; "" for others

// Pre-authentication data types used here (RFC 4120 §7.5.2, RFC 4556 §3.2).
inline constexpr int32_t kPaEncTimestamp = 2;
inline constexpr int32_t kPaPkAsReq = 16;
inline constexpr int32_t kPaPkAsRep = 17;
inline constexpr int32_t kPaEtypeInfo2 = 19;

// Encryption types with hashcat modes (RFC 3962, RFC 4757).
inline constexpr int32_t kEtypeAes128 = 17;  // aes128-cts-hmac-sha1-96
inline constexpr int32_t kEtypeAes256 = 18;  // aes256-cts-hmac-sha1-96
inline constexpr int32_t kEtypeRc4 = 23;     // rc4-hmac

// Limits on lists read from a message (each overflow is an anomaly; the rest is skipped).
inline constexpr size_t kMaxNameComponents = 16;  // a principal has 1-3 in practice
inline constexpr size_t kMaxPaData = 32;          // Windows sends at most a handful
inline constexpr size_t kMaxEtypes = 64;          // about 20 etypes are registered
inline constexpr size_t kMaxAddresses = 32;
inline constexpr size_t kMaxStringBytes = 1024;  // a realm or name component

struct PrincipalName {
  bool present = false;
  int32_t type = 0;  // name-type (RFC 4120 §6.2: 1 NT-PRINCIPAL, 2 NT-SRV-INST, ...)
  std::vector<std::string> components;
  // Components joined with '/' (RFC 1964 §2.1.1 display form without the realm).
  std::string joined() const;
  // Components concatenated without separator: the name part of the RFC 4120 §4 default salt.
  std::string concatenated() const;
};

struct EncryptedData {
  bool present = false;
  int32_t etype = 0;
  bool has_kvno = false;
  uint32_t kvno = 0;
  Bytes cipher;  // borrowed from the message
};

struct KrbMessage {
  int msg_type = 0;  // from the APPLICATION tag (10, 11, 12, 13, 30)
  // KDC-REQ and KDC-REP.
  std::vector<int32_t> padata_types;  // in the order sent; KRB-ERROR: of its METHOD-DATA
  EncryptedData pa_enc_timestamp;     // AS-REQ PA-ENC-TIMESTAMP
  std::string salt;                   // first salt of a PA-ETYPE-INFO2 (AS-REP, KRB-ERROR)
  bool has_salt = false;
  // KDC-REQ-BODY.
  bool has_kdc_options = false;
  uint32_t kdc_options = 0;  // bit 0 (reserved) is the most significant bit
  PrincipalName cname;       // KDC-REQ-BODY cname, KDC-REP cname, KRB-ERROR cname
  std::string realm;         // KDC-REQ-BODY realm, KRB-ERROR realm (the server's realm)
  std::string crealm;        // KDC-REP crealm, KRB-ERROR crealm
  PrincipalName sname;       // KDC-REQ-BODY sname, KDC-REP ticket sname, KRB-ERROR sname
  int64_t till_ns = 0;       // 0 when absent
  bool has_nonce = false;
  uint32_t nonce = 0;
  std::vector<int32_t> etypes;
  std::vector<std::string> addresses;  // NetBIOS names (trimmed), IPv4/IPv6 as text, else hex
  // KDC-REP.
  std::string ticket_realm;
  EncryptedData ticket_enc_part;
  EncryptedData enc_part;
  // KRB-ERROR.
  int32_t error_code = 0;
  std::string e_text;
};

struct Finding {
  std::string name;  // "kerberos.<problem>"
  std::string detail;
};

struct ParseResult {
  // The message is one of the five KDC messages with pvno 5 and a matching msg-type: a record
  // can be written (with what parsed before any problem).
  bool recognized = false;
  // Every field decoded without a problem.
  bool complete = false;
  // Bytes after the outer TLV.
  size_t trailing_bytes = 0;
  std::vector<Finding> findings;
};

// Decodes one message (a UDP payload or one TCP record without its length prefix).
ParseResult parse_message(Bytes message, KrbMessage& out);

// Probe helper: 1 when `b` starts like a KDC message (APPLICATION 10/11/12/13/30, then a
// SEQUENCE whose first elements are pvno 5 and the matching msg-type; the outer length must fit
// exactly unless `partial`), 0 when it cannot be one, -1 when more bytes are needed (only with
// `partial`).
int plausible_message(Bytes b, bool partial);

// Length of the outer TLV (identifier, length octets and contents) from its first octets, for
// a low-tag-number identifier: 1 (set), 0 (not a definite DER length), -1 (more bytes needed).
int outer_total_length(Bytes b, size_t& total);

// RFC 4120 §7.5.9 (and RFC 4556 §3.1.3 for 62-76) name of an error code; "" when unknown.
std::string_view error_code_name(int32_t code);

// Names of the KDCOptions bits set (RFC 4120 §5.4.1, RFC 6806 canonicalize, [MS-SFU]
// cname-in-addl-tkt), in bit order.
std::vector<std::string> kdc_option_names(uint32_t options);

// ---------------------------------------------------------------- hashcat lines

// What a hashcat line needs from the exchange. `user` and `realm` are the client's.
struct HashInput {
  int32_t etype = 0;
  std::string user;         // components joined with '/' (RC4 lines: informational)
  std::string user_salted;  // AES lines: the user part hashcat appends to REALM to get the salt
  std::string realm;
  std::string spn;  // TGS-REP: the ticket's server name
  Bytes cipher;
};
struct HashLine {
  std::string line;  // empty when hashcat cannot take this input
  int32_t mode = 0;
  std::string why_not;  // when empty: the reason (etype, length, a separator in a name)
};

// AS-REQ PA-ENC-TIMESTAMP: 7500 (etype 23), 19800 (17), 19900 (18).
HashLine krb5pa_hashcat(const HashInput& in);
// TGS-REP ticket enc-part (kerberoasting): 13100 (23), 19600 (17), 19700 (18).
HashLine krb5tgs_hashcat(const HashInput& in);
// AS-REP enc-part (AS-REP roasting): 18200 (23), 32100 (17), 32200 (18).
HashLine krb5asrep_hashcat(const HashInput& in);

}  // namespace netcap::app::kerberos
