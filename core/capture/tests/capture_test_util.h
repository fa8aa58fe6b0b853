// Helpers for the capture tests: byte writers for synthetic pcap/pcapng files, a temporary
// directory, and readers that drain a CaptureFileReader or a PacketSource.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/capture/capture_reader.h"
#include "core/capture/packet_source.h"

namespace netcap::test {

// Appends integers in a chosen byte order.
class ByteWriter {
 public:
  explicit ByteWriter(bool big_endian = false) : big_endian_(big_endian) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void bytes(const std::vector<uint8_t>& b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void pad4() {
    while (out_.size() % 4) out_.push_back(0);
  }
  std::vector<uint8_t>& out() { return out_; }
  size_t size() const { return out_.size(); }

 private:
  bool big_endian_;
  std::vector<uint8_t> out_;
};

struct TestRecord {
  uint32_t sec = 0;
  uint32_t frac = 0;  // micro- or nanoseconds
  std::vector<uint8_t> data;
  uint32_t orig_len = 0;  // 0: data.size()
};

// A whole pcap file. `link_field` is written as is (may carry FCS bits above the low 16).
std::vector<uint8_t> make_pcap(bool big_endian, bool nanoseconds, uint32_t link_field,
                               const std::vector<TestRecord>& records);

// Builds a pcapng file block by block; every block is written in the byte order of the last SHB.
class PcapNgBuilder {
 public:
  PcapNgBuilder& shb(bool big_endian);
  // tsresol: raw if_tsresol byte; tsoffset: seconds.
  PcapNgBuilder& idb(uint16_t linktype, uint32_t snaplen, std::optional<uint8_t> tsresol = {},
                     std::optional<int64_t> tsoffset = {});
  PcapNgBuilder& epb(uint32_t iface, uint64_t ts, const std::vector<uint8_t>& data,
                     uint32_t orig_len = 0);
  PcapNgBuilder& pb(uint16_t iface, uint64_t ts, const std::vector<uint8_t>& data);
  PcapNgBuilder& spb(const std::vector<uint8_t>& data, uint32_t orig_len = 0);
  // Any block with the given type and body (padded to 32 bits).
  PcapNgBuilder& block(uint32_t type, const std::vector<uint8_t>& body);
  // Offset where the next block will start.
  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& bytes() { return out_; }

 private:
  ByteWriter writer() const { return ByteWriter(big_endian_); }
  bool big_endian_ = false;
  std::vector<uint8_t> out_;
};

// Ethernet + IPv4 + TCP/UDP frame (checksums zero), `payload` bytes of 'x'.
std::vector<uint8_t> ipv4_frame(uint8_t protocol, uint16_t sport, uint16_t dport,
                                size_t payload = 4);

struct ReadResult {
  std::vector<RawPacket> packets;
  std::vector<SourceIssue> issues;
};
// Reads a whole in-memory capture through open_capture_reader (REQUIREs that it opens).
ReadResult read_memory(const std::vector<uint8_t>& file, uint32_t max_packet_bytes = 262144);
// Drains a source (REQUIREs no error).
ReadResult drain(PacketSource& source);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes bytes to path()/name (creating parent folders) and returns the full path.
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const;

 private:
  std::filesystem::path path_;
};

}  // namespace netcap::test
