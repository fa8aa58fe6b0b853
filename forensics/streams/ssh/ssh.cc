// SSH over TCP: registration, probe and session.
#include <memory>
#include <string>

#include "forensics/app/text_util.h"
#include "forensics/streams/ssh/ssh_parser.h"
#include "forensics/streams/ssh/ssh_session.h"
#include "proto/ssh.pb.h"

namespace netcap::app {
namespace ssh {

namespace {

constexpr std::string_view kMagic = "SSH-";

// kYes when `b` starts with "SSH-", kNeedMore while it is a prefix of it, else kNo.
ProbeResult starts_ssh(Bytes b) {
  std::string_view t = as_text(b);
  const size_t n = std::min(t.size(), kMagic.size());
  if (t.substr(0, n) != kMagic.substr(0, n)) return ProbeResult::kNo;
  return n == kMagic.size() ? ProbeResult::kYes : ProbeResult::kNeedMore;
}

void fill_kexinit(const KexInit& k, SSHKexInit& out) {
  out.set_kexalgorithms(k.kex);
  out.set_serverhostkeyalgorithms(k.host_key);
  out.set_ciphersclienttoserver(k.ciphers_c2s);
  out.set_ciphersservertoclient(k.ciphers_s2c);
  out.set_macsclienttoserver(k.macs_c2s);
  out.set_macsservertoclient(k.macs_s2c);
  out.set_compressionclienttoserver(k.compression_c2s);
  out.set_compressionservertoclient(k.compression_s2c);
  out.set_languagesclienttoserver(k.languages_c2s);
  out.set_languagesservertoclient(k.languages_s2c);
  out.set_firstkexfollows(k.first_kex_follows);
  out.set_cookie(k.cookie_hex);
}

class SshSession : public AppSession {
 public:
  explicit SshSession(AppContext& ctx)
      : ctx_(ctx),
        client_(false, ctx.limits().max_handshake_bytes, events(false)),
        server_(true, ctx.limits().max_handshake_bytes, events(true)) {
    record_ = std::make_unique<SSH>();
  }

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override {
    if (record_ == nullptr) return;
    now_ = ts_ns;
    (dir == StreamDirection::kClientToServer ? client_ : server_).feed(data);
    if (client_.done() && server_.done()) emit(ts_ns);
  }

  void on_gap(StreamDirection dir, uint64_t, int64_t ts_ns) override {
    if (record_ == nullptr) return;
    (dir == StreamDirection::kClientToServer ? client_ : server_).gap();
    if (client_.done() && server_.done()) emit(ts_ns);
  }

  void on_end(StreamEndReason, int64_t ts_ns) override { emit(ts_ns); }

 private:
  DirectionParser::Events events(bool server) {
    DirectionParser::Events e;
    e.on_pre_banner_line = [this](std::string_view line) {
      // Bounded by DirectionParser::kMaxPreBannerLines.
      record_->add_serverprebannerlines(std::string(line));
    };
    e.on_banner = [this, server](const Banner& b) {
      if (first_ts_ == 0) first_ts_ = now_;
      if (server) {
        record_->set_serverbanner(b.line);
        record_->set_serverprotoversion(b.proto);
        record_->set_serversoftware(b.software);
        record_->set_servercomments(b.comments);
      } else {
        record_->set_clientbanner(b.line);
        record_->set_clientprotoversion(b.proto);
        record_->set_clientsoftware(b.software);
        record_->set_clientcomments(b.comments);
      }
    };
    e.on_packet = [this, server](Bytes payload) { packet(server, payload); };
    e.on_anomaly = [this](std::string_view problem, std::string detail) {
      ctx_.anomaly("ssh." + std::string(problem), std::move(detail), now_);
    };
    return e;
  }

  void packet(bool server, Bytes payload) {
    if (payload.empty() || payload[0] != kMsgKexInit) return;
    // Only the first KEXINIT of each side is in clear text; a repeated one is a protocol error.
    if (server ? record_->has_serverkexinit() : record_->has_clientkexinit()) {
      ctx_.anomaly("ssh.bad_packet",
                   std::string("second KEXINIT from the ") + (server ? "server" : "client") +
                       " before NEWKEYS",
                   now_);
      return;
    }
    std::optional<KexInit> k = parse_kexinit(payload);
    if (!k) {
      ctx_.anomaly("ssh.bad_packet",
                   std::string("malformed KEXINIT from the ") + (server ? "server" : "client") +
                       " (" + std::to_string(payload.size()) + " bytes)",
                   now_);
      return;
    }
    if (server) {
      fill_kexinit(*k, *record_->mutable_serverkexinit());
      record_->set_hasshserveralgorithms(hassh_server_string(*k));
      record_->set_hasshserver(md5_hex(record_->hasshserveralgorithms()));
    } else {
      fill_kexinit(*k, *record_->mutable_clientkexinit());
      record_->set_hasshalgorithms(hassh_client_string(*k));
      record_->set_hassh(md5_hex(record_->hasshalgorithms()));
    }
  }

