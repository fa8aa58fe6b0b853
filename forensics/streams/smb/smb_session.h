// SMB sessions over TCP: Direct TCP (445, [MS-SMB2] 2.1) or NetBIOS session service (139,
// RFC 1002 §4.3) framing, SMB2/3 commands turned into SMB2Negotiate, SMB2SessionSetup,
// SMB2TreeConnect and SMB2File records, SMB1 ([MS-CIFS]) negotiation into SMB2Negotiate with
// Version 1, SMB1 TREE_CONNECT_ANDX into SMB2TreeConnect, SMB1 file access (NT_CREATE_ANDX /
// OPEN_ANDX, READ_ANDX, WRITE_ANDX, CLOSE, in AndX chains of at most 16 commands) into SMB2File
// with Version 1 and FileID the 4 hex digits of the FID. Other SMB1 commands are skipped.
//
// State is bounded: pending requests by MessageId, SMB1 request chains by (MID, PID, TID, UID)
// (Limits::max_pending_transactions each), trees and open files (Limits::max_pending_transactions
// each). A message is kept whole before it is parsed: non-data messages up to
// Limits::max_handshake_bytes, READ/WRITE (SMB1: READ_ANDX, WRITE_ANDX, LOCKING_ANDX) up to
// kMaxDataMessageBytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "forensics/app/app_protocol.h"

namespace netcap {
class SMB2File;
}

namespace netcap::app::smb {

// READ responses and WRITE requests carry at most the negotiated MaxReadSize/MaxWriteSize
// (8 MiB for current Windows servers); a larger message is skipped ("smb.message_too_large").
constexpr size_t kMaxDataMessageBytes = 8 * 1024 * 1024;

// The file a READ/WRITE belongs to, as far as the session knows it.
struct FileRef {
  uint64_t session_id = 0;  // SMB1: the UID
  uint32_t tree_id = 0;     // SMB1: the TID
  std::string share;        // "\\server\share", empty when the TREE_CONNECT was not seen
  std::string file_id;      // 32 hex digits (SMB1: the FID, 4 hex digits)
  std::string file_name;    // empty when the CREATE was not seen
};

// Receives file contents as they cross the wire (implemented by file extraction). A session
// calls it from its shard thread only.
class DataObserver {
 public:
  virtual ~DataObserver() = default;
  // `data` are bytes of the file at `offset`: a WRITE request's data (`write`) or a READ
  // response's. Valid only during the call. Not called for SMB1 opens of named pipes.
  virtual void on_data(const FileRef& file, bool write, uint64_t offset,
                       std::span<const uint8_t> data, int64_t ts_ns) = 0;
  // The file's record, just before it is emitted (CLOSE response, or end of flow).
  virtual void on_close(const FileRef& file, const SMB2File& record) { (void)file, (void)record; }
};

// Makes the observer of one session; an empty function (the default): no observer.
using DataObserverFactory = std::function<std::unique_ptr<DataObserver>(AppContext&)>;

// The probe: framing + "\xFESMB" / "\xFFSMB" / "\xFDSMB" in the first message of a direction
// (after a NetBIOS session request/response).
ProbeResult probe(const ProbeInput& in);

std::unique_ptr<AppSession> make_session(AppContext& ctx,
                                         const DataObserverFactory& observers = {});

// The "smb" TCP protocol (ports 445, 139) with the given observer factory.
AppProtocol make_protocol(DataObserverFactory observers = {});

}  // namespace netcap::app::smb
