// SMB2/3 ([MS-SMB2]), SMB1 ([MS-CIFS]: negotiation, AndX chains, file commands) and NTLMSSP
// ([MS-NLMP]) parsing: bytes in, structs out. Pure: no records, no state between calls. Every SMB2
// parse function takes one whole SMB2 message starting at its 64-byte header (offsets in SMB2
// bodies are from the start of the header) and returns false when the body does not fit its
// structure.
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

// SMB1 ([MS-CIFS] §2.2.3.1 header, §2.2.4.52 SMB_COM_NEGOTIATE, the AndX commands of file
// access). Offsets in SMB1 (AndXOffset, DataOffset) count from the start of the 32-byte header:
// functions that follow them take the whole message; command parsers take one command of
// parse_smb1_chain and return false when it does not fit its structure.
// [MS-CIFS] 2.2.2.1 command codes.
constexpr uint8_t kSmb1Close = 0x04;
constexpr uint8_t kSmb1LockingAndX = 0x24;
constexpr uint8_t kSmb1OpenAndX = 0x2D;
constexpr uint8_t kSmb1ReadAndX = 0x2E;
constexpr uint8_t kSmb1WriteAndX = 0x2F;
constexpr uint8_t kSmb1TreeDisconnect = 0x71;
constexpr uint8_t kSmb1Negotiate = 0x72;
constexpr uint8_t kSmb1SessionSetupAndX = 0x73;
constexpr uint8_t kSmb1LogoffAndX = 0x74;
constexpr uint8_t kSmb1TreeConnectAndX = 0x75;
constexpr uint8_t kSmb1NtCreateAndX = 0xA2;
constexpr uint8_t kSmb1NoAndXCommand = 0xFF;  // AndXCommand: end of the chain
constexpr size_t kSmb1HeaderSize = 32;
constexpr uint16_t kSmb1Flags2Unicode = 0x8000;  // SMB_FLAGS2_UNICODE: strings are UTF-16LE

struct Smb1Header {
  uint8_t command = 0;
  uint32_t status = 0;
  uint8_t flags = 0;
  uint16_t flags2 = 0;
  uint16_t tid = 0, uid = 0, mid = 0;
  uint32_t pid = 0;  // PIDHigh << 16 | PIDLow
  bool is_response() const { return (flags & 0x80) != 0; }
  bool unicode() const { return (flags2 & kSmb1Flags2Unicode) != 0; }
};
std::optional<Smb1Header> parse_smb1_header(Bytes message);

// "NT_CREATE_ANDX", "READ_ANDX", ... or "0x%02x".
std::string smb1_command_name(uint8_t command);
// True for the commands whose parameter words start with AndXCommand/AndXReserved/AndXOffset.
bool smb1_is_andx(uint8_t command);

// One command of a message ([MS-CIFS] 2.2.3.2-2.2.3.4): its parameter words and data bytes.
struct Smb1Block {
  uint8_t command = 0;
  size_t offset = 0;        // of the WordCount byte, from the header start
  Bytes words;              // SMB_Parameters.Words (WordCount * 2 bytes, see parse_smb1_chain)
  Bytes bytes;              // SMB_Data.Bytes (ByteCount bytes, cut at the message end)
  size_t bytes_offset = 0;  // of `bytes`, from the header start (Unicode strings align on it)
  bool bytes_cut = false;   // ByteCount went past the message end
};

enum class Smb1ChainResult {
  kOk,
  kTruncated,  // a command's WordCount, parameter words or ByteCount field pass the message end
  kBadOffset,  // an AndXOffset does not move forward past the previous command, or is outside
  kTooLong,    // more commands than allowed
};

struct Smb1Chain {
  std::vector<Smb1Block> blocks;  // the commands that parsed, in order
  Smb1ChainResult result = Smb1ChainResult::kOk;
  uint8_t failed_command = 0;  // the command that did not parse / was not followed
  size_t failed_offset = 0;    // its offset (kBadOffset: the AndXOffset found)
};

