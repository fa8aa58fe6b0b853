// Kerberos session: turns the datagrams of a UDP flow, or the record-marked stream of a TCP
// connection (RFC 4120 §7.2.2: every message preceded by a 4-byte big-endian length whose high
// bit is reserved), into Kerberos records, pairs replies with requests (by order per message
// type; retransmitted requests are recognised by their nonce) and writes the crackable parts
// as Credentials (kerberos_parser.h: krb5pa/krb5tgs/krb5asrep hashcat lines).
//
// Thread-safety: one session per flow, used by its shard thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "forensics/app/app_protocol.h"
#include "forensics/app/credentials.h"
#include "forensics/app/length_prefix_framer.h"
#include "forensics/streams/kerberos/kerberos_parser.h"

namespace netcap::app::kerberos {

// Largest TCP message accepted: four times Windows' largest Kerberos token (MaxTokenSize
// 65535). A longer record is skipped (its length is known) and reported.
inline constexpr size_t kMaxTcpMessageBytes = 256 * 1024;

// Salts learnt from PA-ETYPE-INFO2 on a shard, so that an AS-REQ on a new UDP flow (Windows
// uses a new port for the retry after KDC_ERR_PREAUTH_REQUIRED) writes the user name as the
// KDC stores it (AES salts are case-sensitive). Per shard (ShardState); both directions of a
// client-KDC pair land on the same shard. Bounded: the oldest entry goes first.
class SaltCache {
 public:
  static constexpr size_t kMaxEntries = 4096;
  void put(const std::string& key, const std::string& salt);
  const std::string* find(const std::string& key) const;

 private:
  std::unordered_map<std::string, std::string> salts_;
  std::deque<std::string> order_;
};

class KerberosSession : public AppSession {
 public:
  KerberosSession(AppContext& ctx, bool tcp);

  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override;
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override;
  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts_ns,
                   uint64_t frame) override;
  void on_end(StreamEndReason reason, int64_t ts_ns) override;

 private:
  struct Pending {
    int msg_type = 0;
    StreamDirection dir = StreamDirection::kClientToServer;
    int64_t ts_ns = 0;
    uint64_t frame = 0;
    uint32_t nonce = 0;
    bool pre_authenticated = false;        // carried PA-ENC-TIMESTAMP
    std::optional<Credential> credential;  // waiting for the KDC's answer
  };

  void handle_message(StreamDirection dir, Bytes msg, int64_t ts_ns, uint64_t frame, bool snap_cut);
  // Adds a request; false when it is a retransmission of a pending one.
  bool add_pending(Pending p, int64_t ts_ns);
  // The oldest pending request a reply of `msg_type` from `dir` answers (removed), if any.
  std::optional<Pending> take_pending(int msg_type, StreamDirection dir);
  void resolve(Pending& p, const KrbMessage& reply);
  void emit_held(Pending& p, LoginResult result, std::string_view detail);
  // The user part hashcat appends to the realm for an AES salt (see SaltCache).
  std::string salted_user(const std::string& realm, const PrincipalName& name) const;
  void learn_salt(const std::string& salt);

  void credential_for_request(const KrbMessage& m, Pending& p);
  void credential_for_reply(const KrbMessage& m, const std::optional<Pending>& request,
                            int64_t ts_ns);

  AppContext& ctx_;
  bool tcp_;
  LengthPrefixFramer framers_[2] = {LengthPrefixFramer(4), LengthPrefixFramer(4)};
  std::deque<Pending> pending_;  // oldest first, at most Limits::max_pending_transactions
  bool pending_overflow_reported_ = false;
  std::string salt_prefix_;  // "client server " of the flow: the SaltCache key prefix
};

}  // namespace netcap::app::kerberos
