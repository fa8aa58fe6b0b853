// TFTP packet decoding: RFC 1350 (RRQ, WRQ, DATA, ACK, ERROR), RFC 2347 options and OACK,
// RFC 2348 blksize, RFC 2349 timeout and tsize, RFC 7440 windowsize.
//
// Pure functions: one UDP payload in, a Packet and a list of findings (anomalies) out. Every
// string taken from the wire is bounded by TftpLimits; nothing keeps a reference to the payload
// except Packet::data, which is valid as long as the payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/byte_cursor.h"
#include "forensics/app/app_protocol.h"

namespace netcap::app::tftp {

inline constexpr uint16_t kPort = 69;  // RFC 1350 §4: requests go to port 69
// RFC 1350 §1: data is sent in blocks of 512 bytes unless blksize (RFC 2348) says otherwise.
inline constexpr uint32_t kDefaultBlockSize = 512;
// RFC 2348 §2: valid blksize values.
inline constexpr uint32_t kMinBlockSize = 8;
inline constexpr uint32_t kMaxBlockSize = 65464;
// RFC 1350 §5 opcodes; 6 (OACK) from RFC 2347.
enum Opcode : uint16_t {
  kRrq = 1,
  kWrq = 2,
  kData = 3,
  kAck = 4,
  kError = 5,
  kOack = 6,
};

// Bounds on what one flow or shard keeps from the wire. Defaults are used by the registered
// protocol; tests pass smaller ones.
struct TftpLimits {
  // File name bytes kept (RFC 2347 §2 limits a whole request to 512 bytes; longer names are
  // cut and recorded as tftp.name_too_long).
  size_t max_file_name_bytes = 512;
  // Options kept per request or OACK (RFC 2347 lets a 512-byte request hold few; more are
  // recorded as tftp.too_many_options and ignored).
  size_t max_options = 16;
  // Bytes kept of an option name or value (longer: cut, tftp.option_too_long).
  size_t max_option_bytes = 64;
  // Bytes kept of an ERROR message (longer: cut, not an anomaly: only a label).
  size_t max_error_message_bytes = 512;
  // Transfers (announced requests and running transfers) open at once on one shard; past it a
  // request is recorded without following its transfer (tftp.too_many_transfers).
  size_t max_open_transfers = 1024;
  // Blocks received ahead of a missing block that one transfer remembers; past it the oldest
  // missing blocks are given up (they stay missing in the file).
  size_t max_blocks_ahead = 1024;
  // Anomalies of one kind per flow (a broken peer must not flood the output).
  int max_anomalies_per_kind = 8;
};

// One option as sent; the name lower-cased (RFC 2347 §2: case-insensitive).
struct Option {
  std::string name;
  std::string value;
};

struct Packet {
  uint16_t opcode = 0;
  // RRQ/WRQ.
  std::string file_name;
  std::string mode;  // lower-cased (RFC 1350 §5: case-insensitive)
  // RRQ/WRQ/OACK.
  std::vector<Option> options;
  // DATA/ACK.
  uint16_t block = 0;
  // DATA: the data bytes captured (a view into the payload), and their length per the UDP
  // header (larger when the snap length cut the datagram; set by the caller, which knows it).
  Bytes data;
  size_t data_length = 0;
  // ERROR.
  uint16_t error_code = 0;
  std::string error_message;
};

// An anomaly found while decoding: full name ("tftp.truncated") and detail text.
struct Finding {
  std::string name;
  std::string detail;
};

// Decodes one TFTP packet. Returns false (with a finding) when it cannot be used: shorter than
// its opcode's header, an unknown opcode, or a request without a terminated file name or mode.
// Problems that leave the packet usable (unknown mode, bad options, cut strings, trailing
// bytes) are findings with a true return.
bool parse_packet(Bytes payload, const TftpLimits& limits, Packet& packet,
                  std::vector<Finding>& findings);

// The options netcap interprets, validated; an absent or invalid option stays unset.
struct OptionValues {
  std::optional<uint32_t> block_size;     // blksize, RFC 2348: 8..65464
  std::optional<uint64_t> transfer_size;  // tsize, RFC 2349
  std::optional<uint32_t> timeout;        // timeout, RFC 2349: 1..255 seconds
  std::optional<uint32_t> window_size;    // windowsize, RFC 7440: 1..65535
};
// Invalid values of known options are findings (tftp.bad_option); unknown options are left
// alone (RFC 2347 §2: a server ignores options it does not support).
OptionValues interpret_options(const std::vector<Option>& options, std::vector<Finding>& findings);

// "RRQ", "WRQ", "DATA", "ACK", "ERROR", "OACK"; empty for other values.
std::string_view opcode_name(uint16_t opcode);

// Content probe (UDP, port 69 only): a RRQ or WRQ with a terminated file name and mode.
ProbeResult probe_tftp(const ProbeInput& in);

}  // namespace netcap::app::tftp
