// TFTP transfers: what a request announces (Request, shared by the request flow and the
// transfer flow through Expectation::link), the mapping of 16-bit block numbers to file offsets
// (BlockTracker), and one transfer's state machine (Transfer), which hands the file to the
// FileSink and writes the TFTP record.
//
// A transfer runs on a flow of its own: the server answers a request to port 69 from a new port
// (RFC 1350 §4), so the request session announces that flow (originator: the server; responder:
// the client's address and port) and the transfer flow's session finds the Request in its
// expectation. Both sessions run on the same shard thread (one address pair), so the Request
// needs no lock.
//
// Thread-safety: none; one shard thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "forensics/app/app_protocol.h"
#include "forensics/app/file_sink.h"
#include "forensics/streams/tftp/tftp_parser.h"
#include "proto/tftp.pb.h"

namespace netcap::app::tftp {

// Transfers open on one shard (ShardState entry): requests announced and not yet resolved.
// The count is shared with every Request, so a Request that outlives the shard's application
// layer (held by the expectation table while it is destroyed) can still give its place back.
struct OpenTransfers {
  std::shared_ptr<size_t> count = std::make_shared<size_t>(0);
};

// A read or write request as the port-69 flow saw it.
struct Request {
  Request() = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  ~Request() { release(); }
  // Gives the shard's open-transfer place back (once): when its transfer finished, or when the
  // request flow ended with nobody having answered it.
  void release();

  uint16_t opcode = kRrq;
  std::string file_name;
  std::string mode;
  std::vector<Option> options;
  OptionValues values;  // the request's options interpreted
  int64_t ts_ns = 0;    // first request datagram
  int64_t last_ts_ns = 0;
  int requests = 1;     // request datagrams (retransmissions included)
  std::string flow_id;  // the request flow
  IpAddress client;     // requester
  uint16_t client_port = 0;
  IpAddress server;  // address the request went to
  uint16_t server_port = kPort;
  bool claimed = false;                // a transfer took it
  bool reported = false;               // written as a request nobody answered
  std::shared_ptr<size_t> open_count;  // decremented by release() when set
};

// Reports anomalies through the context, at most TftpLimits::max_anomalies_per_kind per name.
class AnomalyBudget {
 public:
  AnomalyBudget(AppContext& ctx, int max_per_kind) : ctx_(ctx), max_per_kind_(max_per_kind) {}
  void report(const std::string& name, std::string detail, int64_t ts_ns);
  void report_all(std::vector<Finding>& findings, int64_t ts_ns);

 private:
  AppContext& ctx_;
  int max_per_kind_;
  std::map<std::string, int> counts_;
};

// How block numbers continue after 65535 (RFC 1350 is silent): tftp-hpa and most current
// implementations roll over to 0, some older ones to 1.
enum class WrapScheme : uint8_t { kUnknown, kToZero, kToOne };

// Maps DATA block numbers (16 bits on the wire) to absolute block indexes (1-based: block n
// holds bytes (n-1)*blksize onwards) by tracking the next expected block: a wire number is taken
// as the index nearest to it (half a number cycle either way). The rollover scheme is learnt at
// the first rollover: block 0 after 65535 means "to 0", anything else "to 1".
//
// Remembers which blocks arrived: everything up to a contiguous prefix, plus at most
// `max_ahead` blocks beyond a missing one; past that the oldest missing blocks are given up
// (they stay missing, and a copy of them arriving later is taken for a duplicate).
class BlockTracker {
 public:
  enum class Verdict : uint8_t {
    kNew,        // first copy: write it
    kDuplicate,  // seen before (a retransmission): keep the first copy
    kInvalid,    // block 0 before any rollover (RFC 1350 §6: data blocks start at 1)
    kAfterEnd,   // beyond the final (short) block
  };
  struct Placement {
    Verdict verdict = Verdict::kInvalid;
    uint64_t index = 0;  // absolute block index (0 for kInvalid)
  };

