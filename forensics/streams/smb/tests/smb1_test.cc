// SMB1 ([MS-CIFS]) file access: the AndX chain and command parsers with hand-built messages, the
// session (tree connect, NT_CREATE_ANDX / OPEN_ANDX, READ_ANDX, WRITE_ANDX, CLOSE, pairing,
// 64-bit offsets, malformed chains), and smb1-exe-transfer through the real engine with file
// extraction.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/files/file_store.h"
#include "forensics/streams/smb/smb_parser.h"
#include "forensics/streams/smb/tests/smb_test_support.h"
#include "proto/file.pb.h"

using namespace netcap;
using namespace netcap::app;
using namespace netcap::app::smb;
using namespace netcap::app::smb::test_support;

namespace {

struct S1 {
  bool response = false;
  uint16_t mid = 1, tid = 0, uid = 0x800;
  uint32_t pid = 0x00021234;
  uint32_t status = 0;
  bool unicode = true;
};

Buf smb1_header(const S1& h, uint8_t command) {
  Buf b;
  raw(b, "\xFFSMB");
  u8(b, command);
  u32(b, h.status);
  u8(b, h.response ? 0x98 : 0x18);
  u16(b, uint16_t(0x4807 | (h.unicode ? kSmb1Flags2Unicode : 0)));
  u16(b, uint16_t(h.pid >> 16));
  zeros(b, 8 + 2);  // SecurityFeatures, Reserved
  u16(b, h.tid);
  u16(b, uint16_t(h.pid));
  u16(b, h.uid);
  u16(b, h.mid);
  REQUIRE(b.size() == kSmb1HeaderSize);
  return b;
}

// A command block placed at offset `at` of its message (Unicode padding and DataOffset depend
// on it).
using BlockFn = std::function<Buf(size_t at)>;
struct Cmd {
  uint8_t command;
  BlockFn block;
};

// The header, then the blocks, with AndXCommand/AndXOffset linking each AndX block to the next.
Buf smb1_message(const S1& h, const std::vector<Cmd>& cmds) {
  Buf m = smb1_header(h, cmds.front().command);
  std::vector<size_t> at;
  for (const Cmd& c : cmds) {
    at.push_back(m.size());
    raw(m, c.block(m.size()));
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    if (!smb1_is_andx(cmds[i].command) || m[at[i]] < 2) continue;
    const bool last = i + 1 == cmds.size();
    const size_t next = last ? 0 : at[i + 1];
    m[at[i] + 1] = last ? kSmb1NoAndXCommand : cmds[i + 1].command;
    m[at[i] + 3] = uint8_t(next);
    m[at[i] + 4] = uint8_t(next >> 8);
  }
  return m;
}

Buf block(const Buf& words, const Buf& bytes) {
  Buf b;
  u8(b, uint8_t(words.size() / 2));
  raw(b, words);
  u16(b, uint16_t(bytes.size()));
  raw(b, bytes);
  return b;
}

Buf andx() { return Buf{kSmb1NoAndXCommand, 0, 0, 0}; }

// An SMB_STRING at absolute offset `at` with its terminator (and pad when Unicode).
Buf smb_string(std::string_view s, bool unicode, size_t at) {
  Buf b;
  if (unicode) {
    if (at % 2) u8(b, 0);
    raw(b, utf16(s));
    u16(b, 0);
  } else {
    raw(b, s);
    u8(b, 0);
  }
  return b;
}

Cmd tree_connect_request(std::string_view path, bool unicode) {
  return {kSmb1TreeConnectAndX, [=](size_t at) {
            Buf w = andx();
            u16(w, 0);  // Flags
            u16(w, 1);  // PasswordLength
            Buf d{0};   // Password
            raw(d, smb_string(path, unicode, at + 1 + w.size() + 2 + d.size()));
            raw(d, "?????");
            u8(d, 0);
            return block(w, d);
          }};
}

Cmd tree_connect_response(std::string_view service) {
  return {kSmb1TreeConnectAndX, [=](size_t) {
            Buf w = andx();
            u16(w, 1);  // OptionalSupport
            Buf d;
            raw(d, service);
            u8(d, 0);
            return block(w, d);
          }};
}

Cmd nt_create_request(std::string_view name, bool unicode, uint32_t root_fid = 0,
                      uint32_t options = 0x40) {
  return {kSmb1NtCreateAndX, [=](size_t at) {
            Buf w = andx();
            u8(w, 0);
            u16(w, uint16_t(unicode ? name.size() * 2 : name.size()));  // NameLength
            u32(w, 0x16);                                               // Flags
            u32(w, root_fid);
            u32(w, 0x0012019f);  // DesiredAccess
            u64(w, 0);
            u32(w, 0x80);  // ExtFileAttributes
            u32(w, 7);     // ShareAccess
            u32(w, 5);     // CreateDisposition: overwrite-if
            u32(w, options);
            u32(w, 2);  // ImpersonationLevel
            u8(w, 0);
            REQUIRE(w.size() == 48);
            return block(w, smb_string(name, unicode, at + 1 + w.size() + 2));
          }};
}

// [MS-CIFS] 2.2.4.64.2, or the [MS-SMB] 2.2.4.9.2 extended form (WordCount 0x2A, 100 bytes).
Cmd nt_create_response(uint16_t fid, uint64_t eof, bool extended = false,
                       uint16_t resource_type = 0, uint32_t attributes = 0x20) {
  return {kSmb1NtCreateAndX, [=](size_t) {
            Buf w = andx();
            u8(w, 0);  // OplockLevel
            u16(w, fid);
            u32(w, 2);  // CreateDisposition: created
            zeros(w, 32);
            u32(w, attributes);
            u64(w, 4096);
            u64(w, eof);
            u16(w, resource_type);
            u16(w, resource_type == 0 ? 0 : 0x05ff);
            u8(w, (attributes & 0x10) ? 1 : 0);
            REQUIRE(w.size() == 68);
            if (!extended) return block(w, {});
            zeros(w, 32);  // VolumeGUID, FileId, MaximalAccessRights, GuestMaximalAccessRights
            Buf b{0x2A};
            raw(b, w);
            u16(b, 0);
            return b;
          }};
}

Cmd open_request(std::string_view name, bool unicode) {
  return {kSmb1OpenAndX, [=](size_t at) {
            Buf w = andx();
            zeros(w, 26);
            return block(w, smb_string(name, unicode, at + 1 + w.size() + 2));
          }};
}

Cmd open_response(uint16_t fid, uint32_t size, uint16_t open_results) {
  return {kSmb1OpenAndX, [=](size_t) {
            Buf w = andx();
            u16(w, fid);
            u16(w, 0x20);  // FileAttrs
            u32(w, 0);
            u32(w, size);  // FileDataSize
            u16(w, 2);     // AccessRights
            u16(w, 0);     // ResourceType: disk
            u16(w, 0);
            u16(w, open_results);
            zeros(w, 6);
            return block(w, {});
          }};
}

Cmd read_request(uint16_t fid, uint64_t offset, bool offset_high = true) {
  return {kSmb1ReadAndX, [=](size_t) {
            Buf w = andx();
            u16(w, fid);
            u32(w, uint32_t(offset));
            u16(w, 0xF000);
            u16(w, 0xF000);
            u32(w, 0);
            u16(w, 0);
            if (offset_high) u32(w, uint32_t(offset >> 32));
            return block(w, {});
          }};
}

// `declared`: DataLength | DataLengthHigh << 16 (the data's size when 0).
Cmd read_response(std::string_view data, uint32_t declared = 0) {
  return {kSmb1ReadAndX, [=](size_t at) {
            const uint32_t length = declared != 0 ? declared : uint32_t(data.size());
            Buf w = andx();
            u16(w, 0xFFFF);  // Available
            u16(w, 0);
            u16(w, 0);
            u16(w, uint16_t(length));
            u16(w, uint16_t(at + 1 + 24 + 2 + 1));  // DataOffset: after one pad byte
            u16(w, uint16_t(length >> 16));         // DataLengthHigh
            zeros(w, 8);
            Buf d{0};
            raw(d, data);
            return block(w, d);
          }};
}

Cmd write_request(uint16_t fid, uint64_t offset, std::string_view data, bool offset_high = true,
                  uint32_t declared = 0) {
  return {kSmb1WriteAndX, [=](size_t at) {
            const uint32_t length = declared != 0 ? declared : uint32_t(data.size());
            Buf w = andx();
            u16(w, fid);
            u32(w, uint32_t(offset));
            u32(w, 0);  // Timeout
            u16(w, 0);  // WriteMode
            u16(w, 0);  // Remaining
            u16(w, uint16_t(length >> 16));
            u16(w, uint16_t(length));
            const size_t words = offset_high ? 28 : 24;
            u16(w, uint16_t(at + 1 + words + 2 + 1));  // DataOffset: after one pad byte
            if (offset_high) u32(w, uint32_t(offset >> 32));
            Buf d{0xEE};  // pad
            raw(d, data);
            return block(w, d);
          }};
}

Cmd write_response(uint16_t count) {
  return {kSmb1WriteAndX, [=](size_t) {
            Buf w = andx();
            u16(w, count);
            u16(w, 0xFFFF);
            u32(w, 0);
            return block(w, {});
          }};
}

Cmd close_request(uint16_t fid) {
  return {kSmb1Close, [=](size_t) {
            Buf w;
            u16(w, fid);
            u32(w, 0xFFFFFFFF);
            return block(w, {});
          }};
}

Cmd empty_response(uint8_t command) {
  return {command, [](size_t) { return block({}, {}); }};
}

Cmd logoff() {
  return {kSmb1LogoffAndX, [](size_t) { return block(andx(), {}); }};
}

Buf msg(const S1& h, std::vector<Cmd> cmds) { return smb1_message(h, cmds); }
S1 req(uint16_t mid, uint16_t tid = 7) { return S1{false, mid, tid}; }
S1 resp(uint16_t mid, uint16_t tid = 7, uint32_t status = 0) {
  S1 h{true, mid, tid};
  h.status = status;
  return h;
}

std::string bytes_of(const Bytes b) { return std::string(as_text(b)); }

}  // namespace

