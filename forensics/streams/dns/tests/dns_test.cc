// DNS parser, session (UDP and TCP framing, gaps, pairing), probes and real captures.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/dns/dns_parser.h"
#include "forensics/streams/dns/dns_session.h"
#include "proto/anomaly.pb.h"
#include "proto/dns.pb.h"

namespace netcap::app {
Status register_app_dns(AppRegistry& registry);
}

using namespace netcap;
using namespace netcap::app;
using netcap::app::dns::Flavor;

namespace {

// Builds DNS messages byte by byte.
struct Msg {
  std::vector<uint8_t> b;
  Msg& u8(unsigned v) {
    b.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  Msg& u16(unsigned v) { return u8(v >> 8).u8(v); }
  Msg& u32(uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
  Msg& raw(std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Msg& bytes(std::vector<uint8_t> v) {
    b.insert(b.end(), v.begin(), v.end());
    return *this;
  }
  // Uncompressed name, "" = root.
  Msg& name(std::string_view n) {
    for (std::string_view label : split(n, '.')) {
      if (label.empty()) continue;
      u8(label.size()).raw(label);
    }
    return u8(0);
  }
  Msg& ptr(unsigned offset) { return u16(0xC000 | offset); }
  Msg& header(unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar) {
    return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
  }
  // RR header whose owner is a pointer to the first question name (offset 12).
  Msg& rr(unsigned type, unsigned rdlen, uint32_t ttl = 300, unsigned cls = 1) {
    return ptr(12).u16(type).u16(cls).u32(ttl).u16(rdlen);
  }
  Bytes view() const { return b; }
};

// One response for example.com with one answer of `type` and `rdata`.
Msg answer(unsigned type, std::vector<uint8_t> rdata) {
  Msg m;
  m.header(0x1234, 0x8180, 1, 1, 0, 0).name("example.com").u16(type).u16(1);
  m.rr(type, rdata.size()).bytes(rdata);
  return m;
}

std::vector<std::string> names(const dns::ParseResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.problems) out.push_back(p.name);
  return out;
}

struct Parsed {
  DNS rec;
  dns::ParseResult result;
};

Parsed parse(const Msg& m, Flavor flavor = Flavor::kDns, size_t max_records = 4096) {
  Parsed p;
  dns::ParseOptions o;
  o.flavor = flavor;
  o.max_records = max_records;
  p.result = dns::parse_message(m.view(), o, p.rec);
  return p;
}

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
  std::vector<const DNS*> dns() const {
    std::vector<const DNS*> out;
    for (const auto& r : records) {
      if (auto* d = dynamic_cast<const DNS*>(r.get())) out.push_back(d);
    }
    return out;
  }
  std::vector<std::string> anomalies() const {
    std::vector<std::string> out;
    for (const auto& r : records) {
      if (auto* a = dynamic_cast<const Anomaly*>(r.get())) out.push_back(a->name());
    }
    return out;
  }
};

struct SessionHarness {
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations{limits, emitted};
  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<dns::DnsSession> session;
  explicit SessionHarness(bool tcp, Flavor flavor = Flavor::kDns) {
    flow.flow_id = "Ctest";
    flow.ip_protocol = tcp ? 6 : 17;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.53", flow.server);
    flow.client_port = 40000;
    flow.server_port = 53;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations,
                                       dns::flavor_protocol(flavor));
    session = std::make_unique<dns::DnsSession>(*ctx, flavor, tcp);
  }
};

Msg query(unsigned id, std::string_view qname, unsigned type = 1) {
  Msg m;
  m.header(id, 0x0100, 1, 0, 0, 0).name(qname).u16(type).u16(1);
  return m;
}

Msg reply(unsigned id, std::string_view qname, std::string_view ip) {
  Msg m;
  m.header(id, 0x8180, 1, 1, 0, 0).name(qname).u16(1).u16(1);
  IpAddress a;
  IpAddress::parse(std::string(ip), a);
  m.rr(1, 4).bytes({a.bytes().begin(), a.bytes().end()});
  return m;
}

std::vector<uint8_t> framed(const Msg& m) {
  Msg f;
  f.u16(m.b.size()).bytes(m.b);
  return f.b;
}

}  // namespace

// ---------------------------------------------------------------- parser

TEST_CASE("dns parser: header, question and a compressed A answer") {
  Msg m;
  m.header(0xbeef, 0x81b0, 1, 1, 0, 0).name("www.Example.com").u16(1).u16(1);
  m.rr(1, 4).bytes({93, 184, 216, 34});
  auto p = parse(m);
  CHECK(p.result.problems.empty());
  CHECK(p.result.complete);
  const DNS& d = p.rec;
  CHECK(d.id() == 0xbeef);
  CHECK(d.qr());
  CHECK(d.isresponse());
  CHECK(d.opcode() == 0);
  CHECK(d.rd());
  CHECK(d.ra());
  CHECK(d.ad());
  CHECK(d.cd());
  CHECK_FALSE(d.aa());
  CHECK_FALSE(d.tc());
  CHECK_FALSE(d.z());
  CHECK(d.responsecode() == 0);
  CHECK(d.responsecodename() == "NOERROR");
  REQUIRE(d.questions_size() == 1);
  CHECK(d.questions(0).name() == "www.Example.com");
  CHECK(d.questions(0).typename_() == "A");
  CHECK(d.queryname() == "www.Example.com");
  REQUIRE(d.answers_size() == 1);
  CHECK(d.answers(0).name() == "www.Example.com");
  CHECK(d.answers(0).ip() == "93.184.216.34");
  CHECK(d.answers(0).ttl() == 300);
  CHECK(d.answers(0).answer() == "www.Example.com A 93.184.216.34");
}

