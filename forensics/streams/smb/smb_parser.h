// SMB2/3 ([MS-SMB2]), SMB1 negotiation ([MS-CIFS] §2.2.4.52) and NTLMSSP ([MS-NLMP]) parsing:
// bytes in, structs out. Pure: no records, no state between calls. Every SMB2 parse function
// takes one whole SMB2 message starting at its 64-byte header (offsets in SMB2 bodies are from
// the start of the header) and returns false when the body does not fit its structure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::smb {

using Bytes = std::span<const uint8_t>;

// [MS-SMB2] 2.2.1 commands.
enum Command : uint16_t {
  kNegotiate = 0x00,
  kSessionSetup = 0x01,
  kLogoff = 0x02,
  kTreeConnect = 0x03,
  kTreeDisconnect = 0x04,
  kCreate = 0x05,
  kClose = 0x06,
  kFlush = 0x07,
  kRead = 0x08,
  kWrite = 0x09,
  kLock = 0x0A,
  kIoctl = 0x0B,
  kCancel = 0x0C,
  kEcho = 0x0D,
  kQueryDirectory = 0x0E,
  kChangeNotify = 0x0F,
  kQueryInfo = 0x10,
  kSetInfo = 0x11,
  kOplockBreak = 0x12,
};

constexpr uint32_t kStatusSuccess = 0x00000000;
constexpr uint32_t kStatusPending = 0x00000103;
constexpr uint32_t kStatusMoreProcessingRequired = 0xC0000016;
constexpr uint32_t kStatusBufferOverflow = 0x80000005;

constexpr uint32_t kFlagResponse = 0x00000001;
constexpr uint32_t kFlagAsync = 0x00000002;
constexpr uint32_t kFlagRelated = 0x00000004;

constexpr size_t kHeaderSize = 64;

// The protocol id of the first 4 bytes of a message.
enum class Magic { kSmb2, kSmb1, kTransform, kCompressed, kOther };
Magic magic_of(Bytes message);

// [MS-SMB2] 2.2.1.1 / 2.2.1.2.
struct Header {
  uint16_t credit_charge = 0;
  uint32_t status = 0;
  uint16_t command = 0;
  uint16_t credits = 0;
  uint32_t flags = 0;
  uint32_t next_command = 0;
  uint64_t message_id = 0;
  uint64_t async_id = 0;  // async messages only
  uint32_t tree_id = 0;   // sync messages only
  uint64_t session_id = 0;
  bool is_response() const { return (flags & kFlagResponse) != 0; }
  bool is_async() const { return (flags & kFlagAsync) != 0; }
  bool is_related() const { return (flags & kFlagRelated) != 0; }
};
std::optional<Header> parse_header(Bytes message);

// [MS-SMB2] 2.2.14.1 SMB2_FILEID.
struct FileId {
  uint64_t persistent = 0;
  uint64_t volatile_id = 0;
  // All ones: "the file of the previous operation of this compound" (§3.3.5.2.7.2).
  bool is_related_placeholder() const {
    return persistent == ~uint64_t{0} && volatile_id == ~uint64_t{0};
  }
  bool operator<(const FileId& o) const {
    return persistent != o.persistent ? persistent < o.persistent : volatile_id < o.volatile_id;
  }
  bool operator==(const FileId& o) const {
    return persistent == o.persistent && volatile_id == o.volatile_id;
  }
  std::string hex() const;  // 32 hex digits, the 16 wire bytes in order
};

struct NegotiateRequest {
  uint16_t security_mode = 0;
  uint32_t capabilities = 0;
  std::string client_guid;
  std::vector<uint16_t> dialects;
};
struct NegotiateResponse {
  uint16_t security_mode = 0;
  uint16_t dialect = 0;
  std::string server_guid;
  uint32_t capabilities = 0;
  uint32_t max_read = 0, max_write = 0;
  Bytes security_blob;
};
struct SessionSetupRequest {
  uint8_t security_mode = 0;
  uint32_t capabilities = 0;
  uint64_t previous_session = 0;
  Bytes security_blob;
};
struct SessionSetupResponse {
  uint16_t session_flags = 0;
  Bytes security_blob;
};
struct TreeConnectRequest {
  std::string path;  // UTF-8
};
struct TreeConnectResponse {
  uint8_t share_type = 0;
  uint32_t share_flags = 0, capabilities = 0, maximal_access = 0;
};
struct CreateRequest {
  uint32_t desired_access = 0, file_attributes = 0, share_access = 0, create_disposition = 0,
           create_options = 0;
  std::string name;  // UTF-8
};
struct CreateResponse {
  uint32_t create_action = 0;
  uint64_t allocation_size = 0, end_of_file = 0;
  uint32_t file_attributes = 0;
  FileId file_id;
};
struct CloseRequest {
  uint16_t flags = 0;
  FileId file_id;
};
struct CloseResponse {
  uint16_t flags = 0;
  uint64_t end_of_file = 0;  // valid when flags & 1 (POSTQUERY_ATTRIB)
};
struct ReadRequest {
  uint32_t length = 0;
  uint64_t offset = 0;
  FileId file_id;
};
struct ReadResponse {
  Bytes data;                // the data bytes present in the message
  uint32_t data_length = 0;  // as declared
};
struct WriteRequest {
  uint64_t offset = 0;
  FileId file_id;
  Bytes data;
  uint32_t data_length = 0;
};
struct WriteResponse {
  uint32_t count = 0;
};
struct SetInfoRequest {
  uint8_t info_type = 0, file_info_class = 0;
  FileId file_id;
  Bytes buffer;
};
struct QueryInfoRequest {
  uint8_t info_type = 0, file_info_class = 0;
  FileId file_id;
};
struct QueryInfoResponse {
  Bytes buffer;
};