TEST_CASE("smb1: AndX chain parsing") {
  SECTION("a chain of two commands") {
    const Buf m = msg(req(1, 0xFFFF), {tree_connect_request("\\\\srv\\share", true),
                                       nt_create_request("\\a.txt", true)});
    const Smb1Chain c = parse_smb1_chain(m, false, 16);
    CHECK(c.result == Smb1ChainResult::kOk);
    REQUIRE(c.blocks.size() == 2);
    CHECK(c.blocks[0].command == kSmb1TreeConnectAndX);
    CHECK(c.blocks[1].command == kSmb1NtCreateAndX);
    CHECK(c.blocks[1].offset > c.blocks[0].offset);
    std::string path;
    CHECK(parse_smb1_tree_connect_request(c.blocks[0], true, path));
    CHECK(path == "\\\\srv\\share");
    Smb1NtCreateRequest r;
    CHECK(parse_smb1_nt_create_request(c.blocks[1], true, r));
    CHECK(r.name == "\\a.txt");
    CHECK(r.create_disposition == 5);
  }
  SECTION("an AndXOffset pointing backwards, at itself or outside the message") {
    Buf m = msg(req(1), {tree_connect_request("\\\\srv\\share", false), logoff()});
    for (const size_t bad : {size_t{0}, size_t{32}, size_t{35}, m.size(), size_t{0xFFFF}}) {
      Buf b = m;
      b[32 + 3] = uint8_t(bad);
      b[32 + 4] = uint8_t(bad >> 8);
      const Smb1Chain c = parse_smb1_chain(b, false, 16);
      INFO("AndXOffset " << bad);
      CHECK(c.result == Smb1ChainResult::kBadOffset);
      CHECK(c.failed_offset == bad);
      CHECK(c.failed_command == kSmb1LogoffAndX);
      REQUIRE(c.blocks.size() == 1);  // the first command is kept
      CHECK(c.blocks[0].command == kSmb1TreeConnectAndX);
    }
  }
  SECTION("a chain longer than the bound") {
    std::vector<Cmd> cmds(20, logoff());
    const Buf m = msg(req(1), cmds);
    CHECK(parse_smb1_chain(m, false, 64).result == Smb1ChainResult::kOk);
    const Smb1Chain c = parse_smb1_chain(m, false, 16);
    CHECK(c.result == Smb1ChainResult::kTooLong);
    CHECK(c.blocks.size() == 16);
  }
  SECTION("truncation at every length") {
    const Buf m =
        msg(req(1), {nt_create_request("\\dir\\file.bin", true), read_request(0x4001, 10)});
    const size_t full = parse_smb1_chain(m, false, 16).blocks.size();
    REQUIRE(full == 2);
    for (size_t n = 0; n < m.size(); ++n) {
      const Smb1Chain c = parse_smb1_chain(Bytes(m).subspan(0, n), false, 16);
      INFO("length " << n);
      CHECK(c.result != Smb1ChainResult::kOk);
      CHECK(c.blocks.size() < full + (c.blocks.empty() ? 1 : 0));
      for (const Smb1Block& b : c.blocks) CHECK(b.bytes.data() + b.bytes.size() <= m.data() + n);
    }
  }
  SECTION("a ByteCount past the end is cut and flagged") {
    Buf m = msg(req(1), {close_request(5)});
    m[m.size() - 1] = 0x10;  // ByteCount (the last two bytes) 0 -> 0x1000
    const Smb1Chain c = parse_smb1_chain(m, false, 16);
    REQUIRE(c.blocks.size() == 1);
    CHECK(c.blocks[0].bytes_cut);
    CHECK(c.blocks[0].bytes.empty());
  }
}

