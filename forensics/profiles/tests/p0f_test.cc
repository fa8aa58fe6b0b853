// p0f.fp parser and matcher (forensics/profiles/p0f.h): a small fixture database
// (tests/data/p0f-small.fp), hostile text, and Debian's /etc/p0f/p0f.fp when installed.
#include "forensics/profiles/p0f.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace netcap;
using namespace netcap::profiles;

namespace {

const std::string kFixture =
    std::string(NETCAP_SOURCE_DIR) + "/forensics/profiles/tests/data/p0f-small.fp";

const P0fDatabase& fixture() {
  static const P0fDatabase kDb = [] {
    auto db = P0fDatabase::load(kFixture);
    REQUIRE(db);
    return std::move(db.value());
  }();
  return kDb;
}

std::string os_of(const std::optional<P0fMatch>& m) { return m ? m->label->os() : "(none)"; }

}  // namespace

TEST_CASE("p0f: a signature line and its fields", "[p0f]") {
  auto s = parse_p0f_tcp_signature("*:54+10:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0");
  REQUIRE(s);
  CHECK(s->ip_version == -1);
  CHECK(s->ttl == 64);
  CHECK_FALSE(s->random_ttl);
  CHECK(s->mss == 1460);
  CHECK(s->window_type == P0fWindow::kMss);
  CHECK(s->window == 20);
  CHECK(s->window_scale == 7);
  CHECK(s->layout == std::vector<uint8_t>{2, 4, 8, 1, 3});
  CHECK(s->quirks == (kP0fDf | kP0fNonZeroId));
  CHECK(s->payload_class == 0);

  s = parse_p0f_tcp_signature("4:64-:3:*:%8192,*:?30,sack,eol+7:ecn,0+,seq-,ack+,uptr+,bad:*");
  REQUIRE(s);
  CHECK(s->ip_version == 4);
  CHECK(s->random_ttl);
  CHECK(s->ip_options_length == 3);
  CHECK(s->mss == -1);
  CHECK(s->window_type == P0fWindow::kModulo);
  CHECK(s->window == 8192);
  CHECK(s->window_scale == -1);
  CHECK(s->layout == std::vector<uint8_t>{30, 5, 0});
  CHECK(s->eol_padding == 7);
  CHECK(s->quirks == (kP0fEcn | kP0fMustBeZero | kP0fZeroSeq | kP0fNonZeroAck | kP0fNonZeroUrg |
                      kP0fBadOptions));
  CHECK(s->payload_class == -1);

  s = parse_p0f_tcp_signature("6:128:0:0:mtu*4,0:::+");
  REQUIRE(s);
  CHECK(s->window_type == P0fWindow::kMtu);
  CHECK(s->layout.empty());
  CHECK(s->quirks == 0);
  CHECK(s->payload_class == 1);
  CHECK(parse_p0f_tcp_signature("*:64:0:*:*,*:mss:pushf+,urgf+,ts1-,ts2+,opt+,exws,ack-:0"));

  // Malformed: each names its problem.
  for (const char* text : {
           "",
           "5:64:0:*:*,*:mss::0",            // IP version
           "*:0:0:*:*,*:mss::0",             // TTL 0
           "*:300:0:*:*,*:mss::0",           // TTL > 255
           "*:250+10:0:*:*,*:mss::0",        // TTL + distance > 255
           "*:64:0:70000:*,*:mss::0",        // MSS
           "*:64:0:*:%1,*:mss::0",           // divisor < 2
           "*:64:0:*:mss*0,*:mss::0",        // multiplier 0
           "*:64:0:*:mss*1001,*:mss::0",     // multiplier > 1000
           "*:64:0:*:65536,*:mss::0",        // window
           "*:64:0:*:1024*:mss::0",          // no ','
           "*:64:0:*:*,256:mss::0",          // scale
           "*:64:0:*:*,*:mss,eol+1,nop::0",  // EOL not last
           "*:64:0:*:*,*:mss,,nop::0",       // empty option
           "*:64:0:*:*,*:mss,foo::0",        // unknown option
           "*:64:0:*:*,*:?300::0",           // option kind > 255
           "*:64:0:*:*,*:mss:df,zz:0",       // unknown quirk
           "6:64:0:*:*,*:mss:df:0",          // df is IPv4's
           "4:64:0:*:*,*:mss:flow:0",        // flow is IPv6's
           "*:64:0:*:*,*:mss::x",            // payload class
           "*:64:0:*:*,*:mss::0 trailing",   // text after the end
           "*:64:0:*:*,*:mss",               // cut short
           "*:64:0:*:*,*:nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,"
           "nop,nop,nop,nop,nop,nop,nop::0",         // 25 options
           "*:99999999999999999999:0:*:*,*:mss::0",  // a number too long
       }) {
    CAPTURE(text);
    auto bad = parse_p0f_tcp_signature(text);
    CHECK_FALSE(bad);
    CHECK_FALSE(bad.status().message().empty());
  }
}

