// Fuzzes the TFTP parser and probe with the whole input as one datagram, then the sessions: the
// input, split into datagrams (a 2-byte header: sender, flow, length), is fed to a request flow
// to port 69 and, once a request was announced, to the transfer flow on the server's new port,
// with a file sink that discards what it gets.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/streams/tftp/tftp_parser.h"
#include "forensics/streams/tftp/tftp_session.h"
#include "proto/file.pb.h"

namespace {

using namespace netcap;
using namespace netcap::app;

struct Discard : RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message> r) override { (void)r->ByteSizeLong(); }
};

// Takes writes anywhere (checking offsets do not wrap) and returns an empty record.
class NullWriter : public FileWriter {
 public:
  void write(uint64_t offset, std::span<const uint8_t> data, int64_t) override {
    if (offset + data.size() < offset) __builtin_trap();
  }
  void gap(uint64_t, uint64_t, int64_t) override {}
  void truncated(std::string_view) override {}
  void set_declared_size(int64_t) override {}
  std::unique_ptr<netcap::File> close(bool, std::string_view, int64_t ts) override {
    auto f = std::make_unique<netcap::File>();
    f->set_timestamp(ts);
    return f;
  }
};
class NullSink : public FileSink {
 public:
  std::unique_ptr<FileWriter> open(const FileOrigin&) override {
    return std::make_unique<NullWriter>();
  }
};

// The transfer flow is created once the request flow announced one.
bool transfer_possible(AppLayer& layer) { return layer.expectations().size() > 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes whole(data, size);
  tftp::TftpLimits limits;
  limits.max_blocks_ahead = 16;
  {
    ProbeInput in;
    in.client = whole;
    in.server_port = tftp::kPort;
    (void)tftp::probe_tftp(in);
    tftp::Packet p;
    std::vector<tftp::Finding> findings;
    if (tftp::parse_packet(whole, limits, p, findings)) {
      (void)tftp::interpret_options(p.options, findings);
    }
  }

  AppRegistry registry;
  if (!tftp::register_tftp(registry, limits).is_ok()) return 0;
  Limits app_limits;
  Discard emitter;
  NullSink files;
  AppLayer layer(registry, app_limits, emitter, &files);
  FlowInfo request_flow;
  request_flow.flow_id = "Creq";
  request_flow.ip_protocol = 17;
  IpAddress::parse("10.0.0.1", request_flow.client);
  IpAddress::parse("10.0.0.2", request_flow.server);
  request_flow.client_port = 40000;
  request_flow.server_port = tftp::kPort;
  FlowInfo transfer_flow = request_flow;
  transfer_flow.flow_id = "Cxfer";
  transfer_flow.client = request_flow.server;
  transfer_flow.client_port = 5555;
  transfer_flow.server = request_flow.client;
  transfer_flow.server_port = request_flow.client_port;

  std::unique_ptr<FlowConsumer> request = layer.create(request_flow);
  std::unique_ptr<FlowConsumer> transfer;
  ByteCursor c(whole);
  int64_t ts = 1;
  while (c.remaining() >= 2) {
    // Header: bit 15 = sent by the server, bit 14 = on the request flow, low bits = length.
    const uint16_t header = c.u16be();
    const bool server = (header & 0x8000) != 0;
    const bool on_request_flow = (header & 0x4000) != 0;
    const Bytes datagram = c.bytes(std::min<size_t>(header & 0x3fff, c.remaining()));
    // Sometimes longer per the UDP header than captured (a snap length cut).
    const auto length = static_cast<uint32_t>(datagram.size() + (ts % 7 == 0 ? 3 : 0));
    ++ts;
    if (on_request_flow || (!transfer && !transfer_possible(layer))) {
      request->on_datagram(
          server ? StreamDirection::kServerToClient : StreamDirection::kClientToServer, datagram,
          length, ts, 1);
      continue;
    }
    if (!transfer) {
      transfer_flow.first_ts_ns = ts;
      transfer = layer.create(transfer_flow);
    }
    // On the transfer flow the server is the originator.
    transfer->on_datagram(
        server ? StreamDirection::kClientToServer : StreamDirection::kServerToClient, datagram,
        length, ts, 2);
  }
  if (transfer) transfer->on_end(StreamEndReason::kEndOfCapture, ts);
  request->on_end(StreamEndReason::kEndOfCapture, ts);
  return 0;
}