TEST_CASE("smb1: command parsers") {
  SECTION("NT_CREATE_ANDX request, Unicode with pad and OEM") {
    for (const bool unicode : {true, false}) {
      const Buf m = msg(req(1), {nt_create_request("\\WINDOWS\\x.exe", unicode)});
      const Smb1Chain c = parse_smb1_chain(m, false, 16);
      REQUIRE(c.blocks.size() == 1);
      Smb1NtCreateRequest r;
      REQUIRE(parse_smb1_nt_create_request(c.blocks[0], unicode, r));
      CHECK(r.name == "\\WINDOWS\\x.exe");
      CHECK(r.desired_access == 0x0012019f);
      CHECK(r.create_options == 0x40);
    }
    // NameLength past the data: does not fit.
    Buf m = msg(req(1), {nt_create_request("\\a", false)});
    m[32 + 1 + 5] = 0x40;
    const Smb1Chain c = parse_smb1_chain(m, false, 16);
    Smb1NtCreateRequest r;
    CHECK_FALSE(parse_smb1_nt_create_request(c.blocks[0], false, r));
  }
  SECTION("NT_CREATE_ANDX responses, plain and extended") {
    for (const bool extended : {false, true}) {
      const Buf m = msg(resp(1), {nt_create_response(0x4004, 123456789012ull, extended)});
      const Smb1Chain c = parse_smb1_chain(m, true, 16);
      REQUIRE(c.result == Smb1ChainResult::kOk);
      REQUIRE(c.blocks.size() == 1);
      CHECK(c.blocks[0].words.size() == (extended ? 100u : 68u));
      Smb1CreateResponse r;
      REQUIRE(parse_smb1_nt_create_response(c.blocks[0], r));
      CHECK(r.fid == 0x4004);
      CHECK(r.end_of_file == 123456789012ull);
      CHECK(r.create_action == 2);
      CHECK_FALSE(r.directory);
    }
  }
  SECTION("READ_ANDX with and without OffsetHigh; the response's DataLengthHigh") {
    for (const bool high : {true, false}) {
      const uint64_t offset = high ? 0x0000000123456789ull : 0x23456789ull;
      const Buf m = msg(req(1), {read_request(9, offset, high)});
      Smb1ReadRequest r;
      REQUIRE(parse_smb1_read_request(parse_smb1_chain(m, false, 16).blocks.at(0), r));
      CHECK(r.fid == 9);
      CHECK(r.offset == offset);
    }
    const std::string big(70000, 'x');
    const Buf m = msg(resp(1), {read_response(big)});
    const Smb1Chain c = parse_smb1_chain(m, true, 16);
    Smb1ReadResponse r;
    REQUIRE(parse_smb1_read_response(m, c.blocks.at(0), r));
    CHECK(r.data_length == 70000);
    CHECK(r.data.size() == 70000);
    // DataOffset into the parameter words: malformed.
    Buf bad = m;
    bad[32 + 1 + 10 + 2] = 40;
    bad[32 + 1 + 10 + 3] = 0;
    CHECK_FALSE(parse_smb1_read_response(bad, parse_smb1_chain(bad, true, 16).blocks.at(0), r));
  }
  SECTION("WRITE_ANDX with OffsetHigh and DataLengthHigh") {
    const std::string data(0x10005, 'w');
    const Buf m = msg(req(1), {write_request(3, 0x200000010ull, data)});
    Smb1WriteRequest w;
    REQUIRE(parse_smb1_write_request(m, parse_smb1_chain(m, false, 16).blocks.at(0), w));
    CHECK(w.fid == 3);
    CHECK(w.offset == 0x200000010ull);
    CHECK(w.data_length == 0x10005);
    CHECK(bytes_of(w.data) == data);
    const Buf m12 = msg(req(1), {write_request(3, 0x200000010ull, "abc", false)});
    REQUIRE(parse_smb1_write_request(m12, parse_smb1_chain(m12, false, 16).blocks.at(0), w));
    CHECK(w.offset == 0x10);  // WordCount 12: 32-bit offset
    CHECK(bytes_of(w.data) == "abc");
  }
  SECTION("OPEN_ANDX, CLOSE, TREE_CONNECT_ANDX response") {
    const Buf o = msg(req(1), {open_request("\\old.txt", false)});
    std::string name;
    REQUIRE(parse_smb1_open_request(parse_smb1_chain(o, false, 16).blocks.at(0), false, name));
    CHECK(name == "\\old.txt");
    const Buf or_ = msg(resp(1), {open_response(0x77, 4000, 0x8001)});
    Smb1CreateResponse r;
    REQUIRE(parse_smb1_open_response(parse_smb1_chain(or_, true, 16).blocks.at(0), r));
    CHECK(r.fid == 0x77);
    CHECK(r.end_of_file == 4000);
    CHECK(r.create_action == 1);
    const Buf cl = msg(req(1), {close_request(0x77)});
    uint16_t fid = 0;
    REQUIRE(parse_smb1_close_request(parse_smb1_chain(cl, false, 16).blocks.at(0), fid));
    CHECK(fid == 0x77);
    const Buf tr = msg(resp(1), {tree_connect_response("IPC")});
    std::string service;
    REQUIRE(parse_smb1_tree_connect_response(parse_smb1_chain(tr, true, 16).blocks.at(0), service));
    CHECK(service == "IPC");
  }
  CHECK(oem_to_utf8(Buf{'a', 0xE9}) == "a\xC3\xA9");
}