TEST_CASE("dns parser: names with pointers inside pointers, root, escapes") {
  Msg m;
  // offset 12: question "a.example.com"
  m.header(1, 0x8180, 1, 2, 0, 0).name("a.example.com").u16(5).u16(1);
  // CNAME -> "b" + pointer to "example.com" (offset 14)
  m.rr(5, 4).u8(1).raw("b").ptr(14);
  const size_t b_offset = m.b.size() - 4;
  // owner: pointer to the CNAME target (which itself ends in a pointer); PTR to a label with a dot
  m.ptr(b_offset).u16(12).u16(1).u32(1).u16(7).u8(5).raw("x.y\x01z").u8(0);
  auto p = parse(m);
  CHECK(p.result.problems.empty());
  REQUIRE(p.rec.answers_size() == 2);
  CHECK(p.rec.answers(0).cname() == "b.example.com");
  CHECK(p.rec.answers(1).name() == "b.example.com");
  CHECK(p.rec.answers(1).ptr() == "x\\.y\\001z");

  Msg root;
  root.header(2, 0x0000, 1, 0, 0, 0).name("").u16(2).u16(1);
  auto r = parse(root);
  REQUIRE(r.rec.questions_size() == 1);
  CHECK(r.rec.questions(0).name() == "<Root>");
  CHECK(r.rec.questions(0).typename_() == "NS");
}

