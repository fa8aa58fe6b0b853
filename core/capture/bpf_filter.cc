#include "core/capture/bpf_filter.h"

#include <pcap/pcap.h>

namespace netcap {

struct BpfFilter::Program {
  bpf_program program{};
  ~Program() { pcap_freecode(&program); }
};

namespace {
// pcap_open_dead takes a DLT_ value, which differs from the LINKTYPE_ value stored in files for
// a few link types (https://www.tcpdump.org/linktypes.html).
int dlt_for_linktype(uint32_t linktype) {
  switch (linktype) {
    case linktype::kRaw:       // LINKTYPE_RAW 101
    case linktype::kRawBsd12:  // written by hosts where DLT_RAW is 12
    case linktype::kRawBsd14:  // ... or 14 (OpenBSD)
      return DLT_RAW;
    default:
      return static_cast<int>(linktype);
  }
}
}  // namespace

BpfFilter::BpfFilter(std::string expression, uint32_t snaplen)
    : expression_(std::move(expression)), snaplen_(snaplen) {}

BpfFilter::~BpfFilter() = default;

Status BpfFilter::prepare(uint32_t linktype) {
  if (empty()) return Status::ok();
  auto it = programs_.find(linktype);
  if (it != programs_.end()) {
    return it->second ? Status::ok()
                      : Status::error("filter \"" + expression_ +
                                      "\" does not apply to link type " + std::to_string(linktype));
  }
  pcap_t* dead = pcap_open_dead(dlt_for_linktype(linktype), static_cast<int>(snaplen_));
  if (dead == nullptr) return Status::error("pcap_open_dead failed");
  auto program = std::make_unique<Program>();
  int rc = pcap_compile(dead, &program->program, expression_.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  std::string error = rc == 0 ? "" : pcap_geterr(dead);
  pcap_close(dead);
  if (rc != 0) {
    program->program = bpf_program{};  // nothing to free
    programs_[linktype] = nullptr;
    return Status::error("filter \"" + expression_ + "\" for link type " +
                         std::to_string(linktype) + ": " + error);
  }
  programs_[linktype] = std::move(program);
  return Status::ok();
}

bool BpfFilter::matches(const RawPacket& packet) {
  if (empty()) return true;
  auto it = programs_.find(packet.linktype);
  if (it == programs_.end()) {
    (void)prepare(packet.linktype);
    it = programs_.find(packet.linktype);
  }
  if (!it->second) return false;
  pcap_pkthdr header{};
  header.ts.tv_sec = static_cast<time_t>(packet.ts_ns / 1'000'000'000);
  header.ts.tv_usec = static_cast<suseconds_t>((packet.ts_ns % 1'000'000'000) / 1000);
  header.caplen = packet.cap_len();
  header.len = packet.wire_len;
  return pcap_offline_filter(&it->second->program, &header, packet.data.data()) != 0;
}

}  // namespace netcap
