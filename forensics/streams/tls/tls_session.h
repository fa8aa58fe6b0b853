// TLS over TCP: turns each direction's cleartext handshake into TLSClientHello, TLSServerHello
// and TLSCertificate records (proto/tls.proto). Per direction a HandshakeAssembler keeps at most
// one partial handshake message (bounded by Limits::max_handshake_bytes); nothing is kept once
// the direction is encrypted.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/tls/tls_parser.h"

namespace netcap::app {

// Content probe: a handshake record (type 22, version 3.0..3.4) starting a ClientHello from the
// client, or (when the client's bytes are missing) a ServerHello from the server.
ProbeResult probe_tls(const ProbeInput& in);

class TlsSession : public AppSession {
 public:
  explicit TlsSession(AppContext& ctx);
  ~TlsSession() override;

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override;
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override;
  void on_end(StreamEndReason reason, int64_t ts_ns) override;

 private:
  class DirectionSink;
  void on_handshake(StreamDirection dir, uint8_t type, tls::Bytes body, uint16_t record_version);
  void client_hello(StreamDirection dir, tls::Bytes body, uint16_t record_version);
  void server_hello(StreamDirection dir, tls::Bytes body, uint16_t record_version);
  void certificate(StreamDirection dir, tls::Bytes body);
  void anomaly(std::string_view name, std::string detail);

  AppContext& ctx_;
  tls::HandshakeAssembler assembler_[2];
  std::unique_ptr<DirectionSink> sinks_[2];
  bool tls13_ = false;  // a ServerHello/HRR selected TLS 1.3
  int64_t now_ns_ = 0;  // time of the data being parsed
};

}  // namespace netcap::app
