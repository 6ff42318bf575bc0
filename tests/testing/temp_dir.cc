#include "tests/testing/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace shagym::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/shagym-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::File(const std::string& name) const {
  return path_ + "/" + name;
}

std::string TempDir::Write(const std::string& name,
                           const std::string& content) const {
  std::string p = File(name);
  fs::create_directories(fs::path(p).parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
  return p;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string RealworldDir() {
  if (const char* env = std::getenv("SHAGYM_REALWORLD")) return env;
  // ../shared/realworld next to the checkout, or next to any folder above it
  // (a git worktree kept in a sub-folder of the project's parent).
  std::error_code ec;
  for (fs::path dir = fs::path(SHAGYM_SOURCE_DIR).parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    const fs::path p = dir / "shared" / "realworld";
    if (fs::is_directory(p, ec)) return p.string();
    if (dir == dir.root_path()) break;
  }
  return "";
}

std::vector<std::string> RealCorpusLines(int per_file) {
  std::vector<std::string> lines;
  const std::string dir = RealworldDir();
  if (dir.empty()) return lines;
  for (const char* f :
       {"kk_kaznerd_test_sentences.txt", "ru_taiga_ud_dev_test_sentences.tsv",
        "kk_kazsandra_sc_test.csv", "kk_ktb_ud_test_sentences.txt"}) {
    std::ifstream in(dir + "/corpora/" + f);
    std::string line;
    for (int n = 0; n < per_file && std::getline(in, line); ++n) {
      lines.push_back(line);
    }
  }
  return lines;
}

}  // namespace shagym::testing
