// Fuzzes the application layer as the engine drives it: content probing over every registered
// protocol, the replay of the probed chunks, protocol switches (STARTTLS, CONNECT tunnels) and
// expectations (FTP and TFTP data channels), with the real sessions behind them.
//
// Format: a sequence of flows. A flow starts with [1 byte transport and port][2 bytes client
// port][2 bytes server port], then its events, each [1 byte control][1 byte length][length bytes]:
// control bit 0 is the direction, bit 1 makes a TCP event a gap of `length` bytes, and a control
// byte of 0xff ends the flow (the next one starts after it). Transport/port byte: bit 7 = UDP, the
// low bits pick the server port from a table of the ports the protocols hint at (plus unhinted
// ones); 0x7f takes the server port field instead (a data channel announced by an earlier flow).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "forensics/app/default_app_layer.h"

namespace {

struct NullEmitter : netcap::RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};

constexpr uint16_t kServerPorts[] = {80,   443,  25,   110, 143,  21,   22,   23,
                                     3128, 3306, 5432, 88,  445,  69,   5060, 53,
                                     123,  67,   547,  587, 8080, 2222, 2121, 40001};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  Limits limits;
  limits.max_probe_bytes = 512;  // small bounds reach the limit paths
  limits.max_line_bytes = 256;
  limits.max_header_bytes = 1024;
  limits.max_items_per_message = 8;
  limits.max_decoded_body_bytes = 64 * 1024;
  NullEmitter emitter;
  std::unique_ptr<FlowConsumerFactory> layer = app::make_app_layer(emitter, limits);
  size_t i = 0;
  int64_t ts = 1;
  for (int flows = 0; i + 5 <= size && flows < 8; ++flows) {
    FlowInfo flow;
    flow.flow_id = "Cfuzz" + std::to_string(flows);
    flow.ip_protocol = (data[i] & 0x80) ? 17 : 6;
    const uint8_t selector = data[i] & 0x7f;
    flow.client_port = static_cast<uint16_t>(data[i + 1] << 8 | data[i + 2]);
    flow.server_port = selector == 0x7f ? static_cast<uint16_t>(data[i + 3] << 8 | data[i + 4])
                                        : kServerPorts[selector % std::size(kServerPorts)];
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.first_ts_ns = ts;
    i += 5;
    std::unique_ptr<FlowConsumer> consumer = layer->create(flow);
    uint64_t frame = 1;
    while (i + 2 <= size) {
      const uint8_t control = data[i];
      if (control == 0xff) {
        i += 1;
        break;
      }
      const size_t len = std::min<size_t>(data[i + 1], size - i - 2);
      const auto dir =
          (control & 1) ? StreamDirection::kServerToClient : StreamDirection::kClientToServer;
      const std::span<const uint8_t> bytes(data + i + 2, len);
      if (consumer != nullptr) {
        if (flow.ip_protocol == 17) {
          // Bit 2: the UDP header said more than was captured (a snap length cut it).
          consumer->on_datagram(dir, bytes, static_cast<uint32_t>(len + ((control & 4) ? 64 : 0)),
                                ts, frame++);
        } else if (control & 2) {
          consumer->on_gap(dir, data[i + 1], ts);
        } else {
          consumer->on_data(dir, bytes, ts);
        }
      }
      i += (flow.ip_protocol == 6 && (control & 2)) ? 2 : 2 + len;
      ++ts;
    }
    if (consumer != nullptr) {
      consumer->on_end(StreamEndReason::kFin, ts);
      (void)consumer->application_protocol();
    }
  }
  return 0;
}
