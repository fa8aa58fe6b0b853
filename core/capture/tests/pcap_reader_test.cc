// Classic pcap reader on synthetic files: byte orders, resolutions, damage.
#include <catch2/catch.hpp>

#include "core/capture/tests/capture_test_util.h"

namespace netcap::test {
namespace {

std::vector<TestRecord> three_records() {
  return {TestRecord{1000, 1, {1, 2, 3}, 0}, TestRecord{1000, 999999, {4, 5, 6, 7}, 60},
          TestRecord{4000000000u, 5, std::vector<uint8_t>(100, 0xab), 0}};
}

}  // namespace

TEST_CASE("pcap: both byte orders, micro- and nanosecond timestamps") {
  for (bool big_endian : {false, true}) {
    for (bool nanoseconds : {false, true}) {
      CAPTURE(big_endian, nanoseconds);
      // FCS-length bits in the upper half of the link type field must not leak into the value.
      ReadResult r =
          read_memory(make_pcap(big_endian, nanoseconds, 0x14000000u | 1, three_records()));
      REQUIRE(r.issues.empty());
      REQUIRE(r.packets.size() == 3);
      const int64_t unit = nanoseconds ? 1 : 1000;
      CHECK(r.packets[0].ts_ns == 1000 * 1'000'000'000LL + 1 * unit);
      CHECK(r.packets[1].ts_ns == 1000 * 1'000'000'000LL + 999999 * unit);
      // Seconds are unsigned 32-bit: 4e9 must not wrap negative.
      CHECK(r.packets[2].ts_ns == 4000000000LL * 1'000'000'000LL + 5 * unit);
      CHECK(r.packets[0].data == std::vector<uint8_t>{1, 2, 3});
      CHECK(r.packets[1].wire_len == 60);
      CHECK(r.packets[1].cap_len() == 4);
      CHECK(r.packets[2].cap_len() == 100);
      for (const RawPacket& p : r.packets) {
        CHECK(p.linktype == 1);
        CHECK(p.interface == 0);
      }
    }
  }
}

TEST_CASE("pcap: header only is an empty capture") {
  ReadResult r = read_memory(make_pcap(false, false, 101, {}));
  CHECK(r.packets.empty());
  CHECK(r.issues.empty());
}

TEST_CASE("pcap: truncated at every byte of the last record") {
  std::vector<uint8_t> whole = make_pcap(false, false, 1, three_records());
  const size_t last_record = 24 + (16 + 3) + (16 + 4);
  REQUIRE(whole.size() == last_record + 16 + 100);
  for (size_t cut = last_record; cut < whole.size(); ++cut) {
    CAPTURE(cut);
    std::vector<uint8_t> part(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
    ReadResult r = read_memory(part);
    REQUIRE(r.packets.size() == 2);
    CHECK(r.packets[1].data == std::vector<uint8_t>{4, 5, 6, 7});
    if (cut == last_record) {
      CHECK(r.issues.empty());  // ends cleanly between records
      continue;
    }
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].fatal_for_file);
    CHECK(r.issues[0].byte_offset == last_record);
    CHECK(r.issues[0].packets_before == 2);
    if (cut - last_record < 16) {
      CHECK(r.issues[0].reason.find("record header") != std::string::npos);
    } else {
      CHECK(r.issues[0].reason == "file ends inside a packet record (needs 100 bytes, " +
                                      std::to_string(cut - last_record - 16) + " left)");
    }
  }
}

TEST_CASE("pcap: record header claiming a huge packet stops the file") {
  auto records = three_records();
  records.push_back(TestRecord{1, 1, {9}, 0});
  std::vector<uint8_t> file = make_pcap(true, false, 1, records);
  const size_t bad = 24 + (16 + 3) + (16 + 4);
  // incl_len of the third record (big-endian) := 4325376 (0x00420000)
  file[bad + 8] = 0x00;
  file[bad + 9] = 0x42;
  file[bad + 10] = 0x00;
  file[bad + 11] = 0x00;
  ReadResult r = read_memory(file);
  CHECK(r.packets.size() == 2);
  REQUIRE(r.issues.size() == 1);
  CHECK(r.issues[0].reason == "record header claims 4325376 bytes (> 262144)");
  CHECK(r.issues[0].byte_offset == bad);
  CHECK(r.issues[0].fatal_for_file);
}

TEST_CASE("pcap: cut inside the file header") {
  std::vector<uint8_t> file = make_pcap(false, false, 1, {});
  file.resize(10);
  ReadResult r = read_memory(file);
  CHECK(r.packets.empty());
  REQUIRE(r.issues.size() == 1);
  CHECK(r.issues[0].byte_offset == 0);
  CHECK(r.issues[0].reason.find("file header") != std::string::npos);
}

TEST_CASE("capture reader: not a capture") {
  std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', '\n'};
  auto reader = open_capture_reader(memory_input(Bytes(text.data(), text.size())), "x.txt", 65536);
  REQUIRE_FALSE(reader.has_value());
  CHECK(reader.status().message() == "x.txt: not a pcap or pcapng file (magic 68656c6c)");
}

}  // namespace netcap::test
