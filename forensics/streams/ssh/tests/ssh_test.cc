// SSH: parser units, session behaviour (split segments, gaps, limits) and the sample capture.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "forensics/app/app_layer.h"
#include "forensics/app/testing/capture_runner.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/ssh/ssh_parser.h"
#include "forensics/streams/ssh/ssh_session.h"
#include "proto/anomaly.pb.h"
#include "proto/ssh.pb.h"

using namespace netcap;
using namespace netcap::app;

namespace {

// MD5 computed here with OpenSSL directly, independently of the code under test.
std::string md5_independent(const std::string& s) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), digest, &n, EVP_md5(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

void put_u32(std::string& out, uint32_t v) {
  out.push_back(char(v >> 24));
  out.push_back(char(v >> 16));
  out.push_back(char(v >> 8));
  out.push_back(char(v));
}

// A KEXINIT payload with the given 10 lists.
std::string kexinit_payload(const std::vector<std::string>& lists, bool follows = false) {
  std::string p;
  p.push_back(20);
  p.append(16, '\x11');
  for (const auto& l : lists) {
    put_u32(p, uint32_t(l.size()));
    p += l;
  }
  p.push_back(follows ? 1 : 0);
  put_u32(p, 0);
  return p;
}

// RFC 4253 §6 packet around `payload` (no MAC), padded to a multiple of 8.
std::string packet(const std::string& payload) {
  size_t pad = 8 - ((payload.size() + 5) % 8);
  if (pad < 4) pad += 8;
  std::string p;
  put_u32(p, uint32_t(payload.size() + pad + 1));
  p.push_back(char(pad));
  p += payload;
  p.append(pad, '\0');
  return p;
}

const std::vector<std::string> kClientLists = {"curve25519-sha256,diffie-hellman-group14-sha256",
                                               "ssh-ed25519,rsa-sha2-512",
                                               "aes128-ctr,aes256-ctr",
                                               "aes256-ctr,aes128-ctr",
                                               "hmac-sha2-256",
                                               "hmac-sha2-512",
                                               "none,zlib@openssh.com",
                                               "none",
                                               "",
                                               ""};
const std::vector<std::string> kServerLists = {"diffie-hellman-group14-sha256,curve25519-sha256",
                                               "rsa-sha2-512,ssh-ed25519",
                                               "aes256-ctr",
                                               "chacha20-poly1305@openssh.com,aes128-ctr",
                                               "hmac-sha2-256,hmac-sha1",
                                               "hmac-sha2-512",
                                               "none",
                                               "zlib@openssh.com,none",
                                               "",
                                               ""};

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
  std::unique_ptr<AppSession> session;
  explicit Harness(size_t max_handshake = 1024 * 1024) {
    limits.max_handshake_bytes = max_handshake;
    flow.flow_id = "Ctest";
    flow.ip_protocol = 6;
    IpAddress::parse("10.0.0.1", flow.client);
    IpAddress::parse("10.0.0.2", flow.server);
    flow.client_port = 50000;
    flow.server_port = 2222;
    ctx = std::make_unique<AppContext>(flow, limits, emitted, expectations, "ssh");
    session = ssh::make_session(*ctx);
  }
  void client(const std::string& s, int64_t ts = 1) {
    session->on_data(StreamDirection::kClientToServer, as_bytes(s), ts);
  }
  void server(const std::string& s, int64_t ts = 1) {
    session->on_data(StreamDirection::kServerToClient, as_bytes(s), ts);
  }
  // Byte by byte: every framing boundary falls inside a segment at some point.
  void client_bytewise(const std::string& s) {
    for (char c : s) client(std::string(1, c));
  }
};

ProbeInput probe_input(std::string_view client, std::string_view server, uint16_t port) {
  ProbeInput in;
  in.client = as_bytes(client);
  in.server = as_bytes(server);
  in.client_port = 50000;
  in.server_port = port;
  return in;
}

}  // namespace