namespace {

// A client that connects to a disk share and to IPC$, writes a file in two pieces (the second
// with a 64-bit WRITE_ANDX), reads it back, and closes it; a pipe is opened and written.
std::vector<std::pair<Buf, Buf>> smb1_conversation() {
  std::vector<std::pair<Buf, Buf>> c;
  c.push_back({frame(msg(req(1, 0xFFFF), {tree_connect_request("\\\\srv\\share", true)})),
               frame(msg(resp(1, 7), {tree_connect_response("A:")}))});
  c.push_back({frame(msg(req(2, 0xFFFF), {tree_connect_request("\\\\srv\\IPC$", true)})),
               frame(msg(resp(2, 8), {tree_connect_response("IPC")}))});
  c.push_back({frame(msg(req(3), {nt_create_request("\\dir\\a.txt", true)})),
               frame(msg(resp(3), {nt_create_response(0x4001, 0, true)}))});
  c.push_back({frame(msg(req(4), {write_request(0x4001, 0, "hello ", false)})),
               frame(msg(resp(4), {write_response(6)}))});
  c.push_back({frame(msg(req(5), {write_request(0x4001, 6, "world", true)})),
               frame(msg(resp(5), {write_response(5)}))});
  c.push_back({frame(msg(req(6), {read_request(0x4001, 0)})),
               frame(msg(resp(6), {read_response("hello world")}))});
  c.push_back({frame(msg(req(7), {close_request(0x4001)})),
               frame(msg(resp(7), {empty_response(kSmb1Close)}))});
  // A named pipe: ResourceType 2 and the IPC$ share; its data is not file data.
  c.push_back({frame(msg(req(8, 8), {nt_create_request("\\svcctl", true)})),
               frame(msg(resp(8, 8), {nt_create_response(0x4002, 0, true, 2)}))});
  c.push_back({frame(msg(req(9, 8), {write_request(0x4002, 0, "rpc", false)})),
               frame(msg(resp(9, 8), {write_response(3)}))});
  // Not found: recorded with its status, no FID.
  c.push_back({frame(msg(req(10), {nt_create_request("\\missing.txt", true)})),
               frame(msg(resp(10, 7, 0xC0000034), {empty_response(kSmb1NtCreateAndX)}))});
  return c;
}

}  // namespace

