// Aligned text tables for terminals (`netcap dump --table`, `netcap query`).
#pragma once

#include <string>
#include <vector>

namespace netcap {

struct TextTableOptions {
  // Cells longer than this many characters are cut and end in "…" (0: no limit).
  size_t max_cell_width = 64;
};

// Appends a header row, a rule, and the rows, columns separated by two spaces. Numeric-looking
// columns are right-aligned. Control characters in cells are shown escaped ("\n") so that
// hostile values cannot break the layout; width is counted in code points.
void append_text_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows,
                       const TextTableOptions& options, std::string* out);

}  // namespace netcap