TEST_CASE("dns parser: every decoded RDATA type") {
  SECTION("AAAA") {
    auto p = parse(answer(28, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
    CHECK(p.rec.answers(0).ip() == "2001:db8::1");
    CHECK(p.rec.answers(0).answer() == "example.com AAAA 2001:db8::1");
  }
  SECTION("NS, CNAME, PTR with a compressed target") {
    for (unsigned type : {2u, 5u, 12u}) {
      Msg m = answer(type, {3, 'n', 's', '1', 0xC0, 12});
      auto p = parse(m);
      REQUIRE(p.result.problems.empty());
      const auto& rr = p.rec.answers(0);
      const std::string& target = type == 2 ? rr.ns() : type == 5 ? rr.cname() : rr.ptr();
      CHECK(target == "ns1.example.com");
      CHECK(rr.answer() == "example.com " + dns::type_name(type) + " ns1.example.com");
    }
  }
  SECTION("MX") {
    auto p = parse(answer(15, {0, 10, 4, 'm', 'a', 'i', 'l', 0xC0, 12}));
    CHECK(p.rec.answers(0).mx().preference() == 10);
    CHECK(p.rec.answers(0).mx().name() == "mail.example.com");
    CHECK(p.rec.answers(0).answer() == "example.com MX 10 mail.example.com");
  }
  SECTION("TXT with several strings, quotes and an empty string") {
    std::vector<uint8_t> rd = {5, 'v', '=', 's', 'p', 'f', 3, 'a', '"', 'b', 0};
    auto p = parse(answer(16, rd));
    REQUIRE(p.result.problems.empty());
    REQUIRE(p.rec.answers(0).txts_size() == 3);
    CHECK(p.rec.answers(0).txts(1) == "a\"b");
    CHECK(p.rec.answers(0).answer() == "example.com TXT \"v=spf\" \"a\\\"b\" \"\"");
  }
  SECTION("SOA") {
    Msg rd;
    rd.u8(2)
        .raw("ns")
        .ptr(12)
        .u8(4)
        .raw("host")
        .ptr(12)
        .u32(2024010101)
        .u32(7200)
        .u32(900)
        .u32(1209600)
        .u32(300);
    auto p = parse(answer(6, rd.b));
    REQUIRE(p.result.problems.empty());
    const DNSSOA& s = p.rec.answers(0).soa();
    CHECK(s.mname() == "ns.example.com");
    CHECK(s.rname() == "host.example.com");
    CHECK(s.serial() == 2024010101u);
    CHECK(s.refresh() == 7200u);
    CHECK(s.retry() == 900u);
    CHECK(s.expire() == 1209600u);
    CHECK(s.minimum() == 300u);
    CHECK(p.rec.answers(0).answer() ==
          "example.com SOA ns.example.com host.example.com 2024010101 7200 900 1209600 300");
  }
  SECTION("SRV") {
    Msg rd;
    rd.u16(1).u16(5).u16(5060).u8(3).raw("sip").ptr(12);
    auto p = parse(answer(33, rd.b));
    const DNSSRV& s = p.rec.answers(0).srv();
    CHECK(s.priority() == 1);
    CHECK(s.weight() == 5);
    CHECK(s.port() == 5060);
    CHECK(s.name() == "sip.example.com");
    CHECK(p.rec.answers(0).answer() == "example.com SRV 1 5 5060 sip.example.com");
  }
  SECTION("CAA") {
    Msg rd;
    rd.u8(128).u8(5).raw("issue").raw("letsencrypt.org");
    auto p = parse(answer(257, rd.b));
    CHECK(p.rec.answers(0).caa().flags() == 128);
    CHECK(p.rec.answers(0).caa().tag() == "issue");
    CHECK(p.rec.answers(0).caa().value() == "letsencrypt.org");
    CHECK(p.rec.answers(0).answer() == "example.com CAA 128 issue letsencrypt.org");
  }
  SECTION("HTTPS with alpn, port, ipv4hint, ech, ipv6hint, mandatory") {
    Msg rd;
    rd.u16(1).u8(0);                                   // priority 1, target "." (root)
    rd.u16(0).u16(2).u16(1);                           // mandatory: alpn
    rd.u16(1).u16(6).u8(2).raw("h2").u8(2).raw("h3");  // alpn
    rd.u16(3).u16(2).u16(8443);                        // port
    rd.u16(4).u16(8).bytes({1, 2, 3, 4, 5, 6, 7, 8});  // ipv4hint
    rd.u16(5).u16(3).bytes({0xab, 0xcd, 0xef});        // ech
    rd.u16(6).u16(16).bytes({0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
    auto p = parse(answer(65, rd.b));
    REQUIRE(p.result.problems.empty());
    const DNSSVCB& s = p.rec.answers(0).svcb();
    CHECK(s.priority() == 1);
    CHECK(s.target() == "<Root>");
    REQUIRE(s.params_size() == 6);
    CHECK(s.params(0).value() == "alpn");
    CHECK(s.params(1).keyname() == "alpn");
    CHECK(s.params(1).value() == "h2,h3");
    CHECK(s.alpn_size() == 2);
    CHECK(s.params(2).value() == "8443");
    CHECK(s.params(3).value() == "1.2.3.4,5.6.7.8");
    CHECK(s.params(4).keyname() == "ech");
    CHECK(s.params(4).value() == "abcdef");
    CHECK(s.params(5).value() == "2001:db8::2");
  }
  SECTION("DS, DNSKEY (key tag), RRSIG, NSEC") {
    auto ds = parse(answer(43, {0x4f, 0x66, 8, 2, 0xde, 0xad, 0xbe, 0xef}));
    CHECK(ds.rec.answers(0).ds().keytag() == 0x4f66);
    CHECK(ds.rec.answers(0).ds().algorithm() == 8);
    CHECK(ds.rec.answers(0).ds().digesttype() == 2);
    CHECK(ds.rec.answers(0).ds().digest() == "deadbeef");
    CHECK(ds.rec.answers(0).answer() == "example.com DS");

    // RFC 4034 Appendix B by hand: 0x0101 + 0x0308 + 0x0102 = 0x050b, then the carry fold.
    auto key = parse(answer(48, {0x01, 0x01, 3, 8, 0x01, 0x02}));
    const DNSDNSKEY& k = key.rec.answers(0).dnskey();
    CHECK(k.flags() == 257);
    CHECK(k.protocol() == 3);
    CHECK(k.algorithm() == 8);
    CHECK(k.publickey() == "AQI=");
    CHECK(k.keytag() == 0x050b);

    Msg rd;
    rd.u16(1)
        .u8(8)
        .u8(2)
        .u32(3600)
        .u32(1700000000)
        .u32(1690000000)
        .u16(12345)
        .ptr(12)
        .bytes({0xff, 0xfe});
    auto sig = parse(answer(46, rd.b));
    REQUIRE(sig.result.problems.empty());
    const DNSRRSIG& s = sig.rec.answers(0).rrsig();
    CHECK(s.typecoveredname() == "A");
    CHECK(s.labels() == 2);
    CHECK(s.originalttl() == 3600u);
    CHECK(s.expiration() == 1700000000u);
    CHECK(s.inception() == 1690000000u);
    CHECK(s.keytag() == 12345);
    CHECK(s.signername() == "example.com");
    CHECK(s.signature() == "//4=");

    Msg nsec;
    // window 0: A(1) NS(2) -> byte 0 = 0x60; RRSIG(46) NSEC(47): byte 5 = 0x03; window 1: CAA(257):
    // bit 1
    nsec.u8(1).raw("b").ptr(12).u8(0).u8(6).bytes({0x60, 0, 0, 0, 0, 0x03}).u8(1).u8(1).u8(0x40);
    auto n = parse(answer(47, nsec.b));
    REQUIRE(n.result.problems.empty());
    CHECK(n.rec.answers(0).nsec().nextdomain() == "b.example.com");
    CHECK(std::vector<std::string>(n.rec.answers(0).nsec().types().begin(),
                                   n.rec.answers(0).nsec().types().end()) ==
          std::vector<std::string>{"A", "NS", "RRSIG", "NSEC", "CAA"});
  }
  SECTION("HINFO and an unknown type") {
    auto h = parse(answer(13, {3, 'x', '8', '6', 5, 'L', 'i', 'n', 'u', 'x'}));
    CHECK(h.rec.answers(0).hinfo().cpu() == "x86");
    CHECK(h.rec.answers(0).hinfo().os() == "Linux");
    CHECK(h.rec.answers(0).answer() == "example.com HINFO x86 Linux");
    auto u = parse(answer(65280, {0x01, 0xab}));
    CHECK(u.result.problems.empty());
    CHECK(u.rec.answers(0).typename_() == "TYPE65280");
    CHECK(u.rec.answers(0).rdata() == "01ab");
    CHECK(u.rec.answers(0).answer() == "example.com TYPE65280");
  }
}

TEST_CASE("dns parser: OPT with client subnet and cookie; extended rcode") {
  Msg m;
  m.header(7, 0x8183, 1, 0, 0, 1).name("example.com").u16(1).u16(1);
  // OPT: udp 1232, ext rcode 1 (-> rcode 16+3=19), version 0, DO
  m.u8(0).u16(41).u16(1232).u32(0x01008000).u16(4 + 7 + 4 + 16);
  m.u16(8).u16(7).u16(1).u8(24).u8(0).bytes({192, 0, 2});  // ECS 192.0.2.0/24
  m.u16(10).u16(16).bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  auto p = parse(m);
  REQUIRE(p.result.problems.empty());
  REQUIRE(p.rec.additionals_size() == 1);
  const DNSOPT& o = p.rec.additionals(0).opt();
  CHECK(p.rec.additionals(0).name() == "<Root>");
  CHECK(o.udpsize() == 1232);
  CHECK(o.extendedrcode() == 1);
  CHECK(o.version() == 0);
  CHECK(o.do_());
  REQUIRE(o.options_size() == 2);
  CHECK(o.options(0).name() == "ClientSubnet");
  CHECK(o.options(0).subnetfamily() == 1);
  CHECK(o.options(0).sourceprefix() == 24);
  CHECK(o.options(0).subnetaddress() == "192.0.2.0");
  CHECK(o.options(1).name() == "Cookie");
  CHECK(o.options(1).clientcookie() == "0102030405060708");
  CHECK(o.options(1).servercookie() == "090a0b0c0d0e0f10");
  CHECK(p.rec.responsecode() == 19);
  CHECK(p.rec.responsecodename() == "BADMODE");
}

TEST_CASE("dns parser: mDNS unicast-response and cache-flush bits") {
  Msg m;
  m.header(0, 0x8400, 1, 1, 0, 0).name("printer.local").u16(1).u16(0x8001);
  m.rr(1, 4, 120, 0x8001).bytes({192, 168, 1, 9});
  auto p = parse(m, Flavor::kMdns);
  CHECK(p.rec.questions(0).unicastresponse());
  CHECK(p.rec.questions(0).class_() == 1);
  CHECK(p.rec.answers(0).cacheflush());
  CHECK(p.rec.answers(0).class_() == 1);
  auto plain = parse(m, Flavor::kDns);
  CHECK(plain.rec.questions(0).class_() == 0x8001);
}

TEST_CASE("dns parser: malformed messages") {
  SECTION("short header") {
    Msg m;
    m.u16(1).u16(0);
    auto p = parse(m);
    CHECK_FALSE(p.result.header_ok);
    CHECK(names(p.result) == std::vector<std::string>{"dns.truncated_message"});
  }
  SECTION("pointer to itself and a two-pointer loop") {
    Msg self;
    self.header(1, 0, 1, 0, 0, 0).ptr(12).u16(1).u16(1);
    CHECK(names(parse(self).result) == std::vector<std::string>{"dns.compression_loop"});
    Msg two;
    two.header(1, 0, 1, 0, 0, 0).ptr(14).ptr(12).u16(1).u16(1);
    CHECK(names(parse(two).result) == std::vector<std::string>{"dns.compression_loop"});
  }
  SECTION("pointer past the end, extended label type, name too long") {
    Msg far;
    far.header(1, 0, 1, 0, 0, 0).ptr(0x3fff);
    CHECK(names(parse(far).result) == std::vector<std::string>{"dns.bad_pointer"});
    Msg ext;
    ext.header(1, 0, 1, 0, 0, 0).u8(0x41).u8(0).u16(1).u16(1);
    CHECK(names(parse(ext).result) == std::vector<std::string>{"dns.bad_label"});
    Msg longname;
    longname.header(1, 0, 1, 0, 0, 0);
    for (int i = 0; i < 5; ++i) longname.u8(63).raw(std::string(63, 'a'));
    longname.u8(0).u16(1).u16(1);
    CHECK(names(parse(longname).result) == std::vector<std::string>{"dns.bad_label"});
  }
  SECTION("RDATA past the end keeps what was parsed") {
    Msg m = answer(1, {1, 2, 3, 4});
    m.b.resize(m.b.size() - 2);
    auto p = parse(m);
    CHECK(names(p.result) == std::vector<std::string>{"dns.truncated_message"});
    CHECK_FALSE(p.rec.complete());
    CHECK(p.rec.questions_size() == 1);
  }
  SECTION("bad RDATA does not stop the next record") {
    Msg m;
    m.header(1, 0x8180, 1, 2, 0, 0).name("example.com").u16(1).u16(1);
    m.rr(1, 5).bytes({1, 2, 3, 4, 5});
    m.rr(15, 3).bytes({0, 1, 0x40});  // MX with a bad label type
    m.rr(1, 4).bytes({9, 9, 9, 9});
    m.b[7] = 3;  // ancount 3
    auto p = parse(m);
    CHECK(names(p.result) == std::vector<std::string>{"dns.bad_rdata", "dns.bad_rdata"});
    REQUIRE(p.rec.answers_size() == 3);
    CHECK(p.rec.answers(0).rdata() == "0102030405");
    CHECK(p.rec.answers(1).rdata() == "000140");
    CHECK(p.rec.answers(2).ip() == "9.9.9.9");
    CHECK(p.rec.complete());
  }
  SECTION("too many records and trailing data") {
    Msg m;
    m.header(1, 0x8180, 1, 3, 0, 0).name("example.com").u16(1).u16(1);
    for (int i = 0; i < 3; ++i) m.rr(1, 4).bytes({1, 1, 1, 1});
    CHECK(names(parse(m, Flavor::kDns, 3).result) ==
          std::vector<std::string>{"dns.too_many_records"});
    CHECK(parse(m, Flavor::kDns, 3).rec.answers_size() == 2);
    m.u8(0xff);
    CHECK(names(parse(m).result) == std::vector<std::string>{"dns.trailing_data"});
  }
  SECTION("OPT in the wrong place, bad client subnet") {
    Msg m;
    m.header(1, 0x8180, 1, 1, 0, 0).name("example.com").u16(1).u16(1);
    m.u8(0).u16(41).u16(512).u32(0).u16(0);
    CHECK(names(parse(m).result) == std::vector<std::string>{"dns.bad_opt"});
    Msg e;
    e.header(1, 0, 1, 0, 0, 1).name("example.com").u16(1).u16(1);
    e.u8(0).u16(41).u16(512).u32(0).u16(4 + 6).u16(8).u16(6).u16(1).u8(8).u8(0).bytes({10, 0});
    auto bad = parse(e);
    CHECK(names(bad.result) == std::vector<std::string>{"dns.bad_rdata"});
    REQUIRE(bad.rec.additionals_size() == 1);
    CHECK(bad.rec.additionals(0).opt().udpsize() == 512);  // header fields kept
    CHECK(bad.rec.additionals(0).rdata() == "00080006000108000a00");
    CHECK(bad.rec.additionals(0).opt().options_size() == 0);
  }
}

TEST_CASE("dns plausibility: strict enough not to take other UDP payloads") {
  CHECK(dns::plausible_message(query(1, "example.com").view(), Flavor::kDns, true, false) == 1);
  CHECK(dns::plausible_message(reply(1, "example.com", "1.2.3.4").view(), Flavor::kDns, true,
                               false) == 1);
  // NTP client packet, a SIP request, zeros.
  std::vector<uint8_t> ntp(48, 0);
  ntp[0] = 0x23;
  CHECK(dns::plausible_message(ntp, Flavor::kDns, false, false) == 0);
  CHECK(dns::plausible_message(as_bytes("REGISTER sip:example.com SIP/2.0\r\n\r\n"), Flavor::kDns,
                               false, false) == 0);
  CHECK(dns::plausible_message(std::vector<uint8_t>(40, 0), Flavor::kDns, false, false) == 0);
  // NetBIOS name query: one 32-byte label of A..P.
  Msg nb;
  nb.header(0x8001, 0x0110, 1, 0, 0, 0).u8(32).raw(std::string(32, 'C')).u8(0).u16(32).u16(1);
  CHECK(dns::plausible_message(nb.view(), Flavor::kDns, false, false) == 0);
  // Partial: the start of a longer message needs more bytes.
  Msg q = query(1, "a-rather-long-name.example.com");
  CHECK(dns::plausible_message(Bytes(q.b).first(20), Flavor::kDns, false, true) == -1);
  CHECK(dns::plausible_message(Bytes(q.b).first(20), Flavor::kDns, false, false) == 0);
}

// ---------------------------------------------------------------- sessions

TEST_CASE("dns udp session: records, sender stamping and query/response pairing") {
  SessionHarness h(false);
  h.session->on_datagram(StreamDirection::kClientToServer, query(0x42, "example.com").view(), 29,
                         1'000, 5);
  h.session->on_datagram(StreamDirection::kServerToClient,
                         reply(0x41, "example.com", "1.1.1.1").view(), 45, 2'000, 6);
  h.session->on_datagram(StreamDirection::kServerToClient,
                         reply(0x42, "EXAMPLE.com", "1.2.3.4").view(), 45, 3'500, 7);
  h.session->on_end(StreamEndReason::kIdle, 4'000);
  auto recs = h.emitted.dns();
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]->srcip() == "10.0.0.1");
  CHECK(recs[0]->dstport() == 53);
  CHECK(recs[0]->frame() == 5);
  CHECK(recs[0]->transport() == "udp");
  CHECK(recs[0]->protocol() == "dns");
  CHECK(recs[0]->flowid() == "Ctest");
  CHECK(recs[1]->responsetimens() == 0);  // other id: unanswered
  CHECK(recs[2]->srcip() == "10.0.0.53");
  CHECK(recs[2]->responsetimens() == 2'500);
  CHECK(recs[2]->queryframe() == 5);
  CHECK(recs[2]->querytimestamp() == 1'000);
  CHECK(h.emitted.anomalies().empty());
}

TEST_CASE("dns udp session: pending queries are bounded") {
  SessionHarness h(false);
  h.limits.max_pending_transactions = 2;
  for (unsigned id = 1; id <= 3; ++id) {
    h.session->on_datagram(StreamDirection::kClientToServer, query(id, "example.com").view(), 29,
                           id, id);
  }
  h.session->on_datagram(StreamDirection::kServerToClient,
                         reply(1, "example.com", "1.1.1.1").view(), 45, 10, 10);
  h.session->on_datagram(StreamDirection::kServerToClient,
                         reply(3, "example.com", "1.1.1.1").view(), 45, 11, 11);
  auto recs = h.emitted.dns();
  REQUIRE(recs.size() == 5);
  CHECK(recs[3]->responsetimens() == 0);  // query 1 was dropped
  CHECK(recs[4]->queryframe() == 3);
  CHECK(h.emitted.anomalies() == std::vector<std::string>{"dns.too_many_pending"});
}

TEST_CASE("dns udp session: a datagram cut by the snap length") {
  SessionHarness h(false);
  Msg r = reply(9, "example.com", "1.2.3.4");
  h.session->on_datagram(StreamDirection::kServerToClient, Bytes(r.b).first(r.b.size() - 3),
                         static_cast<uint32_t>(r.b.size()), 1, 1);
  REQUIRE(h.emitted.dns().size() == 1);
  CHECK_FALSE(h.emitted.dns()[0]->complete());
  CHECK(h.emitted.anomalies() == std::vector<std::string>{"dns.truncated_message"});
}

TEST_CASE("dns tcp session: several messages per segment and messages split across segments") {
  SessionHarness h(true);
  std::vector<uint8_t> c2s = framed(query(1, "a.example"));
  auto q2 = framed(query(2, "b.example", 28));
  c2s.insert(c2s.end(), q2.begin(), q2.end());
  h.session->on_data(StreamDirection::kClientToServer, c2s, 100);
  std::vector<uint8_t> s2c = framed(reply(2, "b.example", "2.2.2.2"));
  auto r1 = framed(reply(1, "a.example", "1.1.1.1"));
  s2c.insert(s2c.end(), r1.begin(), r1.end());
  // byte by byte, then the rest
  for (size_t i = 0; i < 20; ++i)
    h.session->on_data(StreamDirection::kServerToClient, Bytes(s2c).subspan(i, 1),
                       200 + int64_t(i));
  h.session->on_data(StreamDirection::kServerToClient, Bytes(s2c).subspan(20), 300);
  h.session->on_end(StreamEndReason::kFin, 400);
  auto recs = h.emitted.dns();
  REQUIRE(recs.size() == 4);
  CHECK(recs[0]->id() == 1);
  CHECK(recs[1]->id() == 2);
  CHECK(recs[1]->querytype() == "AAAA");
  CHECK(recs[0]->transport() == "tcp");
  CHECK(recs[0]->frame() == 0);
  CHECK(recs[2]->id() == 2);
  CHECK(recs[2]->answers(0).ip() == "2.2.2.2");
  CHECK(recs[2]->timestamp() == 300);
  CHECK(recs[2]->questions(0).type() == 1);  // reply() always asks A: no match for the AAAA query
  CHECK(recs[2]->responsetimens() == 0);
  CHECK(recs[3]->id() == 1);
  CHECK(recs[3]->responsetimens() == 200);  // paired by id + question though answered second
  CHECK(recs[3]->queryframe() == 0);
  CHECK(h.emitted.anomalies().empty());
}

TEST_CASE("dns tcp session: gaps resynchronise inside a message, stop across a boundary") {
  SECTION("gap inside a message") {
    SessionHarness h(true);
    auto m1 = framed(reply(1, "a.example", "1.1.1.1"));
    auto m2 = framed(reply(2, "b.example", "2.2.2.2"));
    h.session->on_data(StreamDirection::kServerToClient, Bytes(m1).first(10), 1);
    h.session->on_gap(StreamDirection::kServerToClient, 5, 2);
    h.session->on_data(StreamDirection::kServerToClient, Bytes(m1).subspan(15), 3);
    h.session->on_data(StreamDirection::kServerToClient, m2, 4);
    auto recs = h.emitted.dns();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]->id() == 2);
    CHECK(h.emitted.anomalies() == std::vector<std::string>{"dns.tcp_gap"});
  }
  SECTION("gap over a boundary") {
    SessionHarness h(true);
    auto m1 = framed(reply(1, "a.example", "1.1.1.1"));
    h.session->on_data(StreamDirection::kServerToClient, Bytes(m1).first(10), 1);
    h.session->on_gap(StreamDirection::kServerToClient, m1.size(), 2);
    h.session->on_data(StreamDirection::kServerToClient, m1, 3);
    h.session->on_data(StreamDirection::kClientToServer, framed(query(5, "c.example")), 4);
    auto recs = h.emitted.dns();
    REQUIRE(recs.size() == 1);  // the other direction goes on
    CHECK(recs[0]->id() == 5);
    CHECK(h.emitted.anomalies() == std::vector<std::string>{"dns.tcp_gap"});
  }
}

TEST_CASE("dns tcp session: length prefix that does not fit the message; end inside a message") {
  SessionHarness h(true);
  Msg q = query(3, "example.com");
  q.u8(0).u8(0);  // two bytes beyond the sections, counted in the prefix
  h.session->on_data(StreamDirection::kClientToServer, framed(q), 1);
  h.session->on_data(StreamDirection::kClientToServer, std::vector<uint8_t>{0, 5, 1, 2, 3, 4, 5},
                     2);
  auto r = framed(reply(3, "example.com", "1.2.3.4"));
  h.session->on_data(StreamDirection::kServerToClient, Bytes(r).first(r.size() - 1), 3);
  h.session->on_end(StreamEndReason::kFin, 4);
  CHECK(h.emitted.dns().size() == 1);
  CHECK(h.emitted.anomalies() == std::vector<std::string>{"dns.tcp_length_mismatch",
                                                          "dns.tcp_length_mismatch",
                                                          "dns.truncated_message"});
}

// ---------------------------------------------------------------- detection through the app layer

TEST_CASE("dns detection: ports, content, mdns and llmnr") {
  AppRegistry registry;
  REQUIRE(register_app_dns(registry).is_ok());
  Limits limits;
  Emitted emitted;
  AppLayer layer(registry, limits, emitted);
  auto flow = [](uint8_t proto, uint16_t port) {
    FlowInfo f;
    f.flow_id = "C1";
    f.ip_protocol = proto;
    IpAddress::parse("10.0.0.1", f.client);
    IpAddress::parse("10.0.0.2", f.server);
    f.client_port = port == 5353 || port == 5355 ? port : 40000;
    f.server_port = port;
    return f;
  };
  SECTION("udp 53 and an odd port") {
    for (uint16_t port : {53, 5300}) {
      auto c = layer.create(flow(17, port));
      c->on_datagram(StreamDirection::kClientToServer, query(1, "example.com").view(), 29, 1, 1);
      CHECK(c->application_protocol() == "dns");
    }
  }
  SECTION("random udp and netbios are not dns") {
    auto c = layer.create(flow(17, 9999));
    std::vector<uint8_t> junk = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xfe};
    for (int i = 0; i < 4; ++i) c->on_datagram(StreamDirection::kClientToServer, junk, 14, i, i);
    CHECK(c->application_protocol().empty());
    auto n = layer.create(flow(17, 137));
    n->on_datagram(StreamDirection::kClientToServer, query(1, "example.com").view(), 29, 1, 1);
    CHECK(n->application_protocol().empty());
  }
  SECTION("mdns and llmnr") {
    Msg m;
    m.header(0, 0, 2, 0, 0, 0).name("_ipp._tcp.local").u16(12).u16(0x8001).ptr(12).u16(16).u16(1);
    auto c = layer.create(flow(17, 5353));
    c->on_datagram(StreamDirection::kClientToServer, m.view(), 0, 1, 1);
    CHECK(c->application_protocol() == "mdns");
    auto l = layer.create(flow(17, 5355));
    l->on_datagram(StreamDirection::kClientToServer, query(7, "wpad").view(), 0, 1, 2);
    CHECK(l->application_protocol() == "llmnr");
    auto recs = emitted.dns();
    REQUIRE(recs.size() == 2);
    CHECK(recs[0]->protocol() == "mdns");
    CHECK(recs[0]->questions(0).unicastresponse());
    CHECK(recs[1]->protocol() == "llmnr");
  }
  SECTION("tcp 53, query split before the question ends") {
    auto c = layer.create(flow(6, 53));
    auto q = framed(query(1, "example.com"));
    c->on_data(StreamDirection::kClientToServer, Bytes(q).first(16), 1);
    CHECK(c->application_protocol().empty());
    c->on_data(StreamDirection::kClientToServer, Bytes(q).subspan(16), 2);
    CHECK(c->application_protocol() == "dns");
    CHECK(emitted.dns().size() == 1);
  }
}

// ---------------------------------------------------------------- real captures

namespace {
std::vector<const DNS*> run_dns(const std::string& path, const char* protocol = "dns") {
  auto run = testing::run_capture(path);
  REQUIRE(run);
  static std::vector<std::unique_ptr<testing::CaptureRun>> keep;  // records outlive the call
  keep.push_back(std::make_unique<testing::CaptureRun>(std::move(run.value())));
  std::vector<const DNS*> out;
  for (const DNS* d : keep.back()->of<DNS>()) {
    if (d->protocol() == protocol) out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const DNS* a, const DNS* b) {
    return a->timestamp() != b->timestamp() ? a->timestamp() < b->timestamp() : a->id() < b->id();
  });
  return out;
}
}  // namespace

TEST_CASE("dns capture: sample dns-a-aaaa-mx (values checked against tshark)") {
  auto recs = run_dns(testing::sample_capture("dns-a-aaaa-mx.pcap"));
  REQUIRE(recs.size() == 6);
  CHECK(recs[0]->id() == 0x1a2d);
  CHECK(recs[0]->frame() == 1);
  CHECK(recs[0]->srcip() == "10.16.1.11");
  CHECK(recs[0]->srcport() == 55398);
  CHECK(recs[0]->queryname() == "google.com");
  CHECK(recs[0]->additionals_size() == 1);
  CHECK(recs[0]->additionals(0).typename_() == "OPT");
  const DNS& a = *recs[1];
  CHECK(a.srcip() == "8.8.8.8");
  CHECK(a.answers_size() == 12);
  CHECK(a.answers(0).answer() == "google.com A 216.197.242.244");
  CHECK(a.responsetimens() == 65'260'000);  // 1494364058.429337 - .364077
  CHECK(a.queryframe() == 1);
  CHECK(recs[3]->answers(0).ip() == "2607:f8b0:400f:801::200e");
  REQUIRE(recs[5]->answers_size() == 5);
  CHECK(recs[5]->answers(4).answer() == "google.com MX 50 alt4.aspmx.l.google.com");
  CHECK(recs[5]->answers(4).mx().preference() == 50);
}

TEST_CASE("dns capture: AXFR over TCP spanning several segments") {
  const std::string path = testing::shared_capture("dns-axfr-tcp.pcapng");
  if (path.empty()) return;
  auto recs = run_dns(path);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]->transport() == "tcp");
  CHECK(recs[0]->querytype() == "AXFR");
  const DNS& r = *recs[1];
  CHECK(r.complete());
  REQUIRE(r.answers_size() == 21);
  CHECK(r.answers(0).answer() ==
        "contoso.local SOA dns3.contoso.local hostmaster 71 900 600 86400 3600");
  CHECK(r.answers(0).soa().serial() == 71);
  CHECK(r.answers(4).srv().port() == 3268);
  CHECK(r.answers(4).srv().name() == "dns3.contoso.local");
  CHECK(r.answers(20).type() == 6);  // a zone transfer ends with the SOA again
  CHECK(r.responsetimens() > 0);
}

TEST_CASE("dns capture: truncated UDP answer retried over TCP with DNSSEC records") {
  const std::string path = testing::shared_capture("dns-truncated-tcp-fallback-dnssec.pcapng");
  if (path.empty()) return;
  auto recs = run_dns(path);
  REQUIRE(recs.size() == 4);
  CHECK(recs[1]->tc());
  CHECK(recs[1]->transport() == "udp");
  const DNS& t = *recs[3];
  CHECK(t.transport() == "tcp");
  REQUIRE(t.answers_size() == 8);
  // The DNSKEY set's RRSIG is made by one of the DNSKEYs in the same answer: key tags must
  // match. The DS set's RRSIG is made by the parent zone (net).
  std::vector<int> key_tags;
  for (const auto& rr : t.answers()) {
    if (rr.type() == 48) key_tags.push_back(rr.dnskey().keytag());
  }
  int sigs = 0;
  for (const auto& rr : t.answers()) {
    if (rr.type() != 46) continue;
    ++sigs;
    if (rr.rrsig().typecovered() == 48) {
      CHECK(std::find(key_tags.begin(), key_tags.end(), rr.rrsig().keytag()) != key_tags.end());
      CHECK(rr.rrsig().keytag() == 47252);
      CHECK(rr.rrsig().signername() == "ripe.net");
    } else {
      CHECK(rr.rrsig().typecoveredname() == "DS");
      CHECK(rr.rrsig().signername() == "net");
      CHECK(rr.rrsig().keytag() == 61988);
    }
  }
  CHECK(sigs == 2);
  for (const auto& rr : t.answers()) {
    if (rr.type() == 43) CHECK(rr.ds().digest().size() >= 40);
  }
}

TEST_CASE("dns capture: mixed record types, IPv6 fragments, link type 228") {
  if (std::string p = testing::shared_capture("dns-record-types-mix.pcap"); !p.empty()) {
    auto recs = run_dns(p);
    REQUIRE(recs.size() == 38);
    CHECK(recs[1]->answers(0).answer() == "google.com TXT \"v=spf1 ptr ?all\"");
    CHECK(recs[21]->responsecodename() == "NXDOMAIN");
    CHECK(recs[21]->aa());
    CHECK(recs[15]->answers(0).cname() == "www.l.google.com");
  }
  if (std::string p = testing::shared_capture("dns-ipv6-fragmented-txt.pcap"); !p.empty()) {
    auto recs = run_dns(p);
    REQUIRE(recs.size() == 5);
    CHECK(recs[1]->srcip() == "2607:f740:b::f93");
    CHECK(recs[1]->answers(0).txts_size() >= 3);
    CHECK(recs[1]->answers(0).txts(0) == "This TXT record should be ignored");
    CHECK(recs[1]->complete());
    CHECK(recs[4]->frame() == 8);
  }
  if (std::string p = testing::shared_capture("rawipv4-linktype228-dns.pcap"); !p.empty()) {
    auto recs = run_dns(p);
    REQUIRE(recs.size() == 2);
    CHECK(recs[1]->responsetimens() > 0);
  }
}

TEST_CASE("dns capture: mDNS and LLMNR of dns-many-queries-cname are their own protocols") {
  const std::string path = testing::shared_capture("dns-many-queries-cname.pcap");
  if (path.empty()) return;
  auto mdns = run_dns(path, "mdns");
  auto llmnr = run_dns(path, "llmnr");
  INFO("mdns " << mdns.size() << " llmnr " << llmnr.size());
  CHECK(mdns.size() + llmnr.size() > 0);
  for (const DNS* d : mdns) CHECK(d->dstport() == 5353);
}

TEST_CASE(
    "dns captures: well-formed DNS captures raise no dns anomalies; other flows are not taken") {
  const char* const kCaptures[] = {"dns-a-aaaa-mx.pcap",
                                   "dns-axfr-tcp.pcapng",
                                   "dns-txt.pcap",
                                   "dns-nxdomain-soa.pcap",
                                   "dns-record-types-mix.pcap",
                                   "dns-truncated-tcp-fallback-dnssec.pcapng",
                                   "dns-ipv6-fragmented-txt.pcap",
                                   "dns-many-queries-cname.pcap",
                                   "ntp-client-server.pcap",
                                   "sip-calls.pcap",
                                   "tftp-read.pcap",
                                   "linux-sll-mixed.pcap"};
  for (const char* name : kCaptures) {
    const std::string path = testing::shared_capture(name);
    if (path.empty()) continue;
    auto run = testing::run_capture(path);
    REQUIRE(run);
    std::map<std::string, int> protocols;
    for (const DNS* d : run->of<DNS>()) {
      ++protocols[d->protocol()];
      // Whatever we call DNS must be on a DNS port (no stolen NTP/SIP/TFTP/NetBIOS flows).
      const bool port = d->srcport() == 53 || d->dstport() == 53 || d->srcport() == 5353 ||
                        d->dstport() == 5353 || d->srcport() == 5355 || d->dstport() == 5355;
      CHECK(port);
    }
    std::vector<std::string> anomalies;
    for (const Anomaly* a : run->of<Anomaly>()) {
      if (a->name().rfind("dns.", 0) == 0) anomalies.push_back(a->name() + ": " + a->detail());
    }
    std::string summary;
    for (const auto& [p, n] : protocols) summary += p + "=" + std::to_string(n) + " ";
    INFO(name << ": " << summary);
    if (std::string(name) == "dns-axfr-tcp.pcapng") {
      // Windows nslookup appends "MS" to its AXFR query, inside the length prefix (frame 6).
      CHECK(anomalies ==
            std::vector<std::string>{
                "dns.tcp_length_mismatch: length prefix 33: 2 bytes after the last section"});
    } else {
      CHECK(anomalies == std::vector<std::string>{});
    }
    if (std::string(name) == "dns-many-queries-cname.pcap") {
      CHECK(protocols["dns"] == 428);  // tshark's dns.tsv rows
      CHECK(protocols["mdns"] > 0);
      CHECK(protocols["llmnr"] > 0);
    }
  }
}
