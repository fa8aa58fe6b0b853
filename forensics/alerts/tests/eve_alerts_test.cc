#include "forensics/alerts/eve_alerts.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/sinks/record_sink.h"
#include "proto/connection.pb.h"

namespace netcap::alerts {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHttpAlert =
    R"({"timestamp":"2017-05-09T21:07:38.364077+0000","flow_id":1234567890123456789,)"
    R"("in_iface":"eth0","event_type":"alert","src_ip":"192.168.1.10","src_port":49152,)"
    R"("dest_ip":"93.184.216.34","dest_port":80,"proto":"TCP",)"
    R"("community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","alert":{"action":"allowed","gid":1,)"
    R"("signature_id":2013028,"rev":7,"signature":"ET POLICY curl User-Agent Outbound",)"
    R"("category":"Attempted Information Leak","severity":2,)"
    R"("metadata":{"created_at":["2011_06_14"]}},"http":{"hostname":"example.com"},)"
    R"("app_proto":"http","payload_printable":"GET / HTTP/1.1"})";

TEST_CASE("EVE timestamps become Unix nanoseconds, offsets applied") {
  // 2017-05-09T21:07:38Z = 1494364058.
  CHECK(parse_eve_time("2017-05-09T21:07:38.364077+0000") == 1494364058364077000);
  CHECK(parse_eve_time("2017-05-09T21:07:38.364077+00:00") == 1494364058364077000);
  CHECK(parse_eve_time("2017-05-09T21:07:38Z") == 1494364058000000000);
  CHECK(parse_eve_time("2017-05-09T23:07:38.5+0200") == 1494364058500000000);
  CHECK(parse_eve_time("2017-05-09T16:07:38.123456789-0500") == 1494364058123456789);
  CHECK(parse_eve_time("1970-01-01T00:00:00Z") == 0);
  CHECK_FALSE(parse_eve_time(""));
  CHECK_FALSE(parse_eve_time("2017-05-09 21:07:38+0000"));         // no T
  CHECK_FALSE(parse_eve_time("2017-05-09T21:07:38.364077"));       // no offset
  CHECK_FALSE(parse_eve_time("2017-13-09T21:07:38Z"));             // month 13
  CHECK_FALSE(parse_eve_time("2017-05-09T21:07:38.+0000"));        // empty fraction
  CHECK_FALSE(parse_eve_time("2017-05-09T21:07:38.1234567890Z"));  // 10 digits
  CHECK_FALSE(parse_eve_time("2017-05-09T21:07:38Zjunk"));
  CHECK_FALSE(parse_eve_time("1969-12-31T23:59:59Z"));
  CHECK_FALSE(parse_eve_time("9999-01-01T00:00:00Z"));
}

TEST_CASE("EVE addresses and protocols take the case's spelling") {
  CHECK(canonical_address("192.168.1.10") == "192.168.1.10");
  CHECK(canonical_address("fe80:0000:0000:0000:0000:0000:0000:0001") == "fe80::1");
  CHECK(canonical_address("2001:0DB8::0001") == "2001:db8::1");
  CHECK_FALSE(canonical_address("example.com"));
  CHECK_FALSE(canonical_address(""));
  CHECK_FALSE(canonical_address("1.2.3.4.5"));
  CHECK(transport_name("TCP") == "tcp");
  CHECK(transport_name("IPv6-ICMP") == "icmpv6");
  CHECK(transport_name("006") == "tcp");
  CHECK(transport_name("17") == "udp");
  CHECK(transport_name("047") == "47");
  CHECK(transport_name("SCTP") == "sctp");
}

TEST_CASE("an EVE alert line becomes an Alert record") {
  EveLine line = parse_eve_line(kHttpAlert, "eve.json:3");
  REQUIRE(line.kind == EveLine::Kind::kAlert);
  const Alert& a = line.alert;
  CHECK(a.timestamp() == 1494364058364077000);
  CHECK(a.signature() == "ET POLICY curl User-Agent Outbound");
  CHECK(a.signatureid() == 2013028);
  CHECK(a.gid() == 1);
  CHECK(a.rev() == 7);
  CHECK(a.category() == "Attempted Information Leak");
  CHECK(a.severity() == 2);
  CHECK(a.action() == "allowed");
  CHECK(a.srcip() == "192.168.1.10");
  CHECK(a.srcport() == 49152);
  CHECK(a.dstip() == "93.184.216.34");
  CHECK(a.dstport() == 80);
  CHECK(a.transport() == "tcp");
  CHECK(a.appproto() == "http");
  CHECK(a.communityid() == "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  CHECK(a.suricataflowid() == 1234567890123456789);  // 64-bit ids survive exactly
  CHECK(a.source() == "eve.json:3");
  CHECK(a.flowid().empty());
}

TEST_CASE("other EVE events are skipped and bad lines say why") {
  CHECK(parse_eve_line(R"({"timestamp":"2017-05-09T21:07:38Z","event_type":"flow"})", "f:1").kind ==
        EveLine::Kind::kOtherEvent);
  CHECK(parse_eve_line(R"({"event_type":"stats","stats":{"uptime":5}})", "f:1").kind ==
        EveLine::Kind::kOtherEvent);
  const auto malformed = [](const std::string& text) {
    EveLine l = parse_eve_line(text, "f:1");
    CHECK(l.kind == EveLine::Kind::kMalformed);
    CHECK_FALSE(l.error.empty());
    return l.error;
  };
  CHECK(malformed("").find("not an EVE JSON object") == 0);
  CHECK(malformed("{\"event_type\":\"alert\"").find("not an EVE JSON object") == 0);
  CHECK(malformed("[1,2]").find("not an EVE JSON object") == 0);
  CHECK(malformed(R"({"event_type":"alert","src_port":"eighty"})").find("not an EVE") == 0);
  std::string no_time = kHttpAlert;
  no_time.replace(no_time.find("2017-05-09T"), 10, "yesterday!");
  CHECK(malformed(no_time) == "alert without a valid timestamp");
  std::string bad_ip = kHttpAlert;
  bad_ip.replace(bad_ip.find("192.168.1.10"), 12, "192.168.1.x0");
  CHECK(malformed(bad_ip) == "alert without valid src_ip and dest_ip");
  std::string no_sid = kHttpAlert;
  no_sid.replace(no_sid.find("\"signature_id\":2013028"), 22, "\"signature_id\":0");
  CHECK(malformed(no_sid) == "alert without alert.signature_id");
  std::string big_port = kHttpAlert;
  big_port.replace(big_port.find("49152"), 5, "99999");
  CHECK(malformed(big_port) == "alert with a port outside 0-65535");
}

// A case with a few connections, written through the real index sink.
class TestCase {
 public:
  TestCase() {
    std::string pattern = (fs::temp_directory_path() / "netcap-alerts-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
  }
  ~TestCase() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

Connection connection(const std::string& uid, const std::string& src, int sport,
                      const std::string& dst, int dport, const std::string& transport,
                      int64_t first_s, int64_t last_s, const std::string& cid = "") {
  Connection c;
  c.set_uid(uid);
  c.set_srcip(src);
  c.set_srcport(sport);
  c.set_dstip(dst);
  c.set_dstport(dport);
  c.set_transportproto(transport);
  c.set_timestampfirst(first_s * 1'000'000'000);
  c.set_timestamplast(last_s * 1'000'000'000);
  c.set_communityid(cid);
  return c;
}

TEST_CASE("alerts are matched to the case's connections by community id, then 5-tuple and time") {
  TestCase tc;
  {
    SinkOptions options;
    options.case_dir = tc.dir();
    auto sink = open_index_sink(options);
    REQUIRE(sink);
    // One 5-tuple used twice (port reuse), one flow known by community id only, one ICMP flow.
    for (const Connection& c :
         {connection("C1", "192.168.1.10", 49152, "93.184.216.34", 80, "tcp", 100, 110),
          connection("C2", "192.168.1.10", 49152, "93.184.216.34", 80, "tcp", 200, 210),
          connection("C3", "10.0.0.1", 5000, "10.0.0.2", 53, "udp", 100, 101, "1:abc="),
          connection("C4", "10.0.0.1", 8, "10.0.0.9", 0, "icmp", 100, 150)}) {
      REQUIRE((*sink)->write(c).is_ok());
    }
    REQUIRE((*sink)->close().is_ok());
  }
  auto index = CaseIndex::open_read_only(tc.dir());
  REQUIRE(index);
  AlertMatcher matcher(*index, 1'000'000'000);
  const auto alert = [](const std::string& src, int sport, const std::string& dst, int dport,
                        const std::string& transport, int64_t ts_s, const std::string& cid = "") {
    Alert a;
    a.set_srcip(src);
    a.set_srcport(sport);
    a.set_dstip(dst);
    a.set_dstport(dport);
    a.set_transport(transport);
    a.set_timestamp(ts_s * 1'000'000'000);
    a.set_communityid(cid);
    return a;
  };
  const auto match = [&](Alert a) {
    REQUIRE(matcher.match(&a).is_ok());
    return std::make_pair(a.flowid(), a.matchedby());
  };
  using P = std::pair<std::string, std::string>;
  // Either direction, and the flow of the 5-tuple that holds the alert's time.
  CHECK(match(alert("192.168.1.10", 49152, "93.184.216.34", 80, "tcp", 105)) == P{"C1", "5-tuple"});
  CHECK(match(alert("93.184.216.34", 80, "192.168.1.10", 49152, "tcp", 205)) == P{"C2", "5-tuple"});
  CHECK(match(alert("192.168.1.10", 49152, "93.184.216.34", 80, "tcp", 211)) == P{"C2", "5-tuple"});
  // Outside every flow's time (beyond the slack), another port, another transport: no match.
  CHECK(match(alert("192.168.1.10", 49152, "93.184.216.34", 80, "tcp", 150)) == P{"", ""});
  CHECK(match(alert("192.168.1.10", 49153, "93.184.216.34", 80, "tcp", 105)) == P{"", ""});
  CHECK(match(alert("192.168.1.10", 49152, "93.184.216.34", 80, "udp", 105)) == P{"", ""});
  // Community id first; an unknown one falls back to the 5-tuple.
  CHECK(match(alert("1.1.1.1", 1, "2.2.2.2", 2, "udp", 100, "1:abc=")) == P{"C3", "community_id"});
  CHECK(match(alert("10.0.0.1", 5000, "10.0.0.2", 53, "udp", 100, "1:zzz=")) == P{"C3", "5-tuple"});
  // ICMP: addresses and transport only.
  CHECK(match(alert("10.0.0.9", 0, "10.0.0.1", 0, "icmp", 120)) == P{"C4", "5-tuple"});
}

}  // namespace
}  // namespace netcap::alerts
