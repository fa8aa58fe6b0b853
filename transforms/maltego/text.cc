#include "transforms/maltego/text.h"

#include <cstdint>

namespace netcap::maltego {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// One decoding step. Returns the number of bytes consumed (>= 1); *cp receives the code point or
// kReplacement with *ok=false. Follows Unicode 15 Table 3-7 (well-formed byte sequences): the
// second byte's allowed range depends on the lead byte, which is what makes the substitution
// "maximal subpart" (the bytes of a valid prefix are replaced together, the failing byte is not
// consumed).
size_t decode_one(std::string_view s, size_t i, char32_t* cp, bool* ok) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  *ok = false;
  *cp = kReplacement;
  if (b0 < 0x80) {
    *cp = b0;
    *ok = true;
    return 1;
  }
  size_t need = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  char32_t value = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return 1;  // 80..C1, F5..FF can never start a sequence
  }
  size_t consumed = 1;
  for (size_t k = 0; k < need; ++k) {
    if (i + consumed >= s.size()) return consumed;
    const auto b = static_cast<uint8_t>(s[i + consumed]);
    const uint8_t min = (k == 0) ? lo : 0x80;
    const uint8_t max = (k == 0) ? hi : 0xBF;
    if (b < min || b > max) return consumed;
    value = (value << 6) | (b & 0x3F);
    ++consumed;
  }
  *cp = value;
  *ok = true;
  return consumed;
}

void append_hex_reference(std::string* out, char32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  char buf[8];
  int n = 0;
  do {
    buf[n++] = kHex[cp & 0xF];
    cp >>= 4;
  } while (cp != 0);
  out->append("&#x");
  while (n > 0) out->push_back(buf[--n]);
  out->push_back(';');
}

// Appends the code point starting at s[i] (s is valid UTF-8) either raw or as a reference.
size_t append_code_point(std::string* out, std::string_view s, size_t i, OutputEncoding encoding) {
  char32_t cp = 0;
  bool ok = false;
  const size_t n = decode_one(s, i, &cp, &ok);
  if (encoding == OutputEncoding::kAsciiSafe && cp > 0x7F) {
    append_hex_reference(out, cp);
  } else if (ok) {
    out->append(s.substr(i, n));
  } else {
    append_utf8(out, kReplacement);  // caller broke the contract; stay well-formed anyway
  }
  return n;
}

}  // namespace

void append_utf8(std::string* out, char32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string decode_utf8_lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    char32_t cp = 0;
    bool ok = false;
    const size_t n = decode_one(bytes, i, &cp, &ok);
    if (ok) {
      out.append(bytes.substr(i, n));
    } else {
      append_utf8(&out, kReplacement);
    }
    i += n;
  }
  return out;
}

bool is_valid_utf8(std::string_view bytes, size_t* bad_offset) {
  size_t i = 0;
  while (i < bytes.size()) {
    char32_t cp = 0;
    bool ok = false;
    const size_t n = decode_one(bytes, i, &cp, &ok);
    if (!ok) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

bool is_xml_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

std::string sanitize_for_xml(std::string_view bytes) {
  const std::string decoded = decode_utf8_lossy(bytes);
  std::string out;
  out.reserve(decoded.size());
  bool in_bad_run = false;
  size_t i = 0;
  while (i < decoded.size()) {
    char32_t cp = 0;
    bool ok = false;
    const size_t n = decode_one(decoded, i, &cp, &ok);
    if (is_xml_char(cp)) {
      out.append(decoded, i, n);
      in_bad_run = false;
    } else if (!in_bad_run) {
      out.push_back('?');  // one '?' per maximal run (maltego-trx remove_invalid_xml_chars)
      in_bad_run = true;
    }
    i += n;
  }
  return out;
}

void append_escaped_text(std::string* out, std::string_view s, OutputEncoding encoding) {
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      // A literal CR would be normalised to LF by every conforming parser (XML 1.0 §2.11).
      case '\r':
        out->append("&#xD;");
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x80) {
          i += append_code_point(out, s, i, encoding);
          continue;
        }
        out->push_back(c);
    }
    ++i;
  }
}

void append_escaped_attribute(std::string* out, std::string_view s, OutputEncoding encoding) {
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      // Attribute-value normalisation (XML 1.0 §3.3.3) would turn literal whitespace into spaces.
      case '\t':
        out->append("&#x9;");
        break;
      case '\n':
        out->append("&#xA;");
        break;
      case '\r':
        out->append("&#xD;");
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x80) {
          i += append_code_point(out, s, i, encoding);
          continue;
        }
        out->push_back(c);
    }
    ++i;
  }
}

}  // namespace netcap::maltego
