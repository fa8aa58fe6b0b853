// A small, strict DER reader (ITU-T X.690 §8.1 and §10) for Kerberos messages (RFC 4120 §5
// requires DER). It reads only through ByteCursor and accepts only what DER allows for the
// structures Kerberos uses:
//   * identifier octets with low-tag-number form or high-tag-number form up to 2^21 - 1;
//   * definite lengths only, short form or long form of at most 4 length octets (X.690 §10.1:
//     DER never uses the indefinite form 0x80);
//   * every TLV lies inside its parent (a length past the end is an error, never a read).
// Nesting is bounded: a reader made by enter() is one level deeper, and entering past
// `max_depth` is an error (kDerTooDeep), so a hostile message cannot make a walk unbounded.
//
// Errors are sticky per reader; the first error is kept with the offset where it happened.
// Readers borrow the bytes: spans stay valid as long as the message buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/util/byte_cursor.h"

namespace netcap::app::kerberos {

using Bytes = std::span<const uint8_t>;

// Deepest nesting accepted. Kerberos messages nest at most about 10 constructed levels (an
// AS-REQ's additional ticket's server name's component); 16 leaves room without allowing a
// depth bomb.
inline constexpr int kMaxDerDepth = 16;

enum class DerError : uint8_t {
  kNone,
  kTruncated,      // a tag, length or value runs past the end of its parent
  kIndefinite,     // length octet 0x80 (BER indefinite form, not DER)
  kBadLength,      // long form with 0 or more than 4 length octets, or a reserved 0xFF
  kBadTag,         // high-tag-number form longer than 3 octets
  kTooDeep,        // nesting beyond max_depth
  kUnexpectedTag,  // a tag the schema does not allow here (set by the caller)
  kBadValue,       // a primitive whose contents are invalid for its type (set by the caller)
};
std::string_view der_error_name(DerError e);

enum class TagClass : uint8_t { kUniversal = 0, kApplication = 1, kContext = 2, kPrivate = 3 };

// Universal tags Kerberos uses (X.680 §8.4).
inline constexpr uint32_t kTagInteger = 2;
inline constexpr uint32_t kTagBitString = 3;
inline constexpr uint32_t kTagOctetString = 4;
inline constexpr uint32_t kTagSequence = 16;
inline constexpr uint32_t kTagGeneralizedTime = 24;
inline constexpr uint32_t kTagGeneralString = 27;

struct Tlv {
  TagClass tag_class = TagClass::kUniversal;
  bool constructed = false;
  uint32_t tag = 0;
  Bytes value;              // the contents octets
  size_t offset = 0;        // of the identifier octet, from the start of the outermost message
  size_t value_offset = 0;  // of the contents octets, likewise
  bool is(TagClass c, uint32_t t) const { return tag_class == c && tag == t; }
  bool is_context(uint32_t t) const { return is(TagClass::kContext, t); }
};

class DerReader {
 public:
  explicit DerReader(Bytes data, int depth = 0, int max_depth = kMaxDerDepth)
      : cursor_(data), depth_(depth), max_depth_(max_depth) {}

  bool ok() const { return error_ == DerError::kNone; }
  DerError error() const { return error_; }
  // Offset of the first error from the start of the outermost message.
  size_t error_offset() const { return error_offset_; }
  bool at_end() const { return !ok() || cursor_.empty(); }
  size_t remaining() const { return ok() ? cursor_.remaining() : 0; }
  int depth() const { return depth_; }

  // Reads the next TLV; false at the end or on an error (check ok()).
  bool next(Tlv& out);

  // A reader over the contents of a constructed TLV one level deeper. Past max_depth it is a
  // failed reader and this reader records kTooDeep too.
  DerReader enter(const Tlv& tlv);

  // Records an error found by the caller (kUnexpectedTag, kBadValue, or a child reader's
  // error) at `offset` (from the start of the outermost message). The first error is kept.
  void fail(DerError e, size_t offset);

 private:
  ByteCursor cursor_;
  int depth_;
  int max_depth_;
  size_t base_ = 0;  // offset of this reader's bytes in the outermost message
  DerError error_ = DerError::kNone;
  size_t error_offset_ = 0;
};

// Checks that `data` is one or more well-formed DER TLVs, descending into every constructed
// TLV (the primitives' contents are not interpreted). Returns kNone or the first error with the
// offset where it was found (within `data`).
struct DerCheck {
  DerError error = DerError::kNone;
  size_t offset = 0;
  int depth = 0;  // deepest nesting seen
};
DerCheck check_der(Bytes data, int max_depth = kMaxDerDepth);

// Primitive decoders (X.690 §8.3 INTEGER, §8.6 BIT STRING, X.680 §46 GeneralizedTime). They
// return false for contents not valid for the type.
// INTEGER that fits in int64 (Kerberos Int32, UInt32 and Microseconds all do).
bool der_integer(Bytes value, int64_t& out);
// BIT STRING of up to 32 bits as a number whose most significant bit is bit 0 (the first bit
// on the wire, as RFC 4120 numbers KDCOptions and TicketFlags).
bool der_bit_string32(Bytes value, uint32_t& out);
// GeneralizedTime in the form Kerberos requires (RFC 4120 §5.2.3: "YYYYMMDDHHMMSSZ", no
// fractional seconds) as Unix nanoseconds.
bool der_generalized_time(Bytes value, int64_t& unix_ns);

}  // namespace netcap::app::kerberos
