// TLS handshake parsing, pure: bytes in, structs out. No flow state, no records.
//
//  * HandshakeAssembler: one direction of a TLS-over-TCP stream. Splits the byte stream into
//    TLS records (RFC 8446 §5.1, RFC 5246 §6.2) and the handshake records' payload into
//    handshake messages, which may be fragmented over several records and several of which may
//    share one record. Stops at the first encrypted record.
//  * parse_client_hello / parse_server_hello / parse_certificate_list: the handshake bodies.
//  * ja3 / ja3s / ja4: the fingerprints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::tls {

using Bytes = std::span<const uint8_t>;

// Record content types (RFC 8446 §5.1, RFC 6520).
inline constexpr uint8_t kChangeCipherSpec = 20;
inline constexpr uint8_t kAlert = 21;
inline constexpr uint8_t kHandshake = 22;
inline constexpr uint8_t kApplicationData = 23;
inline constexpr uint8_t kHeartbeat = 24;

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
inline constexpr uint8_t kClientHelloType = 1;
inline constexpr uint8_t kServerHelloType = 2;
inline constexpr uint8_t kCertificateType = 11;

// Extension types used here (IANA TLS ExtensionType Values).
inline constexpr uint16_t kExtServerName = 0;
inline constexpr uint16_t kExtStatusRequest = 5;
inline constexpr uint16_t kExtSupportedGroups = 10;
inline constexpr uint16_t kExtEcPointFormats = 11;
inline constexpr uint16_t kExtSignatureAlgorithms = 13;
inline constexpr uint16_t kExtAlpn = 16;
inline constexpr uint16_t kExtExtendedMasterSecret = 23;
inline constexpr uint16_t kExtSessionTicket = 35;
inline constexpr uint16_t kExtSupportedVersions = 43;
inline constexpr uint16_t kExtPskKeyExchangeModes = 45;
inline constexpr uint16_t kExtKeyShare = 51;
inline constexpr uint16_t kExtEncryptedClientHello = 0xfe0d;
inline constexpr uint16_t kExtRenegotiationInfo = 0xff01;

// Largest TLSCiphertext fragment (RFC 5246 §6.2.3: 2^14 + 2048; TLS 1.3 allows less).
inline constexpr size_t kMaxRecordLength = 16384 + 2048;
inline constexpr size_t kRecordHeaderLength = 5;

// RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ..., 0xfafa.
constexpr bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// True for a record header that can start a TLS record: known content type, major version 3,
// minor 0..4, length within kMaxRecordLength. `header` must hold at least 5 bytes.
bool plausible_record_header(Bytes header);

// TLS 1.3 (final or a draft 0x7fxx) as a supported_versions value.
constexpr bool is_tls13(uint16_t version) { return version == 0x0304 || (version >> 8) == 0x7f; }

struct ClientHello {
  uint16_t version = 0;  // legacy_version
  std::vector<uint8_t> random;
  std::vector<uint8_t> session_id;
  std::vector<uint16_t> cipher_suites;  // wire order, GREASE kept
  std::vector<uint8_t> compression_methods;
  std::vector<uint16_t> extensions;  // wire order, GREASE kept
  std::string sni;                   // first host_name of server_name
  std::vector<std::string> alpns;
  std::vector<uint16_t> supported_groups;
  std::vector<uint8_t> ec_point_formats;
  std::vector<uint16_t> signature_algorithms;
  std::vector<uint16_t> supported_versions;
  std::vector<uint16_t> key_share_groups;
  std::vector<uint8_t> psk_key_exchange_modes;
  bool session_ticket = false;
  size_t session_ticket_length = 0;
  bool status_request = false;
  bool ech = false;
};

struct ServerHello {
  uint16_t version = 0;  // legacy_version
  std::vector<uint8_t> random;
  std::vector<uint8_t> session_id;
  uint16_t cipher_suite = 0;
  uint8_t compression_method = 0;
  std::vector<uint16_t> extensions;
  uint16_t selected_version = 0;  // supported_versions, 0 when absent
  std::string alpn;
  uint16_t selected_group = 0;  // key_share (ServerHello: the share's group; HRR: requested)
  bool is_hello_retry_request = false;
  bool session_ticket = false;
  bool extended_master_secret = false;
  bool renegotiation_info = false;

  // selected_version when present, else the legacy version.
  uint16_t negotiated_version() const { return selected_version != 0 ? selected_version : version; }
};