TEST_CASE("smb1: a conversation, in one piece and byte by byte") {
  for (size_t step : {size_t(0), size_t(1), size_t(13)}) {
    std::vector<Call> calls;
    std::vector<std::string> closed;
    Harness h([&](AppContext&) { return std::make_unique<TestObserver>(calls, closed); });
    for (const auto& [request, response] : smb1_conversation()) {
      h.client(request, step);
      h.server(response, step);
    }
    h.session->on_end(StreamEndReason::kFin, 1000);
    INFO("step " << step);
    CHECK(h.emitted.anomalies().empty());
    auto tc = h.emitted.of<SMB2TreeConnect>();
    REQUIRE(tc.size() == 2);
    CHECK(tc[0]->path() == "\\\\srv\\share");
    CHECK(tc[0]->treeid() == 7);
    CHECK(tc[0]->sessionid() == 0x800);
    CHECK(tc[0]->sharetype() == "disk");
    CHECK(tc[1]->sharetype() == "pipe");
    auto files = h.emitted.of<SMB2File>();
    REQUIRE(files.size() == 3);
    const SMB2File& f = *files[0];
    CHECK(f.filename() == "dir\\a.txt");
    CHECK(f.share() == "\\\\srv\\share");
    CHECK(f.fileid() == "4001");
    CHECK(f.version() == 1);
    CHECK(f.treeid() == 7);
    CHECK(f.createdisposition() == 5);
    CHECK(f.createaction() == 2);
    CHECK(f.byteswritten() == 11);
    CHECK(f.bytesread() == 11);
    CHECK(f.writes() == 2);
    CHECK(f.reads() == 1);
    REQUIRE(f.writeranges_size() == 1);
    CHECK(f.writeranges(0).length() == 11);
    CHECK(f.closetime() > f.timestamp());
    CHECK(files[1]->filename() == "missing.txt");
    CHECK(files[1]->status() == 0xC0000034);
    CHECK(files[1]->fileid().empty());
    CHECK(files[2]->filename() == "svcctl");  // open at the end
    CHECK(files[2]->closetime() == 0);
    CHECK(files[2]->byteswritten() == 3);
    REQUIRE(calls.size() == 3);  // not the pipe's
    CHECK(calls[0].write);
    CHECK(calls[0].data == "hello ");
    CHECK(calls[0].file_name == "dir\\a.txt");
    CHECK(calls[1].offset == 6);
    CHECK(calls[1].data == "world");
    CHECK_FALSE(calls[2].write);
    CHECK(calls[2].data == "hello world");
    CHECK(closed == std::vector<std::string>{"dir\\a.txt", "missing.txt", "svcctl"});
  }
}

