#include "forensics/streams/tftp/tftp_transfer.h"

#include <algorithm>
#include <limits>

#include "forensics/app/file_emit.h"

namespace netcap::app::tftp {

namespace {

constexpr uint64_t kFirstCycleEnd = 65535;  // the last block number before a rollover

StreamDirection opposite(StreamDirection d) {
  return d == StreamDirection::kClientToServer ? StreamDirection::kServerToClient
                                               : StreamDirection::kClientToServer;
}

void add_options(google::protobuf::RepeatedPtrField<TFTPOption>& out,
                 const std::vector<Option>& options) {
  for (const Option& o : options) {
    TFTPOption* t = out.Add();
    t->set_name(o.name);
    t->set_value(o.value);
  }
}

bool requested(const Request& request, std::string_view name) {
  return std::any_of(request.options.begin(), request.options.end(),
                     [&](const Option& o) { return o.name == name; });
}

}  // namespace

// ------------------------------------------------------------------ Request, AnomalyBudget

void Request::release() {
  if (open_count && *open_count > 0) --*open_count;
  open_count.reset();
}

void AnomalyBudget::report(const std::string& name, std::string detail, int64_t ts_ns) {
  if (++counts_[name] > max_per_kind_) return;
  ctx_.anomaly(name, std::move(detail), ts_ns);
}

void AnomalyBudget::report_all(std::vector<Finding>& findings, int64_t ts_ns) {
  for (Finding& f : findings) report(f.name, std::move(f.detail), ts_ns);
  findings.clear();
}

// ------------------------------------------------------------------ BlockTracker

uint16_t BlockTracker::wire_of(uint64_t index) const {
  if (scheme_ == WrapScheme::kToOne) return static_cast<uint16_t>((index - 1) % 65535 + 1);
  return static_cast<uint16_t>(index & 0xffff);
}

BlockTracker::Placement BlockTracker::receive(uint16_t wire) {
  const uint64_t expected = highest_ + 1;
  // The index nearest to the expected block whose wire number is `wire`, for each scheme.
  auto nearest_to_zero = [&]() -> int64_t {
    const auto d = static_cast<int16_t>(static_cast<uint16_t>(wire - (expected & 0xffff)));
    return static_cast<int64_t>(expected) + d;
  };
  auto nearest_to_one = [&]() -> int64_t {
    if (wire == 0) return 0;  // numbers run 1..65535
    int64_t d =
        (int64_t{wire} - int64_t{static_cast<uint16_t>((expected - 1) % 65535 + 1)}) % 65535;
    if (d > 32767) d -= 65535;
    if (d < -32767) d += 65535;
    return static_cast<int64_t>(expected) + d;
  };
  int64_t candidate = 0;
  if (scheme_ == WrapScheme::kToOne) {
    candidate = nearest_to_one();
  } else {
    candidate = nearest_to_zero();
    // The first rollover, seen near the end of the first cycle: block 0 after 65535 means the
    // sender rolls over to 0; any other number past 65535 that it rolls over to 1.
    if (scheme_ == WrapScheme::kUnknown && candidate > static_cast<int64_t>(kFirstCycleEnd) &&
        highest_ + max_ahead_ >= kFirstCycleEnd) {
      if (wire == 0) {
        scheme_ = WrapScheme::kToZero;
      } else {
        scheme_ = WrapScheme::kToOne;
        candidate = nearest_to_one();
      }
    }
  }
  if (candidate < 1) return {Verdict::kInvalid, 0};
  const auto index = static_cast<uint64_t>(candidate);
  if (final_ && index > *final_) return {Verdict::kAfterEnd, index};
  if (index <= contiguous_ || ahead_.count(index) > 0) return {Verdict::kDuplicate, index};
  mark(index);
  return {Verdict::kNew, index};
}

void BlockTracker::mark(uint64_t index) {
  ++received_;
  highest_ = std::max(highest_, index);
  if (index != contiguous_ + 1) {
    ahead_.insert(index);
    // Too many blocks beyond a hole: give up the oldest hole (its blocks stay missing).
    while (ahead_.size() > max_ahead_) {
      contiguous_ = *ahead_.begin();
      ahead_.erase(ahead_.begin());
    }
  } else {
    contiguous_ = index;
  }
  while (!ahead_.empty() && *ahead_.begin() <= contiguous_ + 1) {
    contiguous_ = std::max(contiguous_, *ahead_.begin());
    ahead_.erase(ahead_.begin());
  }
}

uint64_t BlockTracker::missing() const {
  const uint64_t last = final_ ? *final_ : highest_;
  return last > received_ ? last - received_ : 0;
}

// ------------------------------------------------------------------ Transfer

Transfer::Transfer(AppContext& ctx, std::shared_ptr<Request> request, StreamDirection server_dir,
                   const TftpLimits& limits, AnomalyBudget& anomalies)
    : ctx_(ctx),
      request_(std::move(request)),
      server_dir_(server_dir),
      limits_(limits),
      anomalies_(anomalies),
      tracker_(limits.max_blocks_ahead) {}

Transfer::~Transfer() = default;

StreamDirection Transfer::data_dir() const {
  // RRQ: the server sends the DATA; WRQ: the client (RFC 1350 §4).
  return download() ? server_dir_ : opposite(server_dir_);
}

void Transfer::on_packet(StreamDirection dir, const Packet& p, int64_t ts_ns) {
  last_ts_ = ts_ns;
  const bool from_server = dir == server_dir_;
  const std::string_view sender = from_server ? "server" : "client";
  switch (p.opcode) {
    case kRrq:
    case kWrq:
      anomalies_.report("tftp.unexpected_packet",
                        std::string(opcode_name(p.opcode)) + " from the " + std::string(sender) +
                            " on a transfer flow",
                        ts_ns);
      return;
    case kOack:
      if (!from_server) {
        anomalies_.report("tftp.unexpected_packet", "OACK from the client", ts_ns);
        return;
      }
      on_oack(p, ts_ns);
      return;
    case kData:
      if (dir != data_dir()) {
        anomalies_.report("tftp.unexpected_packet",
                          "DATA from the " + std::string(sender) + " of a " +
                              std::string(opcode_name(request_->opcode)),
                          ts_ns);
        return;
      }
      on_data(p, ts_ns);
      return;
    case kAck:
      ++acks_;
      if (dir == data_dir()) {
        anomalies_.report("tftp.unexpected_packet",
                          "ACK from the " + std::string(sender) + ", the sender of the data",
                          ts_ns);
      }
      return;
    case kError:
      on_error(dir, p, ts_ns);
      return;
    default:
      return;
  }
}

void Transfer::on_oack(const Packet& p, int64_t ts_ns) {
  if (data_started_) {
    anomalies_.report("tftp.unexpected_packet", "OACK after the first DATA block", ts_ns);
    return;
  }
  if (oack_) return;  // a retransmitted OACK (the client's ACK 0 was lost or late)
  oack_ = true;
  accepted_ = p.options;
  std::vector<Finding> findings;
  accepted_values_ = interpret_options(p.options, findings);
  anomalies_.report_all(findings, ts_ns);
  for (const Option& o : p.options) {
    // RFC 2347 §3: the OACK holds only options the client requested.
    if (!requested(*request_, o.name)) {
      anomalies_.report("tftp.unrequested_option",
                        "OACK option " + o.name + "=" + o.value + " was not requested", ts_ns);
    }
  }
  if (accepted_values_.block_size && request_->values.block_size &&
      *accepted_values_.block_size > *request_->values.block_size) {
    // RFC 2348 §2: the server may only accept the requested block size or a smaller one.
    anomalies_.report("tftp.bad_option",
                      "OACK blksize " + std::to_string(*accepted_values_.block_size) +
                          " larger than the requested " +
                          std::to_string(*request_->values.block_size),
                      ts_ns);
  }
  // RFC 2347 §3: an option the OACK leaves out is not in effect, so the default block size
  // holds without blksize.
  block_size_ = accepted_values_.block_size.value_or(kDefaultBlockSize);
}

void Transfer::on_data(const Packet& p, int64_t ts_ns) {
  if (error_) return;  // an ERROR ended the transfer (RFC 1350 §7)
  const BlockTracker::Placement at = tracker_.receive(p.block);
  switch (at.verdict) {
    case BlockTracker::Verdict::kInvalid:
      anomalies_.report("tftp.bad_block",
                        "DATA block " + std::to_string(p.block) + " before any rollover", ts_ns);
      return;
    case BlockTracker::Verdict::kAfterEnd:
      anomalies_.report("tftp.data_after_end",
                        "DATA block " + std::to_string(at.index) + " after the final block " +
                            std::to_string(*tracker_.final_block()),
                        ts_ns);
      return;
    case BlockTracker::Verdict::kDuplicate:
      ++duplicates_;
      return;
    case BlockTracker::Verdict::kNew:
      break;
  }
  Bytes data = p.data;
  size_t length = std::max(p.data_length, data.size());
  if (length > block_size_ && !data_started_ && !oack_ && request_->values.block_size &&
      length == *request_->values.block_size) {
    // The OACK is missing from the capture, but the first block has the requested size: that
    // size is in effect (RFC 2348 §2).
    block_size_ = *request_->values.block_size;
  }
  data_started_ = true;
  if (length > block_size_) {
    anomalies_.report("tftp.oversized_block",
                      "DATA block " + std::to_string(at.index) + " of " + std::to_string(length) +
                          " bytes, block size " + std::to_string(block_size_) + "; cut",
                      ts_ns);
    length = block_size_;
    data = data.first(std::min<size_t>(data.size(), block_size_));
  }
  bytes_ += length;
  // RFC 1350 §6: block n carries bytes (n-1)*blksize onwards.
  const uint64_t offset = (at.index - 1) * block_size_;
  if (!file_closed_ && writer_ == nullptr && ctx_.files() != nullptr) {
    FileOrigin o;
    o.protocol = "tftp";
    o.name = request_->file_name;
    o.direction = download() ? FileDirection::kDownload : FileDirection::kUpload;
    o.context = std::string(opcode_name(request_->opcode)) + " " + request_->file_name;
    o.message_id = request_->flow_id;
    std::optional<uint64_t> size = accepted_values_.transfer_size;
    if (!size && !download()) size = request_->values.transfer_size;  // RFC 2349: WRQ's tsize
    if (size && *size <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      o.declared_size = static_cast<int64_t>(*size);
    o.ts_ns = ts_ns;
    writer_ = ctx_.files()->open(o);
  }
  if (writer_ != nullptr) {
    writer_->write(offset, data, ts_ns);
    // Bytes the snap length cut away.
    if (length > data.size()) writer_->gap(offset + data.size(), length - data.size(), ts_ns);
  }
  if (length > data.size()) cut_bytes_ += length - data.size();
  if (length < block_size_) {
    if (tracker_.final_block()) {
      anomalies_.report("tftp.bad_block",
                        "short DATA block " + std::to_string(at.index) +
                            " before the final block " + std::to_string(*tracker_.final_block()),
                        ts_ns);
    } else {
      // RFC 1350 §6: a block shorter than the block size ends the transfer.
      tracker_.set_final(at.index);
    }
  }
  if (tracker_.complete()) close_file(cut_bytes_ == 0, cut_reason(), ts_ns);
}

std::string Transfer::cut_reason() const {
  if (cut_bytes_ == 0) return {};
  return std::to_string(cut_bytes_) + " bytes cut by the snap length";
}

void Transfer::on_error(StreamDirection dir, const Packet& p, int64_t ts_ns) {
  if (error_) return;
  error_ = p;
  error_->data = {};
  error_sender_ = dir == server_dir_ ? "server" : "client";
  // RFC 1350 §7: an ERROR terminates the transfer.
  if (!tracker_.complete()) close_file(false, error_reason(), ts_ns);
}

std::string Transfer::error_reason() const {
  if (!error_) return {};
  return "ERROR " + std::to_string(error_->error_code) + " from the " + error_sender_ +
         (error_->error_message.empty() ? std::string() : ": " + error_->error_message);
}

void Transfer::close_file(bool complete, std::string_view why, int64_t ts_ns) {
  if (file_closed_) return;
  file_closed_ = true;
  if (writer_ == nullptr) return;
  close_and_emit(ctx_, *writer_, data_dir(), complete, why, ts_ns);
  writer_.reset();
}

void Transfer::finish(StreamEndReason end, int64_t ts_ns) {
  if (finished_) return;
  finished_ = true;
  const bool complete = tracker_.complete() && cut_bytes_ == 0;
  std::string reason;
  if (!complete) {
    if (tracker_.complete()) {
      reason = cut_reason();
    } else if (error_) {
      reason = error_reason();
    } else if (tracker_.final_block()) {
      reason = std::to_string(tracker_.missing()) + " blocks missing before the final block";
    } else if (!data_started_) {
      reason = "no data (flow ended: " + std::string(to_string(end)) + ")";
    } else {
      reason = "ended before the final block (flow ended: " + std::string(to_string(end)) + ")";
    }
  }
  close_file(false, reason, ts_ns);

  auto r = std::make_unique<TFTP>();
  fill_request(*r, *request_);
  const FlowInfo& flow = ctx_.flow();
  r->set_flowid(flow.flow_id);
  const bool server_originated = server_dir_ == StreamDirection::kClientToServer;
  r->set_serverip((server_originated ? flow.client : flow.server).to_string());
  r->set_serverport(server_originated ? flow.client_port : flow.server_port);
  add_options(*r->mutable_acceptedoptions(), accepted_);
  r->set_optionsacknowledged(oack_);
  r->set_blocksize(static_cast<int32_t>(block_size_));
  if (accepted_values_.transfer_size &&
      *accepted_values_.transfer_size <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    r->set_transfersize(static_cast<int64_t>(*accepted_values_.transfer_size));
  r->set_timeout(static_cast<int32_t>(accepted_values_.timeout.value_or(0)));
  r->set_windowsize(static_cast<int32_t>(accepted_values_.window_size.value_or(1)));
  r->set_blocks(static_cast<int64_t>(tracker_.received()));
  r->set_bytes(static_cast<int64_t>(bytes_));
  r->set_duplicateblocks(static_cast<int64_t>(duplicates_));
  r->set_missingblocks(static_cast<int64_t>(tracker_.missing()));
  r->set_acks(static_cast<int64_t>(acks_));
  if (tracker_.scheme() != WrapScheme::kUnknown) {
    r->set_blockwrapped(true);
    r->set_wrapto(tracker_.scheme() == WrapScheme::kToZero ? 0 : 1);
  }
  if (error_) {
    r->set_error(true);
    r->set_errorcode(error_->error_code);
    r->set_errormessage(error_->error_message);
    r->set_errorsender(error_sender_);
  }
  r->set_complete(complete);
  r->set_reason(reason);
  r->set_timestamplast(std::max(last_ts_, request_->last_ts_ns));
  ctx_.emit(std::move(r));
  request_->release();
}

// ------------------------------------------------------------------ records

void fill_request(TFTP& r, const Request& q) {
  r.set_timestamp(q.ts_ns);
  r.set_flowid(q.flow_id);
  r.set_requestflowid(q.flow_id);
  r.set_clientip(q.client.to_string());
  r.set_clientport(q.client_port);
  r.set_serverip(q.server.to_string());
  r.set_serverport(q.server_port);
  r.set_opcode(q.opcode);
  r.set_opcodename(std::string(opcode_name(q.opcode)));
  r.set_direction(q.opcode == kRrq ? "download" : "upload");
  r.set_filename(q.file_name);
  r.set_mode(q.mode);
  add_options(*r.mutable_requestoptions(), q.options);
  r.set_blocksize(static_cast<int32_t>(kDefaultBlockSize));
  // RFC 2349: a WRQ's tsize is the size of the file to come; a RRQ's is a question (0).
  r.set_transfersize(-1);
  if (q.opcode == kWrq && q.values.transfer_size &&
      *q.values.transfer_size <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    r.set_transfersize(static_cast<int64_t>(*q.values.transfer_size));
  r.set_windowsize(1);
  r.set_wrapto(-1);
  r.set_requests(q.requests);
  r.set_timestamplast(q.last_ts_ns);
}

}  // namespace netcap::app::tftp
