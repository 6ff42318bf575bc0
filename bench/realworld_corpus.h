#pragma once

// Reading the text corpora of the shared realworld folder for benchmarks.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace shagym::bench {

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The `text` column (2nd) of a CSV with quoted fields that may hold newlines.
inline std::vector<std::string> CsvSecondColumn(const std::string& data) {
  std::vector<std::string> out;
  std::string field;
  int col = 0;
  bool quoted = false, header = true;
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (quoted) {
      if (c == '"' && i + 1 < data.size() && data[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\n') {
      if (col == 1 && !header) out.push_back(field);
      field.clear();
      if (c == '\n') {
        col = 0;
        header = false;
      } else {
        ++col;
      }
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  return out;
}

inline std::vector<std::string> Lines(const std::string& data, int tsv_column) {
  std::vector<std::string> out;
  std::istringstream in(data);
  std::string line;
  bool first = tsv_column >= 0;
  while (std::getline(in, line)) {
    if (first) {
      first = false;
      continue;
    }
    if (tsv_column >= 0) {
      size_t pos = 0;
      for (int k = 0; k < tsv_column && pos != std::string::npos; ++k) {
        pos = line.find('\t', pos);
        if (pos != std::string::npos) ++pos;
      }
      if (pos == std::string::npos) continue;
      line = line.substr(pos);
    }
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace shagym::bench