  void negotiate_all() {
    if (!record_->has_clientkexinit() || !record_->has_serverkexinit()) return;
    const SSHKexInit& c = record_->clientkexinit();
    const SSHKexInit& s = record_->serverkexinit();
    record_->set_kexalgorithm(negotiate(c.kexalgorithms(), s.kexalgorithms()));
    record_->set_hostkeyalgorithm(
        negotiate(c.serverhostkeyalgorithms(), s.serverhostkeyalgorithms()));
    record_->set_cipherclienttoserver(
        negotiate(c.ciphersclienttoserver(), s.ciphersclienttoserver()));
    record_->set_cipherservertoclient(
        negotiate(c.ciphersservertoclient(), s.ciphersservertoclient()));
    record_->set_macclienttoserver(negotiate(c.macsclienttoserver(), s.macsclienttoserver()));
    record_->set_macservertoclient(negotiate(c.macsservertoclient(), s.macsservertoclient()));
    record_->set_compressionclienttoserver(
        negotiate(c.compressionclienttoserver(), s.compressionclienttoserver()));
    record_->set_compressionservertoclient(
        negotiate(c.compressionservertoclient(), s.compressionservertoclient()));
  }

  void emit(int64_t ts_ns) {
    if (record_ == nullptr) return;
    // Nothing SSH-like seen at all (e.g. a flow given to us at the end by its port only).
    if (record_->clientbanner().empty() && record_->serverbanner().empty()) {
      record_.reset();
      return;
    }
    negotiate_all();
    record_->set_clientnewkeys(client_.newkeys_seen());
    record_->set_servernewkeys(server_.newkeys_seen());
    record_->set_clientpackets(client_.packets());
    record_->set_serverpackets(server_.packets());
    ctx_.stamp(*record_, StreamDirection::kClientToServer, first_ts_ != 0 ? first_ts_ : ts_ns);
    ctx_.emit(std::move(record_));
  }

  AppContext& ctx_;
  std::unique_ptr<SSH> record_;  // null once written
  int64_t now_ = 0;
  int64_t first_ts_ = 0;
  DirectionParser client_;
  DirectionParser server_;
};

}  // namespace

ProbeResult probe(const ProbeInput& in) {
  ProbeResult c = in.client.empty() ? ProbeResult::kNeedMore : starts_ssh(in.client);
  ProbeResult s = in.server.empty() ? ProbeResult::kNeedMore : starts_ssh(in.server);
  if (c == ProbeResult::kYes || s == ProbeResult::kYes) return ProbeResult::kYes;
  // RFC 4253 §4.2: the server may send other lines before its version string. Only looked
  // for on the SSH port, where the probe may wait.
  const bool port22 = in.server_port == 22 || in.client_port == 22;
  if (port22 && s == ProbeResult::kNo && c != ProbeResult::kNo) {
    std::string_view t = as_text(in.server);
    if (t.find("\nSSH-") != std::string_view::npos) return ProbeResult::kYes;
    return in.server_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
  }
  if (c == ProbeResult::kNo || s == ProbeResult::kNo) return ProbeResult::kNo;
  if ((in.client.empty() || c == ProbeResult::kNeedMore) && in.client_final &&
      (in.server.empty() || s == ProbeResult::kNeedMore) && in.server_final) {
    return ProbeResult::kNo;
  }
  return ProbeResult::kNeedMore;
}

std::unique_ptr<AppSession> make_session(AppContext& ctx) {
  return std::make_unique<SshSession>(ctx);
}

}  // namespace ssh

Status register_app_ssh(AppRegistry& registry) {
  AppProtocol p;
  p.name = "ssh";
  p.transport = AppTransport::kTcp;
  p.ports = {22};
  p.probe = ssh::probe;
  p.create = ssh::make_session;
  return registry.add(std::move(p));
}

}  // namespace netcap::app
