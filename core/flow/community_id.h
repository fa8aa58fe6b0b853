// Community ID flow hashing, version 1 (https://github.com/corelight/community-id-spec):
// "1:" + base64(SHA1(seed | saddr | daddr | proto | 0 | sport | dport)) with the endpoints
// ordered so both directions give the same value. Lets analysts pivot to Zeek/Suricata/Arkime.
#pragma once

#include <cstdint>
#include <string>

#include "core/net/address.h"

namespace netcap {

// `src_port`/`dst_port` are ports for TCP/UDP/SCTP and (type, code-or-counterpart) for ICMP as
// computed by flow_endpoints(); `one_way` disables endpoint ordering (ICMP without counterpart).
std::string community_id_v1(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                            uint16_t src_port, uint16_t dst_port, bool one_way = false,
                            uint16_t seed = 0);

}  // namespace netcap
