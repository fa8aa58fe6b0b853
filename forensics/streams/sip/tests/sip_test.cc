// SIP: parser units, UDP/TCP sessions, and the shared sip-calls capture.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/sip/sip_parser.h"
#include "forensics/streams/sip/sip_session.h"
#include "proto/anomaly.pb.h"
#include "proto/sip.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::sip;

namespace {

struct Emitted : RecordEmitter {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  void emit(std::unique_ptr<google::protobuf::Message> r) override {
    records.push_back(std::move(r));
  }
  template <typename T>
  std::vector<const T*> of() const {
    std::vector<const T*> out;
    for (const auto& r : records) {
      if (r->GetDescriptor() == T::descriptor()) out.push_back(static_cast<const T*>(r.get()));
    }
    return out;
  }
  std::vector<std::string> anomalies() const {
    std::vector<std::string> out;
    for (const Anomaly* a : of<Anomaly>()) out.push_back(a->name());
    return out;
  }
};

struct Harness {
  Limits limits;
  Emitted emitted;
  ExpectationTable expectations{limits, emitted};
  FlowInfo flow;
  std::unique_ptr<AppContext> ctx;
  explicit Harness(uint8_t proto) {
    flow.flow_id = "Csip";
    flow.ip_protocol = proto;
    IpAddress::parse("192.168.1.2", flow.client);
    IpAddress::parse("212.242.33.35", flow.server);
    flow.client_port = 5060;
    flow.server_port = 5060;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "sip");
  }
};

const char kInvite[] =
    "INVITE sip:97239287044@voip.brujula.net SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bKnp104984053;rport\r\n"
    "From: \"arik\" <sip:816666@voip.brurjula.net>;tag=6433ef9\r\n"
    "To: <sip:97239287044@voip.brujula.net>\r\n"
    "Call-ID: 105090259-446faf7a@192.168.1.2\r\n"
    "CSeq: 1 INVITE\r\n"
    "User-Agent: Nero SIPPS IP Phone Version 2.0.51.16\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 203\r\n"
    "Contact: <sip:816666@192.168.1.2>\r\n"
    "\r\n"
    "v=0\r\n"
    "o=SIPPS 105015165 105015162 IN IP4 192.168.1.2\r\n"
    "s=SIP call\r\n"
    "c=IN IP4 192.168.1.2\r\n"
    "t=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 8 97\r\n"
    "a=rtpmap:0 pcmu/8000\r\n"
    "a=rtpmap:8 pcma/8000\r\n"
    "a=rtpmap:97 iLBC/8000\r\n"
    "a=sendrecv\r\n";

const char kCompactResponse[] =
    "SIP/2.0 407 authentication required\r\n"
    "i: 85216695-42dcdb1d@192.168.1.2\r\n"
    "f: \"arik\" <sip:voi18062@sip.cybercity.dk>;tag=51449dc\r\n"
    "t: <sip:0097239287044@sip.cybercity.dk>;tag=00-04073\r\n"
    "v: SIP/2.0/UDP 192.168.1.2:5060;received=80.230.219.70;rport=5060;branch=z9hG4bKnp85,\r\n"
    " SIP/2.0/TCP proxy.example:5060;branch=z9hG4bKx\r\n"
    "CSeq: 1 INVITE\r\n"
    "Proxy-Authenticate: Digest "
    "realm=\"sip.cybercity.dk\",nonce=\"1701b4767d\",opaque=\"1701a\",stale=false,algorithm=MD5\r\n"
    "Server: Cirpack/v4.38e (gw_sip)\r\n"
    "m: <sip:212.242.33.35:5060>, \"B, Two\" <sip:b@x>;expires=10\r\n"
    "l: 0\r\n"
    "\r\n";

}  // namespace

TEST_CASE("sip: start lines") {
  auto r = parse_start_line("REGISTER sip:sip.cybercity.dk SIP/2.0");
  REQUIRE(r);
  CHECK(r->is_request);
  CHECK(r->method == "REGISTER");
  CHECK(r->request_uri == "sip:sip.cybercity.dk");
  auto s = parse_start_line("SIP/2.0 100 trying -- your call is important to us");
  REQUIRE(s);
  CHECK_FALSE(s->is_request);
  CHECK(s->status_code == 100);
  CHECK(s->reason == "trying -- your call is important to us");
  CHECK_FALSE(parse_start_line("GET / HTTP/1.1"));
  CHECK_FALSE(parse_start_line("SIP/2.0 abc OK"));
  CHECK_FALSE(parse_start_line("INVITE sip:x SIP/3.0"));
  CHECK_FALSE(parse_start_line("IN VITE sip:x y SIP/2.0"));
  CHECK(check_start_line("INVITE sip:a@b SIP/2.0\r\nVia") == StartLineCheck::kYes);
  CHECK(check_start_line("SIP/2") == StartLineCheck::kPrefix);
  CHECK(check_start_line("OPTIONS sip:a@") == StartLineCheck::kPrefix);
  CHECK(check_start_line("GET / HTTP/1.1\r\n") == StartLineCheck::kNo);
  CHECK(check_start_line("\x16\x03\x01") == StartLineCheck::kNo);
}

