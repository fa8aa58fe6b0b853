// SSH transport-layer parsing (RFC 4253): identification strings, the binary packet framing
// before encryption, SSH_MSG_KEXINIT, algorithm negotiation and the HASSH fingerprints.
// Pure: bytes in, structs out; no I/O, no records.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::ssh {

using Bytes = std::span<const uint8_t>;

// RFC 4253 §4.2: "SSH-protoversion-softwareversion SP comments" (CR LF removed).
struct Banner {
  std::string line;      // as sent, without CR LF
  std::string proto;     // "2.0", "1.99", "1.5"
  std::string software;  // "OpenSSH_9.6"
  std::string comments;  // after the first space, may be empty
  bool valid = false;    // "SSH-" + proto + "-" + non-empty software
};
Banner parse_banner(std::string_view line);

// Message numbers used here (RFC 4250 §4.1.2).
inline constexpr uint8_t kMsgKexInit = 20;
inline constexpr uint8_t kMsgNewKeys = 21;

// SSH_MSG_KEXINIT payload (RFC 4253 §7.1), name-lists as sent.
struct KexInit {
  std::string cookie_hex;
  std::string kex, host_key, ciphers_c2s, ciphers_s2c, macs_c2s, macs_s2c, compression_c2s,
      compression_s2c, languages_c2s, languages_s2c;
  bool first_kex_follows = false;
};
// `payload` starts with the message number (20). Nothing when it is not a well-formed KEXINIT.
std::optional<KexInit> parse_kexinit(Bytes payload);

// HASSH (salesforce/hassh): client "kex;ciphers_c2s;macs_c2s;compression_c2s",
// server "kex;ciphers_s2c;macs_s2c;compression_s2c"; the fingerprint is the MD5 of it.
std::string hassh_client_string(const KexInit& k);
std::string hassh_server_string(const KexInit& k);

// RFC 4253 §7.1: the first algorithm of the client's list that the server's list also holds;
// empty when none.
std::string negotiate(std::string_view client_list, std::string_view server_list);

// Incremental parser of one direction: the identification string (with the lines a server may
// send before it), then unencrypted binary packets (RFC 4253 §6) until SSH_MSG_NEWKEYS, after
// which the direction is encrypted and ignored. Also stops at SSH-1 banners (other framing),
// at a malformed packet, and past `max_packet` (Limits::max_handshake_bytes).
class DirectionParser {
 public:
  struct Events {
    // A pre-banner line (server side only) or the identification string.
    std::function<void(std::string_view line)> on_pre_banner_line;
    std::function<void(const Banner& banner)> on_banner;
    // One packet's payload (message number first).
    std::function<void(Bytes payload)> on_packet;
    // Anomaly problem ("bad_banner", "bad_packet", "kexinit_too_large") and detail.
    std::function<void(std::string_view problem, std::string detail)> on_anomaly;
  };
  DirectionParser(bool server_side, size_t max_packet, Events events)
      : server_side_(server_side), max_packet_(max_packet), events_(std::move(events)) {}

  void feed(Bytes data);
  // Bytes are missing: the framing is lost, the direction stops.
  void gap() {
    state_ = State::kDone;
    buffer_.clear();
  }
  bool done() const { return state_ == State::kDone; }
  bool newkeys_seen() const { return newkeys_; }
  int packets() const { return packets_; }

 private:
  enum class State : uint8_t { kBanner, kPackets, kDone };
  void banner_line(std::string_view line);
  // Parses whole packets at the front of buffer_; returns bytes consumed.
  size_t packets(Bytes data);

  // RFC 4253 §4.2: the identification string is at most 255 characters with CR LF; lines
  // before it are not bounded there, we keep at most this many bytes for a line.
  static constexpr size_t kMaxLine = 1024;
  // Pre-banner lines accepted before giving up.
  static constexpr int kMaxPreBannerLines = 32;

  bool server_side_;
  size_t max_packet_;
  Events events_;
  State state_ = State::kBanner;
  std::string line_;
  int pre_banner_lines_ = 0;
  std::vector<uint8_t> buffer_;  // an incomplete packet, at most max_packet_ + 4 bytes
  bool newkeys_ = false;
  int packets_ = 0;
};

}  // namespace netcap::app::ssh
