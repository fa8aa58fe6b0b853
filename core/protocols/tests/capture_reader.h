// Minimal pcap / pcapng reader for the decoder tests (not the product's capture source, which
// lives in core/capture): reads every packet of a file, with its interface's link type, so that
// pcapng files mixing link types work too. Stops quietly at the first damaged record.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/packet/packet.h"

namespace netcap::testing {

inline std::vector<RawPacket> read_capture(const std::string& path) {
  std::vector<RawPacket> out;
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto u32 = [&](size_t at, bool be) -> uint32_t {
    if (at + 4 > f.size()) return 0;
    return be ? (uint32_t{f[at]} << 24 | uint32_t{f[at + 1]} << 16 | uint32_t{f[at + 2]} << 8 |
                 f[at + 3])
              : (uint32_t{f[at + 3]} << 24 | uint32_t{f[at + 2]} << 16 | uint32_t{f[at + 1]} << 8 |
                 f[at]);
  };
  auto u16 = [&](size_t at, bool be) -> uint16_t {
    if (at + 2 > f.size()) return 0;
    return static_cast<uint16_t>(be ? (f[at] << 8 | f[at + 1]) : (f[at + 1] << 8 | f[at]));
  };
  if (f.size() < 24) return out;
  uint64_t frame = 0;
  const uint32_t magic_le = u32(0, false);
  if (magic_le == 0xa1b2c3d4 || magic_le == 0xa1b23c4d || magic_le == 0xd4c3b2a1 ||
      magic_le == 0x4d3cb2a1) {
    const bool be = magic_le == 0xd4c3b2a1 || magic_le == 0x4d3cb2a1;
    const uint32_t lt = u32(20, be) & 0x0fffffff;
    size_t at = 24;
    while (at + 16 <= f.size()) {
      const uint32_t incl = u32(at + 8, be), orig = u32(at + 12, be);
      if (incl > 262144 || at + 16 + incl > f.size()) break;
      RawPacket p;
      p.frame = ++frame;
      p.linktype = lt;
      p.wire_len = orig;
      p.data.assign(f.begin() + static_cast<long>(at + 16),
                    f.begin() + static_cast<long>(at + 16 + incl));
      out.push_back(std::move(p));
      at += 16 + incl;
    }
    return out;
  }
  if (magic_le != 0x0a0d0d0a) return out;
  std::vector<uint32_t> link_types;
  bool be = false;
  size_t at = 0;
  while (at + 12 <= f.size()) {
    uint32_t type = u32(at, be);
    if (type == 0x0a0d0d0a) {
      be = u32(at + 8, false) != 0x1a2b3c4d;
      link_types.clear();
    }
    const uint32_t len = u32(at + 4, be);
    if (len < 12 || len % 4 != 0 || at + len > f.size()) break;
    const size_t body = at + 8;
    if (type == 1) {
      link_types.push_back(u16(body, be));
    } else if (type == 6 || type == 3) {
      uint32_t iface = 0, caplen = 0, orig = 0;
      size_t data = 0;
      if (type == 6) {
        iface = u32(body, be);
        caplen = u32(body + 12, be);
        orig = u32(body + 16, be);
        data = body + 20;
      } else {
        orig = u32(body, be);
        caplen = std::min<uint32_t>(orig, len - 16);
        data = body + 4;
      }
      if (data + caplen > at + len || iface >= link_types.size()) break;
      RawPacket p;
      p.frame = ++frame;
      p.linktype = link_types[iface];
      p.interface = iface;
      p.wire_len = orig;
      p.data.assign(f.begin() + static_cast<long>(data),
                    f.begin() + static_cast<long>(data + caplen));
      out.push_back(std::move(p));
    }
    at += len;
  }
  return out;
}

}  // namespace netcap::testing