TEST_CASE("sip: head with SDP, name-addr, via and digest fields") {
  std::string_view text = kInvite;
  auto end = find_head_end(text);
  REQUIRE(end);
  Message m;
  std::vector<Problem> problems;
  REQUIRE(parse_head(text.substr(0, end->head_length), 256, m, problems));
  CHECK(problems.empty());
  CHECK(m.call_id == "105090259-446faf7a@192.168.1.2");
  CHECK(m.from.display_name == "arik");
  CHECK(m.from.uri == "sip:816666@voip.brurjula.net");
  CHECK(m.from.tag == "6433ef9");
  CHECK(m.to.uri == "sip:97239287044@voip.brujula.net");
  CHECK(m.to.tag.empty());
  CHECK(m.cseq_number == 1);
  CHECK(m.cseq_method == "INVITE");
  REQUIRE(m.via.size() == 1);
  CHECK(m.via[0].transport == "UDP");
  CHECK(m.via[0].sent_by == "192.168.1.2:5060");
  CHECK(m.via[0].branch == "z9hG4bKnp104984053");
  CHECK(m.content_length == 203);
  std::string_view body = text.substr(end->body_start);
  CHECK(body.size() == 203);
  Sdp sdp = parse_sdp(body, 100, problems);
  CHECK(problems.empty());
  CHECK(sdp.owner_username == "SIPPS");
  CHECK(sdp.owner_address == "192.168.1.2");
  CHECK(sdp.session_name == "SIP call");
  CHECK(sdp.connection_addresses == std::vector<std::string>{"192.168.1.2"});
  REQUIRE(sdp.media.size() == 1);
  CHECK(sdp.media[0].media == "audio");
  CHECK(sdp.media[0].port == 30000);
  CHECK(sdp.media[0].protocol == "RTP/AVP");
  CHECK(sdp.media[0].formats == std::vector<std::string>{"0", "8", "97"});
  CHECK(sdp.media[0].direction == "sendrecv");
  REQUIRE(sdp.media[0].rtpmaps.size() == 3);
  CHECK(sdp.media[0].rtpmaps[2].payload_type == 97);
  CHECK(sdp.media[0].rtpmaps[2].encoding == "iLBC");
  CHECK(sdp.media[0].rtpmaps[2].clock_rate == 8000);
  CHECK(sdp.codecs == std::vector<std::string>{"pcmu/8000", "pcma/8000", "iLBC/8000"});
}

TEST_CASE("sip: compact forms, folding, lists and challenges") {
  std::string_view text = kCompactResponse;
  auto end = find_head_end(text);
  REQUIRE(end);
  Message m;
  std::vector<Problem> problems;
  REQUIRE(parse_head(text.substr(0, end->head_length), 256, m, problems));
  CHECK(problems.empty());
  CHECK(m.start.status_code == 407);
  CHECK(m.call_id == "85216695-42dcdb1d@192.168.1.2");
  CHECK(m.from.tag == "51449dc");
  CHECK(m.to.tag == "00-04073");
  REQUIRE(m.via.size() == 2);
  CHECK(m.via[0].received == "80.230.219.70");
  CHECK(m.via[0].rport == "5060");
  CHECK(m.via[1].transport == "TCP");
  REQUIRE(m.contact.size() == 2);
  CHECK(m.contact[1].display_name == "B, Two");
  CHECK(m.contact[1].uri == "sip:b@x");
  CHECK(m.content_length == 0);
  CHECK(m.has_challenge);
  REQUIRE(m.challenge);
  CHECK(m.challenge->header == "Proxy-Authenticate");
  CHECK(m.challenge->scheme == "Digest");
  CHECK(m.challenge->realm == "sip.cybercity.dk");
  CHECK(m.challenge->nonce == "1701b4767d");
  CHECK(m.challenge->algorithm == "MD5");
  Digest d = parse_digest(
      "Authorization",
      "Digest username=\"voi18063\",realm=\"sip.cybercity.dk\",uri=\"sip:192.168.1.2\","
      "nonce=\"1701af\",opaque=\"1701a\",nc=\"00000001\",response=\"bd79fe\"");
  CHECK(d.username == "voi18063");
  CHECK(d.uri == "sip:192.168.1.2");
  CHECK(d.response == "bd79fe");
  CHECK(d.nc == "00000001");
}

