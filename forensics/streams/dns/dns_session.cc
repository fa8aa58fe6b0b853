#include "forensics/streams/dns/dns_session.h"

#include <algorithm>

#include "forensics/app/text_util.h"

namespace netcap::app::dns {

std::string_view flavor_protocol(Flavor flavor) {
  switch (flavor) {
    case Flavor::kMdns:
      return "mdns";
    case Flavor::kLlmnr:
      return "llmnr";
    case Flavor::kDns:
      break;
  }
  return "dns";
}

DnsSession::DnsSession(AppContext& ctx, Flavor flavor, bool tcp)
    : ctx_(ctx), flavor_(flavor), tcp_(tcp) {}

void DnsSession::on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length,
                             int64_t ts_ns, uint64_t frame) {
  handle_message(dir, payload, ts_ns, frame, payload.size() < payload_length);
}

// RFC 1035 §4.2.2: every message is preceded by a two-byte length; several messages may share
// a segment and a message may span several.
void DnsSession::on_data(StreamDirection dir, Bytes data, int64_t ts_ns) {
  framers_[static_cast<int>(dir)].feed(
      data,
      [&](uint32_t length, Bytes) {
        if (length >= kHeaderBytes) return LengthPrefixFramer::Verdict::kCollect;
        ctx_.anomaly("dns.tcp_length_mismatch",
                     "length prefix " + std::to_string(length) +
                         " is shorter than a DNS header; the bytes are skipped",
                     ts_ns);
        return LengthPrefixFramer::Verdict::kSkip;
      },
      [&](Bytes message) { handle_message(dir, message, ts_ns, 0, false); });
}

void DnsSession::on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) {
  LengthPrefixFramer& f = framers_[static_cast<int>(dir)];
  const std::string detail = f.describe_gap(f.gap(length), length, "length prefix");
  if (!detail.empty()) ctx_.anomaly("dns.tcp_gap", detail, ts_ns);
}

void DnsSession::on_end(StreamEndReason, int64_t ts_ns) {
  if (!tcp_) return;
  for (const LengthPrefixFramer& f : framers_) {
    if (f.ended_in_prefix()) {
      ctx_.anomaly("dns.truncated_message", "stream ended inside a length prefix", ts_ns);
    } else if (f.ended_in_message()) {
      ctx_.anomaly("dns.truncated_message",
                   "stream ended inside a message: " + std::to_string(f.collected()) + " of " +
                       std::to_string(f.need()) + " bytes",
                   ts_ns);
    }
  }
}

void DnsSession::handle_message(StreamDirection dir, Bytes msg, int64_t ts_ns, uint64_t frame,
                                bool snap_cut) {
  auto record = std::make_unique<DNS>();
  ParseOptions options;
  options.flavor = flavor_;
  options.max_records = ctx_.limits().max_items_per_message;
  ParseResult result = parse_message(msg, options, *record);
  ctx_.stamp(*record, dir, ts_ns);
  record->set_frame(frame);
  record->set_transport(tcp_ ? "tcp" : "udp");
  record->set_protocol(std::string(ctx_.protocol()));
  for (Problem& p : result.problems) {
    if (tcp_ && (p.name == "dns.truncated_message" || p.name == "dns.trailing_data")) {
      p.detail = "length prefix " + std::to_string(msg.size()) + ": " + p.detail;
      p.name = "dns.tcp_length_mismatch";
    } else if (snap_cut && p.name == "dns.truncated_message") {
      p.detail += " (datagram cut by the capture's snap length)";
    }
    ctx_.anomaly(p.name, std::move(p.detail), ts_ns);
  }
  if (!result.header_ok) return;  // nothing to report as a message
  pair(*record, dir, ts_ns, frame);
  ctx_.emit(std::move(record));
}

void DnsSession::pair(DNS& record, StreamDirection dir, int64_t ts_ns, uint64_t frame) {
  if (record.questions_size() == 0) return;  // mDNS announcements, error replies
  const DNSQuestion& q = record.questions(0);
  const std::string key =
      to_lower(q.name()) + "/" + std::to_string(q.type()) + "/" + std::to_string(q.class_());
  if (!record.qr()) {
    for (const Pending& p : pending_) {
      // A retransmitted query: the first one stays (the client waited since then).
      if (p.id == record.id() && p.dir == dir && p.key == key) return;
    }
    if (pending_.size() >= ctx_.limits().max_pending_transactions) {
      if (!pending_overflow_reported_) {
        ctx_.anomaly("dns.too_many_pending",
                     std::to_string(pending_.size()) +
                         " unanswered queries on the flow (limit max_pending_transactions); the "
                         "oldest are dropped",
                     ts_ns);
        pending_overflow_reported_ = true;
      }
      pending_.pop_front();
    }
    pending_.push_back(Pending{record.id(), key, dir, ts_ns, frame});
    return;
  }
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->id != record.id() || it->dir == dir || it->key != key) continue;
    record.set_responsetimens(ts_ns - it->ts_ns);
    record.set_queryframe(it->frame);
    record.set_querytimestamp(it->ts_ns);
    pending_.erase(it);
    return;
  }
}

}  // namespace netcap::app::dns
