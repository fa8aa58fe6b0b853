// Fuzzes the TLS session: record splitting, handshake reassembly, hello parsing, JA3/JA4 and
// certificate parsing. Input layout: the first byte chooses segment sizes and the direction
// pattern; the rest is split into segments fed alternately (or not) to the two directions.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/streams/tls/tls_parser.h"
#include "forensics/streams/tls/tls_session.h"

namespace {

struct NullEmitter : netcap::RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  using namespace netcap::app;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const Bytes input(data + 1, size - 1);

  // The pure parsers on the whole input as a handshake body.
  {
    tls::ClientHello c;
    tls::ParseProblems p;
    if (tls::parse_client_hello(input, c, p)) {
      (void)tls::ja3_string(c);
      (void)tls::ja4(c);
    }
    tls::ServerHello s;
    tls::ParseProblems q;
    if (tls::parse_server_hello(input, s, q)) (void)tls::ja3s_string(s);
  }

  Limits limits;
  limits.max_handshake_bytes = 1 << 16;  // small, so the limit path is reached
  limits.max_items_per_message = 64;
  NullEmitter emitter;
  ExpectationTable expectations(limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  flow.ip_protocol = 6;
  flow.client_port = 40000;
  flow.server_port = 443;
  AppContext ctx(flow, limits, emitter, expectations, "tls");
  TlsSession session(ctx);
  const size_t segment = 1 + (mode & 0x1f);
  const bool alternate = (mode & 0x20) != 0;
  const bool gap = (mode & 0x40) != 0;
  int64_t ts = 0;
  bool to_server = true;
  for (size_t i = 0; i < input.size(); i += segment) {
    const size_t n = std::min(segment, input.size() - i);
    auto dir = to_server ? StreamDirection::kClientToServer : StreamDirection::kServerToClient;
    session.on_data(dir, input.subspan(i, n), ++ts);
    if (gap && i % 97 == 0) session.on_gap(dir, 3, ++ts);
    if (alternate) to_server = !to_server;
  }
  session.on_end(StreamEndReason::kFin, ++ts);
  return 0;
}