TEST_CASE("smb1: chained requests and responses, 64-bit offsets, OPEN_ANDX") {
  std::vector<Call> calls;
  std::vector<std::string> closed;
  Harness h([&](AppContext&) { return std::make_unique<TestObserver>(calls, closed); });
  // TREE_CONNECT_ANDX + NT_CREATE_ANDX in one request; the response carries the new TID.
  h.client(frame(msg(req(1, 0xFFFF), {tree_connect_request("\\\\srv\\c$", true),
                                      nt_create_request("\\big", true)})));
  h.server(
      frame(msg(resp(1, 9), {tree_connect_response("A:"), nt_create_response(5, 1ull << 33)})));
  // NT_CREATE_ANDX + READ_ANDX (64-bit offset) in one request.
  h.client(frame(msg(req(2, 9), {write_request(5, (1ull << 32) + 10, "far", true)})));
  h.client(frame(msg(req(3, 9), {read_request(5, (1ull << 32) + 7)})));
  h.server(frame(msg(resp(3, 9), {read_response("xyzfar")})));
  // OPEN_ANDX relative name, read without OffsetHigh.
  h.client(frame(msg(req(4, 9), {open_request("\\legacy.txt", true), read_request(6, 0, false)})));
  h.server(frame(msg(resp(4, 9), {open_response(6, 3, 2), read_response("abc")})));
  h.session->on_end(StreamEndReason::kFin, 1000);
  CHECK(h.emitted.anomalies().empty());
  auto files = h.emitted.of<SMB2File>();
  REQUIRE(files.size() == 2);
  CHECK(files[0]->filename() == "big");
  CHECK(files[0]->share() == "\\\\srv\\c$");
  CHECK(files[0]->endoffile() == 1ull << 33);
  REQUIRE(files[0]->writeranges_size() == 1);
  CHECK(files[0]->writeranges(0).offset() == (1ull << 32) + 10);
  REQUIRE(files[0]->readranges_size() == 1);
  CHECK(files[0]->readranges(0).offset() == (1ull << 32) + 7);
  CHECK(files[1]->filename() == "legacy.txt");
  CHECK(files[1]->endoffile() == 3);
  CHECK(files[1]->createaction() == 2);
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].offset == (1ull << 32) + 10);
  CHECK(calls[1].offset == (1ull << 32) + 7);
  CHECK(calls[1].data == "xyzfar");
  CHECK(calls[2].offset == 0);
  CHECK(calls[2].data == "abc");
}

