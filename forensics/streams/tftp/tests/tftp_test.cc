// TFTP: the packet parser (every opcode, options, bounds, truncation), the probe, the block
// tracker (out of order, duplicates, rollover), and request + transfer flows through the real
// application layer with the real file store (expectation, file content, errors, limits).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/text_util.h"
#include "forensics/files/file_store.h"
#include "forensics/streams/tftp/tftp_parser.h"
#include "forensics/streams/tftp/tftp_session.h"
#include "forensics/streams/tftp/tftp_transfer.h"
#include "proto/anomaly.pb.h"
#include "proto/file.pb.h"
#include "proto/tftp.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::tftp;
namespace fs = std::filesystem;

namespace {

using Buf = std::vector<uint8_t>;
void u16(Buf& b, uint16_t v) { b.push_back(uint8_t(v >> 8)), b.push_back(uint8_t(v)); }
void text(Buf& b, std::string_view s, bool nul = true) {
  for (char c : s) b.push_back(uint8_t(c));
  if (nul) b.push_back(0);
}

Buf request(uint16_t opcode, std::string_view name, std::string_view mode,
            const std::vector<std::pair<std::string, std::string>>& options = {}) {
  Buf b;
  u16(b, opcode);
  text(b, name);
  text(b, mode);
  for (const auto& [n, v] : options) text(b, n), text(b, v);
  return b;
}
Buf data(uint16_t block, std::string_view bytes) {
  Buf b;
  u16(b, kData);
  u16(b, block);
  text(b, bytes, false);
  return b;
}
Buf ack(uint16_t block) {
  Buf b;
  u16(b, kAck);
  u16(b, block);
  return b;
}
Buf error(uint16_t code, std::string_view message) {
  Buf b;
  u16(b, kError);
  u16(b, code);
  text(b, message);
  return b;
}
Buf oack(const std::vector<std::pair<std::string, std::string>>& options) {
  Buf b;
  u16(b, kOack);
  for (const auto& [n, v] : options) text(b, n), text(b, v);
  return b;
}

bool has(const std::vector<Finding>& f, std::string_view name) {
  for (const auto& x : f) {
    if (x.name == name) return true;
  }
  return false;
}

}  // namespace

// ------------------------------------------------------------------ parser

TEST_CASE("tftp parser: RRQ and WRQ with options (RFC 1350 §5, RFC 2347)") {
  TftpLimits limits;
  std::vector<Finding> f;
  Packet p;
  Buf rrq = request(kRrq, "boot/pxelinux.0", "OcTeT",
                    {{"BLKSIZE", "1428"},
                     {"tsize", "0"},
                     {"timeout", "3"},
                     {"windowsize", "4"},
                     {"x-vendor", "abc"}});
  REQUIRE(parse_packet(rrq, limits, p, f));
  CHECK(f.empty());
  CHECK(p.opcode == kRrq);
  CHECK(p.file_name == "boot/pxelinux.0");
  CHECK(p.mode == "octet");
  REQUIRE(p.options.size() == 5);
  CHECK(p.options[0].name == "blksize");
  CHECK(p.options[0].value == "1428");
  CHECK(p.options[4].name == "x-vendor");
  OptionValues v = interpret_options(p.options, f);
  CHECK(f.empty());
  CHECK(v.block_size == 1428u);
  CHECK(v.transfer_size == 0u);
  CHECK(v.timeout == 3u);
  CHECK(v.window_size == 4u);

  Buf wrq = request(kWrq, "upload.bin", "netascii");
  REQUIRE(parse_packet(wrq, limits, p, f));
  CHECK(f.empty());
  CHECK(p.opcode == kWrq);
  CHECK(p.mode == "netascii");
  CHECK(p.options.empty());
  CHECK(opcode_name(kWrq) == "WRQ");
  CHECK(opcode_name(9).empty());

  // NUL padding after the last option is tolerated.
  Buf padded = request(kRrq, "a", "octet", {{"tsize", "0"}});
  padded.push_back(0), padded.push_back(0);
  REQUIRE(parse_packet(padded, limits, p, f));
  CHECK(f.empty());
  CHECK(p.options.size() == 1);
}

