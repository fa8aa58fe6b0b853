// FTP control sessions ("ftp": one `FTP` record per command/reply pair) and data sessions
// ("ftp-data": one `FTPData` record per data connection, found through the expectations the
// control session registers for PORT/PASV/EPRT/EPSV).
//
// The transfer command of a passive channel usually arrives after the client opened the data
// connection (PASV/EPSV, then the SYN, then RETR/STOR/LIST), so the expectation is registered
// at the 227/229 reply and carries a ChannelSlot in Expectation::link: the control session
// writes the command into it when it arrives, the data session reads it when its bytes come
// (the server only sends or accepts data after the command). Both sessions run on the same
// shard thread, so the slot needs no lock.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "forensics/app/app_protocol.h"

namespace netcap::app::ftp {

// What the control connection knows about one announced data channel.
struct ChannelSlot {
  bool passive = false;  // PASV/EPSV: the data connection's responder is the FTP server
  std::string command;   // transfer command once seen ("RETR"), else empty
  std::string argument;  // its argument (file name)
};

// What a data connection carries, for observers (file extraction in a later step).
struct DataTransfer {
  std::string flow_id;
  std::string parent_flow_id;
  std::string command;    // "RETR", ... ("" when not seen)
  std::string file_name;  // its argument
  std::string direction;  // "download", "upload", "listing" ("" when unknown)
};

// Receives the bytes of one data connection in the transfer direction. on_begin comes before
// the first on_data/on_gap (with what is known then), on_end exactly once.
class DataObserver {
 public:
  virtual ~DataObserver() = default;
  virtual void on_begin(const DataTransfer& transfer, int64_t ts_ns) = 0;
  virtual void on_data(std::span<const uint8_t> bytes, int64_t ts_ns) = 0;
  virtual void on_gap(uint64_t length, int64_t ts_ns) = 0;
  virtual void on_end(bool complete, int64_t ts_ns) = 0;
};
// Called once per data connection; may return null (no observer for it).
using DataObserverFactory = std::function<std::unique_ptr<DataObserver>(AppContext& ctx)>;

// Server greeting "220" plus an FTP client command (USER, AUTH, FEAT, SYST, ...).
ProbeResult probe(const ProbeInput& in);

std::unique_ptr<AppSession> make_control_session(AppContext& ctx);
std::unique_ptr<AppSession> make_data_session(AppContext& ctx,
                                              std::unique_ptr<DataObserver> observer);

// Registers "ftp" and "ftp-data"; `observers` may be empty.
Status register_ftp(AppRegistry& registry, DataObserverFactory observers);

}  // namespace netcap::app::ftp