// Problems found while parsing a hello. A hello whose fixed part (version .. compression) cannot
// be read is rejected (`fatal`); a damaged extension is reported and the rest is kept.
struct ParseProblems {
  std::string fatal;                    // non-empty: the hello is unusable
  std::vector<std::string> extensions;  // one text per damaged extension
  size_t max_items = 4096;  // bound on list lengths kept (Limits::max_items_per_message)
};

// `body` is the handshake message body (without the 4-byte handshake header).
bool parse_client_hello(Bytes body, ClientHello& out, ParseProblems& problems);
bool parse_server_hello(Bytes body, ServerHello& out, ParseProblems& problems);

// TLS 1.2 Certificate body (RFC 5246 §7.4.2): the DER certificates, at most `max_items`
// (`truncated` is set when more were present). False (with `error`) when the lengths do not fit.
bool parse_certificate_list(Bytes body, size_t max_items, std::vector<Bytes>& out, bool& truncated,
                            std::string& error);

// JA3 string (Salesforce): version,ciphers,extensions,groups,point formats, decimal, '-'
// separated, GREASE left out of ciphers, extensions and groups.
std::string ja3_string(const ClientHello& hello);
// JA3S string: version,cipher,extensions (GREASE left out of extensions).
std::string ja3s_string(const ServerHello& hello);

struct Ja4 {
  std::string fingerprint;  // JA4
  std::string raw;          // JA4_r
};
// FoxIO JA4 for TLS over TCP ('t'), per technical_details/JA4.md.
Ja4 ja4(const ClientHello& hello);

// One direction's record and handshake-message splitter.
class HandshakeAssembler {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    // A complete handshake message; `body` valid during the call only.
    virtual void on_handshake(uint8_t type, Bytes body, uint16_t record_version) = 0;
    // `anomaly` is the full anomaly name ("tls.bad_record", ...).
    virtual void on_problem(std::string_view anomaly, std::string detail) = 0;
  };

  enum class State : uint8_t {
    kActive,     // parsing records
    kEncrypted,  // ChangeCipherSpec (before TLS 1.3) or application data seen: done
    kFailed,     // malformed, a gap, or over a limit: done
  };

  // `max_message` bounds one handshake message (Limits::max_handshake_bytes).
  explicit HandshakeAssembler(size_t max_message) : max_message_(max_message) {}

  // Feeds the next bytes of the direction. Does nothing once the state is not kActive.
  void feed(Bytes data, Sink& sink);
  // Bytes of this direction are missing: parsing cannot resynchronise (handshake messages have
  // no markers), so an active direction fails with "tls.gap_in_handshake".
  void gap(uint64_t length, Sink& sink);
  // Whether TLS 1.3 was negotiated (set by the caller after a ServerHello or HRR): then a
  // ChangeCipherSpec record is the middlebox-compatibility dummy (RFC 8446 §D.4) and does not
  // end the cleartext part; the first application_data record does.
  void set_tls13(bool tls13) { tls13_ = tls13; }

  State state() const { return state_; }
  // Handshake bytes buffered now (for tests: bounded by max_message + header).
  size_t buffered() const { return message_.size() - message_start_; }
  // Records seen so far.
  uint64_t records() const { return records_; }
  // Active and inside a record header, a handshake record or a handshake message: the stream
  // ending now cuts something.
  bool in_progress() const {
    return state_ == State::kActive &&
           (buffered() > 0 || header_have_ > 0 || (in_record_ && record_type_ == kHandshake));
  }

 private:
  void fail(Sink& sink, std::string_view anomaly, std::string detail);
  void handshake_bytes(Bytes data, Sink& sink);

  size_t max_message_;
  State state_ = State::kActive;
  bool tls13_ = false;
  uint8_t header_[kRecordHeaderLength] = {};
  size_t header_have_ = 0;
  uint8_t record_type_ = 0;
  uint16_t record_version_ = 0;
  size_t record_left_ = 0;  // payload bytes of the current record still to come
  bool in_record_ = false;
  uint16_t message_record_version_ = 0;  // record version where the current message began
  std::vector<uint8_t> message_;         // handshake stream bytes not yet delivered
  size_t message_start_ = 0;             // delivered prefix of message_ (compacted lazily)
  uint64_t records_ = 0;
};

}  // namespace netcap::app::tls
