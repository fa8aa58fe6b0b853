// Fuzzes the SMB parsers and the session. The input after the first byte is given to every
// body parser and the security-blob parser as one message, split into SMB1 AndX chains (as a
// request and as a response) whose commands go to every SMB1 command parser, then delivered as a
// TCP stream in chunks of (first byte % 61) + 1 bytes; a chunk starting with 0xEE switches
// direction, one starting with 0xED is replaced by a gap.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "forensics/app/app_layer.h"
#include "forensics/streams/smb/smb_parser.h"
#include "forensics/streams/smb/smb_session.h"

namespace {
struct NullEmitter : netcap::RecordEmitter {
  void emit(std::unique_ptr<google::protobuf::Message>) override {}
};
struct NullObserver : netcap::app::smb::DataObserver {
  size_t bytes = 0;
  void on_data(const netcap::app::smb::FileRef&, bool, uint64_t, std::span<const uint8_t> d,
               int64_t) override {
    bytes += d.size();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap;
  using namespace netcap::app;
  using namespace netcap::app::smb;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const smb::Bytes rest(data + 1, size - 1);

  (void)parse_header(rest);
  {
    NegotiateRequest a;
    NegotiateResponse b;
    SessionSetupRequest c;
    SessionSetupResponse d;
    TreeConnectRequest e;
    TreeConnectResponse f;
    CreateRequest g;
    CreateResponse h;
    CloseRequest i;
    CloseResponse j;
    ReadRequest k;
    ReadResponse l;
    WriteRequest m;
    WriteResponse n;
    SetInfoRequest o;
    QueryInfoRequest p;
    QueryInfoResponse q;
    (void)parse_negotiate_request(rest, a), (void)parse_negotiate_response(rest, b);
    (void)parse_session_setup_request(rest, c), (void)parse_session_setup_response(rest, d);
    (void)parse_tree_connect_request(rest, e), (void)parse_tree_connect_response(rest, f);
    (void)parse_create_request(rest, g), (void)parse_create_response(rest, h);
    (void)parse_close_request(rest, i), (void)parse_close_response(rest, j);
    (void)parse_read_request(rest, k), (void)parse_read_response(rest, l);
    (void)parse_write_request(rest, m), (void)parse_write_response(rest, n);
    (void)parse_set_info_request(rest, o), (void)parse_query_info_request(rest, p);
    (void)parse_query_info_response(rest, q);
    std::vector<std::string> dialects;
    Smb1NegotiateResponse r;
    (void)parse_smb1_negotiate_request(rest, dialects),
        (void)parse_smb1_negotiate_response(rest, r);
    for (const bool response : {false, true}) {
      const Smb1Chain chain = parse_smb1_chain(rest, response, 16);
      for (const Smb1Block& block : chain.blocks) {
        for (const bool unicode : {false, true}) {
          Smb1NtCreateRequest create;
          std::string text;
          (void)parse_smb1_nt_create_request(block, unicode, create);
          (void)parse_smb1_open_request(block, unicode, text);
          (void)parse_smb1_tree_connect_request(block, unicode, text);
        }
        Smb1CreateResponse created;
        Smb1ReadRequest read_request;
        Smb1ReadResponse read_response;
        Smb1WriteRequest write_request;
        std::string service;
        uint16_t fid = 0;
        (void)parse_smb1_nt_create_response(block, created);
        (void)parse_smb1_open_response(block, created);
        (void)parse_smb1_read_request(block, read_request);
        (void)parse_smb1_read_response(rest, block, read_response);
        (void)parse_smb1_write_request(rest, block, write_request);
        (void)parse_smb1_close_request(block, fid);
        (void)parse_smb1_tree_connect_response(block, service);
      }
    }
    (void)oem_to_utf8(rest);
    (void)parse_security_blob(rest);
    (void)utf16le_to_utf8(rest);
  }
  ProbeInput in;
  in.client = rest;
  (void)probe(in);

  Limits limits;
  limits.max_handshake_bytes = 4096;
  limits.max_pending_transactions = 8;
  limits.max_items_per_message = 8;
  NullEmitter emitter;
  ExpectationTable expectations(limits, emitter);
  FlowInfo flow;
  flow.flow_id = "Cfuzz";
  flow.ip_protocol = 6;
  AppContext ctx(flow, limits, emitter, expectations, "smb");
  auto session = make_session(ctx, [](AppContext&) { return std::make_unique<NullObserver>(); });
  const size_t chunk = size_t(mode % 61) + 1;
  StreamDirection dir = StreamDirection::kClientToServer;
  for (size_t at = 0; at < rest.size(); at += chunk) {
    smb::Bytes d = rest.subspan(at, std::min(chunk, rest.size() - at));
    if (d[0] == 0xEE) {
      dir = dir == StreamDirection::kClientToServer ? StreamDirection::kServerToClient
                                                    : StreamDirection::kClientToServer;
    }
    if (d[0] == 0xED) {
      session->on_gap(dir, d.size(), int64_t(at));
      continue;
    }
    session->on_data(dir, d, int64_t(at));
  }
  session->on_end(StreamEndReason::kFin, 0);
  return 0;
}
