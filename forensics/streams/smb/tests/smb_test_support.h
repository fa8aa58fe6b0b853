// Test support shared by the SMB tests: little-endian builders, Direct TCP framing, a record
// collector, a session harness and a DataObserver that records its calls.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/smb/smb_session.h"
#include "proto/anomaly.pb.h"
#include "proto/smb.pb.h"

namespace netcap::app::smb::test_support {

using Buf = std::vector<uint8_t>;

inline void u8(Buf& b, uint8_t v) { b.push_back(v); }
inline void u16(Buf& b, uint16_t v) {
  b.push_back(uint8_t(v));
  b.push_back(uint8_t(v >> 8));
}
inline void u32(Buf& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void u64(Buf& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void raw(Buf& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
inline void raw(Buf& b, const Buf& s) { b.insert(b.end(), s.begin(), s.end()); }
inline Buf utf16(std::string_view s) {
  Buf b;
  for (char c : s) u16(b, uint16_t(uint8_t(c)));
  return b;
}
inline void zeros(Buf& b, size_t n) { b.insert(b.end(), n, 0); }
inline void put32(Buf& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}

inline Buf frame(const Buf& msg) {
  Buf b;
  u8(b, 0);
  u8(b, uint8_t(msg.size() >> 16));
  u8(b, uint8_t(msg.size() >> 8));
  u8(b, uint8_t(msg.size()));
  raw(b, msg);
  return b;
}

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
  std::vector<std::string> anomalies() const {
    std::vector<std::string> out;
    for (const Anomaly* a : of<Anomaly>()) out.push_back(a->name() + ": " + a->detail());
    return out;
  }
};

struct Harness {
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations{limits, emitted};
  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<AppSession> session;
  explicit Harness(const DataObserverFactory& observers = {}) {
    flow.flow_id = "Csmb";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 50000;
    flow.server_port = 445;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "smb");
    session = make_session(*ctx, observers);
  }
  int64_t ts = 0;
  void client(const Buf& b, size_t step = 0) { send(StreamDirection::kClientToServer, b, step); }
  void server(const Buf& b, size_t step = 0) { send(StreamDirection::kServerToClient, b, step); }
  void send(StreamDirection dir, const Buf& b, size_t step) {
    if (step == 0) step = b.size();
    for (size_t i = 0; i < b.size(); i += step) {
      session->on_data(dir, Bytes(b).subspan(i, std::min(step, b.size() - i)), ++ts);
    }
  }
};

struct Call {
  std::string file_name;
  bool write;
  uint64_t offset;
  std::string data;
};

struct TestObserver : DataObserver {
  std::vector<Call>& calls;
  std::vector<std::string>& closed;
  TestObserver(std::vector<Call>& c, std::vector<std::string>& cl) : calls(c), closed(cl) {}
  void on_data(const FileRef& f, bool write, uint64_t offset, std::span<const uint8_t> data,
               int64_t) override {
    calls.push_back({f.file_name, write, offset, std::string(as_text(data))});
  }
  void on_close(const FileRef& f, const SMB2File&) override { closed.push_back(f.file_name); }
};

}  // namespace netcap::app::smb::test_support