TEST_CASE("sip: malformed heads raise anomalies") {
  Message m;
  std::vector<Problem> problems;
  CHECK_FALSE(parse_head("HELLO world\r\nX: y\r\n", 256, m, problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].name == "bad_start_line");
  problems.clear();
  Message m2;
  CHECK(
      parse_head("SIP/2.0 200 OK\r\nnocolon\r\nCSeq: x INVITE\r\nContent-Length: -1\r\nA: 1\r\nB: "
                 "2\r\nC: 3\r\n",
                 4, m2, problems));
  std::set<std::string> names;
  for (auto& p : problems) names.insert(p.name);
  CHECK(names == std::set<std::string>{"bad_header_line", "bad_cseq", "bad_content_length",
                                       "too_many_headers"});
  CHECK(m2.headers.size() == 4);
}

TEST_CASE("sip: probe") {
  ProbeInput in;
  std::string a = "REGISTER sip:x SIP/2.0\r\n";
  in.client = as_bytes(a);
  CHECK(probe(in) == ProbeResult::kYes);
  std::string b = "REGIS";
  in.client = as_bytes(b);
  CHECK(probe(in) == ProbeResult::kNeedMore);
  in.client_final = true;
  CHECK(probe(in) == ProbeResult::kNo);
  std::string c = "GET / HTTP/1.1\r\n";
  in = {};
  in.client = as_bytes(c);
  CHECK(probe(in) == ProbeResult::kNo);
  in = {};
  CHECK(probe(in) == ProbeResult::kNeedMore);
  std::string d = "SIP/2.0 200 OK\r\n";
  in.server = as_bytes(d);
  CHECK(probe(in) == ProbeResult::kYes);
}

TEST_CASE("sip: UDP session emits one record per datagram") {
  Harness h(17);
  auto s = make_udp_session(*h.ctx);
  s->on_datagram(StreamDirection::kClientToServer, as_bytes(kInvite), sizeof(kInvite) - 1, 100, 19);
  s->on_datagram(StreamDirection::kServerToClient, as_bytes(kCompactResponse),
                 sizeof(kCompactResponse) - 1, 200, 20);
  s->on_datagram(StreamDirection::kServerToClient, as_bytes("\r\n\r\n"), 4, 300, 21);
  auto recs = h.emitted.of<SIP>();
  REQUIRE(recs.size() == 2);
  CHECK(h.emitted.anomalies().empty());
  const SIP& inv = *recs[0];
  CHECK(inv.timestamp() == 100);
  CHECK(inv.frame() == 19);
  CHECK(inv.flowid() == "Csip");
  CHECK(inv.srcip() == "192.168.1.2");
  CHECK(inv.dstip() == "212.242.33.35");
  CHECK(inv.transport() == "udp");
  CHECK(inv.isrequest());
  CHECK(inv.method() == "INVITE");
  CHECK(inv.useragent() == "Nero SIPPS IP Phone Version 2.0.51.16");
  CHECK(inv.bodylength() == 203);
  REQUIRE(inv.sdp().media_size() == 1);
  CHECK(inv.sdp().media(0).port() == 30000);
  CHECK(inv.sdp().media(0).connectionaddress() == "192.168.1.2");
  CHECK(inv.headers_size() == 9);
  const SIP& resp = *recs[1];
  CHECK(resp.srcip() == "212.242.33.35");
  CHECK(resp.statuscode() == 407);
  CHECK(resp.haschallenge());
  CHECK(resp.challenge().nonce() == "1701b4767d");
  CHECK(resp.server() == "Cirpack/v4.38e (gw_sip)");
  CHECK(resp.contentlength() == 0);
}

TEST_CASE("sip: UDP Content-Length larger than the datagram") {
  Harness h(17);
  auto s = make_udp_session(*h.ctx);
  std::string msg = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 50\r\n\r\nshort";
  s->on_datagram(StreamDirection::kClientToServer, as_bytes(msg), uint32_t(msg.size()), 1, 1);
  CHECK(h.emitted.of<SIP>().size() == 1);
  CHECK(h.emitted.anomalies() == std::vector<std::string>{"sip.bad_content_length"});
}

TEST_CASE("sip: TCP framing by Content-Length across any segmentation") {
  std::string stream = std::string("\r\n") + kInvite + kCompactResponse + kInvite;
  for (size_t step : {size_t(1), size_t(7), size_t(100), stream.size()}) {
    Harness h(6);
    auto s = make_tcp_session(*h.ctx);
    for (size_t i = 0; i < stream.size(); i += step) {
      s->on_data(StreamDirection::kClientToServer,
                 as_bytes(std::string_view(stream).substr(i, step)), int64_t(i));
    }
    s->on_end(StreamEndReason::kFin, 999);
    auto recs = h.emitted.of<SIP>();
    REQUIRE(recs.size() == 3);
    CHECK(h.emitted.anomalies().empty());
    CHECK(recs[0]->method() == "INVITE");
    CHECK(recs[0]->transport() == "tcp");
    CHECK(recs[0]->sdp().media_size() == 1);
    CHECK(recs[1]->statuscode() == 407);
    CHECK(recs[2]->sdp().codecs_size() == 3);
  }
}

