// DHCPv4 / BOOTP message decoding (RFC 951, RFC 2131, RFC 2132, RFC 3396, RFC 4702).
//
// Pure functions: one UDP payload in, a filled DHCPv4 record and a list of anomalies out. The
// record's flow fields (Timestamp, FlowID, addresses) are left alone, except ClientIP which is
// the ciaddr field: call AppContext::stamp() BEFORE decode_dhcpv4() (stamp() also writes a
// field named ClientIP).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/byte_cursor.h"
#include "forensics/app/app_protocol.h"
#include "proto/dhcp.pb.h"

namespace netcap::app::dhcp {

inline constexpr size_t kBootpFixedBytes = 236;       // op .. file (RFC 951)
inline constexpr uint32_t kMagicCookie = 0x63825363;  // RFC 2131 section 3
inline constexpr uint16_t kServerPort = 67;
inline constexpr uint16_t kClientPort = 68;

// An anomaly found while decoding: full name ("dhcp.bad_option") and detail text.
struct Finding {
  std::string name;
  std::string detail;
};

// Decodes one DHCPv4/BOOTP message into `record`. Returns false (and adds a "dhcp.truncated"
// finding) when the payload is shorter than the fixed BOOTP header: then `record` holds nothing
// useful. Otherwise every field that could be read is set; problems are reported as findings
// and set Malformed. At most `max_options` options are listed (more: "dhcp.too_many_options").
bool decode_dhcpv4(Bytes payload, size_t max_options, netcap::DHCPv4& record,
                   std::vector<Finding>& findings);

// Content probe (UDP): a BOOTP header with sane op/htype/hlen/hops and the DHCP magic cookie;
// plain BOOTP (no cookie) only when both ports are 67/68.
ProbeResult probe_dhcpv4(const ProbeInput& in);

// "DISCOVER" ... for option 53 values, empty when unknown.
std::string_view message_type_name(int type);
// IANA name of option `code`, empty when unknown.
std::string_view option_name(int code);

}  // namespace netcap::app::dhcp
