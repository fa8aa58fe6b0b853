// open_file_source: errors, directories, merge order, BPF, gzip, stop, progress.
#include <zlib.h>

#include <catch2/catch.hpp>

#include "core/capture/tests/capture_test_util.h"

namespace netcap::test {
namespace {

std::unique_ptr<PacketSource> open_ok(const std::vector<std::string>& paths,
                                      const FileSourceOptions& options = {}) {
  auto source = open_file_source(paths, options);
  INFO(source.status().message());
  REQUIRE(source.has_value());
  return std::move(source.value());
}

std::vector<uint8_t> tagged(uint8_t tag) { return {tag, 0, 0, 0}; }

}  // namespace

TEST_CASE("file source: errors name the file") {
  TempDir dir;
  std::string text = dir.write("notes.pcap", {'n', 'o', 't', ' ', 'a', ' ', 'p', 'c', 'a', 'p'});
  auto a = open_file_source({text}, {});
  REQUIRE_FALSE(a.has_value());
  CHECK(a.status().message() == text + ": not a pcap or pcapng file (magic 6e6f7420)");

  std::string missing = (dir.path() / "missing.pcap").string();
  auto b = open_file_source({missing}, {});
  REQUIRE_FALSE(b.has_value());
  CHECK(b.status().message() == missing + ": No such file or directory");

  auto c = open_file_source({}, {});
  CHECK_FALSE(c.has_value());

  std::string empty_file = dir.write("zero.pcap", {});
  auto d = open_file_source({empty_file}, {});
  REQUIRE_FALSE(d.has_value());
  CHECK(d.status().message().find(empty_file + ": not a pcap") == 0);

  std::string good = dir.write("good.pcap", make_pcap(false, false, 1, {}));
  FileSourceOptions bad_filter;
  bad_filter.bpf = "tcp port";
  auto e = open_file_source({good}, bad_filter);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.status().message().find("filter \"tcp port\"") == 0);
}

TEST_CASE("file source: empty capture gives zero packets") {
  TempDir dir;
  std::string f = dir.write("empty.pcap", make_pcap(true, true, 1, {}));
  auto source = open_ok({f});
  ReadResult r = drain(*source);
  CHECK(r.packets.empty());
  CHECK(r.issues.empty());
  CHECK(source->description() == "1 file: empty.pcap");
  CHECK(source->inputs() == std::vector<std::string>{f});
  CHECK(source->progress().bytes_total == 24);
}

