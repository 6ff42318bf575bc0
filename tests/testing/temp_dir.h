#pragma once

// A fresh directory under $TMPDIR, removed with everything in it by the
// destructor (ninja's ScopedTempDir). Not copyable.

#include <string>
#include <vector>

namespace shagym::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(const std::string& name) const;
  // Writes `content` to File(name), creating parent directories.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// Reads a whole file; empty on failure.
std::string ReadFile(const std::string& path);

// The directory of the shared real-world data ($SHAGYM_REALWORLD, else
// shared/realworld next to the source tree or next to a folder above it), or
// "" when absent.
std::string RealworldDir();

// The first `per_file` lines of each of the real Kazakh and Russian corpora
// under RealworldDir()/corpora (KazNERD, Taiga UD, KazSAnDRA, KTB UD), in
// that order; empty when the real-world data is absent.
std::vector<std::string> RealCorpusLines(int per_file);

}  // namespace shagym::testing
