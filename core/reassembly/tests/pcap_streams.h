// Test helper: reads TCP segments from a capture with libpcap and a minimal
// Ethernet/VLAN/SLL/raw -> IPv4/IPv6 -> TCP header walk (independent of the real decoders), and
// groups them into conversations by 4-tuple.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/reassembly/tcp_segment.h"

namespace netcap::testing {

struct OwnedSegment {
  StreamDirection dir = StreamDirection::kClientToServer;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  std::vector<uint8_t> payload;
  uint32_t payload_length = 0;
  int64_t ts_ns = 0;
  uint64_t frame = 0;

  TcpSegment view() const {
    TcpSegment s;
    s.dir = dir;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = {payload.data(), payload.size()};
    s.payload_length = payload_length;
    s.ts_ns = ts_ns;
    s.frame = frame;
    return s;
  }
};

struct Conversation {
  std::string name;                    // "a:port-b:port", for messages
  std::vector<OwnedSegment> segments;  // capture order
};

// All TCP conversations of `path` (empty with `error` set when it cannot be read). The client
// is the sender of the first SYN without ACK, else the sender of the first packet.
std::vector<Conversation> read_conversations(const std::string& path, std::string* error);

}  // namespace netcap::testing