TEST_CASE("tftp parser: DATA, ACK, ERROR, OACK") {
  TftpLimits limits;
  std::vector<Finding> f;
  Packet p;
  Buf d = data(7, "hello");
  REQUIRE(parse_packet(d, limits, p, f));
  CHECK(p.opcode == kData);
  CHECK(p.block == 7);
  CHECK(as_text(p.data) == "hello");
  CHECK(p.data_length == 5);
  Buf empty = data(1, "");
  REQUIRE(parse_packet(empty, limits, p, f));
  CHECK(p.data.empty());

  REQUIRE(parse_packet(ack(65535), limits, p, f));
  CHECK(p.opcode == kAck);
  CHECK(p.block == 65535);
  CHECK(f.empty());

  REQUIRE(parse_packet(error(1, "File not found"), limits, p, f));
  CHECK(p.opcode == kError);
  CHECK(p.error_code == 1);
  CHECK(p.error_message == "File not found");
  CHECK(f.empty());

  REQUIRE(parse_packet(oack({{"blksize", "1024"}, {"tsize", "24599"}}), limits, p, f));
  CHECK(p.opcode == kOack);
  REQUIRE(p.options.size() == 2);
  CHECK(p.options[1].value == "24599");
  CHECK(f.empty());
}

TEST_CASE("tftp parser: truncation at every offset never crashes and says why") {
  TftpLimits limits;
  const Buf packets[] = {request(kRrq, "file.txt", "octet", {{"blksize", "1024"}}), data(3, "xyz"),
                         ack(2), error(2, "Access violation"), oack({{"tsize", "10"}})};
  for (const Buf& whole : packets) {
    for (size_t n = 0; n < whole.size(); ++n) {
      std::vector<Finding> f;
      Packet p;
      const bool ok = parse_packet(Bytes(whole.data(), n), limits, p, f);
      if (!ok) {
        CHECK((has(f, "tftp.truncated") || has(f, "tftp.bad_opcode")));
      }
      // Headers shorter than 4 bytes (2 for OACK) are never usable.
      if (n < 2) CHECK_FALSE(ok);
    }
  }
  std::vector<Finding> f;
  Packet p;
  Buf no_mode = request(kRrq, "file", "octet");
  no_mode.resize(2 + 5);  // opcode + "file\0"
  CHECK_FALSE(parse_packet(no_mode, limits, p, f));
  CHECK(has(f, "tftp.truncated"));
  f.clear();
  Buf unterminated_mode = no_mode;
  text(unterminated_mode, "oct", false);
  REQUIRE(parse_packet(unterminated_mode, limits, p, f));
  CHECK(has(f, "tftp.unterminated_string"));
  CHECK(has(f, "tftp.unknown_mode"));
}

TEST_CASE("tftp parser: bounds and bad values") {
  TftpLimits limits;
  limits.max_file_name_bytes = 8;
  limits.max_options = 2;
  limits.max_option_bytes = 6;
  std::vector<Finding> f;
  Packet p;
  Buf long_name = request(kRrq, "a-very-long-file-name", "octet",
                          {{"tsize", "0"}, {"blksize", "512"}, {"timeout", "5"}});
  REQUIRE(parse_packet(long_name, limits, p, f));
  CHECK(p.file_name == "a-very-l");
  CHECK(has(f, "tftp.name_too_long"));
  CHECK(has(f, "tftp.too_many_options"));
  CHECK(p.options.size() == 2);
  f.clear();
  Buf long_option = request(kRrq, "f", "octet", {{"windowsize", "1"}});
  REQUIRE(parse_packet(long_option, limits, p, f));
  CHECK(has(f, "tftp.option_too_long"));
  CHECK(p.options[0].name == "window");

  f.clear();
  Buf odd = request(kWrq, "f", "binary");
  REQUIRE(parse_packet(odd, TftpLimits{}, p, f));
  CHECK(has(f, "tftp.unknown_mode"));
  CHECK(p.mode == "binary");

  f.clear();
  std::vector<Option> bad = {{"blksize", "7"},    {"blksize", "512"}, {"timeout", "0"},
                             {"windowsize", "x"}, {"tsize", "-1"},    {"timeout", "256"},
                             {"blksize", "1024"}};
  OptionValues v = interpret_options(bad, f);
  CHECK(v.block_size == 512u);  // the first valid occurrence counts
  CHECK_FALSE(v.timeout.has_value());
  CHECK_FALSE(v.window_size.has_value());
  CHECK_FALSE(v.transfer_size.has_value());
  CHECK(f.size() == 6);  // 5 invalid values, 1 repeated blksize
  for (const Finding& x : f) CHECK(x.name == "tftp.bad_option");

  f.clear();
  Buf trailing = ack(3);
  trailing.push_back(9);
  REQUIRE(parse_packet(trailing, TftpLimits{}, p, f));
  CHECK(has(f, "tftp.trailing_bytes"));
  f.clear();
  Buf unknown{0, 9, 0, 1};
  CHECK_FALSE(parse_packet(unknown, TftpLimits{}, p, f));
  CHECK(has(f, "tftp.bad_opcode"));
  f.clear();
  Buf err_no_nul{0, 5, 0, 3};
  text(err_no_nul, "Disk full", false);
  REQUIRE(parse_packet(err_no_nul, TftpLimits{}, p, f));
  CHECK(p.error_message == "Disk full");
  CHECK(has(f, "tftp.unterminated_string"));
}