TEST_CASE("file source: merge of interleaved files by timestamp") {
  TempDir dir;
  // a: t=1,3,5,7   b (pcapng): t=2,3,4   -> ties go to the earlier input (a).
  std::string a = dir.write(
      "a.pcap", make_pcap(false, false, 1,
                          {TestRecord{1, 0, tagged(0xa1), 0}, TestRecord{3, 0, tagged(0xa3), 0},
                           TestRecord{5, 0, tagged(0xa5), 0}, TestRecord{7, 0, tagged(0xa7), 0}}));
  PcapNgBuilder nb;
  nb.shb(false).idb(1, 0).idb(101, 0, uint8_t{9});
  nb.epb(1, 2'000'000'000, tagged(0xb2))
      .epb(0, 3'000'000, tagged(0xb3))
      .epb(1, 4'000'000'000, tagged(0xb4));
  std::string b = dir.write("b.pcapng", nb.bytes());
  auto source = open_ok({a, b});
  CHECK(source->description() == "2 files: a.pcap, b.pcapng");
  ReadResult r = drain(*source);
  std::vector<uint8_t> order;
  for (const RawPacket& p : r.packets) order.push_back(p.data[0]);
  CHECK(order == std::vector<uint8_t>{0xa1, 0xb2, 0xa3, 0xb3, 0xb4, 0xa5, 0xa7});
  for (size_t i = 0; i < r.packets.size(); ++i) CHECK(r.packets[i].frame == i + 1);
  CHECK(r.packets[0].source_index == 0);
  CHECK(r.packets[1].source_index == 1);
  CHECK(r.packets[1].linktype == 101);
  CHECK(r.packets[1].interface == 1);
  CHECK(r.packets[3].interface == 0);
  const SourceProgress progress = source->progress();
  CHECK(progress.bytes_total > 0);
  CHECK(progress.bytes_read == progress.bytes_total);

  // Same inputs in the other order: ties now go to b.
  auto swapped = open_ok({b, a});
  ReadResult s = drain(*swapped);
  REQUIRE(s.packets.size() == 7);
  CHECK(s.packets[2].data[0] == 0xb3);
  CHECK(s.packets[3].data[0] == 0xa3);
}

TEST_CASE("file source: directory input, recursive, sorted, non-captures noted") {
  TempDir dir;
  dir.write("caps/b.pcap", make_pcap(false, false, 1, {TestRecord{2, 0, tagged(2), 0}}));
  dir.write("caps/a.pcap", make_pcap(false, false, 1, {TestRecord{2, 0, tagged(1), 0}}));
  dir.write("caps/sub/c.cap", make_pcap(true, false, 1, {TestRecord{1, 0, tagged(3), 0}}));
  dir.write("caps/readme.txt", {'h', 'i', '!', '!', '\n'});
  auto source = open_ok({(dir.path() / "caps").string()});
  std::vector<std::string> inputs = source->inputs();
  REQUIRE(inputs.size() == 3);
  CHECK(inputs[0].ends_with("caps/a.pcap"));
  CHECK(inputs[1].ends_with("caps/b.pcap"));
  CHECK(inputs[2].ends_with("caps/sub/c.cap"));
  ReadResult r = drain(*source);
  REQUIRE(r.packets.size() == 3);
  CHECK(r.packets[0].data[0] == 3);  // earliest timestamp
  CHECK(r.packets[1].data[0] == 1);  // tie: a.pcap sorts first
  CHECK(r.packets[2].data[0] == 2);
  CHECK(r.packets[0].source_index == 2);
  REQUIRE(r.issues.size() == 1);
  CHECK_FALSE(r.issues[0].fatal_for_file);
  CHECK(r.issues[0].file.ends_with("readme.txt"));
  CHECK(r.issues[0].reason.find("not a pcap or pcapng file") != std::string::npos);

  TempDir nothing;
  nothing.write("x.txt", {'x', 'y', 'z', '!', '!'});
  auto none = open_file_source({nothing.path().string()}, {});
  CHECK_FALSE(none.has_value());
}

TEST_CASE("file source: corruption in one file ends only that file") {
  TempDir dir;
  std::vector<uint8_t> cut =
      make_pcap(false, false, 1, {TestRecord{1, 0, tagged(1), 0}, TestRecord{3, 0, tagged(3), 0}});
  cut.resize(cut.size() - 2);
  std::string a = dir.write("cut.pcap", cut);
  std::string b = dir.write(
      "ok.pcap",
      make_pcap(false, false, 1, {TestRecord{2, 0, tagged(2), 0}, TestRecord{4, 0, tagged(4), 0}}));
  auto source = open_ok({a, b});
  ReadResult r = drain(*source);
  REQUIRE(r.packets.size() == 3);
  CHECK(r.packets[2].data[0] == 4);
  REQUIRE(r.issues.size() == 1);
  CHECK(r.issues[0].file == a);
  CHECK(r.issues[0].byte_offset == 24 + 20);
  CHECK(r.issues[0].packets_before == 1);
  CHECK(r.issues[0].reason == "file ends inside a packet record (needs 4 bytes, 2 left)");
}

TEST_CASE("file source: BPF filter") {
  TempDir dir;
  std::vector<TestRecord> records = {
      TestRecord{1, 0, ipv4_frame(6, 40000, 80), 0}, TestRecord{2, 0, ipv4_frame(6, 40000, 443), 0},
      TestRecord{3, 0, ipv4_frame(17, 53, 80), 0},   TestRecord{4, 0, ipv4_frame(6, 80, 40000), 0},
      TestRecord{5, 0, ipv4_frame(17, 5353, 53), 0},
  };
  std::string f = dir.write("mixed.pcap", make_pcap(false, false, 1, records));
  FileSourceOptions options;
  options.bpf = "tcp port 80";
  auto source = open_ok({f}, options);
  ReadResult r = drain(*source);
  REQUIRE(r.packets.size() == 2);
  CHECK(r.packets[0].ts_ns == 1'000'000'000);
  CHECK(r.packets[1].ts_ns == 4'000'000'000);
  CHECK(r.packets[0].frame == 1);
  CHECK(r.packets[1].frame == 2);
  CHECK(r.issues.empty());

  options.bpf = "udp";
  auto udp = open_ok({f}, options);
  CHECK(drain(*udp).packets.size() == 2);
}

TEST_CASE("file source: gzip-compressed capture") {
  TempDir dir;
  std::vector<TestRecord> records;
  for (uint32_t i = 0; i < 200; ++i)
    records.push_back(TestRecord{i, 0, ipv4_frame(17, 1, 2, i), 0});
  std::vector<uint8_t> plain = make_pcap(false, false, 1, records);
  std::string path = (dir.path() / "capture.pcap.gz").string();
  gzFile gz = gzopen(path.c_str(), "wb");
  REQUIRE(gz != nullptr);
  REQUIRE(gzwrite(gz, plain.data(), static_cast<unsigned>(plain.size())) ==
          static_cast<int>(plain.size()));
  REQUIRE(gzclose(gz) == Z_OK);
  auto source = open_ok({path});
  ReadResult r = drain(*source);
  REQUIRE(r.packets.size() == 200);
  CHECK(r.packets[199].cap_len() == 14 + 20 + 8 + 199);
  CHECK(r.issues.empty());
  CHECK(source->progress().bytes_read == source->progress().bytes_total);

  // The same compressed file cut short: the packets before the cut, then an issue.
  std::vector<uint8_t> compressed;
  {
    FILE* in = std::fopen(path.c_str(), "rb");
    REQUIRE(in != nullptr);
    int ch;
    while ((ch = std::fgetc(in)) != EOF) compressed.push_back(static_cast<uint8_t>(ch));
    std::fclose(in);
  }
  compressed.resize(compressed.size() / 2);
  std::string half = dir.write("half.pcap.gz", compressed);
  auto cut = open_ok({half});
  ReadResult c = drain(*cut);
  CHECK(c.packets.size() > 10);
  CHECK(c.packets.size() < 200);
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].fatal_for_file);
  CHECK(c.issues[0].packets_before == c.packets.size());
}

TEST_CASE("file source: request_stop ends reading") {
  TempDir dir;
  std::vector<TestRecord> records;
  for (uint32_t i = 0; i < 10; ++i) records.push_back(TestRecord{i, 0, tagged(1), 0});
  std::string f = dir.write("ten.pcap", make_pcap(false, false, 1, records));
  auto source = open_ok({f});
  RawPacket p;
  REQUIRE(source->next(p).value());
  REQUIRE(source->next(p).value());
  source->request_stop();
  auto got = source->next(p);
  REQUIRE(got.has_value());
  CHECK_FALSE(*got);
}

}  // namespace netcap::test