TEST_CASE("smb1: responses are paired by MID, PID, TID and UID") {
  std::vector<Call> calls;
  std::vector<std::string> closed;
  Harness h([&](AppContext&) { return std::make_unique<TestObserver>(calls, closed); });
  h.client(frame(msg(req(1), {nt_create_request("\\f", true)})));
  h.server(frame(msg(resp(1), {nt_create_response(5, 0)})));
  // Two reads outstanding, answered in the other order.
  h.client(frame(msg(req(10), {read_request(5, 100)})));
  h.client(frame(msg(req(11), {read_request(5, 200)})));
  h.server(frame(msg(resp(11), {read_response("second")})));
  h.server(frame(msg(resp(10), {read_response("first")})));
  // Same MID on another TID: not this file's request.
  h.client(frame(msg(req(12, 3), {read_request(5, 300)})));
  S1 other = resp(12);
  other.pid = 99;  // another process: no request
  h.server(frame(msg(other, {read_response("stray")})));
  // Same key twice (MID 0 reused): answered in order.
  h.client(frame(msg(req(0), {read_request(5, 400)})));
  h.client(frame(msg(req(0), {read_request(5, 500)})));
  h.server(frame(msg(resp(0), {read_response("A")})));
  h.server(frame(msg(resp(0), {read_response("B")})));
  h.session->on_end(StreamEndReason::kFin, 1000);
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].offset == 200);
  CHECK(calls[0].data == "second");
  CHECK(calls[1].offset == 100);
  CHECK(calls[1].data == "first");
  CHECK(calls[2].offset == 400);
  CHECK(calls[2].data == "A");
  CHECK(calls[3].offset == 500);
  CHECK(calls[3].data == "B");
}

TEST_CASE("smb1: malformed chains and commands are anomalies, earlier commands stay") {
  Harness h;
  // The second command's AndXOffset points back to the first.
  Buf m = msg(req(1, 0xFFFF), {tree_connect_request("\\\\srv\\d", true), logoff()});
  m[32 + 3] = 32;
  m[32 + 4] = 0;
  h.client(frame(m));
  h.server(frame(msg(resp(1, 4), {tree_connect_response("A:")})));
  // A chain of 20 commands.
  h.client(frame(msg(req(2), std::vector<Cmd>(20, logoff()))));
  // READ_ANDX request with WordCount 11; WRITE_ANDX declaring more data than carried.
  Buf r = msg(req(3), {read_request(5, 0, false)});
  r[32] = 11;
  r.insert(r.begin() + 33 + 20, {0, 0});
  h.client(frame(r));
  h.client(frame(msg(req(4, 4), {write_request(5, 0, "abc", true, 10)})));
  // The request of a READ_ANDX response whose data lies outside the message.
  h.client(frame(msg(req(5, 4), {read_request(5, 0)})));
  Buf bad = msg(resp(5, 4), {read_response("zz")});
  bad[32 + 1 + 10 + 2] = 0xF0;
  h.server(frame(bad));
  h.session->on_end(StreamEndReason::kFin, 1000);
  std::vector<std::string> names;
  for (const Anomaly* a : h.emitted.of<Anomaly>()) names.push_back(a->name());
  CHECK(std::count(names.begin(), names.end(), "smb.bad_andx_chain") == 1);
  CHECK(std::count(names.begin(), names.end(), "smb.andx_chain_too_long") == 1);
  CHECK(std::count(names.begin(), names.end(), "smb.bad_command") == 3);
  auto tc = h.emitted.of<SMB2TreeConnect>();
  REQUIRE(tc.size() == 1);  // the first command of the bad chain
  CHECK(tc[0]->path() == "\\\\srv\\d");
  auto files = h.emitted.of<SMB2File>();
  REQUIRE(files.size() == 1);
  CHECK(files[0]->byteswritten() == 3);  // what was carried
}

