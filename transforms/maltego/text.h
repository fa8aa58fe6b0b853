// Character handling shared by the Maltego request parser and response writer (spec §1.2, §2.7).
// Pure functions, no state: safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

namespace netcap::maltego {

// How code points above U+007F are written (spec §2.6 rule 8, §1.4).
enum class OutputEncoding {
  kUtf8,       // HTTP: raw UTF-8
  kAsciiSafe,  // local stdout: every code point above U+007F as &#xHEX; (uppercase, no leading 0)
};

// Decodes bytes as UTF-8; every ill-formed sequence becomes U+FFFD using "maximal subpart"
// substitution (Unicode ch. 3 best practice, = Python errors='replace'): ED A0 80 -> 3 x U+FFFD,
// FF FE -> 2, truncated E2 82 -> 1, overlong C0 AF -> 2. The result is always valid UTF-8.
std::string decode_utf8_lossy(std::string_view bytes);

// True if `bytes` is well-formed UTF-8 (no surrogates, no overlongs, <= U+10FFFF). On failure
// *bad_offset (if given) receives the offset of the first ill-formed byte.
bool is_valid_utf8(std::string_view bytes, size_t* bad_offset = nullptr);

// True for code points XML 1.0 allows (TAB, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD,
// U+10000-U+10FFFF).
bool is_xml_char(char32_t cp);

// Spec §2.7: decode_utf8_lossy, then every maximal run of code points outside the XML 1.0 Char
// set becomes one '?'. U+007F passes; U+FFFE/U+FFFF become '?'.
std::string sanitize_for_xml(std::string_view bytes);

// Canonical escaping (spec §2.6 rule 5) of an already sanitised string, appended to *out.
// Text: & < > CR escaped; TAB, LF literal. Attribute: & < " TAB LF CR escaped; > ' literal.
void append_escaped_text(std::string* out, std::string_view sanitized, OutputEncoding encoding);
void append_escaped_attribute(std::string* out, std::string_view sanitized,
                              OutputEncoding encoding);

// Appends the UTF-8 encoding of `cp` (must be a Unicode scalar value).
void append_utf8(std::string* out, char32_t cp);

}  // namespace netcap::maltego
