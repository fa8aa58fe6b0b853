#include "core/reassembly/tests/pcap_streams.h"

#include <pcap/pcap.h>

#include <map>
#include <tuple>

#include "core/util/byte_cursor.h"

namespace netcap::testing {
namespace {

struct Endpoint {
  std::vector<uint8_t> addr;
  uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

std::string endpoint_text(const Endpoint& e) {
  std::string s;
  for (size_t i = 0; i < e.addr.size(); ++i) {
    if (i) s += e.addr.size() == 4 ? "." : ":";
    s += std::to_string(e.addr[i]);
  }
  return s + "/" + std::to_string(e.port);
}

struct Parsed {
  Endpoint src, dst;
  OwnedSegment seg;
};

// Walks link -> IP -> TCP; false for anything that is not an unfragmented TCP segment.
bool parse(int linktype, Bytes frame, uint32_t wire_len, Parsed& out) {
  ByteCursor c(frame);
  uint16_t ethertype = 0;
  if (linktype == DLT_EN10MB) {
    c.skip(12);
    ethertype = c.u16be();
    while (ethertype == 0x8100 || ethertype == 0x88a8) {
      c.skip(2);
      ethertype = c.u16be();
    }
  } else if (linktype == DLT_LINUX_SLL) {
    c.skip(14);
    ethertype = c.u16be();
  } else if (linktype == DLT_RAW || linktype == 12 || linktype == 14) {
    ethertype = (c.peek_u8() >> 4) == 6 ? 0x86dd : 0x0800;
  } else {
    return false;
  }
  if (!c.ok()) return false;
  uint8_t proto = 0;
  uint64_t ip_payload_len = 0;  // per the IP header
  if (ethertype == 0x0800) {
    const uint8_t vihl = c.u8();
    const size_t ihl = (vihl & 0x0f) * 4u;
    c.skip(1);
    const uint16_t total = c.u16be();
    c.skip(2);
    const uint16_t frag = c.u16be();
    c.skip(1);
    proto = c.u8();
    c.skip(2);
    Bytes s = c.bytes(4), d = c.bytes(4);
    if (!c.ok() || ihl < 20 || (frag & 0x3fff) != 0 || total < ihl) return false;
    out.src.addr.assign(s.begin(), s.end());
    out.dst.addr.assign(d.begin(), d.end());
    c.skip(ihl - 20);
    ip_payload_len = total - ihl;
  } else if (ethertype == 0x86dd) {
    c.skip(4);
    const uint16_t plen = c.u16be();
    proto = c.u8();
    c.skip(1);
    Bytes s = c.bytes(16), d = c.bytes(16);
    if (!c.ok()) return false;
    out.src.addr.assign(s.begin(), s.end());
    out.dst.addr.assign(d.begin(), d.end());
    ip_payload_len = plen;  // extension headers are not walked: TCP must follow directly
  } else {
    return false;
  }
  if (proto != 6 || !c.ok()) return false;
  const size_t tcp_start = c.offset();
  out.src.port = c.u16be();
  out.dst.port = c.u16be();
  out.seg.seq = c.u32be();
  out.seg.ack = c.u32be();
  const size_t doff = (c.u8() >> 4) * 4u;
  out.seg.flags = c.u8() & 0x3f;
  if (!c.ok() || doff < 20) return false;
  // Position at the payload start: the header is doff bytes from tcp_start.
  ByteCursor p(frame);
  p.skip(tcp_start + doff);
  if (!p.ok() || ip_payload_len < doff) return false;
  const uint64_t declared = ip_payload_len - doff;
  Bytes rest = p.rest();
  // Ethernet padding: never take more than the IP header declares.
  const size_t captured = static_cast<size_t>(std::min<uint64_t>(rest.size(), declared));
  out.seg.payload.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(captured));
  out.seg.payload_length = static_cast<uint32_t>(declared);
  (void)wire_len;
  return true;
}

}  // namespace

std::vector<Conversation> read_conversations(const std::string& path, std::string* error) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pcap == nullptr) {
    if (error) *error = errbuf;
    return {};
  }
  const int linktype = pcap_datalink(pcap);
  std::map<std::pair<Endpoint, Endpoint>, size_t> index;  // canonical (lower, higher) -> conv
  std::vector<Conversation> convs;
  std::vector<Endpoint> clients;
  pcap_pkthdr* hdr = nullptr;
  const u_char* bytes = nullptr;
  uint64_t frame = 0;
  while (pcap_next_ex(pcap, &hdr, &bytes) == 1) {
    ++frame;
    Parsed p;
    if (!parse(linktype, Bytes(bytes, hdr->caplen), hdr->len, p)) continue;
    p.seg.ts_ns = int64_t{hdr->ts.tv_sec} * 1'000'000'000 + hdr->ts.tv_usec;
    p.seg.frame = frame;
    auto key = p.src < p.dst ? std::make_pair(p.src, p.dst) : std::make_pair(p.dst, p.src);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, convs.size()).first;
      convs.push_back({endpoint_text(p.src) + "-" + endpoint_text(p.dst), {}});
      clients.push_back(p.src);
    }
    Conversation& conv = convs[it->second];
    // The first pure SYN names the client, even when it was not the first packet stored.
    if ((p.seg.flags & 0x12) == 0x02 && !(clients[it->second] == p.src)) {
      bool any_syn = false;
      for (const auto& s : conv.segments) any_syn |= (s.flags & 0x12) == 0x02;
      if (!any_syn) {
        clients[it->second] = p.src;
        for (auto& s : conv.segments) {
          s.dir = s.dir == StreamDirection::kClientToServer ? StreamDirection::kServerToClient
                                                            : StreamDirection::kClientToServer;
        }
      }
    }
    p.seg.dir = clients[it->second] == p.src ? StreamDirection::kClientToServer
                                             : StreamDirection::kServerToClient;
    conv.segments.push_back(std::move(p.seg));
  }
  pcap_close(pcap);
  return convs;
}

}  // namespace netcap::testing
