// TFTP over UDP: registration and the session of request and transfer flows.
#include <deque>
#include <memory>
#include <string>

#include "forensics/streams/tftp/tftp_session.h"
#include "forensics/streams/tftp/tftp_transfer.h"
#include "proto/tftp.pb.h"

namespace netcap::app {
namespace tftp {

namespace {

bool same_request(const Request& q, const Packet& p) {
  if (q.opcode != p.opcode || q.file_name != p.file_name || q.mode != p.mode ||
      q.options.size() != p.options.size())
    return false;
  for (size_t i = 0; i < q.options.size(); ++i) {
    if (q.options[i].name != p.options[i].name || q.options[i].value != p.options[i].value)
      return false;
  }
  return true;
}

class TftpSession : public AppSession {
 public:
  TftpSession(AppContext& ctx, const TftpLimits& limits)
      : ctx_(ctx), limits_(limits), anomalies_(ctx, limits.max_anomalies_per_kind) {
    if (const Expectation* e = ctx.expectation(); e != nullptr) {
      auto request = std::static_pointer_cast<Request>(e->link);
      if (request) {
        request->claimed = true;
        // The transfer flow's originator is the server (it answers from its new port).
        transfer_ = std::make_unique<Transfer>(
            ctx, std::move(request), StreamDirection::kClientToServer, limits, anomalies_);
      }
    }
  }

  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts_ns,
                   uint64_t) override {
    Packet p;
    std::vector<Finding> findings;
    const bool ok = parse_packet(payload, limits_, p, findings);
    const bool cut = payload_length > payload.size();
    if (cut) {
      findings.push_back(
          {"tftp.truncated", "datagram cut by the snap length: " + std::to_string(payload.size()) +
                                 " of " + std::to_string(payload_length) + " bytes"});
      // DATA: the block's length per the UDP header (the missing bytes become a gap).
      if (ok && p.opcode == kData && payload_length >= 4) p.data_length = payload_length - 4;
    }
    anomalies_.report_all(findings, ts_ns);
    if (!ok) return;
    // A request cut by the snap length would announce a wrong name: recorded, not followed.
    if (cut && (p.opcode == kRrq || p.opcode == kWrq)) return;
    if (transfer_) {
      transfer_->on_packet(dir, p, ts_ns);
      return;
    }
    on_request_flow(dir, p, ts_ns);
  }

  void on_end(StreamEndReason reason, int64_t ts_ns) override {
    if (transfer_) transfer_->finish(reason, ts_ns);
    for (const std::shared_ptr<Request>& q : pending_) {
      if (q->claimed || q->reported) continue;
      emit_unanswered(*q, "no answer seen");
    }
    pending_.clear();
  }

 private:
  void on_request_flow(StreamDirection dir, const Packet& p, int64_t ts_ns) {
    if (dir == StreamDirection::kClientToServer && (p.opcode == kRrq || p.opcode == kWrq)) {
      on_request(p, ts_ns);
      return;
    }
    if (dir == StreamDirection::kServerToClient) {
      // The server answered from port 69: run the latest unanswered request's transfer here.
      for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
        if ((*it)->claimed) continue;
        anomalies_.report("tftp.no_new_port",
                          std::string(opcode_name(p.opcode)) +
                              " from the server's request port (RFC 1350 section 4: the server "
                              "answers from a new port)",
                          ts_ns);
        (*it)->claimed = true;
        transfer_ = std::make_unique<Transfer>(ctx_, *it, StreamDirection::kServerToClient, limits_,
                                               anomalies_);
        transfer_->on_packet(dir, p, ts_ns);
        return;
      }
    }
    anomalies_.report("tftp.unexpected_packet",
                      std::string(opcode_name(p.opcode)) + " from the " +
                          (dir == StreamDirection::kClientToServer ? "client" : "server") +
                          " on the request flow, outside a transfer",
                      ts_ns);
  }

  void on_request(const Packet& p, int64_t ts_ns) {
    // Requests a transfer flow took are that flow's business now.
    while (!pending_.empty() && pending_.front()->claimed) pending_.pop_front();
    if (!pending_.empty() && !pending_.back()->claimed && same_request(*pending_.back(), p)) {
      // RFC 1350 §2: the client retransmits a request that got no answer.
      ++pending_.back()->requests;
      pending_.back()->last_ts_ns = ts_ns;
      return;
    }
    const FlowInfo& flow = ctx_.flow();
    auto q = std::make_shared<Request>();
    q->opcode = p.opcode;
    q->file_name = p.file_name;
    q->mode = p.mode;
    q->options = p.options;
    std::vector<Finding> findings;
    q->values = interpret_options(p.options, findings);
    anomalies_.report_all(findings, ts_ns);
    q->ts_ns = ts_ns;
    q->last_ts_ns = ts_ns;
    q->flow_id = flow.flow_id;
    q->client = flow.client;
    q->client_port = flow.client_port;
    q->server = flow.server;
    q->server_port = flow.server_port;

    OpenTransfers& open = ctx_.shard_state().get<OpenTransfers>();
    if (*open.count >= limits_.max_open_transfers) {
      anomalies_.report("tftp.too_many_transfers",
                        "limit " + std::to_string(limits_.max_open_transfers) +
                            " open transfers per shard reached; the transfer of \"" +
                            p.file_name.substr(0, 128) + "\" is not followed",
                        ts_ns);
      emit_unanswered(*q, "not followed: open transfer limit reached");
      return;
    }
    ++*open.count;
    q->open_count = open.count;

    Expectation e;
    e.protocol = "tftp";
    // RFC 1350 §4: the server answers from a new port to the client's port; its address is the
    // one the request went to.
    e.client = flow.server;
    e.server = flow.client;
    e.port = flow.client_port;
    e.ip_protocol = 17;
    e.parent_flow = flow.flow_id;
    e.note = std::string(opcode_name(p.opcode)) + " " + p.file_name;
    e.link = q;
    ctx_.expect(std::move(e), ts_ns);
    // Bounded: every pending request holds one of the shard's max_open_transfers places.
    pending_.push_back(std::move(q));
  }

  void emit_unanswered(Request& q, std::string_view reason) {
    q.reported = true;
    auto r = std::make_unique<TFTP>();
    fill_request(*r, q);
    r->set_reason(std::string(reason));
    ctx_.emit(std::move(r));
    q.release();
  }

  AppContext& ctx_;
  const TftpLimits& limits_;
  AnomalyBudget anomalies_;
  std::unique_ptr<Transfer> transfer_;
  std::deque<std::shared_ptr<Request>> pending_;  // request flow: announced requests
};

}  // namespace

std::unique_ptr<AppSession> make_session(AppContext& ctx, const TftpLimits& limits) {
  return std::make_unique<TftpSession>(ctx, limits);
}

Status register_tftp(AppRegistry& registry, const TftpLimits& limits) {
  AppProtocol p;
  p.name = "tftp";
  p.transport = AppTransport::kUdp;
  p.ports = {kPort};
  p.probe = &probe_tftp;
  // Requests are short and not distinctive enough to be looked for on every UDP flow; the
  // transfer flows (random ports) are found through the requests' expectations.
  p.ports_only = true;
  p.create = [&limits](AppContext& ctx) { return make_session(ctx, limits); };
  return registry.add(std::move(p));
}

}  // namespace tftp

Status register_app_tftp(AppRegistry& registry) {
  // Immutable defaults shared by every session.
  static const tftp::TftpLimits kDefaultLimits;
  return tftp::register_tftp(registry, kDefaultLimits);
}

}  // namespace netcap::app
