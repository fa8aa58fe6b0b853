// MySQL client/server protocol, connection phase (MySQL internals manual "Connection Phase";
// MariaDB's is the same): packet framing and the greeting, SSLRequest, HandshakeResponse,
// AuthSwitchRequest and OK/ERR packets. Pure: bytes in, structs out; no I/O, no records.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::mysql {

using Bytes = std::span<const uint8_t>;

inline constexpr uint16_t kPort = 3306;

// Capability flags used here.
inline constexpr uint32_t kClientConnectWithDb = 0x00000008;
inline constexpr uint32_t kClientProtocol41 = 0x00000200;
inline constexpr uint32_t kClientSsl = 0x00000800;
inline constexpr uint32_t kClientSecureConnection = 0x00008000;
inline constexpr uint32_t kClientPluginAuth = 0x00080000;
inline constexpr uint32_t kClientConnectAttrs = 0x00100000;
inline constexpr uint32_t kClientPluginAuthLenencData = 0x00200000;
inline constexpr uint32_t kClientCompress = 0x00000020;
inline constexpr uint32_t kClientZstdCompression = 0x04000000;
inline constexpr uint32_t kClientQueryAttributes = 0x08000000;

// A packet: 3-byte little-endian payload length, 1-byte sequence id, payload.
struct Packet {
  uint8_t sequence = 0;
  Bytes payload;
};

// Splits packets off the front of `buffer`; sets `consumed` to the bytes used. A packet longer
// than `max_payload` stops the split with `too_large` set (the connection phase has no big
// packets; a huge length means this is not MySQL or the stream is damaged).
std::vector<Packet> split_packets(Bytes buffer, size_t max_payload, size_t& consumed,
                                  bool& too_large);

// Protocol::HandshakeV10 (and V9: version and thread id only).
struct Greeting {
  uint8_t protocol_version = 0;
  std::string server_version;
  uint32_t connection_id = 0;
  std::string salt;  // auth-plugin-data, both parts (20 bytes for mysql_native_password)
  uint32_t capabilities = 0;
  uint8_t character_set = 0;
  std::string auth_plugin;
};
std::optional<Greeting> parse_greeting(Bytes payload);

// Protocol::SSLRequest (a HandshakeResponse cut after the filler, with CLIENT_SSL) or
// Protocol::HandshakeResponse41 / HandshakeResponse320.
struct Login {
  uint32_t capabilities = 0;
  bool ssl_request = false;
  std::string user;
  std::string auth_response;  // raw bytes
  std::string database;
  std::string auth_plugin;
  std::vector<std::string> attributes;  // "key=value"
  bool attributes_cut = false;          // more than kMaxAttributes or malformed
};
inline constexpr size_t kMaxAttributes = 64;
inline constexpr size_t kMaxNameBytes = 256;
std::optional<Login> parse_login(Bytes payload);

// ERR packet (0xff): code, SQL state (protocol 4.1 '#' marker), message.
struct Error {
  uint16_t code = 0;
  std::string sql_state;
  std::string message;
};
std::optional<Error> parse_error(Bytes payload);

// AuthSwitchRequest (0xfe with a plugin name): plugin and its new salt.
struct AuthSwitch {
  std::string plugin;
  std::string salt;
};
std::optional<AuthSwitch> parse_auth_switch(Bytes payload);

// A command packet of the command phase (a client packet with sequence id 0), from its first
// bytes: the command code, and the SQL text of COM_QUERY (0x03) and COM_STMT_PREPARE (0x16),
// or "USE <name>" for COM_INIT_DB (0x02). With CLIENT_QUERY_ATTRIBUTES negotiated, COM_QUERY
// starts with the parameter count and set count; with parameters, the text is not located and
// `has_text` stays false. The text is cut at `max_text` bytes. nullopt for an empty payload.
struct Command {
  uint8_t code = 0;
  bool has_text = false;
  std::string text;
};
inline constexpr uint8_t kComQuit = 0x01;
inline constexpr uint8_t kComInitDb = 0x02;
inline constexpr uint8_t kComQuery = 0x03;
inline constexpr uint8_t kComStmtPrepare = 0x16;
std::optional<Command> parse_command(Bytes payload_prefix, bool query_attributes, size_t max_text);

// The server greeting at the start of `server` (kYes when it is a well-formed V10 greeting in
// sequence 0, kNo when it cannot be one, kNeedMore for a prefix). 0 = no, 1 = need more, 2 = yes.
int probe_greeting(Bytes server, bool final);

// hashcat mode 11200 (MySQL CRAM (SHA1)): "$mysqlna$" + hex(salt, 20 bytes) + "*" +
// hex(response, 20 bytes); empty unless both are 20 bytes.
std::string native_password_hashcat(std::string_view salt, std::string_view response);

}  // namespace netcap::app::mysql
