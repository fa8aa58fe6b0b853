// p0f v3's TCP signature database (Debian p0f: /etc/p0f/p0f.fp) and its matcher: names the
// operating system that sent a SYN or SYN+ACK from the packet's signature
// (core/protocols/tcp/tcp_signature.h, carried in Connection.ClientTCPSignature and
// ServerTCPSignature). Format: p0f's README, sections "Fingerprint database" and "TCP
// signatures"; matching follows p0f 3.09b's fp_tcp.c (tcp_find_match):
//
//  * a signature applies when its option layout, EOL padding and IP option length are equal,
//    its MSS, window scale and payload class equal or '*', and its window equal, a divisor
//    ('%N'), the same multiple of MSS or MTU ('mss*N', 'mtu*N', detected as p0f does) or '*';
//  * an exact match has the same quirks and an initial TTL at most 35 above the observed one
//    ('64-': a tool with random TTLs, any TTL up to 64); the first specific ('s:') exact
//    match in file order wins, else the first generic ('g:') one;
//  * failing those, the first fuzzy match: quirks that differ only by 'df' or 'id+' missing or
//    'id-' or 'ecn' added, or a TTL out of range (then the distance is guessed from the
//    observed TTL as p0f does). Application labels ('!') are never matched fuzzily.
//
// One deliberate difference: p0f 3.09b does not compare a signature's IP version with the
// packet's; we do (the README defines '4' and '6' as "signature for IPv4/IPv6").
//
// The file is data we do not control: every line that does not parse is skipped and reported
// in errors() (line number and reason); file size, line length and signature count are
// bounded by P0fLimits. Loaded once; read-only afterwards, so it may be shared by threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace netcap::profiles {

inline constexpr std::string_view kDefaultP0fFile = "/etc/p0f/p0f.fp";

// Bounds for reading a (possibly hostile) p0f.fp.
struct P0fLimits {
  size_t max_file_bytes = 4 << 20;  // Debian's file is 40 kB
  size_t max_line_bytes = 4096;
  size_t max_signatures = 8192;  // TCP signatures kept; Debian has about 300
  size_t max_errors_kept = 32;   // error texts kept (all are counted)
};

// Quirk bits, in p0f's order (df first, bad last).
enum P0fQuirk : uint32_t {
  kP0fDf = 1u << 0,
  kP0fNonZeroId = 1u << 1,
  kP0fZeroId = 1u << 2,
  kP0fEcn = 1u << 3,
  kP0fMustBeZero = 1u << 4,
  kP0fFlow = 1u << 5,
  kP0fZeroSeq = 1u << 6,
  kP0fNonZeroAck = 1u << 7,
  kP0fZeroAck = 1u << 8,
  kP0fNonZeroUrg = 1u << 9,
  kP0fUrgFlag = 1u << 10,
  kP0fPushFlag = 1u << 11,
  kP0fZeroTs1 = 1u << 12,
  kP0fNonZeroTs2 = 1u << 13,
  kP0fOptAfterEol = 1u << 14,
  kP0fExcessiveScale = 1u << 15,
  kP0fBadOptions = 1u << 16,
};

enum class P0fWindow : uint8_t {
  kValue,   // 8192
  kModulo,  // %8192: a multiple of the value
  kMss,     // mss*N
  kMtu,     // mtu*N
  kAny,     // *
};

// One TCP signature: a p0f.fp 'sig' line, or a packet's observed signature (then ttl is the
// observed TTL, the window a plain value and nothing is a wildcard).
struct P0fTcpSignature {
  int ip_version = -1;      // 4, 6; -1: '*'
  int ttl = 0;              // initial TTL ("54+10" is 64); observed TTL for a packet
  bool random_ttl = false;  // "64-": the tool randomises TTLs below this
  int ip_options_length = 0;
  int mss = -1;  // -1: '*'
  P0fWindow window_type = P0fWindow::kValue;
  int window = 0;               // the value, divisor or multiplier
  int window_scale = -1;        // -1: '*'
  std::vector<uint8_t> layout;  // option kinds in order (0 EOL, 1 NOP, 2 MSS, ...)
  int eol_padding = 0;
  uint32_t quirks = 0;     // P0fQuirk bits
  int payload_class = -1;  // 0, 1 ('+'); -1: '*'
};

