// SMB registration and session (see smb_session.h).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/util/byte_cursor.h"
#include "forensics/app/credentials.h"
#include "forensics/app/text_util.h"
#include "forensics/streams/smb/smb_files.h"
#include "forensics/streams/smb/smb_parser.h"
#include "forensics/streams/smb/smb_session.h"
#include "proto/smb.pb.h"

namespace netcap::app {

namespace smb {

namespace {

constexpr uint16_t kDirectTcpPort = 445;
constexpr uint16_t kNetbiosPort = 139;
// Commands in one SMB1 AndX chain. [MS-CIFS] sets no bound; clients chain two or three
// (SESSION_SETUP_ANDX + TREE_CONNECT_ANDX, LOCKING_ANDX + READ_ANDX).
constexpr size_t kMaxAndXCommands = 16;
// NetBIOS session service packet types (RFC 1002 §4.3.1).
constexpr uint8_t kNbSessionMessage = 0x00;
constexpr uint8_t kNbFirstControl = 0x81;  // session request
constexpr uint8_t kNbLastControl = 0x85;   // keep-alive
// Kept from the NT response of an AUTHENTICATE: NTLMv2 blobs are a few hundred bytes.
constexpr size_t kMaxNtResponseBytes = 4096;
// NTSTATUS STATUS_BUFFER_OVERFLOW: a READ/QUERY_INFO with partial data is still data.
constexpr uint32_t kCreateDeleteOnClose = 0x00001000;  // CreateOptions FILE_DELETE_ON_CLOSE
constexpr uint32_t kAttributeDirectory = 0x00000010;   // FILE_ATTRIBUTE_DIRECTORY
constexpr uint8_t kInfoFile = 0x01;                    // SMB2_0_INFO_FILE
constexpr uint8_t kFileDispositionInformation = 13;    // [MS-FSCC] 2.4.11
constexpr uint8_t kFileDispositionInformationEx = 64;  // [MS-FSCC] 2.4.12
constexpr uint8_t kFileEndOfFileInformation = 20;      // [MS-FSCC] 2.4.14
constexpr uint8_t kFileStandardInformation = 5;        // [MS-FSCC] 2.4.41
constexpr uint8_t kFileAllInformation = 18;            // [MS-FSCC] 2.4.2

const char* command_name(uint16_t c) {
  static const char* const kNames[] = {
      "NEGOTIATE",     "SESSION_SETUP", "LOGOFF",   "TREE_CONNECT", "TREE_DISCONNECT",
      "CREATE",        "CLOSE",         "FLUSH",    "READ",         "WRITE",
      "LOCK",          "IOCTL",         "CANCEL",   "ECHO",         "QUERY_DIRECTORY",
      "CHANGE_NOTIFY", "QUERY_INFO",    "SET_INFO", "OPLOCK_BREAK"};
  return c < std::size(kNames) ? kNames[c] : "UNKNOWN";
}

std::string hex32(uint32_t v) {
  char buf[12];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

// An NTLMSSP message copied out of the message buffer.
struct NtlmInfo {
  uint32_t type = 0, flags = 0;
  std::string domain, user, workstation, target_name, server_challenge, version;
  uint32_t nt_length = 0, lm_length = 0;
  std::string nt_hex, lm_hex, nt_proof;

  static NtlmInfo from(const Ntlmssp& m) {
    NtlmInfo n;
    n.type = m.type;
    n.flags = m.flags;
    n.domain = m.domain;
    n.user = m.user;
    n.workstation = m.workstation;
    n.target_name = m.target_name;
    n.server_challenge = m.server_challenge;
    n.version = m.version;
    n.nt_length = static_cast<uint32_t>(m.nt_response.size());
    n.lm_length = static_cast<uint32_t>(m.lm_response.size());
    n.nt_hex = hex(m.nt_response.subspan(0, std::min(m.nt_response.size(), kMaxNtResponseBytes)));
    n.lm_hex = hex(m.lm_response.subspan(0, std::min(m.lm_response.size(), kMaxNtResponseBytes)));
    // NTLMv2 ([MS-NLMP] 3.3.2): NTProofStr (16 bytes) then the client blob.
    if (m.nt_response.size() > 24) n.nt_proof = hex(m.nt_response.subspan(0, 16));
    return n;
  }

  void fill(SMBNtlmssp* out) const {
    out->set_messagetype(type);
    out->set_flags(flags);
    out->set_domain(domain);
    out->set_user(user);
    out->set_workstation(workstation);
    out->set_targetname(target_name);
    out->set_serverchallenge(server_challenge);
    out->set_ntresponselength(nt_length);
    out->set_lmresponselength(lm_length);
    out->set_ntlmv2(nt_length > 24);
    out->set_ntproofstr(nt_proof);
    out->set_ntresponse(nt_hex);
    out->set_lmresponse(lm_hex);
    out->set_version(version);
  }
};

// What a request said that its response needs.
struct Pending {
  uint16_t command = 0;
  int64_t ts = 0;
  uint64_t session_id = 0;
  uint32_t tree_id = 0;
  FileId file_id;
  uint64_t offset = 0;
  // NEGOTIATE
  NegotiateRequest negotiate;
  // SESSION_SETUP
  std::string mechanism;
  std::optional<NtlmInfo> ntlm;
  // TREE_CONNECT
  std::string path;
  // CREATE
  CreateRequest create;
  // SET_INFO / QUERY_INFO
  uint8_t info_type = 0, info_class = 0;
  bool set_delete = false;
  std::optional<uint64_t> set_eof;
};

// Byte ranges merged when adjacent or overlapping, at most `max` of them.
class Ranges {
 public:
  // False when a new disjoint range was dropped at the bound.
  bool add(uint64_t offset, uint64_t length, size_t max) {
    if (length == 0) return true;
    uint64_t start = offset;
    uint64_t end = offset + length < offset ? ~uint64_t{0} : offset + length;
    bool merged = false;
    auto it = ranges_.upper_bound(start);
    if (it != ranges_.begin()) {
      auto prev = std::prev(it);
      if (prev->second >= start) {
        start = prev->first;
        end = std::max(end, prev->second);
        it = ranges_.erase(prev);
        merged = true;
      }
    }
    while (it != ranges_.end() && it->first <= end) {
      end = std::max(end, it->second);
      it = ranges_.erase(it);
      merged = true;
    }
    if (!merged && ranges_.size() >= max) return false;
    ranges_[start] = end;
    return true;
  }
  template <typename AddFn>
  void each(AddFn&& add) const {
    for (const auto& [s, e] : ranges_) add(s, e - s);
  }

 private:
  std::map<uint64_t, uint64_t> ranges_;  // start -> end (exclusive)
};

struct OpenFile {
  SMB2File record;
  FileRef ref;
  Ranges reads, writes;
  bool ranges_full = false;
  bool pipe = false;   // SMB1 ResourceType says named pipe: no file contents
  uint64_t order = 0;  // opening order, for evicting the oldest
};

// What one command of an SMB1 request chain said that its response needs.
struct Smb1PendingCommand {
  uint8_t command = 0;
  bool parsed = true;  // false: the request did not fit its structure, nothing to pair with
  bool answered = false;
  std::string path;            // TREE_CONNECT_ANDX
  Smb1NtCreateRequest create;  // NT_CREATE_ANDX, OPEN_ANDX (name only)
  uint16_t fid = 0;            // READ_ANDX, CLOSE
  uint64_t offset = 0;         // READ_ANDX
};

// An SMB1 request chain waiting for its response.
struct Smb1Pending {
  uint64_t order = 0;  // arrival, for evicting the oldest
  int64_t ts = 0;
  uint16_t uid = 0;
  std::vector<Smb1PendingCommand> commands;
};

// [MS-CIFS] 3.2.5.1: a response is matched to its request by MID, PID, TID and UID.
using Smb1Key = std::tuple<uint16_t, uint32_t, uint16_t, uint16_t>;  // MID, PID, TID, UID

std::string smb1_fid_hex(uint16_t fid) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04x", fid);
  return buf;
}

// SMB1 commands the session parses; other SMB1 messages are skipped unbuffered.
bool smb1_parsed(uint8_t command) {
  switch (command) {
    case kSmb1Negotiate:
    case kSmb1SessionSetupAndX:
    case kSmb1TreeConnectAndX:
    case kSmb1TreeDisconnect:
    case kSmb1NtCreateAndX:
    case kSmb1OpenAndX:
    case kSmb1ReadAndX:
    case kSmb1WriteAndX:
    case kSmb1Close:
    case kSmb1LockingAndX:  // chained before READ_ANDX / WRITE_ANDX by some clients
    case kSmb1LogoffAndX:
      return true;
    default:
      return false;
  }
}

// READ_ANDX responses and WRITE_ANDX requests carry file data (also behind LOCKING_ANDX).
bool smb1_carries_data(uint8_t command) {
  return command == kSmb1ReadAndX || command == kSmb1WriteAndX || command == kSmb1LockingAndX;
}

class Session : public AppSession {
 public:
  Session(AppContext& ctx, std::unique_ptr<DataObserver> observer)
      : ctx_(ctx), limits_(ctx.limits()), observer_(std::move(observer)) {}