bool parse_negotiate_request(Bytes msg, NegotiateRequest& out);
bool parse_negotiate_response(Bytes msg, NegotiateResponse& out);
bool parse_session_setup_request(Bytes msg, SessionSetupRequest& out);
bool parse_session_setup_response(Bytes msg, SessionSetupResponse& out);
bool parse_tree_connect_request(Bytes msg, TreeConnectRequest& out);
bool parse_tree_connect_response(Bytes msg, TreeConnectResponse& out);
bool parse_create_request(Bytes msg, CreateRequest& out);
bool parse_create_response(Bytes msg, CreateResponse& out);
bool parse_close_request(Bytes msg, CloseRequest& out);
bool parse_close_response(Bytes msg, CloseResponse& out);
bool parse_read_request(Bytes msg, ReadRequest& out);
bool parse_read_response(Bytes msg, ReadResponse& out);
bool parse_write_request(Bytes msg, WriteRequest& out);
bool parse_write_response(Bytes msg, WriteResponse& out);
bool parse_set_info_request(Bytes msg, SetInfoRequest& out);
bool parse_query_info_request(Bytes msg, QueryInfoRequest& out);
bool parse_query_info_response(Bytes msg, QueryInfoResponse& out);

// "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???" (0x02FF) or "0x%04x".
std::string dialect_name(uint16_t dialect);
// "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" of a 16-byte little-endian GUID; empty if not 16.
std::string guid_string(Bytes guid);
// UTF-16LE to UTF-8 (unpaired surrogates become U+FFFD; an odd last byte is dropped).
std::string utf16le_to_utf8(Bytes bytes);

// [MS-NLMP] 2.2.1 messages.
struct Ntlmssp {
  uint32_t type = 0;
  uint32_t flags = 0;
  std::string domain, user, workstation, target_name;
  std::string server_challenge;    // hex, CHALLENGE only
  Bytes nt_response, lm_response;  // AUTHENTICATE only (views into the token)
  std::string version;             // "major.minor.build" when present
};
// Parses a token starting with "NTLMSSP\0"; nothing when it is malformed.
std::optional<Ntlmssp> parse_ntlmssp(Bytes token);

// A security buffer of NEGOTIATE / SESSION_SETUP: raw NTLMSSP, or SPNEGO (RFC 4178) around
// NTLMSSP or Kerberos.
struct SecurityBlob {
  std::string mechanism;        // "ntlmssp", "kerberos", "spnego" or "" (empty blob)
  std::optional<Ntlmssp> ntlm;  // the NTLMSSP message found
  bool bad_ntlmssp = false;     // an "NTLMSSP\0" token was found but did not parse
};
SecurityBlob parse_security_blob(Bytes blob);

// SMB1 ([MS-CIFS] §2.2.3.1 header, §2.2.4.52 SMB_COM_NEGOTIATE).
constexpr uint8_t kSmb1Negotiate = 0x72;
struct Smb1Header {
  uint8_t command = 0;
  uint32_t status = 0;
  uint8_t flags = 0;
  uint16_t flags2 = 0;
  uint16_t tid = 0, uid = 0, mid = 0;
  bool is_response() const { return (flags & 0x80) != 0; }
};
std::optional<Smb1Header> parse_smb1_header(Bytes message);
// Dialect strings of a negotiate request.
bool parse_smb1_negotiate_request(Bytes message, std::vector<std::string>& dialects);
struct Smb1NegotiateResponse {
  uint16_t dialect_index = 0xFFFF;
  uint8_t security_mode = 0;
  uint32_t capabilities = 0;
  std::string server_guid;  // extended security responses
};
bool parse_smb1_negotiate_response(Bytes message, Smb1NegotiateResponse& out);

}  // namespace netcap::app::smb