TEST_CASE("tftp probe: requests only") {
  ProbeInput in;
  in.server_port = 69;
  Buf rrq = request(kRrq, "rfc1350.txt", "octet");
  in.client = rrq;
  CHECK(probe_tftp(in) == ProbeResult::kYes);
  Buf wrq = request(kWrq, "x", "NETASCII", {{"tsize", "3"}});
  in.client = wrq;
  CHECK(probe_tftp(in) == ProbeResult::kYes);
  Buf d = data(1, "abc");
  in.client = d;
  CHECK(probe_tftp(in) == ProbeResult::kNo);
  Buf no_name = request(kRrq, "", "octet");
  in.client = no_name;
  CHECK(probe_tftp(in) == ProbeResult::kNo);
  Buf binary_mode = request(kRrq, "f", "oc\x01t");
  in.client = binary_mode;
  CHECK(probe_tftp(in) == ProbeResult::kNo);
  Buf cut = rrq;
  cut.pop_back();
  in.client = cut;
  CHECK(probe_tftp(in) == ProbeResult::kNo);
  in.client = {};
  in.server = rrq;
  CHECK(probe_tftp(in) == ProbeResult::kNo);
}

// ------------------------------------------------------------------ block tracker

TEST_CASE("tftp blocks: in order, out of order, duplicates, end") {
  using V = BlockTracker::Verdict;
  BlockTracker t(16);
  CHECK(t.receive(0).verdict == V::kInvalid);
  auto a = t.receive(1);
  CHECK(a.verdict == V::kNew);
  CHECK(a.index == 1);
  CHECK(t.receive(3).verdict == V::kNew);  // 2 comes late
  CHECK(t.receive(3).verdict == V::kDuplicate);
  CHECK(t.missing() == 1);
  auto late = t.receive(2);
  CHECK(late.verdict == V::kNew);
  CHECK(late.index == 2);
  CHECK(t.receive(1).verdict == V::kDuplicate);
  t.set_final(4);
  CHECK_FALSE(t.complete());
  CHECK(t.receive(4).verdict == V::kNew);
  CHECK(t.complete());
  CHECK(t.receive(5).verdict == V::kAfterEnd);
  CHECK(t.received() == 4);
  CHECK(t.missing() == 0);
  CHECK(t.scheme() == WrapScheme::kUnknown);
}