TEST_CASE("ssh banner split into proto, software and comments") {
  ssh::Banner b = ssh::parse_banner("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13");
  CHECK(b.valid);
  CHECK(b.proto == "2.0");
  CHECK(b.software == "OpenSSH_9.6p1");
  CHECK(b.comments == "Ubuntu-3ubuntu13");
  b = ssh::parse_banner("SSH-1.99-Cisco-1.25");
  CHECK(b.valid);
  CHECK(b.proto == "1.99");
  CHECK(b.software == "Cisco-1.25");
  CHECK(b.comments.empty());
  CHECK_FALSE(ssh::parse_banner("SSH-2.0").valid);
  CHECK_FALSE(ssh::parse_banner("HTTP/1.1 200 OK").valid);
}

TEST_CASE("ssh KEXINIT parsed, HASSH strings follow the hassh definition") {
  std::string p = kexinit_payload(kClientLists, true);
  auto k = ssh::parse_kexinit(as_bytes(p));
  REQUIRE(k);
  CHECK(k->kex == kClientLists[0]);
  CHECK(k->macs_s2c == "hmac-sha2-512");
  CHECK(k->first_kex_follows);
  CHECK(k->cookie_hex == std::string(32, '1'));
  CHECK(ssh::hassh_client_string(*k) ==
        "curve25519-sha256,diffie-hellman-group14-sha256;aes128-ctr,aes256-ctr;hmac-sha2-256;"
        "none,zlib@openssh.com");
  // Server: the server-to-client lists (not netcap's client-to-server ones).
  CHECK(ssh::hassh_server_string(*k) ==
        "curve25519-sha256,diffie-hellman-group14-sha256;aes256-ctr,aes128-ctr;hmac-sha2-512;none");
  // Truncated anywhere: nothing.
  for (size_t n = 0; n < p.size(); ++n) {
    CHECK_FALSE(ssh::parse_kexinit(as_bytes(std::string_view(p).substr(0, n))));
  }
}

TEST_CASE("ssh negotiation takes the client's first algorithm the server lists") {
  CHECK(ssh::negotiate("a,b,c", "c,b") == "b");
  CHECK(ssh::negotiate("a", "b") == "");
  CHECK(ssh::negotiate("", "a") == "");
}

TEST_CASE("ssh probe: banner from either side, any port; not other protocols") {
  CHECK(ssh::probe(probe_input("", "SSH-2.0-x\r\n", 2222)) == ProbeResult::kYes);
  CHECK(ssh::probe(probe_input("SSH-2.0-y\r\n", "", 2222)) == ProbeResult::kYes);
  CHECK(ssh::probe(probe_input("", "SS", 2222)) == ProbeResult::kNeedMore);
  CHECK(ssh::probe(probe_input("", "", 2222)) == ProbeResult::kNeedMore);
  CHECK(ssh::probe(probe_input("GET / HTTP/1.1\r\n", "", 2222)) == ProbeResult::kNo);
  CHECK(ssh::probe(probe_input("", "220 ftp\r\n", 2222)) == ProbeResult::kNo);
  // Port 22: lines before the server's version string.
  CHECK(ssh::probe(probe_input("", "Welcome\r\n", 22)) == ProbeResult::kNeedMore);
  CHECK(ssh::probe(probe_input("", "Welcome\r\nSSH-2.0-x\r\n", 22)) == ProbeResult::kYes);
}

