// DHCPv6 message decoding (RFC 8415; Client FQDN RFC 4704; prefix delegation RFC 8415 21.21-22).
//
// Pure functions: one UDP payload in, a filled DHCPv6 record and a list of anomalies out. The
// record's flow fields (Timestamp, FlowID, addresses) are left alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/byte_cursor.h"
#include "forensics/app/app_protocol.h"
#include "proto/dhcp.pb.h"

namespace netcap::app::dhcpv6 {

inline constexpr uint16_t kClientPort = 546;
inline constexpr uint16_t kServerPort = 547;
// Relay encapsulations followed at most. RFC 8415 section 7.6: HOP_COUNT_LIMIT is 8; a few more
// are tolerated so that an over-long chain is still decoded and reported.
inline constexpr int kMaxRelayDepth = 16;

// An anomaly found while decoding: full name ("dhcpv6.bad_option") and detail text.
struct Finding {
  std::string name;
  std::string detail;
};

// Decodes one DHCPv6 message (client/server or relay) into `record`. Returns false (and adds a
// "dhcpv6.truncated" finding) when not even the message header is there. At most `max_items`
// options are listed per message level and IA addresses/prefixes per IA.
bool decode_dhcpv6(Bytes payload, size_t max_items, netcap::DHCPv6& record,
                   std::vector<Finding>& findings);

// Content probe (UDP, used on ports 546/547 only): a known message type and options that
// exactly fill the datagram.
ProbeResult probe_dhcpv6(const ProbeInput& in);

// "SOLICIT" ... , empty when unknown.
std::string_view message_type_name(int type);
// IANA name of option `code` ("CLIENTID"), empty when unknown.
std::string_view option_name(int code);

}  // namespace netcap::app::dhcpv6