TEST_CASE("tftp blocks: rollover past 65535 to 0 and to 1") {
  using V = BlockTracker::Verdict;
  for (int to : {0, 1}) {
    BlockTracker t(8);
    for (uint32_t n = 1; n <= 65535; ++n) REQUIRE(t.receive(uint16_t(n)).verdict == V::kNew);
    CHECK(t.receive(65535).verdict == V::kDuplicate);
    auto first = t.receive(uint16_t(to));
    CHECK(first.verdict == V::kNew);
    CHECK(first.index == 65536);
    CHECK(t.scheme() == (to == 0 ? WrapScheme::kToZero : WrapScheme::kToOne));
    auto second = t.receive(uint16_t(to + 1));
    CHECK(second.index == 65537);
    CHECK(t.receive(65535).verdict == V::kDuplicate);  // a late retransmission of 65535
    CHECK(t.receive(uint16_t(to)).verdict == V::kDuplicate);
    CHECK(t.wire_of(65536) == to);
    // A second cycle.
    for (uint64_t i = 65538; i <= 65536 * 2 + 10; ++i) {
      auto p = t.receive(t.wire_of(i));
      REQUIRE(p.verdict == V::kNew);
      REQUIRE(p.index == i);
    }
  }
}

TEST_CASE("tftp blocks: too many blocks past a hole give the hole up") {
  using V = BlockTracker::Verdict;
  BlockTracker t(2);
  CHECK(t.receive(1).verdict == V::kNew);
  CHECK(t.receive(3).verdict == V::kNew);
  CHECK(t.receive(4).verdict == V::kNew);
  CHECK(t.receive(5).verdict == V::kNew);  // 3 blocks past the hole at 2: 2 is given up
  CHECK(t.receive(2).verdict == V::kDuplicate);
  CHECK(t.missing() == 1);
}

// ------------------------------------------------------------------ sessions

namespace {

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
  template <typename T>
  std::vector<const T*> of() const {
    std::vector<const T*> out;
    for (const auto& r : records) {
      if (auto* x = dynamic_cast<const T*>(r.get())) out.push_back(x);
    }
    return out;
  }
  bool anomaly(std::string_view name) const {
    for (const Anomaly* a : of<Anomaly>()) {
      if (a->name() == name) return true;
    }
    return false;
  }
};

constexpr auto C = StreamDirection::kClientToServer;
constexpr auto S = StreamDirection::kServerToClient;

// A client 10.0.0.1:40000 asking 10.0.0.2:69, the server answering from 10.0.0.2:5555.
struct Fixture {
  fs::path dir;
  TftpLimits tftp_limits;
  Limits limits;
  Emitted emitted;
  AppRegistry registry;
  std::unique_ptr<files::FileStore> store;
  std::unique_ptr<AppLayer> layer;
  FlowInfo request_flow, transfer_flow;
  std::unique_ptr<FlowConsumer> request, transfer;
  int64_t now = 1'000'000'000;

