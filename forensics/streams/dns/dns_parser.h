// DNS message parser (RFC 1035 §4.1, with the RDATA formats of later RFCs). Pure: bytes in, a
// netcap::DNS record (header, questions, sections, decoded RDATA) and a list of problems out.
// Also used for mDNS (RFC 6762) and LLMNR (RFC 4795), which share the wire format.
//
// Names are dot-joined labels without the trailing dot; the root is "<Root>" (as tshark writes
// it). Inside a label a '.' is written "\." and control bytes (< 0x20, 0x7f) "\DDD"
// (RFC 4343 §2.1 style); other bytes (UTF-8 of mDNS instance names) are kept as sent.
//
// Thread-safety: all functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/byte_cursor.h"
#include "proto/dns.pb.h"

namespace netcap::app::dns {

enum class Flavor : uint8_t { kDns, kMdns, kLlmnr };

// A compression pointer chain longer than this is treated as a loop (RFC 1035 §4.1.4 allows
// chains, real messages use one or two pointers per name).
inline constexpr int kMaxCompressionPointers = 32;
// RFC 1035 §2.3.4: a name is at most 255 bytes on the wire.
inline constexpr size_t kMaxNameWireBytes = 255;
// DNS header size (RFC 1035 §4.1.1).
inline constexpr size_t kHeaderBytes = 12;

// One problem found while parsing; `name` is the full anomaly name ("dns.bad_label").
struct Problem {
  std::string name;
  std::string detail;
};

struct ParseOptions {
  Flavor flavor = Flavor::kDns;
  // Questions + resource records kept per message (Limits::max_items_per_message); past it
  // parsing stops with dns.too_many_records.
  size_t max_records = 4096;
};

struct ParseResult {
  bool header_ok = false;  // the 12-byte header was there
  bool complete = false;   // every section parsed, no bytes missing
  size_t consumed = 0;     // bytes used by the sections (trailing bytes not counted)
  std::vector<Problem> problems;
};

// Parses one message into `out` (fills the header fields, Questions, Answers, Authorities,
// Additionals, QueryName/QueryType, Complete, Size; leaves flow fields alone). Whatever parses
// before a problem is kept.
ParseResult parse_message(Bytes msg, const ParseOptions& options, DNS& out);

enum class NameError : uint8_t { kNone, kTruncated, kBadLabel, kTooLong, kLoop, kBadPointer };

// Reads the (possibly compressed) name at `offset` of `msg`; on success `offset` is moved past
// the name's in-line bytes (up to and including the first pointer or the root label).
NameError read_name(Bytes msg, size_t& offset, std::string& out);

// Mnemonics: "A", "AAAA", ... "TYPE<n>" when unknown; "NOERROR", ... "RCODE<n>".
std::string type_name(uint16_t type);
std::string rcode_name(int rcode);

// "owner TYPE data" as in the oracle's answers column (see oracle/README.md).
std::string answer_summary(const DNSResourceRecord& rr);

// Content check used by the probes: is `msg` the start of a plausible DNS message of this
// flavor? `strict` (off the well-known port) additionally requires the whole message to parse
// with no problem. Returns 1 = yes, 0 = no, -1 = more bytes needed (only when `partial`: `msg`
// may be the beginning of a longer message).
int plausible_message(Bytes msg, Flavor flavor, bool strict, bool partial);

}  // namespace netcap::app::dns