// The commands of a message: the first at offset 32, then each AndX command's AndXOffset
// ([MS-CIFS] 2.2.3.4) while AndXCommand is not 0xFF, at most `max_commands`. Every AndXOffset
// must point past the previous command's words and ByteCount field (so offsets only move forward
// and a chain cannot loop) and inside the message. The commands found before a problem are kept.
// An extended NT_CREATE_ANDX response ([MS-SMB] 2.2.4.9.2) declares WordCount 0x2A but Windows
// sends 50 words (VolumeGUID, FileId, access rights after the 34 of [MS-CIFS]); those 100 bytes
// are taken as its words when the message holds them.
Smb1Chain parse_smb1_chain(Bytes message, bool response, size_t max_commands);

// OEM strings (code page unknown) as UTF-8: bytes below 0x80 as they are, others as Latin-1.
std::string oem_to_utf8(Bytes bytes);

// [MS-CIFS] 2.2.4.64 SMB_COM_NT_CREATE_ANDX.
struct Smb1NtCreateRequest {
  std::string name;  // as sent (UTF-8), usually starting with '\'
  uint32_t root_directory_fid = 0;
  uint32_t desired_access = 0, file_attributes = 0, share_access = 0, create_disposition = 0,
           create_options = 0;
};
struct Smb1CreateResponse {  // NT_CREATE_ANDX and OPEN_ANDX responses
  uint16_t fid = 0;
  uint32_t create_action = 0;  // NT_CREATE_ANDX CreateDisposition; OPEN_ANDX OpenResults & 3
  uint32_t file_attributes = 0;
  uint64_t end_of_file = 0;
  uint16_t resource_type = 0;  // 0 disk file, 1 byte-mode pipe, 2 message-mode pipe, ...
  bool directory = false;
};
bool parse_smb1_nt_create_request(const Smb1Block& block, bool unicode, Smb1NtCreateRequest& out);
bool parse_smb1_nt_create_response(const Smb1Block& block, Smb1CreateResponse& out);
// [MS-CIFS] 2.2.4.41 SMB_COM_OPEN_ANDX: the file name of the request; FID, size, attributes.
bool parse_smb1_open_request(const Smb1Block& block, bool unicode, std::string& name);
bool parse_smb1_open_response(const Smb1Block& block, Smb1CreateResponse& out);

// [MS-CIFS] 2.2.4.42 SMB_COM_READ_ANDX; offsets are 64-bit with OffsetHigh (WordCount 12).
struct Smb1ReadRequest {
  uint16_t fid = 0;
  uint64_t offset = 0;
};
struct Smb1ReadResponse {
  Bytes data;                // the data bytes present in the message
  uint32_t data_length = 0;  // as declared (DataLength | DataLengthHigh << 16, [MS-SMB] 2.2.4.2.2)
};
bool parse_smb1_read_request(const Smb1Block& block, Smb1ReadRequest& out);
bool parse_smb1_read_response(Bytes message, const Smb1Block& block, Smb1ReadResponse& out);

// [MS-CIFS] 2.2.4.43 SMB_COM_WRITE_ANDX; OffsetHigh with WordCount 14, DataLengthHigh
// ([MS-SMB] 2.2.4.3.1).
struct Smb1WriteRequest {
  uint16_t fid = 0;
  uint64_t offset = 0;
  Bytes data;  // the data bytes present in the message
  uint32_t data_length = 0;
};
bool parse_smb1_write_request(Bytes message, const Smb1Block& block, Smb1WriteRequest& out);

// [MS-CIFS] 2.2.4.5 SMB_COM_CLOSE request: the FID.
bool parse_smb1_close_request(const Smb1Block& block, uint16_t& fid);

// [MS-CIFS] 2.2.4.55 SMB_COM_TREE_CONNECT_ANDX: the share path ("\\server\share") of the
// request and the Service of the response ("A:" disk, "IPC" named pipe, "LPT1:" printer, ...).
bool parse_smb1_tree_connect_request(const Smb1Block& block, bool unicode, std::string& path);
bool parse_smb1_tree_connect_response(const Smb1Block& block, std::string& service);
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