  explicit Fixture(bool with_files = true) {
    static int n = 0;
    dir = fs::temp_directory_path() /
          ("netcap-tftp-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    if (with_files) {
      auto s = files::FileStore::create(dir.string());
      REQUIRE(s.has_value());
      store = std::move(s.value());
    }
    request_flow.flow_id = "Creq";
    request_flow.ip_protocol = 17;
    IpAddress::parse("10.0.0.1", request_flow.client);
    IpAddress::parse("10.0.0.2", request_flow.server);
    request_flow.client_port = 40000;
    request_flow.server_port = 69;
    transfer_flow.flow_id = "Cxfer";
    transfer_flow.ip_protocol = 17;
    transfer_flow.client = request_flow.server;
    transfer_flow.client_port = 5555;
    transfer_flow.server = request_flow.client;
    transfer_flow.server_port = 40000;
  }
  ~Fixture() { fs::remove_all(dir); }
  void start() {
    REQUIRE(register_tftp(registry, tftp_limits).is_ok());
    layer = std::make_unique<AppLayer>(registry, limits, emitted, store.get());
    request = layer->create(request_flow);
  }
  void ask(const Buf& b) { send(*request, C, b); }
  // The first datagram of the transfer flow creates it (as the flow table would).
  void from_server(const Buf& b) {
    if (!transfer) {
      transfer_flow.first_ts_ns = now;
      transfer = layer->create(transfer_flow);
    }
    send(*transfer, C, b);
  }
  void from_client(const Buf& b) { send(*transfer, S, b); }
  void send(FlowConsumer& f, StreamDirection d, const Buf& b) {
    now += 1000;
    f.on_datagram(d, b, uint32_t(b.size()), now, 0);
  }
  void end(StreamEndReason reason = StreamEndReason::kEndOfCapture) {
    if (transfer) transfer->on_end(reason, now);
    request->on_end(reason, now);
  }
  std::string content(const File& f) const {
    std::ifstream in(dir / f.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(char('a' + (i * 7 + i / 13) % 26));
  return s;
}

}  // namespace

TEST_CASE("tftp session: a read through the expectation, file at its offsets") {
  Fixture fx;
  fx.start();
  const std::string file = pattern(512 * 2 + 100);
  fx.ask(request(kRrq, "images/boot.img", "octet"));
  fx.from_server(data(1, file.substr(0, 512)));
  fx.from_client(ack(1));
  fx.from_server(data(2, file.substr(512, 512)));
  fx.from_server(data(2, file.substr(512, 512)));  // retransmission
  fx.from_client(ack(2));
  fx.from_server(data(3, file.substr(1024)));
  fx.from_client(ack(3));
  fx.end();
  CHECK(fx.transfer->application_protocol() == "tftp");
  CHECK(fx.request->application_protocol() == "tftp");
  auto records = fx.emitted.of<TFTP>();
  REQUIRE(records.size() == 1);
  const TFTP& r = *records[0];
  CHECK(r.flowid() == "Cxfer");
  CHECK(r.requestflowid() == "Creq");
  CHECK(r.clientip() == "10.0.0.1");
  CHECK(r.clientport() == 40000);
  CHECK(r.serverip() == "10.0.0.2");
  CHECK(r.serverport() == 5555);
  CHECK(r.opcodename() == "RRQ");
  CHECK(r.direction() == "download");
  CHECK(r.filename() == "images/boot.img");
  CHECK(r.mode() == "octet");
  CHECK(r.blocksize() == 512);
  CHECK(r.blocks() == 3);
  CHECK(r.bytes() == int64_t(file.size()));
  CHECK(r.duplicateblocks() == 1);
  CHECK(r.acks() == 3);
  CHECK(r.complete());
  CHECK(r.reason().empty());
  CHECK(r.transfersize() == -1);
  CHECK(r.wrapto() == -1);
  auto files = fx.emitted.of<File>();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->protocol() == "tftp");
  CHECK(files[0]->name() == "images/boot.img");
  CHECK(files[0]->direction() == "download");
  CHECK(files[0]->complete());
  CHECK(files[0]->size() == int64_t(file.size()));
  CHECK(files[0]->sha256() == sha256_hex(as_bytes(file)));
  CHECK(files[0]->srcip() == "10.0.0.2");
  CHECK(files[0]->srcport() == 5555);
  CHECK(fx.content(*files[0]) == file);
  CHECK(fx.emitted.of<Anomaly>().empty());
}

TEST_CASE("tftp session: options, out-of-order blocks and an upload") {
  Fixture fx;
  fx.start();
  const std::string file = pattern(1024 * 3);  // a multiple of the block size: empty last block
  fx.ask(
      request(kWrq, "cfg.bin", "octet",
              {{"blksize", "1024"}, {"tsize", std::to_string(file.size())}, {"windowsize", "2"}}));
  fx.from_server(
      oack({{"blksize", "1024"}, {"tsize", std::to_string(file.size())}, {"windowsize", "2"}}));
  fx.from_client(data(2, file.substr(1024, 1024)));  // out of order
  fx.from_client(data(1, file.substr(0, 1024)));
  fx.from_server(ack(2));
  fx.from_client(data(4, ""));
  fx.from_client(data(3, file.substr(2048)));
  fx.from_server(ack(4));
  fx.end();
  auto records = fx.emitted.of<TFTP>();
  REQUIRE(records.size() == 1);
  const TFTP& r = *records[0];
  CHECK(r.opcodename() == "WRQ");
  CHECK(r.direction() == "upload");
  CHECK(r.optionsacknowledged());
  CHECK(r.blocksize() == 1024);
  CHECK(r.windowsize() == 2);
  CHECK(r.transfersize() == int64_t(file.size()));
  REQUIRE(r.requestoptions_size() == 3);
  CHECK(r.requestoptions(0).name() == "blksize");
  REQUIRE(r.acceptedoptions_size() == 3);
  CHECK(r.blocks() == 4);
  CHECK(r.complete());
  auto files = fx.emitted.of<File>();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->direction() == "upload");
  CHECK(files[0]->declaredsize() == int64_t(file.size()));
  CHECK(files[0]->srcip() == "10.0.0.1");  // the client sent it
  CHECK(files[0]->complete());
  CHECK(fx.content(*files[0]) == file);
}

