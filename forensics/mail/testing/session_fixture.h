// Test support for the mail protocols' session tests and fuzzers: an AppContext over a fixed
// flow with an in-memory emitter.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/text_util.h"
#include "forensics/mail/mail.h"
#include "proto/anomaly.pb.h"

namespace netcap::app::mail::testing {

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }

  template <typename T>
  std::vector<const T*> of() const {
    std::vector<const T*> out;
    for (const auto& r : records) {
      if (r->GetDescriptor() == T::descriptor()) out.push_back(static_cast<const T*>(r.get()));
    }
    return out;
  }
  bool has_anomaly(const std::string& name) const {
    for (const auto* a : of<netcap::Anomaly>()) {
      if (a->name() == name) return true;
    }
    return false;
  }
};

// Collects what a MailObserver receives.
struct RecordingObserver : MailObserver {
  std::vector<std::string> raw;
  std::vector<std::vector<DecodedPart>> parts;
  void on_message(const netcap::Mail&, std::string_view r,
                  const std::vector<DecodedPart>& p) override {
    raw.emplace_back(r);
    parts.push_back(p);
  }
};

struct SessionFixture {
  explicit SessionFixture(uint16_t server_port, const char* protocol)
      : expectations(limits, emitted) {
    flow.flow_id = "Ctest";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 40000;
    flow.server_port = server_port;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, protocol);
  }
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations;
  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
};

inline void send(AppSession& s, StreamDirection dir, std::string_view text, int64_t ts) {
  s.on_data(dir, as_bytes(text), ts);
}
// Sends `text` in pieces of `chunk` bytes.
inline void send_split(AppSession& s, StreamDirection dir, std::string_view text, size_t chunk,
                       int64_t ts) {
  for (size_t i = 0; i < text.size(); i += chunk)
    s.on_data(dir, as_bytes(text.substr(i, chunk)), ts);
}

// Probe input from text; `final` marks both directions final.
inline ProbeInput probe_input(std::string_view client, std::string_view server, bool final = false) {
  ProbeInput in;
  in.client = as_bytes(client);
  in.server = as_bytes(server);
  in.client_final = final;
  in.server_final = final;
  return in;
}

}  // namespace netcap::app::mail::testing
