// Classic pcap reader (draft-ietf-opsawg-pcap, "PCAP Capture File Format").
#include <string>

#include "core/capture/format_readers.h"

namespace netcap {
namespace {

constexpr size_t kFileHeaderBytes = 24;    // section 4: File Header
constexpr size_t kRecordHeaderBytes = 16;  // section 5: Packet Record

class PcapReader final : public CaptureFileReader {
 public:
  PcapReader(std::string name, BufferedReader reader, uint32_t max_packet_bytes)
      : CaptureFileReader(std::move(name), std::move(reader), max_packet_bytes) {}

  CaptureFormat format() const override { return CaptureFormat::kPcap; }
  std::vector<uint32_t> link_types() const override {
    if (!header_done_ || header_bad_) return {};
    return {linktype_};
  }

  Expected<bool> next(RawPacket& out) override {
    if (done_) return false;
    if (!header_done_) {
      Expected<bool> ok = read_header();
      if (!ok) return ok.status();
      if (!*ok) return false;
    }
    const uint64_t record_offset = reader_.offset();
    Expected<size_t> got = reader_.fill(kRecordHeaderBytes);
    if (!got) return got.status();
    if (*got == 0) {
      std::string gz = reader_.input().corruption();
      if (!gz.empty()) issue(record_offset, gz, true);
      done_ = true;
      return false;
    }
    if (*got < kRecordHeaderBytes) {
      issue(record_offset, end_reason("a record header", kRecordHeaderBytes, *got), true);
      return false;
    }
    ByteCursor c(reader_.view(kRecordHeaderBytes));
    uint32_t ts_sec = u32(c);
    uint32_t ts_frac = u32(c);
    uint32_t incl_len = u32(c);
    uint32_t orig_len = u32(c);
    // A record larger than any packet we accept means the header is garbage (libpcap and
    // Wireshark stop at the same point); its length cannot be trusted to skip it.
    if (incl_len > max_packet_bytes_) {
      issue(record_offset,
            "record header claims " + std::to_string(incl_len) + " bytes (> " +
                std::to_string(max_packet_bytes_) + ")",
            true);
      return false;
    }
    const size_t record_bytes = kRecordHeaderBytes + incl_len;
    got = reader_.fill(record_bytes);
    if (!got) return got.status();
    if (*got < record_bytes) {
      issue(record_offset, end_reason("a packet record", incl_len, *got - kRecordHeaderBytes),
            true);
      return false;
    }
    Bytes data = reader_.view(record_bytes).subspan(kRecordHeaderBytes);
    copy_packet_bytes(data, out.data);
    // Timestamps: seconds are unsigned 32-bit (section 5), the fraction is micro- or
    // nanoseconds by the magic; int64 nanoseconds cannot overflow here.
    out.ts_ns = static_cast<int64_t>(ts_sec) * 1'000'000'000 +
                static_cast<int64_t>(ts_frac) * (nanoseconds_ ? 1 : 1000);
    out.wire_len = orig_len;
    out.linktype = linktype_;
    out.interface = 0;
    out.file_offset = record_offset;
    reader_.consume(record_bytes);
    ++packets_;
    return true;
  }

 private:
  uint32_t u32(ByteCursor& c) const { return big_endian_ ? c.u32be() : c.u32le(); }

  // false when the header is cut (an issue is recorded).
  Expected<bool> read_header() {
    header_done_ = true;
    Expected<size_t> got = reader_.fill(kFileHeaderBytes);
    if (!got) return got.status();
    if (*got < kFileHeaderBytes) {
      header_bad_ = true;
      issue(0, end_reason("the file header", kFileHeaderBytes, *got), true);
      return false;
    }
    ByteCursor c(reader_.view(kFileHeaderBytes));
    uint32_t magic = c.u32be();
    big_endian_ = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d;
    nanoseconds_ = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    uint16_t major = big_endian_ ? c.u16be() : c.u16le();
    c.skip(2);  // minor version
    c.skip(8);  // reserved (historically thiszone, sigfigs); section 4 says ignore them
    c.skip(4);  // SnapLen: records are bounded by max_packet_bytes instead (libpcap does too)
    uint32_t link_field = u32(c);
    // Section 4: LinkType is the low 16 bits; the upper bits carry the FCS length and flag.
    linktype_ = link_field & 0xffff;
    reader_.consume(kFileHeaderBytes);
    if (major != 2) {
      header_bad_ = true;
      issue(0, "unsupported pcap major version " + std::to_string(major), true);
      return false;
    }
    return true;
  }

  bool header_done_ = false;
  bool header_bad_ = false;
  bool big_endian_ = false;
  bool nanoseconds_ = false;
  uint32_t linktype_ = 0;
};

}  // namespace

std::unique_ptr<CaptureFileReader> make_pcap_reader(std::string name, BufferedReader reader,
                                                    uint32_t max_packet_bytes) {
  return std::make_unique<PcapReader>(std::move(name), std::move(reader), max_packet_bytes);
}

}  // namespace netcap