TEST_CASE("p0f: the fixture database loads without errors", "[p0f]") {
  const P0fDatabase& db = fixture();
  CHECK(db.error_count() == 0);
  CHECK(db.errors().empty());
  CHECK(db.request_signatures() == 10);
  CHECK(db.response_signatures() == 2);
  CHECK(db.size() == 12);
  CHECK(db.labels() == 9);  // [mtu] and [http:*] labels are not TCP labels
}

TEST_CASE("p0f: exact, generic and fuzzy SYN matches", "[p0f]") {
  const P0fDatabase& db = fixture();
  // Linux 3.11+: window 20 * MSS, scale 7; 7 hops from the capture point.
  auto m = db.match("4:57:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0", true);
  REQUIRE(m);
  CHECK(m->label->os() == "Linux 3.11 and newer");
  CHECK(m->label->os_class == "unix");
  CHECK_FALSE(m->fuzzy);
  CHECK_FALSE(m->generic);
  CHECK(m->distance == 7);
  CHECK(m->line == 22);
  // The generic label comes first in the file, yet a specific match wins; with a window the
  // specific signatures do not have, the generic one answers.
  m = db.match("4:64:0:1460:64240,7:mss,sok,ts,nop,ws:df,id+:0", true);
  REQUIRE(m);
  CHECK(m->label->os() == "Linux 2.2.x-3.x");
  CHECK(m->generic);
  CHECK_FALSE(m->fuzzy);
  CHECK(m->distance == 0);
  // Windows 7 or 8 (the same signature for IPv6: '*').
  CHECK(os_of(db.match("4:121:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0", true)) ==
        "Windows 7 or 8");
  CHECK(os_of(db.match("6:128:0:1440:8192,8:mss,nop,ws,nop,nop,sok::0", true)) == "Windows 7 or 8");
  // IPv6 ignores the IPv4-only quirks of a '*' signature: 28800 = 20 * 1440.
  m = db.match("6:60:0:1440:28800,7:mss,sok,ts,nop,ws::0", true);
  REQUIRE(m);
  CHECK(m->label->os() == "Linux 3.11 and newer");
  CHECK_FALSE(m->fuzzy);
  CHECK(m->distance == 4);
  // A flavorless label is named by its name alone.
  CHECK(os_of(db.match("4:64:0:1460:65535,5:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0", true)) ==
        "Mac OS X");

  // Fuzzy: DF cleared on the way ('df' and 'id+' gone), or 'ecn' added. A fuzzy answer is the
  // first fuzzy candidate in file order (as in p0f): here the generic label placed first.
  m = db.match("4:57:0:1460:29200,7:mss,sok,ts,nop,ws::0", true);
  REQUIRE(m);
  CHECK(m->label->os() == "Linux 2.2.x-3.x");
  CHECK(m->fuzzy);
  CHECK(m->generic);
  CHECK(m->distance == 7);
  m = db.match("4:57:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+,ecn:0", true);
  REQUIRE(m);
  CHECK(m->label->os() == "Windows 7 or 8");
  CHECK(m->fuzzy);
  CHECK_FALSE(m->generic);
  m = db.match("4:57:0:1460:8192,8:mss,nop,ws,nop,nop,sok:id-:0", true);
  REQUIRE(m);
  CHECK(m->fuzzy);
  // Fuzzy by TTL: more than 35 hops below the initial TTL; the distance is then p0f's guess
  // from the observed TTL (to the next of 32, 64, 128, 255).
  m = db.match("4:80:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0", true);
  REQUIRE(m);
  CHECK(m->label->os() == "Windows 7 or 8");
  CHECK(m->fuzzy);
  CHECK(m->distance == 48);
  m = db.match("4:20:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0", true);
  REQUIRE(m);
  CHECK(m->fuzzy);
  CHECK(m->distance == 12);
  // Above the initial TTL is fuzzy too.
  m = db.match("4:129:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0", true);
  REQUIRE(m);
  CHECK(m->fuzzy);
  CHECK(m->distance == 126);
  // Not tolerated: another quirk, another layout, padding, IP options, payload.
  CHECK_FALSE(db.match("4:57:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+,seq-:0", true));
  CHECK_FALSE(db.match("4:57:0:1460:29200,7:mss,sok,ts,ws:df,id+:0", true));
  CHECK_FALSE(db.match("4:57:4:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0", true));
  CHECK_FALSE(db.match("4:57:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:+", true));
  // The SYN+ACK section is another table.
  CHECK_FALSE(db.match("4:57:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0", false));
}

