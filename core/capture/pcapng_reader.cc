// pcapng reader (draft-ietf-opsawg-pcapng, "PCAP Now Generic"; section numbers below are that
// draft's). Reads every section (each with its own byte order), every interface with its own
// link type and timestamp resolution/offset, and EPB, SPB and the obsolete PB; other blocks are
// skipped by their length.
#include <string>

#include "core/capture/format_readers.h"

namespace netcap {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

constexpr uint32_t kShb = 0x0a0d0d0a;  // 4.1 Section Header Block
constexpr uint32_t kIdb = 0x00000001;  // 4.2 Interface Description Block
constexpr uint32_t kPb = 0x00000002;   // Appendix A: obsolete Packet Block
constexpr uint32_t kSpb = 0x00000003;  // 4.4 Simple Packet Block
constexpr uint32_t kEpb = 0x00000006;  // 4.3 Enhanced Packet Block
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;

// Interfaces defined per file; more IDBs than this are ignored (with an issue) so a hostile file
// cannot grow the table without bound.
constexpr size_t kMaxInterfaces = 65536;

// Smallest total length of each block type (header 8 + fixed body + trailer 4).
uint32_t min_block_length(uint32_t type) {
  switch (type) {
    case kShb:
      return 28;
    case kIdb:
      return 20;
    case kEpb:
      return 32;
    case kPb:
      return 32;
    case kSpb:
      return 16;
    default:
      return 12;
  }
}

struct Interface {
  uint32_t linktype = 0;
  uint32_t snaplen = 0;
  bool resolution_pow2 = false;
  uint8_t resolution_exp = 6;  // 4.2 if_tsresol default: 10^-6 s
  int64_t offset_s = 0;        // if_tsoffset
  uint32_t file_id = 0;        // index among all interfaces of the file
};

int64_t clamp_int64(Int128 v) {
  constexpr Int128 kMax = INT64_MAX;
  constexpr Int128 kMin = INT64_MIN;
  return static_cast<int64_t>(v > kMax ? kMax : (v < kMin ? kMin : v));
}

// Timestamp units (64 bits) of `iface` to nanoseconds since the epoch. 128-bit arithmetic: a
// 64-bit count times 10^9 does not fit 64 bits (a 2^-k resolution needs the product before the
// shift), and the offset may push the sum out of range, which saturates.
int64_t to_ns(uint64_t units, const Interface& iface, bool* saturated) {
  UInt128 ns;
  if (iface.resolution_pow2) {
    ns = (UInt128{units} * 1'000'000'000u) >> iface.resolution_exp;  // exp <= 127
  } else if (iface.resolution_exp <= 9) {
    UInt128 scale = 1;
    for (int i = iface.resolution_exp; i < 9; ++i) scale *= 10;
    ns = UInt128{units} * scale;
  } else {
    ns = units;
    for (int i = 9; i < iface.resolution_exp && ns != 0; ++i) ns /= 10;
  }
  Int128 total = static_cast<Int128>(ns) + Int128{iface.offset_s} * 1'000'000'000;
  int64_t clamped = clamp_int64(total);
  *saturated = clamped != total;
  return clamped;
}

class PcapNgReader final : public CaptureFileReader {
 public:
  PcapNgReader(std::string name, BufferedReader reader, uint32_t max_packet_bytes)
      : CaptureFileReader(std::move(name), std::move(reader), max_packet_bytes) {}

  CaptureFormat format() const override { return CaptureFormat::kPcapNg; }
  std::vector<uint32_t> link_types() const override { return all_linktypes_; }

  Expected<bool> next(RawPacket& out) override {
    while (!done_) {
      Expected<int> r = read_block(out);
      if (!r) return r.status();
      if (*r == 1) {
        ++packets_;
        return true;
      }
    }
    return false;
  }

 private:
  uint32_t u32(ByteCursor& c) const { return big_endian_ ? c.u32be() : c.u32le(); }
  uint16_t u16(ByteCursor& c) const { return big_endian_ ? c.u16be() : c.u16le(); }
  uint64_t u64(ByteCursor& c) const { return big_endian_ ? c.u64be() : c.u64le(); }

  // 1: a packet in `out`; 0: a block consumed (or the end: done_ set).
  Expected<int> read_block(RawPacket& out) {
    const uint64_t block_offset = reader_.offset();
    Expected<size_t> got = reader_.fill(12);
    if (!got) return got.status();
    if (*got == 0) {
      std::string gz = reader_.input().corruption();
      if (!gz.empty()) issue(block_offset, gz, true);
      done_ = true;
      return 0;
    }
    if (*got < 12) {
      issue(block_offset, end_reason("a block header", 12, *got), true);
      return 0;
    }
    ByteCursor head(reader_.view(12));
    uint32_t type_raw = head.u32le();
    if (type_raw == kShb) {
      // 4.1: the Byte-Order Magic after the length says how this section is written.
      ByteCursor bom(reader_.view(12).subspan(8));
      uint32_t le = bom.u32le();
      if (le == kByteOrderMagic) {
        next_big_endian_ = false;
      } else if (le == 0x4d3c2b1a) {
        next_big_endian_ = true;
      } else {
        issue(block_offset, "section header has a bad byte-order magic", true);
        return 0;
      }
    } else if (!in_section_) {
      issue(block_offset, "first block is not a section header", true);
      return 0;
    }
    const bool be = type_raw == kShb ? next_big_endian_ : big_endian_;
    ByteCursor h(reader_.view(8));
    uint32_t type = be ? h.u32be() : h.u32le();
    uint32_t length = be ? h.u32be() : h.u32le();
    // 3.1: total length counts header and trailer, and blocks are padded to 32 bits.
    if (length < min_block_length(type)) {
      issue(block_offset,
            "block type 0x" + hex(type) + " has length " + std::to_string(length) + " (< minimum " +
                std::to_string(min_block_length(type)) + ")",
            true);
      return 0;
    }
    if (length % 4 != 0) {
      issue(block_offset, "block length " + std::to_string(length) + " is not a multiple of 4",
            true);
      return 0;
    }
    const bool parsed = type == kShb || type == kIdb || type == kEpb || type == kSpb || type == kPb;
    if (length > reader_.max_window()) {
      if (parsed) {
        issue(block_offset,
              "block type 0x" + hex(type) + " claims " + std::to_string(length) + " bytes (> " +
                  std::to_string(reader_.max_window()) + ")",
              true);
        return 0;
      }
      // A large block we do not interpret (name resolution, custom, ...): stream past it.
      Expected<uint64_t> skipped = reader_.skip(length - 4);
      if (!skipped) return skipped.status();
      got = reader_.fill(4);
      if (!got) return got.status();
      if (*skipped < length - 4 || *got < 4) {
        issue(block_offset, end_reason("a block", length, static_cast<size_t>(*skipped) + *got),
              true);
        return 0;
      }
      ByteCursor t(reader_.view(4));
      uint32_t trailer = be ? t.u32be() : t.u32le();
      if (trailer != length) {
        issue(block_offset, trailer_reason(trailer, length), true);
        return 0;
      }
      reader_.consume(4);
      return 0;
    }
    got = reader_.fill(length);
    if (!got) return got.status();
    if (*got < length) {
      issue(block_offset, end_reason("a block", length, *got), true);
      return 0;
    }
    Bytes block = reader_.view(length);
    ByteCursor t(block.subspan(length - 4));
    uint32_t trailer = be ? t.u32be() : t.u32le();
    if (trailer != length) {
      issue(block_offset, trailer_reason(trailer, length), true);
      return 0;
    }
    ByteCursor body(block.subspan(8, length - 12));
    int result = 0;
    switch (type) {
      case kShb:
        section_header(body, block_offset);
        break;
      case kIdb:
        interface_description(body, block_offset);
        break;
      case kEpb:
      case kPb:
        result = packet_block(type, body, block_offset, out);
        break;
      case kSpb:
        result = simple_packet_block(body, block_offset, out);
        break;
      default:
        break;  // 4.5 NRB, 4.6 ISB, DSB, custom and unknown blocks: not needed here
    }
    if (!done_) reader_.consume(length);
    return result;
  }

  void section_header(ByteCursor& body, uint64_t offset) {
    big_endian_ = next_big_endian_;
    body.skip(4);  // byte-order magic, checked above
    uint16_t major = u16(body);
    uint16_t minor = u16(body);
    if (major != 1) {
      issue(offset,
            "unsupported pcapng version " + std::to_string(major) + "." + std::to_string(minor),
            true);
      return;
    }
    // Interface ids restart at 0 in each section (4.2); we number them across the file.
    in_section_ = true;
    section_.clear();
  }

  void interface_description(ByteCursor& body, uint64_t offset) {
    if (interface_count_ >= kMaxInterfaces) {
      issue(offset, "more than " + std::to_string(kMaxInterfaces) + " interfaces; ignored", false);
      return;
    }
    Interface iface;
    iface.linktype = u16(body);
    body.skip(2);  // reserved
    iface.snaplen = u32(body);
    iface.file_id = interface_count_++;
    // 3.5 options: code, length, value padded to 32 bits; opt_endofopt (0) ends the list.
    while (body.remaining() >= 4) {
      uint16_t code = u16(body);
      uint16_t len = u16(body);
      if (code == 0) break;
      ByteCursor value = body.sub(len);
      body.skip(std::min<size_t>((4 - len % 4) % 4, body.remaining()));
      if (!value.ok()) {
        issue(offset,
              "interface " + std::to_string(section_.size()) + ": option " + std::to_string(code) +
                  " runs past the block",
              false);
        break;
      }
      if (code == 9 && len == 1) {  // if_tsresol
        uint8_t v = value.u8();
        iface.resolution_pow2 = (v & 0x80) != 0;
        iface.resolution_exp = v & 0x7f;
      } else if (code == 14 && len == 8) {  // if_tsoffset, seconds
        iface.offset_s = static_cast<int64_t>(u64(value));
      }
    }
    section_.push_back(iface);
    all_linktypes_.push_back(iface.linktype);
  }

  const Interface* lookup(uint32_t id, uint64_t offset) {
    if (id < section_.size()) return &section_[id];
    issue(offset,
          "packet on undefined interface " + std::to_string(id) + " (section has " +
              std::to_string(section_.size()) + "), skipped",
          false);
    return nullptr;
  }

  bool check_caplen(uint32_t caplen, size_t room, uint64_t offset) {
    if (caplen > max_packet_bytes_) {
      issue(offset,
            "packet block claims " + std::to_string(caplen) + " bytes (> " +
                std::to_string(max_packet_bytes_) + ")",
            true);
      return false;
    }
    if (caplen > room) {
      issue(offset,
            "packet block claims " + std::to_string(caplen) + " bytes but holds " +
                std::to_string(room),
            true);
      return false;
    }
    return true;
  }

  // 4.3 EPB and the obsolete PB (Appendix A): same layout except a 16-bit interface id
  // followed by a drops counter.
  int packet_block(uint32_t type, ByteCursor& body, uint64_t offset, RawPacket& out) {
    uint32_t id = type == kEpb ? u32(body) : u16(body);
    if (type == kPb) body.skip(2);  // drops_count
    uint64_t high = u32(body);
    uint64_t low = u32(body);
    uint32_t caplen = u32(body);
    uint32_t origlen = u32(body);
    if (!check_caplen(caplen, body.remaining(), offset)) return 0;
    const Interface* iface = lookup(id, offset);
    if (iface == nullptr) return 0;
    Bytes data = body.bytes(caplen);
    copy_packet_bytes(data, out.data);
    bool saturated = false;
    out.ts_ns = to_ns((high << 32) | low, *iface, &saturated);
    if (saturated && !saturation_noted_) {
      // int64 nanoseconds end in 2262; later (or hugely negative) times keep their order
      // at the range's edge. Noted once per file.
      saturation_noted_ = true;
      issue(offset, "timestamp outside the int64 nanosecond range (years 1678-2262); saturated",
            false);
    }
    last_ts_ns_ = out.ts_ns;
    out.wire_len = origlen;
    out.linktype = iface->linktype;
    out.interface = iface->file_id;
    out.file_offset = offset;
    return 1;
  }

  // 4.4 SPB: belongs to interface 0; captured length is the smallest of the original length,
  // that interface's snap length (when not 0) and what the block holds.
  int simple_packet_block(ByteCursor& body, uint64_t offset, RawPacket& out) {
    uint32_t origlen = u32(body);
    const Interface* iface = lookup(0, offset);
    if (iface == nullptr) return 0;
    size_t caplen = std::min<size_t>(origlen, body.remaining());
    if (iface->snaplen != 0) caplen = std::min<size_t>(caplen, iface->snaplen);
    if (!check_caplen(static_cast<uint32_t>(caplen), body.remaining(), offset)) return 0;
    Bytes data = body.bytes(caplen);
    copy_packet_bytes(data, out.data);
    // An SPB carries no timestamp; the previous packet's keeps merge order and flow timeouts
    // undisturbed (Wireshark shows 0, which would sort it to the start of a merge).
    out.ts_ns = last_ts_ns_;
    out.wire_len = origlen;
    out.linktype = iface->linktype;
    out.interface = iface->file_id;
    out.file_offset = offset;
    return 1;
  }

  static std::string hex(uint32_t v) {
    static const char kDigits[] = "0123456789abcdef";
    std::string s(8, '0');
    for (int i = 7; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kDigits[v & 0xf];
    return s;
  }
  static std::string trailer_reason(uint32_t trailer, uint32_t length) {
    return "block trailer length " + std::to_string(trailer) + " differs from header length " +
           std::to_string(length);
  }

  bool in_section_ = false;
  bool big_endian_ = false;
  bool next_big_endian_ = false;
  std::vector<Interface> section_;       // interfaces of the current section, by id
  std::vector<uint32_t> all_linktypes_;  // link type of every interface of the file, by file_id
  uint32_t interface_count_ = 0;
  int64_t last_ts_ns_ = 0;
  bool saturation_noted_ = false;
};

}  // namespace

std::unique_ptr<CaptureFileReader> make_pcapng_reader(std::string name, BufferedReader reader,
                                                      uint32_t max_packet_bytes) {
  return std::make_unique<PcapNgReader>(std::move(name), std::move(reader), max_packet_bytes);
}

}  // namespace netcap