TEST_CASE("ssh session: banners and KEXINITs split byte by byte, record after NEWKEYS") {
  Harness h;
  h.server("SSH-2.0-OpenSSH_8.9 Debian\r\n" + packet(kexinit_payload(kServerLists)), 10);
  h.client_bytewise("SSH-2.0-PuTTY_0.78\r\n" + packet(kexinit_payload(kClientLists)));
  CHECK(h.emitted.of<SSH>().empty());
  h.client(packet(std::string(1, '\x1e') + "dh") + packet(std::string(1, '\x15')));
  CHECK(h.emitted.of<SSH>().empty());
  h.server(packet(std::string(1, '\x1f') + "reply") + packet(std::string(1, '\x15')) +
           "\x9a\x33 encrypted garbage after NEWKEYS");
  auto recs = h.emitted.of<SSH>();
  REQUIRE(recs.size() == 1);
  const SSH& r = *recs[0];
  CHECK(r.timestamp() == 10);
  CHECK(r.flowid() == "Ctest");
  CHECK(r.serverport() == 2222);
  CHECK(r.serversoftware() == "OpenSSH_8.9");
  CHECK(r.servercomments() == "Debian");
  CHECK(r.clientsoftware() == "PuTTY_0.78");
  CHECK(r.clientprotoversion() == "2.0");
  CHECK(r.clientkexinit().kexalgorithms() == kClientLists[0]);
  CHECK(r.serverkexinit().compressionservertoclient() == "zlib@openssh.com,none");
  CHECK(r.hasshalgorithms() ==
        kClientLists[0] + ";" + kClientLists[2] + ";" + kClientLists[4] + ";" + kClientLists[6]);
  CHECK(r.hassh() == md5_independent(r.hasshalgorithms()));
  CHECK(r.hasshserveralgorithms() ==
        kServerLists[0] + ";" + kServerLists[3] + ";" + kServerLists[5] + ";" + kServerLists[7]);
  CHECK(r.hasshserver() == md5_independent(r.hasshserveralgorithms()));
  CHECK(r.kexalgorithm() == "curve25519-sha256");
  CHECK(r.hostkeyalgorithm() == "ssh-ed25519");
  CHECK(r.cipherclienttoserver() == "aes256-ctr");
  CHECK(r.cipherservertoclient() == "aes128-ctr");
  CHECK(r.compressionservertoclient() == "none");
  CHECK(r.clientnewkeys());
  CHECK(r.servernewkeys());
  CHECK(r.clientpackets() == 3);
  CHECK(h.emitted.anomalies().empty());
  h.session->on_end(StreamEndReason::kFin, 99);
  CHECK(h.emitted.of<SSH>().size() == 1);
}

TEST_CASE("ssh session: too large KEXINIT, bad banner and gap are anomalies, record at end") {
  Harness h(256);
  std::vector<std::string> big = kClientLists;
  big[0] = std::string(400, 'k');
  h.client("SSH-2.0-x\r\n" + packet(kexinit_payload(big)));
  h.server("SSH-2.0\r\n");
  h.session->on_gap(StreamDirection::kServerToClient, 100, 5);
  h.session->on_end(StreamEndReason::kRst, 6);
  auto recs = h.emitted.of<SSH>();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]->hassh().empty());
  CHECK(recs[0]->serverbanner() == "SSH-2.0");
  auto a = h.emitted.anomalies();
  CHECK(std::count(a.begin(), a.end(), "ssh.kexinit_too_large") == 1);
  CHECK(std::count(a.begin(), a.end(), "ssh.bad_banner") == 1);
}

TEST_CASE("ssh session: bad packet length stops the direction; client junk is a bad banner") {
  Harness h;
  h.client(std::string("SSH-2.0-x\r\n") + std::string("\0\0\0\x02\x05zz", 7));
  h.server("HELLO\r\n");  // a server pre-banner line: allowed
  h.server("SSH-2.0-y\r\n");
  h.session->on_end(StreamEndReason::kFin, 2);
  auto recs = h.emitted.of<SSH>();
  REQUIRE(recs.size() == 1);
  REQUIRE(recs[0]->serverprebannerlines_size() == 1);
  CHECK(recs[0]->serverprebannerlines(0) == "HELLO");
  CHECK(h.emitted.anomalies() == std::vector<std::string>{"ssh.bad_packet"});

  Harness j;
  j.client("GET / HTTP/1.0\r\n");
  j.session->on_end(StreamEndReason::kFin, 2);
  CHECK(j.emitted.anomalies() == std::vector<std::string>{"ssh.bad_banner"});
  CHECK(j.emitted.of<SSH>().empty());
}