TEST_CASE("smb1: pending requests and open files are bounded") {
  Harness h;
  h.limits.max_pending_transactions = 4;
  for (uint16_t mid = 1; mid <= 6; ++mid) h.client(frame(msg(req(mid), {read_request(1, 0)})));
  for (uint16_t fid = 1; fid <= 6; ++fid) {
    h.client(frame(msg(req(100), {write_request(fid, 0, "x", false)})));
  }
  h.session->on_end(StreamEndReason::kFin, 1000);
  std::vector<std::string> names;
  for (const Anomaly* a : h.emitted.of<Anomaly>()) names.push_back(a->name());
  CHECK(std::count(names.begin(), names.end(), "smb.too_many_pending") == 2);
  CHECK(std::count(names.begin(), names.end(), "smb.too_many_open_files") == 2);
  CHECK(h.emitted.of<SMB2File>().size() == 6);
}

namespace {

std::string sha256_file(const std::filesystem::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return {};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  unsigned char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) EVP_DigestUpdate(ctx, buf, n);
  std::fclose(f);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return app::hex(Bytes(md, len));
}

}  // namespace

TEST_CASE("smb1: smb1-exe-transfer through the engine extracts both executables") {
  const std::string path = app::testing::shared_capture("smb1-exe-transfer.pcap");
  if (path.empty()) {
    WARN("../shared is absent: skipped");
    return;
  }
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "netcap-smb1-exe-transfer";
  fs::remove_all(dir);
  auto store = files::FileStore::create(dir.string());
  REQUIRE(store.has_value());
  auto run = app::testing::run_capture(path, 1, {}, store->get());
  REQUIRE(run.has_value());
  const auto& r = run.value();
  std::vector<std::string> smb_anomalies;
  for (const Anomaly* a : r.of<Anomaly>()) {
    if (a->name().rfind("smb.", 0) == 0) smb_anomalies.push_back(a->name() + ": " + a->detail());
  }
  CHECK(smb_anomalies.empty());
  auto neg = r.of<SMB2Negotiate>();
  REQUIRE(neg.size() == 1);
  CHECK(neg[0]->version() == 1);
  CHECK(neg[0]->dialect() == "NT LM 0.12");
  // The two executables written to \WINDOWS (tshark --export-objects smb, oracle objects.tsv).
  const std::map<std::string, std::pair<uint64_t, std::string>> expected = {
      {"WINDOWS\\hbik424zgeokk9qen4582wxohkmu02ijclid3fyg42lpfgdhn1mwc_yty5bdcf3g.exe",
       {245760, "367964b64b83363362805824fae6732858f74f0e9fe527d6e9e05fe2f9e46645"}},
      {"WINDOWS\\12zcytvobte007cok1akhmrr_jud32303366jbc3p9x9my1rl9gwtlqfjqx20osk.exe",
       {115712, "cf99990bee6c378cbf56239b3cc88276eec348d82740f84e9d5c343751f82560"}},
  };
  std::map<std::string, const SMB2File*> opens;
  for (const SMB2File* f : r.of<SMB2File>()) {
    CHECK(f->version() == 1);
    CHECK(f->dialect() == "NT LM 0.12");
    if (expected.count(f->filename())) opens[f->filename()] = f;
  }
  REQUIRE(opens.size() == 2);
  for (const auto& [name, want] : expected) {
    const SMB2File* f = opens[name];
    INFO(name);
    CHECK(f->byteswritten() == want.first);
    CHECK(f->closetime() > f->timestamp());
    CHECK(f->share().find('$') != std::string::npos);  // an administrative share, not IPC$
    CHECK(f->share().find("IPC$") == std::string::npos);
  }
  std::map<std::string, const File*> stored;
  for (const File* f : r.of<File>()) stored[f->sha256()] = f;
  for (const auto& [name, want] : expected) {
    INFO(name);
    auto it = stored.find(want.second);
    REQUIRE(it != stored.end());
    const File& f = *it->second;
    CHECK(f.protocol() == "smb");
    CHECK(f.direction() == "upload");
    CHECK(f.size() == int64_t(want.first));
    CHECK(f.missingbytes() == 0);
    CHECK(f.name() == name);
    CHECK(sha256_file(dir / f.path()) == want.second);
  }
  // Pipes (svcctl, netlogon on IPC$) are not files.
  for (const File* f : r.of<File>()) CHECK(f->name().find("svcctl") == std::string::npos);
  fs::remove_all(dir);
}