TEST_CASE("p0f: window forms, IP version and random-TTL tools", "[p0f]") {
  const P0fDatabase& db = fixture();
  // mtu*2: 3000 = 2 * (1460 + 40).
  auto m = db.match("4:120:0:1460:3000,0:mss,nop,ws::0", true);
  REQUIRE(m);
  CHECK(m->label->os() == "OpenVMS 8.x");
  // ... but that signature is IPv4's (p0f 3.09b would also match IPv6; the README says '4').
  CHECK_FALSE(db.match("6:120:0:1440:3000,0:mss,nop,ws::0", true));
  // %8192: any multiple.
  CHECK(os_of(db.match("4:60:0:1400:24576,0:mss::0", true)) == "TestOS window divisor");
  CHECK_FALSE(db.match("4:60:0:1400:24577,0:mss::0", true));
  // 64-: any TTL up to 64 is an exact match; above it, nothing.
  m = db.match("4:37:0:1460:1024,0:mss::0", true);
  REQUIRE(m);
  CHECK(m->label->application());
  CHECK(m->label->name == "NMap");
  CHECK(m->label->systems == std::vector<std::string>{"@unix", "@win"});
  CHECK(m->distance == 27);
  CHECK_FALSE(db.match("4:70:0:1460:1024,0:mss::0", true));
  // Applications are never matched fuzzily.
  CHECK_FALSE(db.match("4:37:0:1460:1024,0:mss:ecn:0", true));
  // Observed signatures have no wildcards.
  CHECK_FALSE(db.match("*:57:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0", true));
  CHECK_FALSE(db.match("4:57:0:*:29200,7:mss,sok,ts,nop,ws:df,id+:0", true));
  CHECK_FALSE(db.match("not a signature", true));
}

TEST_CASE("p0f: SYN+ACK windows that are a multiple of the client's MSS", "[p0f]") {
  const P0fDatabase& db = fixture();
  // 13800 is 10 * 1380, the SYN's MSS, and no multiple of the server's own 1400 (nor of the
  // MTU forms p0f tries).
  const char* synack = "4:62:0:1400:13800,7:mss,sok,ts,nop,ws:df:0";
  auto m = db.match(synack, false, 1380);
  REQUIRE(m);
  CHECK(m->label->os() == "Linux 3.x");
  CHECK(m->distance == 2);
  CHECK_FALSE(db.match(synack, false, 0));
  CHECK_FALSE(db.match(synack, false, 1381));
  // 14000 = 10 * 1400: the server's own MSS.
  CHECK(os_of(db.match("4:62:0:1400:14000,0:mss,sok,ts,nop,ws:df:0", false)) == "Linux 3.x");
}

