#include "core/capture/tests/capture_test_util.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

namespace netcap::test {

void ByteWriter::u16(uint16_t v) {
  if (big_endian_) {
    u8(static_cast<uint8_t>(v >> 8));
    u8(static_cast<uint8_t>(v));
  } else {
    u8(static_cast<uint8_t>(v));
    u8(static_cast<uint8_t>(v >> 8));
  }
}
void ByteWriter::u32(uint32_t v) {
  if (big_endian_) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
  } else {
    u16(static_cast<uint16_t>(v));
    u16(static_cast<uint16_t>(v >> 16));
  }
}
void ByteWriter::u64(uint64_t v) {
  if (big_endian_) {
    u32(static_cast<uint32_t>(v >> 32));
    u32(static_cast<uint32_t>(v));
  } else {
    u32(static_cast<uint32_t>(v));
    u32(static_cast<uint32_t>(v >> 32));
  }
}

std::vector<uint8_t> make_pcap(bool big_endian, bool nanoseconds, uint32_t link_field,
                               const std::vector<TestRecord>& records) {
  ByteWriter w(big_endian);
  w.u32(nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
  w.u16(2);
  w.u16(4);
  w.u32(0);
  w.u32(0);
  w.u32(65535);
  w.u32(link_field);
  for (const TestRecord& r : records) {
    w.u32(r.sec);
    w.u32(r.frac);
    w.u32(static_cast<uint32_t>(r.data.size()));
    w.u32(r.orig_len ? r.orig_len : static_cast<uint32_t>(r.data.size()));
    w.bytes(r.data);
  }
  return std::move(w.out());
}

PcapNgBuilder& PcapNgBuilder::block(uint32_t type, const std::vector<uint8_t>& body) {
  ByteWriter w = writer();
  uint32_t padded = static_cast<uint32_t>((body.size() + 3) / 4 * 4);
  w.u32(type);
  w.u32(12 + padded);
  w.bytes(body);
  w.pad4();
  w.u32(12 + padded);
  out_.insert(out_.end(), w.out().begin(), w.out().end());
  return *this;
}

PcapNgBuilder& PcapNgBuilder::shb(bool big_endian) {
  big_endian_ = big_endian;
  ByteWriter w = writer();
  w.u32(0x1a2b3c4d);
  w.u16(1);
  w.u16(0);
  w.u64(~uint64_t{0});  // section length unknown
  return block(0x0a0d0d0a, w.out());
}

PcapNgBuilder& PcapNgBuilder::idb(uint16_t linktype, uint32_t snaplen,
                                  std::optional<uint8_t> tsresol, std::optional<int64_t> tsoffset) {
  ByteWriter w = writer();
  w.u16(linktype);
  w.u16(0);
  w.u32(snaplen);
  w.u16(2);  // if_name, to have an option we do not interpret
  w.u16(3);
  w.bytes({'e', 't', 'h'});
  w.pad4();
  if (tsresol) {
    w.u16(9);
    w.u16(1);
    w.u8(*tsresol);
    w.pad4();
  }
  if (tsoffset) {
    w.u16(14);
    w.u16(8);
    w.u64(static_cast<uint64_t>(*tsoffset));
  }
  w.u16(0);
  w.u16(0);
  return block(1, w.out());
}

PcapNgBuilder& PcapNgBuilder::epb(uint32_t iface, uint64_t ts, const std::vector<uint8_t>& data,
                                  uint32_t orig_len) {
  ByteWriter w = writer();
  w.u32(iface);
  w.u32(static_cast<uint32_t>(ts >> 32));
  w.u32(static_cast<uint32_t>(ts));
  w.u32(static_cast<uint32_t>(data.size()));
  w.u32(orig_len ? orig_len : static_cast<uint32_t>(data.size()));
  w.bytes(data);
  w.pad4();
  w.u16(1);  // opt_comment
  w.u16(2);
  w.bytes({'h', 'i'});
  w.pad4();
  w.u16(0);
  w.u16(0);
  return block(6, w.out());
}

PcapNgBuilder& PcapNgBuilder::pb(uint16_t iface, uint64_t ts, const std::vector<uint8_t>& data) {
  ByteWriter w = writer();
  w.u16(iface);
  w.u16(0);
  w.u32(static_cast<uint32_t>(ts >> 32));
  w.u32(static_cast<uint32_t>(ts));
  w.u32(static_cast<uint32_t>(data.size()));
  w.u32(static_cast<uint32_t>(data.size()));
  w.bytes(data);
  return block(2, w.out());
}

PcapNgBuilder& PcapNgBuilder::spb(const std::vector<uint8_t>& data, uint32_t orig_len) {
  ByteWriter w = writer();
  w.u32(orig_len ? orig_len : static_cast<uint32_t>(data.size()));
  w.bytes(data);
  return block(3, w.out());
}

std::vector<uint8_t> ipv4_frame(uint8_t protocol, uint16_t sport, uint16_t dport, size_t payload) {
  ByteWriter w(true);
  for (int i = 0; i < 6; ++i) w.u8(0x02);  // dst MAC
  for (int i = 0; i < 6; ++i) w.u8(0x04);  // src MAC
  w.u16(0x0800);
  const size_t l4 = protocol == 6 ? 20 : 8;
  w.u8(0x45);
  w.u8(0);
  w.u16(static_cast<uint16_t>(20 + l4 + payload));
  w.u32(0);
  w.u8(64);
  w.u8(protocol);
  w.u16(0);
  w.u32(0x0a000001);
  w.u32(0x0a000002);
  w.u16(sport);
  w.u16(dport);
  if (protocol == 6) {
    w.u32(1);
    w.u32(0);
    w.u8(0x50);
    w.u8(0x18);
    w.u16(65535);
    w.u32(0);
  } else {
    w.u16(static_cast<uint16_t>(8 + payload));
    w.u16(0);
  }
  for (size_t i = 0; i < payload; ++i) w.u8('x');
  return std::move(w.out());
}

ReadResult read_memory(const std::vector<uint8_t>& file, uint32_t max_packet_bytes) {
  ReadResult result;
  auto reader =
      open_capture_reader(memory_input(Bytes(file.data(), file.size())), "mem", max_packet_bytes);
  REQUIRE(reader.has_value());
  for (;;) {
    RawPacket p;
    auto got = (*reader)->next(p);
    REQUIRE(got.has_value());
    if (!*got) break;
    result.packets.push_back(std::move(p));
  }
  result.issues = (*reader)->issues();
  return result;
}

ReadResult drain(PacketSource& source) {
  ReadResult result;
  for (;;) {
    RawPacket p;
    auto got = source.next(p);
    INFO(got.status().message());
    REQUIRE(got.has_value());
    if (!*got) break;
    result.packets.push_back(std::move(p));
  }
  result.issues = source.issues();
  return result;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "netcap-capture-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  REQUIRE(made != nullptr);
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::vector<uint8_t>& bytes) const {
  std::filesystem::path p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
  return p.string();
}

}  // namespace netcap::test
