// DNS / mDNS / LLMNR sessions: turn datagrams (UDP) or the length-prefixed message stream of
// TCP (RFC 1035 §4.2.2) into DNS records, pair responses with their queries, raise anomalies.
//
// Thread-safety: one session per flow, used by its shard thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/app_protocol.h"
#include "forensics/app/length_prefix_framer.h"
#include "forensics/streams/dns/dns_parser.h"

namespace netcap::app::dns {

// A TCP DNS message is at most 65535 bytes (two-byte length prefix); the framing buffer of one
// direction never holds more than one message plus its prefix.
inline constexpr size_t kMaxTcpMessageBytes = 65535;

class DnsSession : public AppSession {
 public:
  DnsSession(AppContext& ctx, Flavor flavor, bool tcp);

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override;
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override;
  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts_ns,
                   uint64_t frame) override;
  void on_end(StreamEndReason reason, int64_t ts_ns) override;

 private:
  struct Pending {
    int id;
    std::string key;  // lower-case first question "name/type/class"
    StreamDirection dir;
    int64_t ts_ns;
    uint64_t frame;
  };

  void handle_message(StreamDirection dir, Bytes msg, int64_t ts_ns, uint64_t frame, bool snap_cut);
  void pair(DNS& record, StreamDirection dir, int64_t ts_ns, uint64_t frame);

  AppContext& ctx_;
  Flavor flavor_;
  bool tcp_;
  LengthPrefixFramer framers_[2] = {LengthPrefixFramer(2), LengthPrefixFramer(2)};
  std::deque<Pending> pending_;  // oldest first, at most Limits::max_pending_transactions
  bool pending_overflow_reported_ = false;
};

// Registration helpers (also used by tests): the protocol name a flavor registers.
std::string_view flavor_protocol(Flavor flavor);

}  // namespace netcap::app::dns