  void on_data(StreamDirection dir, Bytes data, int64_t ts) override { feed(dir, data, ts); }

  void on_gap(StreamDirection dir, uint64_t length, int64_t) override {
    Reader& r = reader(dir);
    if (r.skip >= length) {
      r.skip -= length;  // the gap falls inside a message being skipped: framing survives
      return;
    }
    r.buf.clear();
    r.skip = 0;
    r.resync = true;
  }

  void on_end(StreamEndReason, int64_t ts) override {
    // Requests without responses still say what was asked.
    for (auto& [id, p] : pending_) {
      if (p.command == kNegotiate) emit_negotiate(p, nullptr, nullptr, p.ts);
      if (p.command == kSessionSetup) emit_session_setup(p, nullptr, {}, p.ts);
      if (p.command == kTreeConnect) emit_tree_connect(p, nullptr, {}, p.ts);
    }
    pending_.clear();
    std::vector<const Smb1Pending*> smb1_unanswered;
    for (const auto& [key, p] : smb1_requests_) smb1_unanswered.push_back(&p);
    std::sort(smb1_unanswered.begin(), smb1_unanswered.end(),
              [](const Smb1Pending* a, const Smb1Pending* b) { return a->order < b->order; });
    for (const Smb1Pending* p : smb1_unanswered) {
      for (const Smb1PendingCommand& c : p->commands) {
        if (c.command == kSmb1TreeConnectAndX && !c.answered)
          emit_smb1_tree_connect(c.path, p->uid, nullptr, nullptr, p->ts);
      }
    }
    smb1_requests_.clear();
    if (smb1_pending_) emit_smb1_negotiate(nullptr, smb1_ts_);
    smb1_cred_.flush(ctx_);
    std::vector<std::pair<uint64_t, FileId>> order;
    for (auto& [id, f] : files_) order.emplace_back(f.order, id);
    std::sort(order.begin(), order.end());
    for (auto& [o, id] : order) {
      auto it = files_.find(id);
      emit_file(it->second);
    }
    files_.clear();
    (void)ts;
  }

 private:
  struct Reader {
    std::vector<uint8_t> buf;
    uint64_t skip = 0;    // bytes of a frame being skipped
    bool resync = false;  // after a gap: looking for the next frame header
  };

  Reader& reader(StreamDirection dir) {
    return readers_[dir == StreamDirection::kClientToServer ? 0 : 1];
  }

  // ------------------------------------------------------------ framing

  // A frame header at `p` after a gap: 0x00, 3 length bytes, an SMB protocol id.
  static bool frame_start_at(Bytes w, size_t p) {
    if (p + 8 > w.size() || w[p] != kNbSessionMessage) return false;
    const uint8_t m = w[p + 4];
    return (m == 0xFE || m == 0xFF || m == 0xFD || m == 0xFC) && w[p + 5] == 'S' &&
           w[p + 6] == 'M' && w[p + 7] == 'B';
  }

  void feed(StreamDirection dir, Bytes data, int64_t ts) {
    Reader& r = reader(dir);
    if (r.skip > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(r.skip, data.size()));
      r.skip -= n;
      data = data.subspan(n);
    }
    if (data.empty()) return;
    const bool buffered = !r.buf.empty();
    if (buffered) r.buf.insert(r.buf.end(), data.begin(), data.end());
    const Bytes w = buffered ? Bytes(r.buf) : data;
    size_t pos = 0;
    while (true) {
      if (r.resync) {
        size_t p = pos;
        while (p + 8 <= w.size() && !frame_start_at(w, p)) ++p;
        if (p + 8 > w.size()) {
          pos = std::max(pos, w.size() >= 7 ? w.size() - 7 : size_t{0});
          break;
        }
        pos = p;
        r.resync = false;
      }
      const size_t avail = w.size() - pos;
      if (avail < 4) break;
      const uint8_t type = w[pos];
      if (type >= kNbFirstControl && type <= kNbLastControl) {
        // Session request / positive response / keep-alive ...: 17-bit length, skipped.
        const size_t len = (size_t{w[pos + 1] & 1u} << 16) | (size_t{w[pos + 2]} << 8) | w[pos + 3];
        if (!skip_frame(r, w, pos, 4 + len)) break;
        continue;
      }
      if (type != kNbSessionMessage) {
        ctx_.anomaly("smb.bad_framing", "frame type " + hex32(type) + " is not a session message",
                     ts);
        r.resync = true;
        ++pos;
        continue;
      }
      // Direct TCP: a zero byte and a 24-bit length; NetBIOS: 7 flag bits (0) and 17 bits.
      const size_t len = (size_t{w[pos + 1]} << 16) | (size_t{w[pos + 2]} << 8) | w[pos + 3];
      const size_t peek = std::min<size_t>(len, 16);
      if (avail < 4 + peek) break;
      Bytes head = w.subspan(pos + 4, peek);
      const Magic magic = magic_of(head);
      if (magic == Magic::kTransform || magic == Magic::kCompressed) {
        // Encrypted (TRANSFORM_HEADER) or compressed messages: counted, not parsed.
        ++(magic == Magic::kTransform ? encrypted_messages_ : compressed_messages_);
        if (!skip_frame(r, w, pos, 4 + len)) break;
        continue;
      }
      if (magic == Magic::kSmb1 && head.size() > 4 && !smb1_parsed(head[4])) {
        // SMB1 commands without file names, data or credentials (TRANSACTION, ECHO, ...) are
        // skipped unbuffered.
        if (!skip_frame(r, w, pos, 4 + len)) break;
        continue;
      }
      size_t bound = limits_.max_handshake_bytes;
      if (magic == Magic::kSmb2 && head.size() >= 14) {
        const uint16_t command = static_cast<uint16_t>(head[12] | (head[13] << 8));
        if (command == kRead || command == kWrite) bound = std::max(bound, kMaxDataMessageBytes);
      }
      if (magic == Magic::kSmb1 && head.size() > 4 && smb1_carries_data(head[4]))
        bound = std::max(bound, kMaxDataMessageBytes);
      if (len > bound) {
        ctx_.anomaly("smb.message_too_large",
                     "message of " + std::to_string(len) + " bytes past the limit of " +
                         std::to_string(bound),
                     ts);
        if (!skip_frame(r, w, pos, 4 + len)) break;
        continue;
      }
      if (avail < 4 + len) break;
      handle_message(dir, w.subspan(pos + 4, len), ts);
      pos += 4 + len;
    }
    if (buffered) {
      r.buf.erase(r.buf.begin(),
                  r.buf.begin() + static_cast<std::ptrdiff_t>(std::min(pos, r.buf.size())));
    } else if (pos < w.size()) {
      r.buf.assign(w.begin() + static_cast<std::ptrdiff_t>(pos), w.end());
    }
  }

