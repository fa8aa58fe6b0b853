// Helpers shared by the sink tests: temporary case directories and a small RFC 4180 reader.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace netcap::testing {

// A fresh directory under $TMPDIR, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "netcap-sinks-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    if (made != nullptr) path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// RFC 4180 reader: records of fields; quoted fields may hold commas, quotes and line breaks.
// Returns false on malformed input (a quote inside an unquoted field, unterminated quote).
inline bool parse_csv(const std::string& text, std::vector<std::vector<std::string>>* records) {
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  bool field_started = false;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' && !field_started) {
      field_started = true;
      ++i;
      while (true) {
        if (i >= text.size()) return false;
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(text[i++]);
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') return false;
      continue;
    }
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
      records->push_back(std::move(record));
      record.clear();
      continue;
    }
    if (c == '"') return false;
    field_started = true;
    field.push_back(c);
    ++i;
  }
  if (field_started || !record.empty()) {
    record.push_back(std::move(field));
    records->push_back(std::move(record));
  }
  return true;
}

}  // namespace netcap::testing
