// robots.txt files are written by strangers: any bytes parse, any path is
// decided, and the answer is stable.

#include <cstddef>
#include <cstdint>
#include <string>

#include "crawler/robots.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // First line: the path to decide; the rest: the robots.txt body.
  size_t nl = in.find('\n');
  std::string path = "/";
  std::string_view body = in;
  if (nl != std::string_view::npos && nl < 512) {
    path += std::string(in.substr(0, nl));
    body = in.substr(nl + 1);
  }
  auto robots = shagym::crawler::RobotsTxt::Parse(body, "shagym");
  auto a = robots.Check(path);
  auto b = robots.Check(path);
  if (a.allowed != b.allowed) __builtin_trap();
  (void)shagym::crawler::RobotsTxt::Parse(body, "*").Check("/robots.txt");
  return 0;
}