  explicit BlockTracker(size_t max_ahead) : max_ahead_(max_ahead) {}

  // Places one DATA block number; a kNew block is recorded as received.
  Placement receive(uint16_t wire);
  // Block `index` was short: the transfer ends there (RFC 1350 §6).
  void set_final(uint64_t index) { final_ = index; }
  std::optional<uint64_t> final_block() const { return final_; }
  // Every block up to the final one arrived.
  bool complete() const { return final_.has_value() && contiguous_ >= *final_; }
  uint64_t received() const { return received_; }
  uint64_t highest() const { return highest_; }
  // Blocks up to the final block (or the highest seen) that never arrived.
  uint64_t missing() const;
  WrapScheme scheme() const { return scheme_; }
  // The 16-bit number block `index` has on the wire under the scheme learnt so far.
  uint16_t wire_of(uint64_t index) const;

 private:
  void mark(uint64_t index);

  size_t max_ahead_;
  uint64_t contiguous_ = 0;   // blocks 1..contiguous_ arrived (or were given up)
  uint64_t highest_ = 0;      // highest index seen
  uint64_t received_ = 0;     // distinct blocks received
  std::set<uint64_t> ahead_;  // received blocks past a missing one; at most max_ahead_
  std::optional<uint64_t> final_;
  WrapScheme scheme_ = WrapScheme::kUnknown;
};

// One transfer, driven by the TFTP packets of its flow after the request. Writes DATA blocks
// at their offsets to a FileWriter (when ctx.files() is set) and, at finish(), the TFTP record.
class Transfer {
 public:
  // `server_dir`: the flow direction in which the TFTP server sends (kClientToServer on a
  // transfer flow, whose originator is the server; kServerToClient when the server answered on
  // the request flow itself).
  Transfer(AppContext& ctx, std::shared_ptr<Request> request, StreamDirection server_dir,
           const TftpLimits& limits, AnomalyBudget& anomalies);
  ~Transfer();

  void on_packet(StreamDirection dir, const Packet& packet, int64_t ts_ns);
  // Closes the file (incomplete unless every block arrived) and emits the record. `end` is why
  // the flow ended. Call once.
  void finish(StreamEndReason end, int64_t ts_ns);

  const BlockTracker& blocks() const { return tracker_; }

 private:
  void on_oack(const Packet& p, int64_t ts_ns);
  void on_data(const Packet& p, int64_t ts_ns);
  void on_error(StreamDirection dir, const Packet& p, int64_t ts_ns);
  void close_file(bool complete, std::string_view why, int64_t ts_ns);
  // "ERROR <code> from the <sender>: <message>"; empty without an ERROR.
  std::string error_reason() const;
  // "<n> bytes cut by the snap length"; empty when nothing was cut.
  std::string cut_reason() const;
  bool download() const { return request_->opcode == kRrq; }
  StreamDirection data_dir() const;

  AppContext& ctx_;
  std::shared_ptr<Request> request_;
  StreamDirection server_dir_;
  const TftpLimits& limits_;
  AnomalyBudget& anomalies_;
  BlockTracker tracker_;
  uint32_t block_size_ = kDefaultBlockSize;
  bool data_started_ = false;
  bool oack_ = false;
  std::vector<Option> accepted_;
  OptionValues accepted_values_;
  uint64_t bytes_ = 0;
  uint64_t cut_bytes_ = 0;  // DATA bytes the snap length cut away
  uint64_t duplicates_ = 0;
  uint64_t acks_ = 0;
  std::optional<Packet> error_;  // the ERROR that ended it (data view cleared)
  std::string error_sender_;
  std::unique_ptr<FileWriter> writer_;
  bool file_closed_ = false;
  int64_t last_ts_ = 0;
  bool finished_ = false;
};

// Fills the request fields of a TFTP record (client, request flow, opcode, name, mode,
// options, Requests, Timestamp); used for transfers and for requests nobody answered.
void fill_request(TFTP& record, const Request& request);

}  // namespace netcap::app::tftp
