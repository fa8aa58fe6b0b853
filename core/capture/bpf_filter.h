// BpfFilter: a tcpdump-syntax filter (pcap-filter(7)) compiled by libpcap, once per link type met,
// and run over packets with pcap_offline_filter. Capture files can mix link types (pcapng), and
// a BPF program is only meaningful for the link type it was compiled for.
//
// Thread-safety: none (one reader thread). Owns the compiled programs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/packet/packet.h"
#include "core/util/status.h"

namespace netcap {

class BpfFilter {
 public:
  // An empty expression matches everything.
  BpfFilter(std::string expression, uint32_t snaplen);
  ~BpfFilter();
  BpfFilter(const BpfFilter&) = delete;
  BpfFilter& operator=(const BpfFilter&) = delete;

  bool empty() const { return expression_.empty(); }
  const std::string& expression() const { return expression_; }
  // Compiles for `linktype` (LINKTYPE_* value) if not done yet; error when libpcap rejects the
  // expression for that link type (the message is libpcap's).
  Status prepare(uint32_t linktype);
  // True when the packet passes. A link type for which the filter does not compile matches
  // nothing (the caller reports that once, from prepare()).
  bool matches(const RawPacket& packet);

 private:
  struct Program;
  std::string expression_;
  uint32_t snaplen_;
  std::map<uint32_t, std::unique_ptr<Program>> programs_;  // by link type; null: did not compile
};

}  // namespace netcap
