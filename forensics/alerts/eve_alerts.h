// Suricata EVE JSON alerts as Alert records (proto/alert.proto), matched to the connections of a
// case (`netcap label`).
//
// An EVE file holds one JSON object per line; only event_type "alert" lines become alerts. The
// line parser is pure and bounds its own work (the caller bounds the line length); the matcher
// only reads the case index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/sinks/case_index.h"
#include "core/util/status.h"
#include "proto/alert.pb.h"

namespace netcap::alerts {

// Unix ns of an EVE timestamp: "2017-05-09T21:07:38.364077+0000" (offsets "+hhmm", "+hh:mm" or
// "Z"; 0 to 9 fraction digits; years 1970-2262). nullopt when malformed.
std::optional<int64_t> parse_eve_time(std::string_view text);

// The address as the case writes it (inet_ntop's form: Suricata prints IPv6 addresses
// uncompressed); nullopt when `text` is not an IPv4 or IPv6 address.
std::optional<std::string> canonical_address(std::string_view text);

// EVE's proto ("TCP", "UDP", "ICMP", "IPv6-ICMP", "SCTP", or a number) as Connection's
// TransportProto spells it ("tcp", "udp", "icmp", "icmpv6", "sctp"; other values lower-cased).
std::string transport_name(std::string_view eve_proto);

struct EveLine {
  enum class Kind { kAlert, kOtherEvent, kMalformed };
  Kind kind = Kind::kMalformed;
  Alert alert;        // kAlert
  std::string error;  // kMalformed: why, one line
};

// Parses one EVE line; `source` goes into Alert.Source. Alerts need a valid timestamp, both
// addresses and a signature id; anything else is kMalformed with the reason.
EveLine parse_eve_line(std::string_view line, std::string_view source);

// Finds the Connection an alert belongs to: by Community ID when the alert has one, else by the
// addresses, ports (not for ICMP) and transport in either direction. Among the candidates, the
// connection whose [first, last] time span (widened by `slack_ns` each side) holds the alert's
// time; of several, the one that started last before it. No candidate in time: unmatched.
class AlertMatcher {
 public:
  AlertMatcher(const CaseIndex& index, int64_t slack_ns) : index_(index), slack_ns_(slack_ns) {}
  // Sets alert->FlowID and MatchedBy when a connection matches (leaves them empty otherwise).
  Status match(Alert* alert) const;

 private:
  const CaseIndex& index_;
  int64_t slack_ns_;
};

}  // namespace netcap::alerts