  // Skips `n` bytes at `pos`; when they are not all here, the rest is skipped as it arrives.
  // False when the window is used up.
  static bool skip_frame(Reader& r, Bytes w, size_t& pos, size_t n) {
    if (w.size() - pos >= n) {
      pos += n;
      return true;
    }
    r.skip = n - (w.size() - pos);
    pos = w.size();
    return false;
  }

  void handle_message(StreamDirection dir, Bytes msg, int64_t ts) {
    switch (magic_of(msg)) {
      case Magic::kSmb2:
        handle_chain(dir, msg, ts);
        break;
      case Magic::kSmb1:
        handle_smb1(msg, ts);
        break;
      case Magic::kTransform:
        ++encrypted_messages_;
        break;
      case Magic::kCompressed:
        ++compressed_messages_;
        break;
      case Magic::kOther:
        ctx_.anomaly("smb.bad_header",
                     "protocol id " + hex(msg.subspan(0, std::min<size_t>(4, msg.size()))), ts);
        break;
    }
  }

  // A compound (NextCommand chain, [MS-SMB2] 3.2.4.1.4) of SMB2 messages.
  void handle_chain(StreamDirection dir, Bytes msg, int64_t ts) {
    (void)dir;
    chain_file_.reset();
    size_t off = 0;
    for (size_t n = 0; n < limits_.max_items_per_message; ++n) {
      Bytes rest = msg.subspan(off);
      std::optional<Header> h = parse_header(rest);
      if (!h) {
        ctx_.anomaly("smb.bad_header",
                     "SMB2 header does not parse (" + std::to_string(rest.size()) + " bytes)", ts);
        return;
      }
      size_t len = rest.size();
      bool last = h->next_command == 0;
      if (!last) {
        if (h->next_command < kHeaderSize || h->next_command >= rest.size() ||
            h->next_command % 8 != 0) {
          ctx_.anomaly("smb.bad_header",
                       "NextCommand " + std::to_string(h->next_command) + " in a message of " +
                           std::to_string(rest.size()) + " bytes",
                       ts);
          last = true;
        } else {
          len = h->next_command;
        }
      }
      const Bytes one = rest.subspan(0, len);
      if (h->is_response()) {
        handle_response(*h, one, ts);
      } else {
        handle_request(*h, one, ts);
      }
      if (last) return;
      off += len;
    }
  }

  void bad_command(const Header& h, int64_t ts) {
    ctx_.anomaly("smb.bad_command",
                 std::string(command_name(h.command)) +
                     (h.is_response() ? " response" : " request") + " (status " + hex32(h.status) +
                     ") does not fit its structure",
                 ts);
  }

  // ------------------------------------------------------------ requests

  void handle_request(const Header& h, Bytes m, int64_t ts) {
    if (h.command == kCancel || h.command == kOplockBreak) return;
    Pending p;
    p.command = h.command;
    p.ts = ts;
    p.session_id = h.session_id;
    p.tree_id = h.tree_id;
    bool ok = true;
    switch (h.command) {
      case kNegotiate:
        ok = parse_negotiate_request(m, p.negotiate);
        break;
      case kSessionSetup: {
        SessionSetupRequest r;
        ok = parse_session_setup_request(m, r);
        if (ok) {
          SecurityBlob blob = parse_security_blob(r.security_blob);
          p.mechanism = blob.mechanism;
          if (blob.ntlm) p.ntlm = NtlmInfo::from(*blob.ntlm);
          if (blob.bad_ntlmssp)
            ctx_.anomaly("smb.bad_ntlmssp",
                         "NTLMSSP token in a SESSION_SETUP request does not parse", ts);
        }
        break;
      }
      case kTreeConnect: {
        TreeConnectRequest r;
        ok = parse_tree_connect_request(m, r);
        p.path = std::move(r.path);
        break;
      }
      case kCreate:
        ok = parse_create_request(m, p.create);
        break;
      case kClose: {
        CloseRequest r;
        ok = parse_close_request(m, r);
        p.file_id = r.file_id;
        break;
      }
      case kRead: {
        ReadRequest r;
        ok = parse_read_request(m, r);
        p.file_id = r.file_id;
        p.offset = r.offset;
        break;
      }
      case kWrite: {
        WriteRequest r;
        ok = parse_write_request(m, r);
        if (ok) {
          p.file_id = r.file_id;
          p.offset = r.offset;
          if (r.data.size() < r.data_length) {
            ctx_.anomaly("smb.bad_command",
                         "WRITE declares " + std::to_string(r.data_length) + " bytes, carries " +
                             std::to_string(r.data.size()),
                         ts);
          }
          const FileId id = resolve(r.file_id);
          OpenFile& f = file_for(h.session_id, h.tree_id, id, id.hex(), ts);
          f.record.set_byteswritten(f.record.byteswritten() + r.data.size());
          f.record.set_writes(f.record.writes() + 1);
          add_range(f, f.writes, r.offset, r.data.size(), ts);
          if (observer_) observer_->on_data(f.ref, true, r.offset, r.data, ts);
        }
        break;
      }
      case kSetInfo: {
        SetInfoRequest r;
        ok = parse_set_info_request(m, r);
        p.file_id = r.file_id;
        p.info_type = r.info_type;
        p.info_class = r.file_info_class;
        if (ok && r.info_type == kInfoFile) {
          if (r.file_info_class == kFileDispositionInformation && !r.buffer.empty()) {
            p.set_delete = r.buffer[0] != 0;
          } else if (r.file_info_class == kFileDispositionInformationEx && r.buffer.size() >= 4) {
            p.set_delete = (r.buffer[0] & 0x01) != 0;  // FILE_DISPOSITION_DELETE
          } else if (r.file_info_class == kFileEndOfFileInformation && r.buffer.size() >= 8) {
            uint64_t v = 0;
            for (int i = 7; i >= 0; --i) v = (v << 8) | r.buffer[static_cast<size_t>(i)];
            p.set_eof = v;
          }
        }
        break;
      }
      case kQueryInfo: {
        QueryInfoRequest r;
        ok = parse_query_info_request(m, r);
        p.file_id = r.file_id;
        p.info_type = r.info_type;
        p.info_class = r.file_info_class;
        break;
      }
      default:
        break;
    }
    if (!ok) bad_command(h, ts);
    if (pending_.size() >= limits_.max_pending_transactions && pending_.count(h.message_id) == 0) {
      ctx_.anomaly("smb.too_many_pending",
                   "more than " + std::to_string(limits_.max_pending_transactions) +
                       " requests without response; the oldest is dropped",
                   ts);
      pending_.erase(pending_.begin());
    }
    pending_[h.message_id] = std::move(p);
  }

  // ------------------------------------------------------------ responses