TEST_CASE("sip: TCP gap resynchronises at the next start line") {
  Harness h(6);
  auto s = make_tcp_session(*h.ctx);
  std::string first(kInvite);
  s->on_data(StreamDirection::kClientToServer, as_bytes(first.substr(0, 60)), 1);
  s->on_gap(StreamDirection::kClientToServer, 500, 2);
  std::string rest = "Content-Length: 0\r\n\r\n" + std::string(kCompactResponse);
  s->on_data(StreamDirection::kClientToServer, as_bytes(rest), 3);
  std::string cut = "BYE sip:x SIP/2.0\r\nCall-ID: z\r\n";
  s->on_data(StreamDirection::kClientToServer, as_bytes(cut), 4);
  s->on_end(StreamEndReason::kFin, 5);
  auto recs = h.emitted.of<SIP>();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]->statuscode() == 407);
  CHECK(h.emitted.anomalies() == std::vector<std::string>{"sip.truncated_message"});
}

TEST_CASE("sip: sip-calls capture") {
  const std::string path = testing::shared_capture("sip-calls.pcap");
  if (path.empty()) return;
  auto run = testing::run_capture(path, 2);
  REQUIRE(run.has_value());
  auto recs = run.value().of<SIP>();
  // tshark: 81 frames eth:ethertype:ip:udp:sip (oracle frames.tsv).
  REQUIRE(recs.size() == 81);
  std::map<std::string, int> methods, statuses, call_ids;
  int with_sdp = 0;
  const SIP* first_invite = nullptr;
  const SIP* ringing = nullptr;
  for (const SIP* r : recs) {
    CHECK(r->transport() == "udp");
    if (r->isrequest()) {
      methods[r->method()]++;
    } else {
      statuses[std::to_string(r->statuscode())]++;
    }
    call_ids[r->callid()]++;
    if (r->sdp().media_size() > 0) ++with_sdp;
    if (r->frame() == 19) first_invite = r;
    if (r->frame() == 74) ringing = r;
  }
  // Counted from the capture's bytes (request lines, status lines, Call-ID headers).
  CHECK(methods ==
        std::map<std::string, int>{{"ACK", 7}, {"CANCEL", 11}, {"INVITE", 11}, {"REGISTER", 18}});
  CHECK(statuses == std::map<std::string, int>{{"100", 7},
                                               {"183", 1},
                                               {"200", 3},
                                               {"401", 14},
                                               {"403", 3},
                                               {"407", 3},
                                               {"408", 2},
                                               {"480", 1}});
  CHECK(call_ids == std::map<std::string, int>{{"578222729-4665d775@578222732-4665d772", 26},
                                               {"105090259-446faf7a@192.168.1.2", 18},
                                               {"29858147-465b0752@29858051-465b07b2", 14},
                                               {"85216695-42dcdb1d@192.168.1.2", 8},
                                               {"11894297-4432a9f8@192.168.1.2", 8},
                                               {"24487391-449bf2a0@192.168.1.2", 7}});
  CHECK(with_sdp == 12);
  REQUIRE(first_invite != nullptr);
  CHECK(first_invite->method() == "INVITE");
  CHECK(first_invite->requesturi() == "sip:97239287044@voip.brujula.net");
  CHECK(first_invite->from().displayname() == "arik");
  REQUIRE(first_invite->sdp().media_size() == 1);
  CHECK(first_invite->sdp().media(0).port() == 30000);
  CHECK(first_invite->sdp().media(0).formats_size() == 5);
  REQUIRE(ringing != nullptr);
  CHECK(ringing->statuscode() == 183);
  REQUIRE(ringing->sdp().media_size() == 1);
  CHECK(ringing->sdp().media(0).port() == 40392);
  CHECK(ringing->sdp().media(0).connectionaddress() == "212.242.33.36");
  REQUIRE(ringing->sdp().codecs_size() == 2);
  CHECK(ringing->sdp().codecs(0) == "PCMA/8000");
  CHECK(ringing->sdp().codecs(1) == "PCMU/8000");
  // Frame 3 carries credentials (the next issue turns them into Credentials records).
  for (const SIP* r : recs) {
    if (r->frame() != 3) continue;
    CHECK(r->hasauthorization());
    CHECK(r->authorization().username() == "voi18063");
    CHECK(r->authorization().response() == "bd79fecae600a2eb79d37ec73214830b");
  }
}
