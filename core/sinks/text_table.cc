#include "core/sinks/text_table.h"

#include <algorithm>

#include "core/sinks/record_format.h"

namespace netcap {

namespace {

size_t display_width(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // count code points (lead bytes)
  }
  return width;
}

// Escapes control characters, sanitises UTF-8 and cuts to `max_width` code points.
std::string clean_cell(const std::string& text, size_t max_width) {
  std::string valid = is_valid_utf8(text) ? text : sanitize_utf8(text);
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < valid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    std::string piece;
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\r') {
      piece = "\\r";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      static const char kHex[] = "0123456789abcdef";
      piece = std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    } else {
      piece.push_back(static_cast<char>(c));
      // Keep multi-byte sequences whole.
      while (i + 1 < valid.size() && (static_cast<unsigned char>(valid[i + 1]) & 0xC0) == 0x80) {
        piece.push_back(valid[++i]);
      }
    }
    size_t piece_width = (c >= 0x20 && c != 0x7F) ? 1 : piece.size();
    if (max_width > 0 && width + piece_width > max_width - 1 && i + 1 < valid.size()) {
      out += "\xE2\x80\xA6";  // …
      return out;
    }
    out += piece;
    width += piece_width;
  }
  return out;
}

bool looks_numeric(const std::string& text) {
  if (text.empty()) return true;  // empty cells do not decide alignment
  size_t i = text[0] == '-' ? 1 : 0;
  if (i >= text.size()) return false;
  bool digit = false;
  int dots = 0;  // "10.0.0.1" is an address, not a number
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' || ++dots > 1) {
      return false;
    }
  }
  return digit;
}

}  // namespace

void append_text_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows,
                       const TextTableOptions& options, std::string* out) {
  const size_t n = headers.size();
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  std::vector<size_t> widths(n);
  std::vector<bool> numeric(n, true);
  std::vector<bool> any_value(n, false);
  std::vector<std::string> clean_headers(n);
  for (size_t c = 0; c < n; ++c) {
    clean_headers[c] = clean_cell(headers[c], 0);
    widths[c] = display_width(clean_headers[c]);
  }
  for (const auto& row : rows) {
    std::vector<std::string> cleaned(n);
    for (size_t c = 0; c < n && c < row.size(); ++c) {
      cleaned[c] = clean_cell(row[c], options.max_cell_width);
      widths[c] = std::max(widths[c], display_width(cleaned[c]));
      if (!row[c].empty()) any_value[c] = true;
      if (!looks_numeric(row[c])) numeric[c] = false;
    }
    cells.push_back(std::move(cleaned));
  }
  auto append_row = [&](const std::vector<std::string>& row, bool header) {
    std::string line;
    for (size_t c = 0; c < n; ++c) {
      const std::string& cell = row[c];
      size_t pad = widths[c] - display_width(cell);
      bool right = !header && numeric[c] && any_value[c];
      if (c > 0) line += "  ";
      if (right) line.append(pad, ' ');
      line += cell;
      if (!right && c + 1 < n) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    *out += line + "\n";
  };
  append_row(clean_headers, true);
  std::string rule;
  for (size_t c = 0; c < n; ++c) {
    if (c > 0) rule += "  ";
    rule.append(widths[c], '-');
  }
  *out += rule + "\n";
  for (const auto& row : cells) append_row(row, false);
}

}  // namespace netcap