  void handle_response(const Header& h, Bytes m, int64_t ts) {
    // An interim response ([MS-SMB2] 3.3.4.2): the final one comes later with the same id.
    if (h.status == kStatusPending && h.is_async()) return;
    if (h.command == kOplockBreak) return;  // notifications and acks: no state kept
    Pending p;
    auto it = pending_.find(h.message_id);
    const bool known = it != pending_.end() && it->second.command == h.command;
    if (known) {
      p = std::move(it->second);
    } else {
      p.command = h.command;
      p.ts = ts;
      p.session_id = h.session_id;
      p.tree_id = h.tree_id;
    }
    if (it != pending_.end()) pending_.erase(it);
    const bool success = h.status == kStatusSuccess;
    switch (h.command) {
      case kNegotiate: {
        NegotiateResponse r;
        const bool ok = parse_negotiate_response(m, r);
        if (!ok && success) bad_command(h, ts);
        if (!known && smb1_pending_) {
          // Multi-protocol negotiation: the SMB1 request offered "SMB 2.002" / "SMB 2.???".
          p.negotiate.dialects.clear();
          smb1_pending_ = false;
          emit_negotiate(p, &h, ok ? &r : nullptr, ts, &smb1_dialects_);
        } else {
          emit_negotiate(p, &h, ok ? &r : nullptr, ts);
        }
        break;
      }
      case kSessionSetup: {
        SessionSetupResponse r;
        const bool ok = parse_session_setup_response(m, r);
        if (!ok && (success || h.status == kStatusMoreProcessingRequired)) bad_command(h, ts);
        emit_session_setup(p, &h, ok ? r.security_blob : Bytes{}, ts, ok ? r.session_flags : 0);
        break;
      }
      case kTreeConnect: {
        TreeConnectResponse r;
        const bool ok = success && parse_tree_connect_response(m, r);
        if (success && !ok) bad_command(h, ts);
        if (ok) add_tree(h.session_id, h.tree_id, p.path, ts);
        emit_tree_connect(p, &h, ok ? &r : nullptr, ts);
        break;
      }
      case kTreeDisconnect:
        if (success) trees_.erase({h.session_id, h.tree_id});
        break;
      case kCreate:
        handle_create_response(h, p, m, ts);
        break;
      case kClose: {
        if (!success) break;
        const FileId id = resolve(p.file_id);
        auto f = files_.find(id);
        if (f == files_.end()) break;
        CloseResponse r;
        if (parse_close_response(m, r)) {
          if (r.flags & 0x0001)
            update_eof(f->second, r.end_of_file);  // SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB
        } else {
          bad_command(h, ts);
        }
        f->second.record.set_closetime(ts);
        emit_file(f->second);
        files_.erase(f);
        break;
      }
      case kRead: {
        if (!success && h.status != kStatusBufferOverflow) break;
        ReadResponse r;
        if (!parse_read_response(m, r)) {
          bad_command(h, ts);
          break;
        }
        if (r.data.size() < r.data_length) {
          ctx_.anomaly("smb.bad_command",
                       "READ response declares " + std::to_string(r.data_length) +
                           " bytes, carries " + std::to_string(r.data.size()),
                       ts);
        }
        if (!known) break;  // the request (file, offset) was not seen
        const FileId id = resolve(p.file_id);
        OpenFile& f = file_for(h.session_id, h.tree_id, id, id.hex(), ts);
        f.record.set_bytesread(f.record.bytesread() + r.data.size());
        f.record.set_reads(f.record.reads() + 1);
        add_range(f, f.reads, p.offset, r.data.size(), ts);
        if (observer_) observer_->on_data(f.ref, false, p.offset, r.data, ts);
        break;
      }
      case kSetInfo: {
        if (!success || !known) break;
        auto f = files_.find(resolve(p.file_id));
        if (f == files_.end()) break;
        if (p.set_delete) f->second.record.set_deleted(true);
        if (p.set_eof) f->second.record.set_endoffile(*p.set_eof);
        break;
      }
      case kQueryInfo: {
        if (!success || !known || p.info_type != kInfoFile) break;
        auto f = files_.find(resolve(p.file_id));
        if (f == files_.end()) break;
        QueryInfoResponse r;
        if (!parse_query_info_response(m, r)) {
          bad_command(h, ts);
          break;
        }
        // FileStandardInformation: AllocationSize, EndOfFile; FileAllInformation: after the
        // 40-byte FileBasicInformation.
        size_t at = p.info_class == kFileStandardInformation ? 0
                    : p.info_class == kFileAllInformation    ? 40
                                                             : SIZE_MAX;
        if (at != SIZE_MAX && r.buffer.size() >= at + 16) {
          ByteCursor c(r.buffer.subspan(at + 8, 8));
          update_eof(f->second, c.u64le());
        }
        break;
      }
      default:
        break;
    }
  }

  void handle_create_response(const Header& h, const Pending& p, Bytes m, int64_t ts) {
    OpenFile f;
    SMB2File& rec = f.record;
    ctx_.stamp(rec, StreamDirection::kServerToClient, ts);
    rec.set_sessionid(h.session_id);
    rec.set_treeid(p.tree_id != 0 ? p.tree_id : h.tree_id);
    rec.set_share(tree_path(h.session_id, rec.treeid()));
    rec.set_filename(p.create.name);
    rec.set_createdisposition(p.create.create_disposition);
    rec.set_createoptions(p.create.create_options);
    rec.set_desiredaccess(p.create.desired_access);
    rec.set_status(h.status);
    rec.set_dialect(dialect_);
    rec.set_version(version_ != 0 ? version_ : 2);
    if ((p.create.create_options & kCreateDeleteOnClose) != 0) rec.set_deleted(true);
    f.ref = FileRef{h.session_id, rec.treeid(), rec.share(), "", rec.filename()};
    CreateResponse r;
    if (h.status != kStatusSuccess || !parse_create_response(m, r)) {
      if (h.status == kStatusSuccess) bad_command(h, ts);
      emit_file(f);  // a failed open is evidence too (access denied, not found)
      return;
    }
    rec.set_fileid(r.file_id.hex());
    rec.set_createaction(r.create_action);
    rec.set_endoffile(r.end_of_file);
    rec.set_isdirectory((r.file_attributes & kAttributeDirectory) != 0);
    f.ref = FileRef{h.session_id, rec.treeid(), rec.share(), rec.fileid(), rec.filename()};
    chain_file_ = r.file_id;
    insert_file(r.file_id, std::move(f), ts);
  }

  // ------------------------------------------------------------ files

  FileId resolve(const FileId& id) const {
    return id.is_related_placeholder() && chain_file_ ? *chain_file_ : id;
  }

  std::string tree_path(uint64_t session, uint32_t tree) const {
    auto it = trees_.find({session, tree});
    return it == trees_.end() ? std::string() : it->second;
  }