TEST_CASE("tftp session: an ERROR ends the transfer incomplete with the reason") {
  Fixture fx;
  fx.start();
  fx.ask(request(kRrq, "big.iso", "octet"));
  fx.from_server(data(1, pattern(512)));
  fx.from_client(ack(1));
  fx.from_server(error(3, "Disk full or allocation exceeded"));
  fx.from_server(data(2, pattern(512)));  // after the ERROR: ignored
  fx.end();
  auto records = fx.emitted.of<TFTP>();
  REQUIRE(records.size() == 1);
  const TFTP& r = *records[0];
  CHECK(r.error());
  CHECK(r.errorcode() == 3);
  CHECK(r.errormessage() == "Disk full or allocation exceeded");
  CHECK(r.errorsender() == "server");
  CHECK_FALSE(r.complete());
  CHECK(r.reason() == "ERROR 3 from the server: Disk full or allocation exceeded");
  CHECK(r.blocks() == 1);
  auto files = fx.emitted.of<File>();
  REQUIRE(files.size() == 1);
  CHECK_FALSE(files[0]->complete());
  CHECK(files[0]->truncatedreason() == r.reason());

  // File not found: an ERROR as the only answer, no file.
  Fixture nf;
  nf.start();
  nf.ask(request(kRrq, "missing", "octet"));
  nf.from_server(error(1, "File not found"));
  nf.end();
  auto nrec = nf.emitted.of<TFTP>();
  REQUIRE(nrec.size() == 1);
  CHECK(nrec[0]->errorcode() == 1);
  CHECK(nrec[0]->flowid() == "Cxfer");
  CHECK(nf.emitted.of<File>().empty());
}

TEST_CASE("tftp session: the end of the capture closes a transfer incomplete") {
  Fixture fx;
  fx.start();
  fx.ask(request(kRrq, "part.bin", "octet"));
  fx.from_server(data(1, pattern(512)));
  fx.from_server(data(3, pattern(512)));
  fx.end();
  auto records = fx.emitted.of<TFTP>();
  REQUIRE(records.size() == 1);
  CHECK_FALSE(records[0]->complete());
  CHECK(records[0]->reason() == "ended before the final block (flow ended: end_of_capture)");
  CHECK(records[0]->missingblocks() == 1);
  auto files = fx.emitted.of<File>();
  REQUIRE(files.size() == 1);
  CHECK_FALSE(files[0]->complete());
  CHECK(files[0]->missingbytes() == 512);

  // The final block came, one before it did not.
  Fixture hole;
  hole.start();
  hole.ask(request(kRrq, "hole.bin", "octet"));
  hole.from_server(data(1, pattern(512)));
  hole.from_server(data(3, "tail"));
  hole.end();
  auto h = hole.emitted.of<TFTP>();
  REQUIRE(h.size() == 1);
  CHECK(h[0]->reason() == "1 blocks missing before the final block");
  auto hf = hole.emitted.of<File>();
  REQUIRE(hf.size() == 1);
  CHECK(hf[0]->size() == 1024 + 4);
}

TEST_CASE("tftp session: block numbers roll over past 65535") {
  Fixture fx;
  fx.start();
  // blksize 8: 65540 blocks make a 524 KB file.
  fx.ask(request(kRrq, "wrap.bin", "octet", {{"blksize", "8"}}));
  fx.from_server(oack({{"blksize", "8"}}));
  fx.from_client(ack(0));
  const uint64_t blocks = 65540;
  std::string file;
  for (uint64_t i = 1; i <= blocks; ++i) {
    const std::string block = i == blocks ? std::string("end") : pattern(8 + i % 5).substr(i % 5);
    file += block;
    fx.from_server(data(uint16_t(i & 0xffff), block));  // rolls over to 0
  }
  fx.end();
  auto records = fx.emitted.of<TFTP>();
  REQUIRE(records.size() == 1);
  CHECK(records[0]->complete());
  CHECK(records[0]->blockwrapped());
  CHECK(records[0]->wrapto() == 0);
  CHECK(records[0]->blocks() == int64_t(blocks));
  auto files = fx.emitted.of<File>();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->sha256() == sha256_hex(as_bytes(file)));
}

