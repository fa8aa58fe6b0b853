// SMB: parser units with hand-built messages, the session (framing, compounds, async, gaps,
// observer), and the shared SMB2/SMB1 captures.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/smb/smb_parser.h"
#include "forensics/streams/smb/smb_session.h"
#include "forensics/streams/smb/tests/smb_test_support.h"
#include "proto/anomaly.pb.h"
#include "proto/smb.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::smb;
using namespace netcap::app::smb::test_support;

namespace {

struct Hdr {
  uint16_t command = 0;
  bool response = false;
  uint64_t message_id = 0;
  uint64_t session_id = 0;
  uint32_t tree_id = 0;
  uint32_t status = 0;
  uint32_t extra_flags = 0;
  uint64_t async_id = 0;
};

Buf header(const Hdr& h) {
  Buf b;
  raw(b, "\xFESMB");
  u16(b, 64);
  u16(b, 1);
  u32(b, h.status);
  u16(b, h.command);
  u16(b, 1);
  u32(b, (h.response ? kFlagResponse : 0) | h.extra_flags);
  u32(b, 0);  // NextCommand
  u64(b, h.message_id);
  if (h.extra_flags & kFlagAsync) {
    u64(b, h.async_id);
  } else {
    u32(b, 0);
    u32(b, h.tree_id);
  }
  u64(b, h.session_id);
  zeros(b, 16);
  return b;
}

// Joins messages into one compound (NextCommand chain, 8-byte aligned).
Buf compound(std::vector<Buf> parts) {
  Buf out;
  for (size_t i = 0; i < parts.size(); ++i) {
    Buf p = parts[i];
    if (i + 1 < parts.size()) {
      while (p.size() % 8) p.push_back(0);
      put32(p, 20, uint32_t(p.size()));
    }
    raw(out, p);
  }
  return out;
}

const uint8_t kGuid[16] = {0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
                           0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

Buf negotiate_request() {
  Buf b = header({kNegotiate, false, 0});
  u16(b, 36);
  u16(b, 3);  // DialectCount
  u16(b, 1);  // SecurityMode
  u16(b, 0);
  u32(b, 0x7f);  // Capabilities
  b.insert(b.end(), kGuid, kGuid + 16);
  u64(b, 0);
  u16(b, 0x0202);
  u16(b, 0x0300);
  u16(b, 0x0311);
  return b;
}

Buf negotiate_response() {
  Buf b = header({kNegotiate, true, 0});
  u16(b, 65);
  u16(b, 3);       // SecurityMode: enabled + required
  u16(b, 0x0311);  // DialectRevision
  u16(b, 0);
  b.insert(b.end(), kGuid, kGuid + 16);
  u32(b, 0x2f);     // Capabilities
  u32(b, 8 << 20);  // MaxTransactSize
  u32(b, 8 << 20);  // MaxReadSize
  u32(b, 8 << 20);  // MaxWriteSize
  zeros(b, 16);
  u16(b, 0);  // SecurityBufferOffset
  u16(b, 0);
  u32(b, 0);
  return b;
}

Buf ntlm_negotiate() {
  Buf b;
  raw(b, std::string_view("NTLMSSP\0", 8));
  u32(b, 1);
  u32(b, 0x00000001);
  zeros(b, 16);
  return b;
}

Buf ntlm_challenge() {
  Buf b;
  raw(b, std::string_view("NTLMSSP\0", 8));
  u32(b, 2);
  Buf name = utf16("CORP");
  u16(b, uint16_t(name.size()));
  u16(b, uint16_t(name.size()));
  u32(b, 56);
  u32(b, 0x02000001);  // UNICODE | VERSION
  raw(b, "\x11\x22\x33\x44\x55\x66\x77\x88");
  zeros(b, 8);
  u16(b, 0);
  u16(b, 0);
  u32(b, 56);
  u8(b, 10);
  u8(b, 0);
  u16(b, 19041);
  zeros(b, 4);
  raw(b, name);
  return b;
}

Buf ntlm_authenticate() {
  Buf payload, b;
  const uint32_t base = 88;
  Buf lm(24, 0);
  Buf nt;
  for (int i = 0; i < 16; ++i) nt.push_back(uint8_t(0xA0 + i));  // NTProofStr
  raw(nt, std::string_view("\x01\x01\0\0\0\0\0\0", 8));
  zeros(nt, 24);
  Buf dom = utf16("CORP"), user = utf16("alice"), ws = utf16("WS1");
  raw(b, std::string_view("NTLMSSP\0", 8));
  u32(b, 3);
  uint32_t off = base;
  for (const Buf* f : {&lm, &nt, &dom, &user, &ws}) {
    u16(b, uint16_t(f->size()));
    u16(b, uint16_t(f->size()));
    u32(b, off);
    off += uint32_t(f->size());
    raw(payload, *f);
  }
  u16(b, 0);
  u16(b, 0);
  u32(b, off);  // session key
  u32(b, 0x00000001);
  zeros(b, 8 + 16);  // Version, MIC
  REQUIRE(b.size() == base);
  raw(b, payload);
  return b;
}

// SPNEGO negTokenResp { responseToken OCTET STRING } around a token (short DER lengths).
Buf spnego_resp(const Buf& token) {
  Buf octet{0x04, uint8_t(token.size())};
  raw(octet, token);
  Buf a2{0xa2, uint8_t(octet.size())};
  raw(a2, octet);
  Buf seq{0x30, uint8_t(a2.size())};
  raw(seq, a2);
  Buf out{0xa1, uint8_t(seq.size())};
  raw(out, seq);
  return out;
}

Buf session_setup_request(uint64_t mid, uint64_t sid, const Buf& blob) {
  Buf b = header({kSessionSetup, false, mid, sid});
  u16(b, 25);
  u8(b, 0);
  u8(b, 1);
  u32(b, 1);
  u32(b, 0);
  u16(b, 64 + 24);
  u16(b, uint16_t(blob.size()));
  u64(b, 0);
  raw(b, blob);
  return b;
}

Buf session_setup_response(uint64_t mid, uint64_t sid, uint32_t status, const Buf& blob) {
  Buf b = header({kSessionSetup, true, mid, sid, 0, status});
  u16(b, 9);
  u16(b, 0);
  u16(b, blob.empty() ? 0 : 72);
  u16(b, uint16_t(blob.size()));
  raw(b, blob);
  return b;
}

Buf tree_connect_request(uint64_t mid, uint64_t sid, std::string_view path) {
  Buf b = header({kTreeConnect, false, mid, sid});
  Buf p = utf16(path);
  u16(b, 9);
  u16(b, 0);
  u16(b, 72);
  u16(b, uint16_t(p.size()));
  raw(b, p);
  return b;
}

Buf tree_connect_response(uint64_t mid, uint64_t sid, uint32_t tid) {
  Buf b = header({kTreeConnect, true, mid, sid, tid});
  u16(b, 16);
  u8(b, 1);  // disk
  u8(b, 0);
  u32(b, 0);
  u32(b, 0);
  u32(b, 0x1f01ff);
  return b;
}

Buf create_request(uint64_t mid, uint64_t sid, uint32_t tid, std::string_view name,
                   uint32_t options = 0x40, uint32_t extra_flags = 0) {
  Hdr h{kCreate, false, mid, sid, tid};
  h.extra_flags = extra_flags;
  Buf b = header(h);
  Buf n = utf16(name);
  u16(b, 57);
  u8(b, 0);
  u8(b, 0);
  u32(b, 2);
  u64(b, 0);
  u64(b, 0);
  u32(b, 0x12019f);  // DesiredAccess
  u32(b, 0x80);
  u32(b, 7);
  u32(b, 5);  // overwrite-if
  u32(b, options);
  u16(b, 120);
  u16(b, uint16_t(n.size()));
  u32(b, 0);
  u32(b, 0);
  raw(b, n);
  return b;
}

Buf create_response(uint64_t mid, uint64_t sid, uint32_t tid, uint64_t fid, uint64_t eof,
                    uint32_t status = 0, uint32_t extra_flags = 0) {
  Hdr h{kCreate, true, mid, sid, tid, status};
  h.extra_flags = extra_flags;
  Buf b = header(h);
  if (status != 0) {
    u16(b, 9);
    zeros(b, 7);
    return b;
  }
  u16(b, 89);
  u8(b, 0);
  u8(b, 0);
  u32(b, 2);  // created
  zeros(b, 32);
  u64(b, 4096);
  u64(b, eof);
  u32(b, 0x20);
  u32(b, 0);
  u64(b, fid);
  u64(b, fid + 1000);
  u32(b, 0);
  u32(b, 0);
  return b;
}

void file_id(Buf& b, uint64_t fid) {
  if (fid == ~uint64_t{0}) {
    u64(b, fid);
    u64(b, fid);
  } else {
    u64(b, fid);
    u64(b, fid + 1000);
  }
}

Buf write_request(uint64_t mid, uint64_t sid, uint32_t tid, uint64_t fid, uint64_t offset,
                  std::string_view data) {
  Buf b = header({kWrite, false, mid, sid, tid});
  u16(b, 49);
  u16(b, 112);
  u32(b, uint32_t(data.size()));
  u64(b, offset);
  file_id(b, fid);
  u32(b, 0);
  u32(b, 0);
  u16(b, 0);
  u16(b, 0);
  u32(b, 0);
  raw(b, data);
  return b;
}

Buf write_response(uint64_t mid, uint64_t sid, uint32_t tid, uint32_t count) {
  Buf b = header({kWrite, true, mid, sid, tid});
  u16(b, 17);
  u16(b, 0);
  u32(b, count);
  u32(b, 0);
  u16(b, 0);
  u16(b, 0);
  return b;
}

Buf read_request(uint64_t mid, uint64_t sid, uint32_t tid, uint64_t fid, uint64_t offset,
                 uint32_t length, uint32_t extra_flags = 0) {
  Hdr h{kRead, false, mid, sid, tid};
  h.extra_flags = extra_flags;
  Buf b = header(h);
  u16(b, 49);
  u8(b, 0x50);
  u8(b, 0);
  u32(b, length);
  u64(b, offset);
  file_id(b, fid);
  u32(b, 1);
  u32(b, 0);
  u32(b, 0);
  u16(b, 0);
  u16(b, 0);
  u8(b, 0);
  return b;
}

Buf read_response(uint64_t mid, uint64_t sid, uint32_t tid, std::string_view data,
                  uint32_t status = 0, uint32_t extra_flags = 0) {
  Hdr h{kRead, true, mid, sid, tid, status};
  h.extra_flags = extra_flags;
  Buf b = header(h);
  u16(b, 17);
  u8(b, 80);
  u8(b, 0);
  u32(b, uint32_t(data.size()));
  u32(b, 0);
  u32(b, 0);
  raw(b, data);
  return b;
}

Buf interim_response(uint16_t command, uint64_t mid) {
  Hdr h{command, true, mid, 0x11, 0, kStatusPending};
  h.extra_flags = kFlagAsync;
  h.async_id = 77;
  Buf b = header(h);
  u16(b, 9);
  zeros(b, 7);
  return b;
}

Buf set_info_delete(uint64_t mid, uint64_t sid, uint32_t tid, uint64_t fid) {
  Buf b = header({kSetInfo, false, mid, sid, tid});
  u16(b, 33);
  u8(b, 1);
  u8(b, 13);
  u32(b, 1);
  u16(b, 96);
  u16(b, 0);
  u32(b, 0);
  file_id(b, fid);
  u8(b, 1);
  return b;
}

Buf simple_response(uint16_t command, uint64_t mid, uint64_t sid, uint32_t tid) {
  Buf b = header({command, true, mid, sid, tid});
  u16(b, 2);
  u16(b, 0);
  return b;
}

Buf close_request(uint64_t mid, uint64_t sid, uint32_t tid, uint64_t fid,
                  uint32_t extra_flags = 0) {
  Hdr h{kClose, false, mid, sid, tid};
  h.extra_flags = extra_flags;
  Buf b = header(h);
  u16(b, 24);
  u16(b, 1);
  u32(b, 0);
  file_id(b, fid);
  return b;
}

Buf close_response(uint64_t mid, uint64_t sid, uint32_t tid, uint64_t eof,
                   uint32_t extra_flags = 0) {
  Hdr h{kClose, true, mid, sid, tid};
  h.extra_flags = extra_flags;
  Buf b = header(h);
  u16(b, 60);
  u16(b, 1);
  u32(b, 0);
  zeros(b, 32);
  u64(b, 4096);
  u64(b, eof);
  u32(b, 0x20);
  return b;
}

// The whole conversation of a client that logs on with NTLM, writes a file, reads it back and
// deletes it: (request, response) pairs in wire order.
std::vector<std::pair<Buf, Buf>> conversation() {
  std::vector<std::pair<Buf, Buf>> c;
  Buf read_resp = frame(interim_response(kRead, 7));
  raw(read_resp, frame(read_response(7, 0x11, 5, "hello world", 0, kFlagAsync)));
  c.push_back({frame(negotiate_request()), frame(negotiate_response())});
  c.push_back({frame(session_setup_request(1, 0, spnego_resp(ntlm_negotiate()))),
               frame(session_setup_response(1, 0x11, kStatusMoreProcessingRequired,
                                            spnego_resp(ntlm_challenge())))});
  c.push_back({frame(session_setup_request(2, 0x11, ntlm_authenticate())),
               frame(session_setup_response(2, 0x11, 0, {}))});
  c.push_back({frame(tree_connect_request(3, 0x11, "\\\\srv\\share")),
               frame(tree_connect_response(3, 0x11, 5))});
  c.push_back({frame(create_request(4, 0x11, 5, "dir\\report.txt")),
               frame(create_response(4, 0x11, 5, 42, 0))});
  c.push_back(
      {frame(write_request(5, 0x11, 5, 42, 0, "hello ")), frame(write_response(5, 0x11, 5, 6))});
  c.push_back(
      {frame(write_request(6, 0x11, 5, 42, 6, "world")), frame(write_response(6, 0x11, 5, 5))});
  c.push_back({frame(read_request(7, 0x11, 5, 42, 0, 11)), read_resp});
  c.push_back(
      {frame(set_info_delete(8, 0x11, 5, 42)), frame(simple_response(kSetInfo, 8, 0x11, 5))});
  c.push_back({frame(close_request(9, 0x11, 5, 42)), frame(close_response(9, 0x11, 5, 11))});
  c.push_back({frame(create_request(10, 0x11, 5, "missing.txt")),
               frame(create_response(10, 0x11, 5, 0, 0, 0xC0000034))});  // OBJECT_NAME_NOT_FOUND
  return c;
}

}  // namespace

TEST_CASE("smb: header, names and GUIDs") {
  Buf m = negotiate_request();
  auto h = parse_header(m);
  REQUIRE(h);
  CHECK(h->command == kNegotiate);
  CHECK_FALSE(h->is_response());
  NegotiateRequest r;
  REQUIRE(parse_negotiate_request(m, r));
  CHECK(r.dialects == std::vector<uint16_t>{0x0202, 0x0300, 0x0311});
  CHECK(r.client_guid == "{00112233-4455-6677-8899-aabbccddeeff}");
  CHECK(dialect_name(0x0311) == "3.1.1");
  CHECK(dialect_name(0x02FF) == "2.???");
  CHECK(dialect_name(0x1234) == "0x1234");
  const uint8_t u16le[] = {'a',  0,    0xe9, 0,    0x3d,
                           0xd8, 0x00, 0xde, 0x00, 0xd8};  // a é 😀 lone high surrogate
  CHECK(utf16le_to_utf8(Bytes(u16le, sizeof(u16le))) == "a\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd");
  Buf short_msg(m.begin(), m.begin() + 70);
  NegotiateRequest r2;
  CHECK_FALSE(parse_negotiate_request(short_msg, r2));
  CHECK_FALSE(parse_header(Buf{0xFE, 'S', 'M', 'B', 64}));
  CHECK(magic_of(Buf{0xFD, 'S', 'M', 'B'}) == Magic::kTransform);
}

TEST_CASE("smb: NTLMSSP messages raw and inside SPNEGO") {
  Buf challenge = ntlm_challenge();
  auto c = parse_ntlmssp(challenge);
  REQUIRE(c);
  CHECK(c->type == 2);
  CHECK(c->target_name == "CORP");
  CHECK(c->server_challenge == "1122334455667788");
  CHECK(c->version == "10.0.19041");
  SecurityBlob wrapped = parse_security_blob(spnego_resp(challenge));
  CHECK(wrapped.mechanism == "ntlmssp");
  REQUIRE(wrapped.ntlm);
  CHECK(wrapped.ntlm->server_challenge == "1122334455667788");
  auto a = parse_ntlmssp(ntlm_authenticate());
  REQUIRE(a);
  CHECK(a->type == 3);
  CHECK(a->user == "alice");
  CHECK(a->domain == "CORP");
  CHECK(a->workstation == "WS1");
  CHECK(a->nt_response.size() == 48);
  CHECK(a->lm_response.size() == 24);
  // A field pointing outside the token.
  Buf bad = ntlm_authenticate();
  put32(bad, 44, 5000);
  CHECK_FALSE(parse_ntlmssp(bad));
  SecurityBlob bad_blob = parse_security_blob(bad);
  CHECK(bad_blob.bad_ntlmssp);
  // Kerberos in negTokenInit: the mechanism is the first known mech OID.
  auto tlv = [](uint8_t tag, const Buf& content) {
    Buf b{tag, uint8_t(content.size())};
    raw(b, content);
    return b;
  };
  Buf init{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
  const Buf ms_krb5{0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
  raw(init, tlv(0xa0, tlv(0x30, tlv(0xa0, tlv(0x30, ms_krb5)))));
  CHECK(parse_security_blob(tlv(0x60, init)).mechanism == "kerberos");
}

TEST_CASE("smb: probe") {
  Buf m = frame(negotiate_request());
  ProbeInput in;
  in.client = m;
  CHECK(probe(in) == ProbeResult::kYes);
  Buf part(m.begin(), m.begin() + 6);
  in.client = part;
  CHECK(probe(in) == ProbeResult::kNeedMore);
  // NetBIOS session request first (port 139), then the SMB message.
  Buf nb{0x81, 0x00, 0x00, 0x44};
  zeros(nb, 0x44);
  in.client = nb;
  CHECK(probe(in) == ProbeResult::kNeedMore);
  raw(nb, m);
  in.client = nb;
  CHECK(probe(in) == ProbeResult::kYes);
  Buf http;
  raw(http, "GET / HTTP/1.1\r\n");
  in.client = http;
  CHECK(probe(in) == ProbeResult::kNo);
  Buf not_smb{0x00, 0x00, 0x00, 0x40, 'X', 'S', 'M', 'B'};
  in.client = not_smb;
  CHECK(probe(in) == ProbeResult::kNo);
}

TEST_CASE("smb: a whole conversation, in one piece and byte by byte") {
  for (size_t step : {size_t(0), size_t(1), size_t(13)}) {
    std::vector<Call> calls;
    std::vector<std::string> closed;
    Harness h([&](AppContext&) { return std::make_unique<TestObserver>(calls, closed); });
    // Requests and responses interleaved the way they cross the wire.
    for (const auto& [request, response] : conversation()) {
      h.client(request, step);
      h.server(response, step);
    }
    h.session->on_end(StreamEndReason::kFin, 1000);
    INFO("step " << step);
    CHECK(h.emitted.anomalies().empty());
    auto neg = h.emitted.of<SMB2Negotiate>();
    REQUIRE(neg.size() == 1);
    CHECK(neg[0]->version() == 3);
    CHECK(neg[0]->dialect() == "3.1.1");
    CHECK(neg[0]->dialects_size() == 3);
    CHECK(neg[0]->serverguid() == "{00112233-4455-6677-8899-aabbccddeeff}");
    CHECK(neg[0]->signingrequired());
    CHECK(neg[0]->maxreadsize() == 8u << 20);
    CHECK(neg[0]->clientip() == "10.0.0.1");
    CHECK(neg[0]->serverport() == 445);
    auto ss = h.emitted.of<SMB2SessionSetup>();
    REQUIRE(ss.size() == 2);
    CHECK(ss[0]->status() == kStatusMoreProcessingRequired);
    CHECK(ss[0]->mechanism() == "ntlmssp");
    CHECK(ss[0]->request().messagetype() == 1);
    CHECK(ss[0]->response().messagetype() == 2);
    CHECK(ss[0]->response().serverchallenge() == "1122334455667788");
    CHECK(ss[1]->sessionid() == 0x11);
    CHECK(ss[1]->user() == "alice");
    CHECK(ss[1]->domain() == "CORP");
    CHECK(ss[1]->workstation() == "WS1");
    CHECK(ss[1]->serverchallenge() == "1122334455667788");
    CHECK(ss[1]->request().ntlmv2());
    CHECK(ss[1]->request().ntresponselength() == 48);
    CHECK(ss[1]->request().ntproofstr() == "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    auto tc = h.emitted.of<SMB2TreeConnect>();
    REQUIRE(tc.size() == 1);
    CHECK(tc[0]->path() == "\\\\srv\\share");
    CHECK(tc[0]->sharetype() == "disk");
    CHECK(tc[0]->treeid() == 5);
    auto files = h.emitted.of<SMB2File>();
    REQUIRE(files.size() == 2);
    const SMB2File& f = *files[0];
    CHECK(f.filename() == "dir\\report.txt");
    CHECK(f.share() == "\\\\srv\\share");
    CHECK(f.status() == 0);
    CHECK(f.createdisposition() == 5);
    CHECK(f.byteswritten() == 11);
    CHECK(f.bytesread() == 11);
    CHECK(f.writes() == 2);
    CHECK(f.reads() == 1);
    REQUIRE(f.writeranges_size() == 1);  // 0+6 and 6+5 merged
    CHECK(f.writeranges(0).offset() == 0);
    CHECK(f.writeranges(0).length() == 11);
    REQUIRE(f.readranges_size() == 1);
    CHECK(f.endoffile() == 11);
    CHECK(f.deleted());
    CHECK(f.closetime() > f.timestamp());
    CHECK(f.dialect() == "3.1.1");
    CHECK(f.version() == 3);
    CHECK(f.fileid().size() == 32);
    CHECK(files[1]->filename() == "missing.txt");
    CHECK(files[1]->status() == 0xC0000034);
    CHECK(files[1]->fileid().empty());
    REQUIRE(calls.size() == 3);
    CHECK(calls[0].write);
    CHECK(calls[0].data == "hello ");
    CHECK(calls[1].offset == 6);
    CHECK(calls[2].file_name == "dir\\report.txt");
    CHECK_FALSE(calls[2].write);
    CHECK(calls[2].data == "hello world");
    CHECK(closed == std::vector<std::string>{"dir\\report.txt", "missing.txt"});
  }
}

TEST_CASE("smb: compounded related requests and responses") {
  Harness h;
  const uint32_t related = kFlagRelated;
  h.client(frame(tree_connect_request(1, 0x11, "\\\\srv\\c$")));
  h.server(frame(tree_connect_response(1, 0x11, 7)));
  h.client(frame(compound({create_request(2, 0x11, 7, "a.bin"),
                           read_request(3, 0x11, 7, ~uint64_t{0}, 100, 4, related),
                           close_request(4, 0x11, 7, ~uint64_t{0}, related)})));
  h.server(frame(
      compound({create_response(2, 0x11, 7, 9, 104), read_response(3, 0x11, 7, "DATA", 0, related),
                close_response(4, 0x11, 7, 104, related)})));
  h.session->on_end(StreamEndReason::kFin, 99);
  CHECK(h.emitted.anomalies().empty());
  auto files = h.emitted.of<SMB2File>();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->filename() == "a.bin");
  CHECK(files[0]->share() == "\\\\srv\\c$");
  CHECK(files[0]->bytesread() == 4);
  REQUIRE(files[0]->readranges_size() == 1);
  CHECK(files[0]->readranges(0).offset() == 100);
  CHECK(files[0]->endoffile() == 104);
  CHECK(files[0]->closetime() != 0);
}

TEST_CASE("smb: encrypted messages are counted silently, gaps resynchronise, bad frames") {
  Harness h;
  Buf transform;
  raw(transform, "\xFDSMB");
  zeros(transform, 60);
  h.client(frame(transform));
  h.client(frame(create_request(1, 0x11, 7, "x.txt")));
  // A gap in the middle of the server's message: the next frame is found again.
  Buf resp = frame(create_response(1, 0x11, 7, 3, 10));
  h.session->on_data(StreamDirection::kServerToClient, Bytes(resp).subspan(0, 30), 1);
  h.session->on_gap(StreamDirection::kServerToClient, 50, 2);
  Buf tail(resp.begin() + 80, resp.end());
  raw(tail, frame(create_response(2, 0x11, 7, 4, 10)));
  h.client(frame(create_request(2, 0x11, 7, "y.txt")));
  h.server(tail);
  // Garbage frame type.
  h.server(Buf{0x42, 0, 0, 0});
  h.session->on_end(StreamEndReason::kFin, 10);
  auto files = h.emitted.of<SMB2File>();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->filename() == "y.txt");
  auto an = h.emitted.anomalies();
  REQUIRE(an.size() == 1);
  CHECK(an[0].rfind("smb.bad_framing", 0) == 0);
}

TEST_CASE("smb: oversized and malformed messages") {
  Harness h;
  h.limits.max_handshake_bytes = 200;
  Buf big = create_request(1, 0x11, 7, std::string(300, 'a'));
  h.client(frame(big));
  Buf bad = create_request(2, 0x11, 7, "z");
  put32(bad, 64 + 44, 0xFFFF0000);  // NameOffset/NameLength far outside
  h.client(frame(bad));
  Buf bad_next = header({kEcho, false, 3});
  u16(bad_next, 4);
  u16(bad_next, 0);
  put32(bad_next, 20, 12);  // NextCommand not aligned / shorter than a header
  h.client(frame(bad_next));
  h.session->on_end(StreamEndReason::kFin, 10);
  auto an = h.emitted.anomalies();
  REQUIRE(an.size() == 3);
  CHECK(an[0].rfind("smb.message_too_large", 0) == 0);
  CHECK(an[1].rfind("smb.bad_command", 0) == 0);
  CHECK(an[2].rfind("smb.bad_header", 0) == 0);
}

TEST_CASE("smb: smb2-exe-copy capture") {
  const std::string path = testing::shared_capture("smb2-exe-copy.pcap");
  if (path.empty()) return;
  auto run = testing::run_capture(path, 2);
  REQUIRE(run.has_value());
  const auto& r = run.value();
  for (const Anomaly* a : r.of<Anomaly>()) CHECK(a->name().rfind("smb.", 0) != 0);
  auto neg = r.of<SMB2Negotiate>();
  REQUIRE(neg.size() == 1);
  CHECK(neg[0]->version() >= 2);
  CHECK_FALSE(neg[0]->dialect().empty());
  auto ss = r.of<SMB2SessionSetup>();
  REQUIRE(ss.size() == 1);
  CHECK(ss[0]->mechanism() == "kerberos");  // tshark: gss-api:spnego:spnego-krb5
  CHECK(ss[0]->sessionid() == 0x40000000011ull);
  auto tc = r.of<SMB2TreeConnect>();
  REQUIRE(tc.size() == 1);
  CHECK(tc[0]->sharetype() == "disk");
  // tshark export objects: \temp\mimikatz.exe 4096 bytes (first open), then 804352 bytes.
  std::vector<const SMB2File*> exe;
  for (const SMB2File* f : r.of<SMB2File>()) {
    if (f->filename().find("mimikatz.exe") != std::string::npos && f->bytesread() > 0)
      exe.push_back(f);
  }
  REQUIRE(exe.size() == 2);
  std::sort(exe.begin(), exe.end(),
            [](auto* a, auto* b) { return a->bytesread() < b->bytesread(); });
  CHECK(exe[0]->bytesread() == 4096);
  CHECK(exe[1]->bytesread() == 804352);
  CHECK(exe[1]->endoffile() == 804352);
  REQUIRE(exe[1]->readranges_size() == 1);
  CHECK(exe[1]->readranges(0).offset() == 0);
  CHECK(exe[1]->readranges(0).length() == 804352);
  CHECK(exe[1]->reads() == 13);
  CHECK(exe[1]->closetime() > exe[1]->timestamp());
  CHECK(exe[1]->version() == neg[0]->version());
}