// Parses the value of a 'sig' line (or an observed signature). On failure the reason.
Expected<P0fTcpSignature> parse_p0f_tcp_signature(std::string_view text);

// An observed signature as p0f prints it in its "raw_sig" field: the TTL as "observed+distance"
// (distance guessed to the next of 32, 64, 128, 255; "+?" beyond 35 hops) and the window as
// "mss*N" / "mtu*N" when p0f's detection finds such a multiple (`syn_mss`: see match()).
// `request`: a SYN, else a SYN+ACK. Used to compare with p0f itself (conformance tests).
std::string p0f_raw_signature(const P0fTcpSignature& observed, bool request, uint16_t syn_mss);

// A 'label' line of the TCP sections, with the 'sys' line that follows an application label.
struct P0fLabel {
  bool generic = false;              // 'g': considered only when no specific signature matched
  std::string os_class;              // "win", "unix", "other", ...; "!" for applications
  std::string name;                  // "Linux", "Windows", "Mac OS X", "NMap"
  std::string flavor;                // "3.11 and newer", "7 or 8"; may be empty
  std::vector<std::string> systems;  // 'sys' of an application label ("@unix", "Linux")
  int line = 0;
  bool application() const { return os_class == "!"; }
  // "Linux 3.11 and newer", or the name alone when there is no flavor.
  std::string os() const { return flavor.empty() ? name : name + " " + flavor; }
};

struct P0fMatch {
  const P0fLabel* label = nullptr;  // owned by the database
  int line = 0;                     // the matching 'sig' line
  bool fuzzy = false;
  bool generic = false;
  // Hops between sender and capture point: initial TTL - observed TTL (for a random-TTL tool,
  // an upper bound).
  int distance = 0;
};

class P0fDatabase {
 public:
  // A missing or unreadable file, one over the size limit or one without TCP signatures is an
  // error; lines that do not parse are skipped and listed in errors().
  static Expected<P0fDatabase> load(const std::string& path = std::string(kDefaultP0fFile),
                                    const P0fLimits& limits = {});
  static P0fDatabase parse(std::string_view text, const P0fLimits& limits = {});

  // The signature that names `observed`: `request` chooses [tcp:request] (SYN) or
  // [tcp:response] (SYN+ACK); `syn_mss` is the MSS of the SYN a SYN+ACK answers (0: unknown),
  // which some servers' windows are a multiple of. nullopt: nothing matched.
  std::optional<P0fMatch> match(const P0fTcpSignature& observed, bool request,
                                uint16_t syn_mss = 0) const;
  // The same for the text of an observed signature; nullopt also when it does not parse or
  // has wildcards.
  std::optional<P0fMatch> match(std::string_view observed, bool request,
                                uint16_t syn_mss = 0) const;

  size_t size() const { return signatures_[0].size() + signatures_[1].size(); }
  size_t request_signatures() const { return signatures_[1].size(); }
  size_t response_signatures() const { return signatures_[0].size(); }
  size_t labels() const { return labels_.size(); }
  // "line 12: unknown quirk 'xy'" for the first P0fLimits::max_errors_kept problems.
  const std::vector<std::string>& errors() const { return errors_; }
  size_t error_count() const { return error_count_; }

 private:
  struct Entry {
    P0fTcpSignature sig;
    size_t label = 0;  // index into labels_
    int line = 0;
  };
  void error(int line, std::string_view what, const P0fLimits& limits);

  std::vector<P0fLabel> labels_;
  std::vector<Entry> signatures_[2];  // [0] response (SYN+ACK), [1] request (SYN): p0f's to_srv
  std::vector<std::string> errors_;
  size_t error_count_ = 0;
};

}  // namespace netcap::profiles
