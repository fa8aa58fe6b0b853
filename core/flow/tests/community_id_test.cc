// Community ID v1 against the reference vectors published with the specification
// (corelight/community-id-spec baseline).
#include "core/flow/community_id.h"

#include <catch2/catch.hpp>

#include "core/flow/flow_key.h"

using namespace netcap;

namespace {
IpAddress ip(const std::string& s) {
  IpAddress a;
  REQUIRE(IpAddress::parse(s, a));
  return a;
}
std::string cid(const std::string& src, const std::string& dst, uint8_t proto, uint16_t sp,
                uint16_t dp) {
  TransportInfo t;
  t.ip_protocol = proto;
  t.src = ip(src);
  t.dst = ip(dst);
  t.src_port = sp;
  t.dst_port = dp;
  FlowEndpoints e = flow_endpoints(t);
  return community_id_v1(t.src, t.dst, proto, e.src_port, e.dst_port, e.one_way);
}
}  // namespace

TEST_CASE("community id v1 reference vectors, both directions") {
  struct Vector {
    const char* src;
    const char* dst;
    uint8_t proto;
    uint16_t sport, dport;
    const char* expected;
  };
  const Vector vectors[] = {
      {"128.232.110.120", "66.35.250.204", 6, 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
      {"192.168.1.52", "8.8.8.8", 17, 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
      {"2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 6, 63943, 25,
       "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
      {"192.168.170.8", "192.168.170.56", 132, 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
  };
  for (const Vector& v : vectors) {
    CAPTURE(v.src, v.dst);
    CHECK(cid(v.src, v.dst, v.proto, v.sport, v.dport) == v.expected);
    CHECK(cid(v.dst, v.src, v.proto, v.dport, v.sport) == v.expected);
  }
}

TEST_CASE("community id v1 ICMP echo request and reply map to the same id") {
  // type 8 code 0 request and type 0 reply (spec: ICMP counterpart ports).
  CHECK(cid("192.168.0.89", "192.168.0.1", 1, 8, 0) == "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
  CHECK(cid("192.168.0.1", "192.168.0.89", 1, 0, 0) == "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
  CHECK(cid("3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 58, 128, 0) ==
        "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=");
  CHECK(cid("3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 58, 129, 0) ==
        "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=");
}

TEST_CASE("flow keys are direction-symmetric and keep the VLAN") {
  TransportInfo a;
  a.ip_protocol = 6;
  a.src = ip("10.0.0.2");
  a.dst = ip("10.0.0.1");
  a.src_port = 40000;
  a.dst_port = 80;
  a.vlan = 7;
  TransportInfo b = a;
  std::swap(b.src, b.dst);
  std::swap(b.src_port, b.dst_port);
  bool from_lo_a = false, from_lo_b = false;
  FlowKey ka = make_flow_key(a, from_lo_a);
  FlowKey kb = make_flow_key(b, from_lo_b);
  CHECK(ka == kb);
  CHECK(from_lo_a != from_lo_b);
  CHECK(FlowKeyHash{}(ka) == FlowKeyHash{}(kb));
  TransportInfo c = a;
  c.vlan = 8;
  bool ignored = false;
  CHECK_FALSE(make_flow_key(c, ignored) == ka);
}
