#include "core/sinks/record_batch.h"

#include <google/protobuf/util/message_differencer.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/sinks/record_format.h"
#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"
#include "proto/dns.pb.h"

namespace netcap {
namespace {

namespace pb = google::protobuf;

std::string gzip(const std::string& raw) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(raw.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string frame(const std::string& name, const std::string& record) {
  std::string f;
  f.push_back(static_cast<char>(name.size() >> 8));
  f.push_back(static_cast<char>(name.size() & 0xff));
  f += name;
  for (int shift = 24; shift >= 0; shift -= 8) {
    f.push_back(static_cast<char>((record.size() >> shift) & 0xff));
  }
  return f + record;
}

TEST_CASE("record batches round-trip every record exactly, in order") {
  Connection c;
  c.set_srcip("10.0.0.1");
  c.set_dstip("2001:db8::1");
  c.set_srcport(65535);
  c.set_timestampfirst(1494364058364077000);
  c.set_uid("Cabc");
  Anomaly a;
  a.set_name("tcp.overlap_mismatch");
  a.set_detail(std::string("bytes \0\xff", 8));
  DNS d;
  d.set_queryname("example.com");
  d.add_questions()->set_name("example.com");
  RecordBatchWriter writer;
  writer.add(c);
  writer.add(a);
  writer.add(d);
  writer.add(c);
  CHECK(writer.records() == 4);
  auto body = writer.finish();
  REQUIRE(body);
  CHECK(writer.empty());  // finish() resets
  auto records = decode_record_batch(*body);
  INFO((records ? std::string() : records.status().message()));
  REQUIRE(records);
  REQUIRE(records->size() == 4);
  // Invalid UTF-8 from the wire arrives repaired (proto3 parsers would refuse it).
  Anomaly repaired = a;
  REQUIRE(sanitize_message_strings(&repaired));
  const pb::Message* expected[] = {&c, &repaired, &d, &c};
  for (size_t i = 0; i < 4; ++i) {
    CHECK((*records)[i]->GetDescriptor() == expected[i]->GetDescriptor());
    CHECK(pb::util::MessageDifferencer::Equals(*(*records)[i], *expected[i]));
  }
  // An empty batch is a valid, empty body.
  auto empty = writer.finish();
  REQUIRE(empty);
  auto none = decode_record_batch(*empty);
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("a bad batch is rejected whole, with the reason") {
  Anomaly a;
  a.set_name("x");
  const std::string good = frame("Anomaly", a.SerializeAsString());
  const auto error = [](const std::string& body, const RecordBatchLimits& limits = {}) {
    auto r = decode_record_batch(body, limits);
    REQUIRE_FALSE(r);
    return r.status().message();
  };
  CHECK(error("") == "truncated gzip body");
  CHECK(error("plain text, not gzip") == "not a gzip body");
  CHECK(error(gzip(good).substr(0, 12)) == "truncated gzip body");
  CHECK(error(gzip(good) + "x") == "bytes after the gzip body");
  CHECK(error(gzip(good + frame("NoSuchRecord", ""))) ==
        "frame 2: unknown record type 'NoSuchRecord'");
  CHECK(error(gzip(good + frame("Header", ""))) == "frame 2: unknown record type 'Header'");
  CHECK(error(gzip(good + good.substr(0, 5))) == "frame 2: truncated header");
  CHECK(error(gzip(good + good.substr(0, good.size() - 1))) == "frame 2: truncated record");
  CHECK(error(gzip(frame("", ""))) == "frame 1: bad type name length");
  CHECK(error(gzip(frame("Anomaly", "\xff\xff\xff"))) == "frame 1: Anomaly does not parse");
  RecordBatchLimits small;
  small.max_records = 2;
  CHECK(error(gzip(good + good + good), small) == "more than 2 records");
  small.max_record_bytes = 1;
  CHECK(error(gzip(good), small).find("frame 1: record of") == 0);
  small.max_compressed_bytes = 10;
  CHECK(error(gzip(good), small) == "body larger than 10 bytes");
}

TEST_CASE("a decompression bomb stops at the limit") {
  // 64 MiB of zeros compress to about 64 KiB: a ratio of 1000, over the cap of 200.
  const std::string bomb = gzip(std::string(64u << 20, '\0'));
  auto r = decode_record_batch(bomb);
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("decompressed body larger than") == 0);
}

}  // namespace
}  // namespace netcap