TEST_CASE("tftp session: unanswered, retransmitted and limited requests") {
  Fixture fx(false);
  fx.tftp_limits.max_open_transfers = 2;
  fx.start();
  fx.ask(request(kRrq, "one", "octet"));
  fx.ask(request(kRrq, "one", "octet"));  // retransmitted
  fx.ask(request(kRrq, "two", "netascii"));
  fx.ask(request(kRrq, "three", "octet"));  // past the limit of 2
  fx.end();
  auto records = fx.emitted.of<TFTP>();
  REQUIRE(records.size() == 3);
  CHECK(records[0]->filename() == "three");
  CHECK(records[0]->reason() == "not followed: open transfer limit reached");
  CHECK(records[1]->filename() == "one");
  CHECK(records[1]->requests() == 2);
  CHECK(records[1]->reason() == "no answer seen");
  CHECK(records[1]->flowid() == "Creq");
  CHECK(records[1]->serverport() == 69);
  CHECK(records[2]->filename() == "two");
  CHECK(fx.emitted.anomaly("tftp.too_many_transfers"));
  // Places are given back: a new request is followed again.
  CHECK(*fx.layer->shard_state().get<OpenTransfers>().count == 0);
}

TEST_CASE("tftp session: a server answering from port 69, and stray packets") {
  Fixture fx;
  fx.start();
  fx.ask(request(kRrq, "same-port.txt", "octet"));
  fx.send(*fx.request, S, data(1, "short"));
  fx.ask(ack(1));
  fx.end();
  auto records = fx.emitted.of<TFTP>();
  REQUIRE(records.size() == 1);
  CHECK(records[0]->flowid() == "Creq");
  CHECK(records[0]->serverport() == 69);
  CHECK(records[0]->complete());
  CHECK(fx.emitted.anomaly("tftp.no_new_port"));

  Fixture stray;
  stray.start();
  stray.ask(request(kRrq, "x", "octet"));
  stray.from_server(data(0, "zero"));  // block 0
  stray.from_client(data(1, "wrong side"));
  stray.from_server(data(1, "x"));
  stray.from_server(data(2, "after the end"));
  stray.end();
  CHECK(stray.emitted.anomaly("tftp.bad_block"));
  CHECK(stray.emitted.anomaly("tftp.unexpected_packet"));
  CHECK(stray.emitted.anomaly("tftp.data_after_end"));
  auto r = stray.emitted.of<TFTP>();
  REQUIRE(r.size() == 1);
  CHECK(r[0]->complete());
  CHECK(r[0]->bytes() == 1);
}

TEST_CASE("tftp session: a DATA block cut by the snap length becomes a gap") {
  Fixture fx;
  fx.start();
  fx.ask(request(kRrq, "cut.bin", "octet"));
  Buf first = data(1, pattern(512));
  fx.transfer_flow.first_ts_ns = fx.now;
  fx.transfer = fx.layer->create(fx.transfer_flow);
  fx.transfer->on_datagram(C, Bytes(first.data(), 100), uint32_t(first.size()), fx.now, 0);
  fx.from_server(data(2, "end"));
  fx.end();
  CHECK(fx.emitted.anomaly("tftp.truncated"));
  auto r = fx.emitted.of<TFTP>();
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0]->complete());
  CHECK(r[0]->reason() == "416 bytes cut by the snap length");
  CHECK(r[0]->bytes() == 515);
  auto files = fx.emitted.of<File>();
  REQUIRE(files.size() == 1);
  CHECK_FALSE(files[0]->complete());
  CHECK(files[0]->size() == 515);
  CHECK(files[0]->missingbytes() == 512 - 96);
}