  void insert_file(const FileId& id, OpenFile f, int64_t ts) {
    if (files_.size() >= limits_.max_pending_transactions && files_.count(id) == 0) {
      auto oldest = std::min_element(
          files_.begin(), files_.end(),
          [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
      ctx_.anomaly("smb.too_many_open_files",
                   "more than " + std::to_string(limits_.max_pending_transactions) +
                       " open files; the oldest is written out",
                   ts);
      emit_file(oldest->second);
      files_.erase(oldest);
    }
    f.order = ++file_order_;
    files_[id] = std::move(f);
  }

  // The open file `id` (shown as `id_text`), or a new entry for a file opened before the capture
  // started.
  OpenFile& file_for(uint64_t session, uint32_t tree, const FileId& id, const std::string& id_text,
                     int64_t ts, int version = 0) {
    auto it = files_.find(id);
    if (it != files_.end()) return it->second;
    OpenFile f;
    ctx_.stamp(f.record, StreamDirection::kClientToServer, ts);
    f.record.set_sessionid(session);
    f.record.set_treeid(tree);
    f.record.set_share(tree_path(session, tree));
    f.record.set_fileid(id_text);
    f.record.set_dialect(dialect_);
    f.record.set_version(version != 0 ? version : version_ != 0 ? version_ : 2);
    f.ref = FileRef{session, tree, f.record.share(), f.record.fileid(), ""};
    insert_file(id, std::move(f), ts);
    return files_[id];
  }

  void add_range(OpenFile& f, Ranges& ranges, uint64_t offset, uint64_t length, int64_t ts) {
    if (!ranges.add(offset, length, limits_.max_items_per_message) && !f.ranges_full) {
      f.ranges_full = true;
      ctx_.anomaly("smb.too_many_ranges",
                   "file " + f.ref.file_name + ": more than " +
                       std::to_string(limits_.max_items_per_message) + " disjoint ranges",
                   ts);
    }
  }

  static void update_eof(OpenFile& f, uint64_t eof) {
    if (eof > f.record.endoffile()) f.record.set_endoffile(eof);
  }

  void emit_file(OpenFile& f) {
    auto rec = std::make_unique<SMB2File>(std::move(f.record));
    f.reads.each([&](uint64_t o, uint64_t l) {
      SMB2ByteRange* r = rec->add_readranges();
      r->set_offset(o);
      r->set_length(l);
    });
    f.writes.each([&](uint64_t o, uint64_t l) {
      SMB2ByteRange* r = rec->add_writeranges();
      r->set_offset(o);
      r->set_length(l);
    });
    if (observer_) observer_->on_close(f.ref, *rec);
    ctx_.emit(std::move(rec));
  }

  // ------------------------------------------------------------ records

  void emit_negotiate(const Pending& p, const Header* h, const NegotiateResponse* r, int64_t ts,
                      const std::vector<std::string>* smb1_offered = nullptr) {
    auto rec = std::make_unique<SMB2Negotiate>();
    ctx_.stamp(*rec, StreamDirection::kServerToClient, ts);
    if (smb1_offered) {
      for (const auto& d : *smb1_offered) rec->add_dialects(d);
    } else {
      for (uint16_t d : p.negotiate.dialects) rec->add_dialects(dialect_name(d));
    }
    rec->set_clientguid(p.negotiate.client_guid);
    rec->set_clientcapabilities(p.negotiate.capabilities);
    rec->set_clientsecuritymode(p.negotiate.security_mode);
    int version = 2;
    if (r != nullptr) {
      dialect_ = dialect_name(r->dialect);
      rec->set_dialect(dialect_);
      rec->set_dialectrevision(r->dialect);
      rec->set_serverguid(r->server_guid);
      rec->set_capabilities(r->capabilities);
      rec->set_securitymode(r->security_mode);
      rec->set_signingrequired((r->security_mode & 0x0002) != 0);
      rec->set_maxreadsize(r->max_read);
      rec->set_maxwritesize(r->max_write);
      if (r->dialect >= 0x0300 && r->dialect != 0x02FF) version = 3;
      version_ = version;
    } else {
      const auto& d = p.negotiate.dialects;
      if (!d.empty() && *std::max_element(d.begin(), d.end()) >= 0x0300) version = 3;
    }
    rec->set_version(version);
    if (h != nullptr) rec->set_status(h->status);
    ctx_.emit(std::move(rec));
  }

  void emit_smb1_negotiate(const Smb1NegotiateResponse* r, int64_t ts, uint32_t status = 0) {
    auto rec = std::make_unique<SMB2Negotiate>();
    ctx_.stamp(*rec, StreamDirection::kServerToClient, ts);
    rec->set_version(1);
    for (const auto& d : smb1_dialects_) rec->add_dialects(d);
    if (r != nullptr) {
      if (r->dialect_index < smb1_dialects_.size())
        rec->set_dialect(smb1_dialects_[r->dialect_index]);
      rec->set_dialectrevision(r->dialect_index);
      rec->set_capabilities(r->capabilities);
      rec->set_securitymode(r->security_mode);
      rec->set_signingrequired((r->security_mode & 0x08) !=
                               0);  // NEGOTIATE_SECURITY_SIGNATURES_REQUIRED
      rec->set_serverguid(r->server_guid);
      dialect_ = rec->dialect();
      version_ = 1;
    }
    rec->set_status(status);
    ctx_.emit(std::move(rec));
  }

  void emit_session_setup(const Pending& p, const Header* h, Bytes response_blob, int64_t ts,
                          uint16_t session_flags = 0) {
    auto rec = std::make_unique<SMB2SessionSetup>();
    ctx_.stamp(*rec, StreamDirection::kServerToClient, ts);
    rec->set_sessionid(h != nullptr ? h->session_id : p.session_id);
    if (h != nullptr) rec->set_status(h->status);
    rec->set_sessionflags(session_flags);
    std::string mechanism = p.mechanism;
    if (p.ntlm) {
      p.ntlm->fill(rec->mutable_request());
      if (p.ntlm->type == 3) {
        rec->set_user(p.ntlm->user);
        rec->set_domain(p.ntlm->domain);
        rec->set_workstation(p.ntlm->workstation);
        rec->set_serverchallenge(last_challenge_);
        emit_ntlm_credential(*p.ntlm, p.ts, h);
      }
    }
    SecurityBlob blob = parse_security_blob(response_blob);
    if (blob.bad_ntlmssp)
      ctx_.anomaly("smb.bad_ntlmssp", "NTLMSSP token in a SESSION_SETUP response does not parse",
                   ts);
    if (blob.ntlm) {
      const NtlmInfo n = NtlmInfo::from(*blob.ntlm);
      n.fill(rec->mutable_response());
      if (n.type == 2) {
        last_challenge_ = n.server_challenge;
        last_target_ = n.target_name;
      }
    }
    if (mechanism.empty() || (mechanism == "spnego" && !blob.mechanism.empty()))
      mechanism = blob.mechanism;
    rec->set_mechanism(mechanism);
    ctx_.emit(std::move(rec));
  }

  // An NTLM AUTHENTICATE answered to the CHALLENGE of this connection: NetNTLMv1/v2 in hashcat
  // form. The SESSION_SETUP status says whether it passed ([MS-SMB2] 3.3.5.5.3: SUCCESS, else
  // e.g. STATUS_LOGON_FAILURE); MORE_PROCESSING_REQUIRED says nothing yet.
  void emit_ntlm_credential(const NtlmInfo& n, int64_t ts, const Header* h) {
    if (n.user.empty() && n.nt_length == 0) return;  // anonymous
    Credential c;
    c.user = n.user;
    c.domain = n.domain;
    c.target = last_target_;
    c.hash = ntlm_hashcat(n.user, n.domain, last_challenge_, n.lm_hex, n.nt_hex, c.hashcat_mode,
                          c.method);
    if (n.nt_length > kMaxNtResponseBytes) {
      // The hash would not verify with a cut blob.
      c.hash.clear();
      c.hashcat_mode = 0;
    }
    LoginResult result = LoginResult::kUnknown;
    std::string detail;
    if (h != nullptr) {
      detail = hex32(h->status);
      if (h->status == 0) {
        result = LoginResult::kAccepted;
      } else if (h->status != 0xC0000016) {  // STATUS_MORE_PROCESSING_REQUIRED
        result = LoginResult::kRejected;
      }
    }
    emit_credential(ctx_, c, ts, result, detail);
  }

  void emit_tree_connect(const Pending& p, const Header* h, const TreeConnectResponse* r,
                         int64_t ts) {
    auto rec = std::make_unique<SMB2TreeConnect>();
    ctx_.stamp(*rec, StreamDirection::kServerToClient, ts);
    rec->set_sessionid(h != nullptr ? h->session_id : p.session_id);
    rec->set_path(p.path);
    if (h != nullptr) {
      rec->set_treeid(h->tree_id);
      rec->set_status(h->status);
    }
    if (r != nullptr) {
      switch (r->share_type) {
        case 1:
          rec->set_sharetype("disk");
          break;
        case 2:
          rec->set_sharetype("pipe");
          break;
        case 3:
          rec->set_sharetype("print");
          break;
        default:
          rec->set_sharetype("unknown-" + std::to_string(r->share_type));
          break;
      }
      rec->set_shareflags(r->share_flags);
      rec->set_maximalaccess(r->maximal_access);
    }
    ctx_.emit(std::move(rec));
  }

  // ------------------------------------------------------------ SMB1

  void handle_smb1(Bytes msg, int64_t ts) {
    std::optional<Smb1Header> h = parse_smb1_header(msg);
    if (!h) {
      ctx_.anomaly("smb.bad_header",
                   "SMB1 header does not parse (" + std::to_string(msg.size()) + " bytes)", ts);
      return;
    }
    if (h->command == kSmb1Negotiate) {
      smb1_negotiate(msg, *h, ts);
      return;
    }
    if (h->is_response() && h->command == kSmb1SessionSetupAndX && smb1_cred_.active() &&
        h->status != kStatusMoreProcessingRequired) {
      // STATUS_MORE_PROCESSING_REQUIRED is the CHALLENGE step, not the answer.
      smb1_cred_.resolve(ctx_, h->status == 0 ? LoginResult::kAccepted : LoginResult::kRejected,
                         hex32(h->status));
    }
    const Smb1Chain chain = parse_smb1_chain(msg, h->is_response(), kMaxAndXCommands);
    const std::string side = h->is_response() ? " response" : " request";
    switch (chain.result) {
      case Smb1ChainResult::kOk:
        break;
      case Smb1ChainResult::kTruncated:
        ctx_.anomaly("smb.bad_command",
                     "SMB1 " + smb1_command_name(chain.failed_command) + side + " at offset " +
                         std::to_string(chain.failed_offset) + " passes the end of the " +
                         std::to_string(msg.size()) + "-byte message",
                     ts);
        break;
      case Smb1ChainResult::kBadOffset:
        ctx_.anomaly("smb.bad_andx_chain",
                     "SMB1" + side + ": AndXOffset " + std::to_string(chain.failed_offset) +
                         " of the command before " + smb1_command_name(chain.failed_command) +
                         " does not move forward inside the " + std::to_string(msg.size()) +
                         "-byte message",
                     ts);
        break;
      case Smb1ChainResult::kTooLong:
        ctx_.anomaly("smb.andx_chain_too_long",
                     "SMB1" + side + " chains more than " + std::to_string(kMaxAndXCommands) +
                         " commands; the rest is ignored",
                     ts);
        break;
    }
    for (const Smb1Block& b : chain.blocks) {
      if (b.bytes_cut)
        ctx_.anomaly("smb.bad_command",
                     "SMB1 " + smb1_command_name(b.command) + side +
                         ": ByteCount passes the end of the message",
                     ts);
    }
    if (h->is_response()) {
      smb1_response(*h, msg, chain.blocks, ts);
    } else {
      smb1_request(*h, msg, chain.blocks, ts);
    }
  }

  void smb1_negotiate(Bytes msg, const Smb1Header& h, int64_t ts) {
    if (!h.is_response()) {
      smb1_dialects_.clear();
      if (!parse_smb1_negotiate_request(msg, smb1_dialects_)) {
        ctx_.anomaly("smb.bad_command", "SMB1 NEGOTIATE request does not fit its structure", ts);
      }
      smb1_pending_ = true;
      smb1_ts_ = ts;
      return;
    }
    Smb1NegotiateResponse r;
    const bool ok = parse_smb1_negotiate_response(msg, r);
    if (!ok)
      ctx_.anomaly("smb.bad_command", "SMB1 NEGOTIATE response does not fit its structure", ts);
    emit_smb1_negotiate(ok ? &r : nullptr, ts, h.status);
    smb1_pending_ = false;
  }

  void smb1_bad_command(uint8_t command, const Smb1Header& h, int64_t ts) {
    ctx_.anomaly("smb.bad_command",
                 "SMB1 " + smb1_command_name(command) +
                     (h.is_response() ? " response" : " request") + " (status " + hex32(h.status) +
                     ") does not fit its structure",
                 ts);
  }

  static Smb1Key smb1_key(const Smb1Header& h) { return {h.mid, h.pid, h.tid, h.uid}; }

  void smb1_request(const Smb1Header& h, Bytes msg, const std::vector<Smb1Block>& blocks,
                    int64_t ts) {
    Smb1Pending p;
    p.ts = ts;
    p.uid = h.uid;
    bool needs_response = false;
    for (const Smb1Block& b : blocks) {
      Smb1PendingCommand c;
      c.command = b.command;
      bool ok = true;
      switch (b.command) {
        case kSmb1SessionSetupAndX:
          smb1_session_setup(h, b, ts);
          break;
        case kSmb1TreeConnectAndX:
          ok = parse_smb1_tree_connect_request(b, h.unicode(), c.path);
          needs_response = true;
          break;
        case kSmb1TreeDisconnect:
          needs_response = true;
          break;
        case kSmb1NtCreateAndX:
          ok = parse_smb1_nt_create_request(b, h.unicode(), c.create);
          needs_response = true;
          break;
        case kSmb1OpenAndX:
          ok = parse_smb1_open_request(b, h.unicode(), c.create.name);
          needs_response = true;
          break;
        case kSmb1ReadAndX: {
          Smb1ReadRequest r;
          ok = parse_smb1_read_request(b, r);
          c.fid = r.fid;
          c.offset = r.offset;
          needs_response = ok;
          break;
        }
        case kSmb1WriteAndX: {
          // The data is in the request: taken now, the response adds nothing.
          Smb1WriteRequest r;
          ok = parse_smb1_write_request(msg, b, r);
          if (ok) smb1_write(h, r, ts);
          break;
        }
        case kSmb1Close:
          ok = parse_smb1_close_request(b, c.fid);
          needs_response = ok;
          break;
        default:
          break;
      }
      if (!ok) smb1_bad_command(b.command, h, ts);
      c.parsed = ok;
      p.commands.push_back(std::move(c));
    }
    if (!needs_response) return;
    if (smb1_requests_.size() >= limits_.max_pending_transactions) {
      ctx_.anomaly("smb.too_many_pending",
                   "more than " + std::to_string(limits_.max_pending_transactions) +
                       " SMB1 requests without response; the oldest is dropped",
                   ts);
      auto oldest = std::min_element(
          smb1_requests_.begin(), smb1_requests_.end(),
          [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
      smb1_requests_.erase(oldest);
    }
    p.order = ++smb1_request_order_;
    smb1_requests_.emplace(smb1_key(h), std::move(p));
  }

  // The oldest request with the response's key and first command. TREE_CONNECT_ANDX and
  // SESSION_SETUP_ANDX responses carry the TID / UID the server just assigned ([MS-CIFS]
  // 2.2.4.55.2, 2.2.4.53.2), not the request's: for them MID and PID are enough.
  std::optional<Smb1Pending> take_smb1_request(const Smb1Header& h, uint8_t first_command) {
    const Smb1Key key = smb1_key(h);
    auto matches = [&](const Smb1Pending& p) {
      return !p.commands.empty() && p.commands.front().command == first_command;
    };
    for (auto it = smb1_requests_.lower_bound(key); it != smb1_requests_.end() && it->first == key;
         ++it) {
      if (!matches(it->second)) continue;
      Smb1Pending p = std::move(it->second);
      smb1_requests_.erase(it);
      return p;
    }
    if (first_command != kSmb1TreeConnectAndX && first_command != kSmb1SessionSetupAndX)
      return std::nullopt;
    auto best = smb1_requests_.end();
    for (auto it = smb1_requests_.begin(); it != smb1_requests_.end(); ++it) {
      if (std::get<0>(it->first) != h.mid || std::get<1>(it->first) != h.pid ||
          !matches(it->second))
        continue;
      if (best == smb1_requests_.end() || it->second.order < best->second.order) best = it;
    }
    if (best == smb1_requests_.end()) return std::nullopt;
    Smb1Pending p = std::move(best->second);
    smb1_requests_.erase(best);
    return p;
  }

  void smb1_response(const Smb1Header& h, Bytes msg, const std::vector<Smb1Block>& blocks,
                     int64_t ts) {
    if (blocks.empty()) return;
    std::optional<Smb1Pending> p = take_smb1_request(h, blocks.front().command);
    // A READ_ANDX or CLOSE chained after an open works on the file just opened, whatever FID the
    // client put in it (CIFS batching, [MS-CIFS] 2.2.3.4: the commands of a chain act on one
    // resource; the client cannot know the FID yet).
    std::optional<uint16_t> chain_fid;
    for (size_t i = 0; i < blocks.size(); ++i) {
      const Smb1Block& b = blocks[i];
      // The status is that of the last response of the chain; the ones before it succeeded
      // ([MS-CIFS] 3.2.5.1.3).
      const bool success = h.status == kStatusSuccess || i + 1 < blocks.size();
      Smb1PendingCommand* c = nullptr;
      if (p) {
        for (Smb1PendingCommand& pc : p->commands) {
          if (pc.command == b.command && !pc.answered) {
            pc.answered = true;
            if (!pc.parsed) break;
            c = &pc;
            if (chain_fid) c->fid = *chain_fid;
            break;
          }
        }
      }
      switch (b.command) {
        case kSmb1SessionSetupAndX:
          smb1_session_setup(h, b, ts);
          break;
        case kSmb1TreeConnectAndX: {
          std::string service;
          const bool ok = success && parse_smb1_tree_connect_response(b, service);
          if (success && !ok) smb1_bad_command(b.command, h, ts);
          const std::string path = c != nullptr ? c->path : std::string();
          if (ok) add_tree(h.uid, h.tid, path, ts);
          emit_smb1_tree_connect(path, h.uid, &h, ok ? &service : nullptr, ts);
          break;
        }
        case kSmb1TreeDisconnect:
          if (success) trees_.erase({h.uid, h.tid});
          break;
        case kSmb1NtCreateAndX:
        case kSmb1OpenAndX:
          chain_fid = smb1_create_response(h, c, b, success, ts);
          break;
        case kSmb1ReadAndX: {
          if (!success && h.status != kStatusBufferOverflow) break;
          Smb1ReadResponse r;
          if (!parse_smb1_read_response(msg, b, r)) {
            smb1_bad_command(b.command, h, ts);
            break;
          }
          if (r.data.size() < r.data_length) {
            ctx_.anomaly("smb.bad_command",
                         "SMB1 READ_ANDX response declares " + std::to_string(r.data_length) +
                             " bytes, carries " + std::to_string(r.data.size()),
                         ts);
          }
          if (c == nullptr) break;  // the request (file, offset) was not seen
          OpenFile& f = file_for(h.uid, h.tid, FileId{c->fid, 0}, smb1_fid_hex(c->fid), ts, 1);
          f.record.set_bytesread(f.record.bytesread() + r.data.size());
          f.record.set_reads(f.record.reads() + 1);
          add_range(f, f.reads, c->offset, r.data.size(), ts);
          if (observer_ && !f.pipe) observer_->on_data(f.ref, false, c->offset, r.data, ts);
          break;
        }
        case kSmb1Close: {
          if (!success || c == nullptr) break;
          auto f = files_.find(FileId{c->fid, 0});
          if (f == files_.end()) break;
          f->second.record.set_closetime(ts);
          emit_file(f->second);
          files_.erase(f);
          break;
        }
        default:
          break;
      }
    }
    // Commands of the request the response did not reach (an error ended the chain,
    // [MS-CIFS] 3.3.4.1.2) are done with.
  }

  void smb1_write(const Smb1Header& h, const Smb1WriteRequest& r, int64_t ts) {
    if (r.data.size() < r.data_length) {
      ctx_.anomaly("smb.bad_command",
                   "SMB1 WRITE_ANDX declares " + std::to_string(r.data_length) +
                       " bytes, carries " + std::to_string(r.data.size()),
                   ts);
    }
    OpenFile& f = file_for(h.uid, h.tid, FileId{r.fid, 0}, smb1_fid_hex(r.fid), ts, 1);
    f.record.set_byteswritten(f.record.byteswritten() + r.data.size());
    f.record.set_writes(f.record.writes() + 1);
    add_range(f, f.writes, r.offset, r.data.size(), ts);
    if (observer_ && !f.pipe) observer_->on_data(f.ref, true, r.offset, r.data, ts);
  }

  // NT_CREATE_ANDX / OPEN_ANDX response: an SMB2File record opened under FileId{FID, 0} (SMB1
  // FIDs are unique per connection, [MS-CIFS] 3.2.5.36: Client.Connection.OpenTable).
  // The FID opened, if any.
  std::optional<uint16_t> smb1_create_response(const Smb1Header& h, const Smb1PendingCommand* c,
                                               const Smb1Block& b, bool success, int64_t ts) {
    OpenFile f;
    SMB2File& rec = f.record;
    ctx_.stamp(rec, StreamDirection::kServerToClient, ts);
    rec.set_sessionid(h.uid);
    rec.set_treeid(h.tid);
    rec.set_share(tree_path(h.uid, h.tid));
    std::string name;
    if (c != nullptr) {
      name = c->create.name;
      if (c->create.root_directory_fid != 0) {
        // Relative to an open directory ([MS-CIFS] 2.2.4.64.1 RootDirectoryFID).
        auto dir = files_.find(FileId{c->create.root_directory_fid & 0xFFFF, 0});
        if (dir != files_.end() && !dir->second.record.filename().empty())
          name = dir->second.record.filename() + "\\" + name;
      }
      rec.set_createdisposition(c->create.create_disposition);
      rec.set_createoptions(c->create.create_options);
      rec.set_desiredaccess(c->create.desired_access);
    }
    // SMB1 paths start at the share root with '\'; SMB2 names (and this record) do not.
    if (!name.empty() && name[0] == '\\') name.erase(0, 1);
    rec.set_filename(name);
    rec.set_status(h.status);
    rec.set_dialect(dialect_);
    rec.set_version(1);
    if (c != nullptr && (c->create.create_options & kCreateDeleteOnClose) != 0)
      rec.set_deleted(true);
    f.ref = FileRef{h.uid, h.tid, rec.share(), "", rec.filename()};
    Smb1CreateResponse r;
    const bool ok = success && (b.command == kSmb1NtCreateAndX ? parse_smb1_nt_create_response(b, r)
                                                               : parse_smb1_open_response(b, r));
    if (!ok) {
      if (success) smb1_bad_command(b.command, h, ts);
      emit_file(f);  // a failed open is evidence too (access denied, not found)
      return std::nullopt;
    }
    rec.set_fileid(smb1_fid_hex(r.fid));
    rec.set_createaction(r.create_action);
    rec.set_endoffile(r.end_of_file);
    rec.set_isdirectory(r.directory);
    f.pipe = r.resource_type == 1 || r.resource_type == 2;  // byte / message mode pipe
    f.ref = FileRef{h.uid, h.tid, rec.share(), rec.fileid(), rec.filename()};
    const FileId id{r.fid, 0};
    auto old = files_.find(id);
    if (old != files_.end()) {
      // The FID was reused: its previous open's CLOSE was not seen.
      emit_file(old->second);
      files_.erase(old);
    }
    insert_file(id, std::move(f), ts);
    return r.fid;
  }

  void add_tree(uint64_t session, uint32_t tree, const std::string& path, int64_t ts) {
    if (trees_.size() >= limits_.max_pending_transactions && trees_.count({session, tree}) == 0) {
      ctx_.anomaly("smb.too_many_trees",
                   "more than " + std::to_string(limits_.max_pending_transactions) +
                       " tree connects; the oldest is forgotten",
                   ts);
      trees_.erase(trees_.begin());
    }
    trees_[{session, tree}] = path;
  }

  void emit_smb1_tree_connect(const std::string& path, uint16_t uid, const Smb1Header* h,
                              const std::string* service, int64_t ts) {
    auto rec = std::make_unique<SMB2TreeConnect>();
    ctx_.stamp(*rec, StreamDirection::kServerToClient, ts);
    rec->set_sessionid(uid);
    rec->set_path(path);
    if (h != nullptr) {
      rec->set_treeid(h->tid);
      rec->set_status(h->status);
    }
    if (service != nullptr) {
      // [MS-CIFS] 2.2.4.55.2 Service strings.
      if (*service == "A:") {
        rec->set_sharetype("disk");
      } else if (*service == "IPC") {
        rec->set_sharetype("pipe");
      } else if (*service == "LPT1:") {
        rec->set_sharetype("print");
      } else {
        rec->set_sharetype("unknown-" + *service);
      }
    }
    ctx_.emit(std::move(rec));
  }

  // [MS-SMB] 2.2.4.6: SMB_COM_SESSION_SETUP_ANDX with extended security (WordCount 12 in the
  // request, 4 in the response) carries the security blob in its data bytes; NTLMSSP in it gives
  // credentials as for SMB2. Only what credentials need: no SMB1 session record.
  void smb1_session_setup(const Smb1Header& h, const Smb1Block& b, int64_t ts) {
    if (b.words.size() != (h.is_response() ? 8u : 24u)) return;  // error reply or no ext. security
    ByteCursor params(b.words);
    params.skip(h.is_response() ? 6 : 14);  // AndX block, then Action or MaxBuffer..SessionKey
    const uint16_t blob_length = params.u16le();
    if (!params.ok() || blob_length > b.bytes.size()) {
      ctx_.anomaly("smb.bad_command", "SMB1 SESSION_SETUP_ANDX does not fit its structure", ts);
      return;
    }
    SecurityBlob blob = parse_security_blob(b.bytes.subspan(0, blob_length));
    if (blob.bad_ntlmssp)
      ctx_.anomaly("smb.bad_ntlmssp", "NTLMSSP token in an SMB1 SESSION_SETUP does not parse", ts);
    if (!blob.ntlm) return;
    const NtlmInfo n = NtlmInfo::from(*blob.ntlm);
    if (n.type == 2) {
      last_challenge_ = n.server_challenge;
      last_target_ = n.target_name;
    } else if (n.type == 3 && !(n.user.empty() && n.nt_length == 0)) {
      Credential cred;
      cred.user = n.user;
      cred.domain = n.domain;
      cred.target = last_target_;
      cred.hash = ntlm_hashcat(n.user, n.domain, last_challenge_, n.lm_hex, n.nt_hex,
                               cred.hashcat_mode, cred.method);
      if (n.nt_length > kMaxNtResponseBytes) {
        cred.hash.clear();
        cred.hashcat_mode = 0;
      }
      smb1_cred_.hold(ctx_, std::move(cred), ts);
    }
  }

  AppContext& ctx_;
  const Limits& limits_;
  std::unique_ptr<DataObserver> observer_;
  Reader readers_[2];
  std::map<uint64_t, Pending> pending_;                         // by MessageId
  std::map<std::pair<uint64_t, uint32_t>, std::string> trees_;  // (SessionId, TreeId) -> path
  std::map<FileId, OpenFile> files_;
  uint64_t file_order_ = 0;
  std::optional<FileId> chain_file_;  // FileId of the CREATE earlier in the current compound
  std::string dialect_;
  int version_ = 0;  // of the negotiated dialect: 1 SMB1, 2, 3; 0 before the NEGOTIATE response
  std::string last_challenge_;
  std::string last_target_;  // TargetName of that CHALLENGE
  std::vector<std::string> smb1_dialects_;
  std::multimap<Smb1Key, Smb1Pending> smb1_requests_;  // equal keys in arrival order
  uint64_t smb1_request_order_ = 0;
  bool smb1_pending_ = false;
  PendingCredential smb1_cred_;  // SMB1 AUTHENTICATE waiting for its SESSION_SETUP_ANDX answer
  int64_t smb1_ts_ = 0;
  uint64_t encrypted_messages_ = 0;
  uint64_t compressed_messages_ = 0;
};

// One direction's first bytes: NetBIOS control frames, then a session message with an SMB id.
ProbeResult probe_direction(Bytes b, bool final) {
  size_t pos = 0;
  for (int frames = 0; frames < 3; ++frames) {
    if (b.size() - pos < 4) return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
    const uint8_t type = b[pos];
    if (type >= kNbFirstControl && type <= kNbLastControl) {
      if ((b[pos + 1] & 0xFE) != 0) return ProbeResult::kNo;
      const size_t len = (size_t{b[pos + 1] & 1u} << 16) | (size_t{b[pos + 2]} << 8) | b[pos + 3];
      if (len > 1024) return ProbeResult::kNo;  // session requests carry two 34-byte names
      if (b.size() - pos < 4 + len) return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
      pos += 4 + len;
      continue;
    }
    if (type != kNbSessionMessage) return ProbeResult::kNo;
    const size_t len = (size_t{b[pos + 1]} << 16) | (size_t{b[pos + 2]} << 8) | b[pos + 3];
    if (len < 32) return ProbeResult::kNo;  // smaller than any SMB header
    static constexpr uint8_t kIds[] = {0xFE, 0xFF, 0xFD, 0xFC};
    const size_t have = std::min<size_t>(b.size() - pos - 4, 4);
    for (size_t i = 0; i < have; ++i) {
      const uint8_t c = b[pos + 4 + i];
      const bool match = i == 0 ? std::find(std::begin(kIds), std::end(kIds), c) != std::end(kIds)
                                : c == "?SMB"[i];
      if (!match) return ProbeResult::kNo;
    }
    if (have < 4) return final ? ProbeResult::kNo : ProbeResult::kNeedMore;
    return ProbeResult::kYes;
  }
  return ProbeResult::kNo;
}

}  // namespace

ProbeResult probe(const ProbeInput& in) {
  // The client speaks first; a capture that starts after the client's first message may still
  // show the server's response.
  if (!in.client.empty()) return probe_direction(in.client, in.client_final);
  if (!in.server.empty()) {
    const ProbeResult r = probe_direction(in.server, in.server_final);
    if (r != ProbeResult::kNeedMore) return r;
  }
  return in.client_final ? ProbeResult::kNo : ProbeResult::kNeedMore;
}

std::unique_ptr<AppSession> make_session(AppContext& ctx, const DataObserverFactory& observers) {
  return std::make_unique<Session>(ctx, observers ? observers(ctx) : nullptr);
}

AppProtocol make_protocol(DataObserverFactory observers) {
  AppProtocol p;
  p.name = "smb";
  p.transport = AppTransport::kTcp;
  p.ports = {kDirectTcpPort, kNetbiosPort};
  p.probe = probe;
  p.create = [observers = std::move(observers)](AppContext& ctx) {
    return make_session(ctx, observers);
  };
  return p;
}

}  // namespace smb

// File contents go to file extraction when the context has a file sink.
Status register_app_smb(AppRegistry& registry) {
  return registry.add(smb::make_protocol(&smb::make_file_observer));
}

}  // namespace netcap::app