TEST_CASE("ssh sample capture: one record with both KEXINITs and correct HASSH values") {
  auto run = testing::run_capture(testing::sample_capture("ssh-session.pcap"));
  REQUIRE(run.has_value());
  auto recs = run.value().of<SSH>();
  REQUIRE(recs.size() == 1);
  const SSH& r = *recs[0];
  CHECK(r.clientip() == "192.150.186.169");
  CHECK(r.clientport() == 49244);
  CHECK(r.serverip() == "131.159.14.23");
  CHECK(r.serverport() == 22);
  INFO(r.DebugString());
  REQUIRE(r.has_clientkexinit());
  REQUIRE(r.has_serverkexinit());
  const SSHKexInit& c = r.clientkexinit();
  const SSHKexInit& s = r.serverkexinit();
  CHECK(r.hasshalgorithms() == c.kexalgorithms() + ";" + c.ciphersclienttoserver() + ";" +
                                   c.macsclienttoserver() + ";" + c.compressionclienttoserver());
  CHECK(r.hasshserveralgorithms() == s.kexalgorithms() + ";" + s.ciphersservertoclient() + ";" +
                                         s.macsservertoclient() + ";" +
                                         s.compressionservertoclient());
  CHECK(r.hassh() == md5_independent(r.hasshalgorithms()));
  CHECK(r.hasshserver() == md5_independent(r.hasshserveralgorithms()));
  CHECK(r.clientnewkeys());
  CHECK(r.servernewkeys());
  // Values computed outside netcap (a separate Python parse of the capture's streams and
  // hashlib.md5 of the hassh strings).
  CHECK(r.clientbanner() == "SSH-2.0-OpenSSH_3.8.1p1");
  CHECK(r.serverbanner() == "SSH-1.99-OpenSSH_3.9p1");
  CHECK(r.serverprotoversion() == "1.99");
  CHECK(r.serversoftware() == "OpenSSH_3.9p1");
  CHECK(r.hassh() == "c4fd9343cba76d12f0dd523fbe7c4da1");
  CHECK(r.hasshserver() == "f430cd6761697a6a658ee1d45ed22e49");
  CHECK(r.kexalgorithm() == "diffie-hellman-group-exchange-sha1");
  CHECK(r.cipherclienttoserver() == "aes128-cbc");
  CHECK(r.macclienttoserver() == "hmac-md5");
  auto conns = run.value().records.size();
  CHECK(conns > 0);
}

TEST_CASE("ssh on port 2222 is found by content through the registered protocols") {
  Limits limits;
  Emitted emitted;
  AppLayer layer(default_app_registry(), limits, emitted);
  FlowInfo f;
  f.flow_id = "C2222";
  f.ip_protocol = 6;
  IpAddress::parse("10.0.0.1", f.client);
  IpAddress::parse("10.0.0.2", f.server);
  f.client_port = 50000;
  f.server_port = 2222;
  auto c = layer.create(f);
  c->on_data(StreamDirection::kServerToClient, as_bytes("SSH-2.0-dropbear_2022.83\r\n"), 1);
  c->on_data(StreamDirection::kClientToServer,
             as_bytes("SSH-2.0-OpenSSH_9.6\r\n" + packet(kexinit_payload(kClientLists))), 2);
  c->on_end(StreamEndReason::kFin, 3);
  CHECK(c->application_protocol() == "ssh");
  auto recs = emitted.of<SSH>();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]->serversoftware() == "dropbear_2022.83");
  CHECK(recs[0]->hassh() == md5_independent(recs[0]->hasshalgorithms()));
}