TEST_CASE("p0f: hostile database text is skipped line by line and reported", "[p0f]") {
  const std::string text =
      "sig = *:64:0:*:*,*:mss::0\n"               // 1: before any section
      "classes = win,unix\n"                      // 2
      "[tcp:request]\n"                           // 3
      "sig = *:64:0:*:*,*:mss::0\n"               // 4: no label yet
      "label = x:unix:Linux:2.x\n"                // 5: bad type
      "label = s:beos:BeOS:5\n"                   // 6: undeclared class
      "label = s:unix:Li{nux:2.x\n"               // 7: bad name
      "label = s:unix:Linux:3.x\n"                // 8
      "sig = *:64:0:*:mss*10,*:mss,sok::0\n"      // 9: fine
      "sig = *:64:0:*:mss*10,*:mss,sok::\n"       // 10: bad signature
      "bogus line without equals\n"               // 11
      "frob = 1\n"                                // 12: unknown field
      "classes = other\n"                         // 13: too late
      "label = s:!:Tool:1\n"                      // 14
      "sig = *:64:0:*:*,*:mss::0\n"               // 15: application without sys
      "sys = @beos\n"                             // 16: undeclared class
      "sys = Linux,@unix\n"                       // 17
      "sig = *:64-:0:*:*,*:mss::0\n"              // 18: fine
      "sys = Linux\n"                             // 19: sys twice
      "[tcp:sideways]\n"                          // 20: unknown section
      "sig = *:64:0:*:*,*:mss::0\n"               // 21: ignored (unknown section)
      "[tcp:response]\n"                          // 22
      "sig = *:64:0:*:*,*:mss::0\n"               // 23: labels do not cross sections
      "label = s:win:Windows:XP\r\n"              // 24: CRLF is tolerated
      "sig = *:128:0:*:65535,0:mss:df,id+:0\r\n"  // 25
      + std::string(5000, 'x') + "\n";            // 26: too long
  P0fDatabase db = P0fDatabase::parse(text);
  CHECK(db.request_signatures() == 2);
  CHECK(db.response_signatures() == 1);
  CHECK(db.error_count() == 15);
  std::string all;
  for (const std::string& e : db.errors()) all += e + "\n";
  CAPTURE(all);
  for (int line : {1, 4, 5, 6, 7, 10, 11, 12, 13, 15, 16, 19, 20, 23, 26}) {
    CHECK(all.find("line " + std::to_string(line) + ":") != std::string::npos);
  }
  CHECK(all.find("class 'beos' not declared") != std::string::npos);
  CHECK(os_of(db.match("4:64:0:1460:65535,0:mss:df,id+:0", false)) == "Windows XP");

  // Limits: signatures, kept error texts, file size.
  P0fLimits small;
  small.max_signatures = 1;
  small.max_errors_kept = 2;
  P0fDatabase limited = P0fDatabase::parse(text, small);
  CHECK(limited.size() == 1);
  CHECK(limited.errors().size() == 2);
  CHECK(limited.error_count() == db.error_count() + 2);
  P0fLimits tiny;
  tiny.max_file_bytes = 100;
  auto too_big = P0fDatabase::load(kFixture, tiny);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.status().message().find("larger than 100 bytes") != std::string::npos);
  auto missing = P0fDatabase::load("/nonexistent/p0f.fp");
  REQUIRE_FALSE(missing);
  CHECK(missing.status().message().find("/nonexistent/p0f.fp") != std::string::npos);
  CHECK(P0fDatabase::parse("").size() == 0);
  CHECK(P0fDatabase::parse(std::string_view("\0\0[\n=\n", 7)).size() == 0);
}

TEST_CASE("p0f: Debian's p0f.fp parses cleanly and names Linux and Windows", "[p0f]") {
  const std::string path(kDefaultP0fFile);
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is not installed (Debian package p0f)");
    return;
  }
  auto db = P0fDatabase::load(path);
  REQUIRE(db);
  for (const std::string& e : db->errors()) UNSCOPED_INFO(e);
  CHECK(db->error_count() == 0);
  // Every 'sig' line of the two TCP sections was kept (counted here without the parser).
  size_t sig_lines[2] = {0, 0};
  int section = -1;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("["))
      section = line == "[tcp:request]" ? 1 : line == "[tcp:response]" ? 0 : -1;
    if (section >= 0 && line.starts_with("sig")) ++sig_lines[section];
  }
  CHECK(db->request_signatures() == sig_lines[1]);
  CHECK(db->response_signatures() == sig_lines[0]);
  CHECK(db->request_signatures() >= 80);
  CHECK(db->response_signatures() >= 80);
  // A Linux 3.11+ SYN (as tcp_signature.h writes it) and a Windows 7 SYN.
  auto linux_syn = db->match("4:61:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0", true);
  REQUIRE(linux_syn);
  CHECK(linux_syn->label->os() == "Linux 3.11 and newer");
  CHECK_FALSE(linux_syn->fuzzy);
  CHECK(linux_syn->distance == 3);
  auto windows_syn = db->match("4:127:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0", true);
  REQUIRE(windows_syn);
  CHECK(windows_syn->label->os() == "Windows 7 or 8");
  CHECK(windows_syn->label->os_class == "win");
  CHECK(windows_syn->distance == 1);
  // A Linux SYN+ACK (window 10 * MSS) and a Windows one.
  CHECK(os_of(db->match("4:64:0:1460:14600,0:mss,nop,nop,sok:df:0", false)) == "Linux 3.x");
  CHECK(os_of(db->match("4:128:0:1460:8192,8:mss,nop,ws,sok,ts:df,id+:0", false)) ==
        "Windows 7 or 8");
}
