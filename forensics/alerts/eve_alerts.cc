#include "forensics/alerts/eve_alerts.h"

#include <google/protobuf/util/json_util.h>

#include <cctype>

#include "core/net/address.h"
#include "core/sinks/record_format.h"
#include "forensics/alerts/eve.pb.h"

namespace netcap::alerts {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<int64_t> parse_eve_time(std::string_view text) {
  // EVE always writes a time of day after 'T' and at most nanoseconds; parse_time (RFC 3339
  // with ISO 8601 basic offsets) checks the rest. Times before 1970 are not capture times.
  if (text.size() < 20 || text[10] != 'T') return std::nullopt;
  if (const size_t dot = text.find('.'); dot != std::string_view::npos) {
    const size_t end = text.find_first_not_of("0123456789", dot + 1);
    if ((end == std::string_view::npos ? text.size() : end) - dot - 1 > 9) return std::nullopt;
  }
  Expected<int64_t> ns = parse_time(text);
  if (!ns || *ns < 0) return std::nullopt;
  return *ns;
}

std::optional<std::string> canonical_address(std::string_view text) {
  IpAddress ip;
  if (text.empty() || text.size() > 64 || !IpAddress::parse(std::string(text), ip)) {
    return std::nullopt;
  }
  return ip.to_string();
}

std::string transport_name(std::string_view eve_proto) {
  std::string p = lower(eve_proto);
  // Numeric forms ("006", "17"): IANA protocol numbers.
  if (!p.empty() && p.find_first_not_of("0123456789") == std::string::npos && p.size() <= 3) {
    const int n = std::stoi(p);
    switch (n) {
      case 1:
        return "icmp";
      case 6:
        return "tcp";
      case 17:
        return "udp";
      case 58:
        return "icmpv6";
      case 132:
        return "sctp";
      default:
        return std::to_string(n);
    }
  }
  if (p == "ipv6-icmp" || p == "icmpv6") return "icmpv6";
  return p;
}

EveLine parse_eve_line(std::string_view line, std::string_view source) {
  EveLine out;
  eve::Event event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &event, options);
  if (!status.ok()) {
    std::string why(status.message().substr(0, 200));
    why = why.substr(0, why.find('\n'));  // protobuf adds the input and a caret below
    out.error = "not an EVE JSON object: " + why;
    return out;
  }
  if (event.event_type() != "alert") {
    out.kind = EveLine::Kind::kOtherEvent;
    return out;
  }
  const auto ts = parse_eve_time(event.timestamp());
  if (!ts) {
    out.error = "alert without a valid timestamp";
    return out;
  }
  const auto src = canonical_address(event.src_ip());
  const auto dst = canonical_address(event.dest_ip());
  if (!src || !dst) {
    out.error = "alert without valid src_ip and dest_ip";
    return out;
  }
  if (!event.has_alert() || event.alert().signature_id() == 0) {
    out.error = "alert without alert.signature_id";
    return out;
  }
  if (event.src_port() < 0 || event.src_port() > 65535 || event.dest_port() < 0 ||
      event.dest_port() > 65535) {
    out.error = "alert with a port outside 0-65535";
    return out;
  }
  Alert& a = out.alert;
  a.set_timestamp(*ts);
  a.set_signature(event.alert().signature());
  a.set_signatureid(event.alert().signature_id());
  a.set_gid(event.alert().gid());
  a.set_rev(event.alert().rev());
  a.set_category(event.alert().category());
  a.set_severity(event.alert().severity());
  a.set_action(event.alert().action());
  a.set_srcip(*src);
  a.set_srcport(event.src_port());
  a.set_dstip(*dst);
  a.set_dstport(event.dest_port());
  a.set_transport(transport_name(event.proto()));
  a.set_appproto(event.app_proto());
  a.set_communityid(event.community_id());
  a.set_suricataflowid(event.flow_id());
  a.set_source(std::string(source));
  out.kind = EveLine::Kind::kAlert;
  return out;
}

Status AlertMatcher::match(Alert* alert) const {
  struct Attempt {
    const char* how;
    std::string sql;
    std::vector<SqlValue> params;
  };
  std::vector<Attempt> attempts;
  constexpr const char* kColumns = "SELECT UID, TimestampFirst, TimestampLast FROM Connection ";
  if (!alert->communityid().empty()) {
    Attempt by_id{"community_id", std::string(kColumns) + "WHERE CommunityID = ?1", {}};
    by_id.params.emplace_back(alert->communityid());
    attempts.push_back(std::move(by_id));
  }
  const bool icmp = alert->transport() == "icmp" || alert->transport() == "icmpv6";
  std::vector<SqlValue> tuple;
  tuple.emplace_back(alert->srcip());
  tuple.emplace_back(alert->dstip());
  tuple.emplace_back(alert->transport());
  std::string where =
      "WHERE TransportProto = ?3 AND ((SrcIP = ?1 AND DstIP = ?2) OR (SrcIP = ?2 AND DstIP = ?1))";
  if (!icmp) {
    // Ports as the flow's own direction has them (either way round).
    where =
        "WHERE TransportProto = ?3 AND ((SrcIP = ?1 AND DstIP = ?2 AND SrcPort = ?4 AND "
        "DstPort = ?5) OR (SrcIP = ?2 AND DstIP = ?1 AND SrcPort = ?5 AND DstPort = ?4))";
    tuple.emplace_back(int64_t{alert->srcport()});
    tuple.emplace_back(int64_t{alert->dstport()});
  }
  attempts.push_back({"5-tuple", std::string(kColumns) + where, std::move(tuple)});

  const int64_t ts = alert->timestamp();
  for (const Attempt& attempt : attempts) {
    auto rows = run_query(index_.db(), attempt.sql, attempt.params, 10'000);
    if (!rows) return rows.status();
    const std::string* best = nullptr;
    int64_t best_first = INT64_MIN;
    for (const auto& row : rows->rows) {
      if (row.size() < 3) continue;
      const auto* uid = std::get_if<std::string>(&row[0]);
      const auto* first = std::get_if<int64_t>(&row[1]);
      const auto* last = std::get_if<int64_t>(&row[2]);
      if (uid == nullptr || first == nullptr || last == nullptr) continue;
      if (ts < *first - slack_ns_ || ts > *last + slack_ns_) continue;
      // Several flows of one 5-tuple (port reuse): the one that started last before the alert.
      if (best == nullptr || (*first <= ts && *first > best_first) ||
          (best_first > ts && *first < best_first)) {
        best = uid;
        best_first = *first;
      }
    }
    if (best != nullptr) {
      alert->set_flowid(*best);
      alert->set_matchedby(attempt.how);
      return Status::ok();
    }
  }
  return Status::ok();
}

}  // namespace netcap::alerts
