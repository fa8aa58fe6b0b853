#include "forensics/streams/kerberos/der.h"

#include <cstdint>

namespace netcap::app::kerberos {

std::string_view der_error_name(DerError e) {
  switch (e) {
    case DerError::kNone:
      return "none";
    case DerError::kTruncated:
      return "truncated";
    case DerError::kIndefinite:
      return "indefinite length";
    case DerError::kBadLength:
      return "bad length";
    case DerError::kBadTag:
      return "bad tag";
    case DerError::kTooDeep:
      return "too deep";
    case DerError::kUnexpectedTag:
      return "unexpected tag";
    case DerError::kBadValue:
      return "bad value";
  }
  return "?";
}

void DerReader::fail(DerError e, size_t offset) {
  if (error_ != DerError::kNone) return;
  error_ = e;
  error_offset_ = offset;
}

bool DerReader::next(Tlv& out) {
  if (!ok() || cursor_.empty()) return false;
  const size_t start = cursor_.offset();
  const uint8_t id = cursor_.u8();
  out.tag_class = static_cast<TagClass>(id >> 6);
  out.constructed = (id & 0x20) != 0;
  out.offset = base_ + start;
  uint32_t tag = id & 0x1f;
  if (tag == 0x1f) {
    // X.690 §8.1.2.4: high-tag-number form, base-128 with a continuation bit. Three octets
    // (tags below 2^21) are far beyond anything Kerberos uses.
    tag = 0;
    int octets = 0;
    for (;;) {
      const uint8_t o = cursor_.u8();
      if (!cursor_.ok()) {
        fail(DerError::kTruncated, base_ + start);
        return false;
      }
      if (octets == 0 && o == 0x80) {  // §8.1.2.4.2 c): the first octet is never 0x80
        fail(DerError::kBadTag, base_ + start);
        return false;
      }
      tag = (tag << 7) | (o & 0x7f);
      if ((o & 0x80) == 0) break;
      if (++octets == 3) {
        fail(DerError::kBadTag, base_ + start);
        return false;
      }
    }
  }
  out.tag = tag;
  const uint8_t first = cursor_.u8();
  if (!cursor_.ok()) {
    fail(DerError::kTruncated, base_ + start);
    return false;
  }
  size_t length = first;
  if (first == 0x80) {
    // X.690 §10.1: DER uses the definite form only.
    fail(DerError::kIndefinite, base_ + start);
    return false;
  }
  if (first > 0x80) {
    const int octets = first & 0x7f;
    // §8.1.3.5 c): 0xFF is reserved. More than 4 octets would mean a message above 4 GiB.
    if (first == 0xff || octets > 4) {
      fail(DerError::kBadLength, base_ + start);
      return false;
    }
    length = 0;
    for (int i = 0; i < octets; ++i) length = (length << 8) | cursor_.u8();
    if (!cursor_.ok()) {
      fail(DerError::kTruncated, base_ + start);
      return false;
    }
    // Non-minimal long forms (not DER, §10.1) are accepted: the length is still exact, and
    // rejecting them would gain nothing for a passive decoder.
  }
  if (length > cursor_.remaining()) {
    fail(DerError::kTruncated, base_ + start);
    return false;
  }
  out.value_offset = base_ + cursor_.offset();
  out.value = cursor_.bytes(length);
  return true;
}

DerReader DerReader::enter(const Tlv& tlv) {
  DerReader child(tlv.value, depth_ + 1, max_depth_);
  child.base_ = tlv.value_offset;
  if (depth_ + 1 > max_depth_) {
    fail(DerError::kTooDeep, tlv.offset);
    child.fail(DerError::kTooDeep, tlv.offset);
  }
  return child;
}

namespace {

void walk(DerReader& r, DerCheck& check) {
  if (r.depth() > check.depth) check.depth = r.depth();
  Tlv t;
  while (r.next(t)) {
    if (!t.constructed) continue;
    DerReader child = r.enter(t);
    if (!r.ok()) return;
    walk(child, check);
    if (!child.ok()) {
      r.fail(child.error(), child.error_offset());
      return;
    }
  }
}

}  // namespace

DerCheck check_der(Bytes data, int max_depth) {
  DerCheck check;
  DerReader r(data, 0, max_depth);
  walk(r, check);
  check.error = r.error();
  check.offset = r.error_offset();
  return check;
}

bool der_integer(Bytes value, int64_t& out) {
  if (value.empty() || value.size() > 8) return false;
  // Two's complement, big-endian (X.690 §8.3.3).
  uint64_t v = (value[0] & 0x80) != 0 ? ~uint64_t{0} : 0;
  for (uint8_t b : value) v = (v << 8) | b;
  out = static_cast<int64_t>(v);
  return true;
}

bool der_bit_string32(Bytes value, uint32_t& out) {
  // X.690 §8.6.2: the first octet counts the unused bits of the last octet (0-7).
  if (value.empty() || value[0] > 7 || (value.size() == 1 && value[0] != 0)) return false;
  out = 0;
  for (size_t i = 1; i <= 4; ++i) {
    out <<= 8;
    if (i < value.size()) out |= value[i];
  }
  return true;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

bool der_generalized_time(Bytes value, int64_t& unix_ns) {
  if (value.size() != 15 || value[14] != 'Z') return false;
  int64_t f[6] = {};
  const int widths[6] = {4, 2, 2, 2, 2, 2};
  size_t pos = 0;
  for (int i = 0; i < 6; ++i) {
    for (int k = 0; k < widths[i]; ++k, ++pos) {
      const uint8_t c = value[pos];
      if (c < '0' || c > '9') return false;
      f[i] = f[i] * 10 + (c - '0');
    }
  }
  // Seconds up to 60 (a leap second).
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
    return false;
  const int64_t seconds =
      days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
  // int64 nanoseconds cover 1677-2262; later times ("99991231235959Z" meaning "never") are
  // saturated rather than wrapped.
  constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000;
  if (seconds > kMaxSeconds) {
    unix_ns = kMaxSeconds * 1'000'000'000;
  } else if (seconds < -kMaxSeconds) {
    unix_ns = -kMaxSeconds * 1'000'000'000;
  } else {
    unix_ns = seconds * 1'000'000'000;
  }
  return true;
}

}  // namespace netcap::app::kerberos
