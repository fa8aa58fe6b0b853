// Passive OS fingerprint of a TCP SYN or SYN+ACK in p0f v3's signature format (p0f's README,
// "TCP signatures"; computed as p0f 3.09b's process.c and fp_tcp.c do):
//
//   ver:ttl:olen:mss:wsize,scale:olayout:quirks:pclass
//
//   ver     4 or 6
//   ttl     the TTL / hop limit as observed (p0f's database holds the initial TTL; the matcher,
//           forensics/profiles/p0f.h, derives the distance)
//   olen    IPv4 option bytes, IPv6 extension header bytes
//   mss     the MSS option's value, 0 when absent
//   wsize   the window field as sent (the matcher derives p0f's mss*N / mtu*N forms)
//   scale   the window scale option's shift count, 0 when absent
//   olayout the options in order: eol+N (N bytes after the end-of-list option), nop, mss, ws,
//           sok, sack, ts, ?N (other kind N)
//   quirks  df id+ id- ecn 0+ flow seq- ack+ ack- uptr+ urgf+ pushf+ ts1- ts2+ opt+ exws bad,
//           in that order, comma-separated
//   pclass  0 without payload, + with payload
//
// Where p0f 3.09b's code differs from its own documentation we follow the documentation and say
// so next to the code (ack+, opt+).
#pragma once

#include <cstdint>
#include <string>

#include "core/packet/packet_context.h"
#include "core/util/byte_cursor.h"

namespace netcap {

// p0f reads at most this many options (config.h MAX_TCP_OPT); more is the quirk "bad".
inline constexpr size_t kP0fMaxTcpOptions = 24;

// The signature of the TCP segment `tcp_header` (the whole header as captured: 20 fixed bytes
// plus data offset * 4 - 20 option bytes) sent in an IP packet with `ip`'s fields, carrying
// `payload_length` bytes of payload per the IP header. Empty when the segment is not a SYN or
// SYN+ACK (p0f fingerprints nothing else; SYN with FIN or RST is not fingerprinted either),
// when `ip` names no IP version, or when the header is shorter than its data offset says.
std::string tcp_syn_signature(const IpFingerprintFields& ip, Bytes tcp_header,
                              uint32_t payload_length);

}  // namespace netcap
