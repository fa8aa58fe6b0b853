// NTP message decoding (RFC 5905 packet header, RFC 7822 extension fields, mode 6 control
// messages per RFC 9327, mode 7 ntpd private messages).
//
// Pure functions: one UDP payload in, a filled NTP record and a list of anomalies out. The
// record's flow fields (Timestamp, FlowID, addresses) are left alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/byte_cursor.h"
#include "forensics/app/app_protocol.h"
#include "proto/ntp.pb.h"

namespace netcap::app::ntp {

inline constexpr uint16_t kPort = 123;
inline constexpr size_t kHeaderBytes = 48;         // RFC 5905 figure 8, modes 1-5
inline constexpr size_t kControlHeaderBytes = 12;  // RFC 9327 section 2, mode 6
inline constexpr size_t kPrivateHeaderBytes = 8;   // ntpd mode 7 request/response header
// Mode 6 data kept as text; one datagram carries at most 468 data bytes (RFC 9327), the bound
// only protects against nonsense counts.
inline constexpr size_t kMaxControlDataBytes = 1024;
// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
inline constexpr uint64_t kNtpToUnixSeconds = 2208988800ULL;

// An anomaly found while decoding: full name ("ntp.truncated") and detail text.
struct Finding {
  std::string name;
  std::string detail;
};

// Decodes one NTP message into `record`. Returns false (and adds an "ntp.truncated" finding)
// when the header of its mode is incomplete.
bool decode_ntp(Bytes payload, netcap::NTP& record, std::vector<Finding>& findings);

// A 64-bit NTP timestamp as Unix ns; 0 for the zero timestamp. Era: seconds below the Unix
// epoch are taken as era 1 (after 2036-02-07), as RFC 5905 section 6 suggests for a clock
// known to be after 1970.
int64_t ntp_to_unix_ns(uint64_t ntp);

// Content probe (UDP, used on port 123 only): version 1-4 and a complete header for its mode.
ProbeResult probe_ntp(const ProbeInput& in);

// "client", "server", ... for the mode field.
std::string_view mode_name(int mode);

}  // namespace netcap::app::ntp
