#pragma once

// A child process (e.g. `shagym serve`) whose stdout and stderr are read
// line by line while it runs, for tests that talk to a running binary.
// Killed (SIGKILL) and reaped by the destructor if still running. Not
// thread-safe: one test thread drives it.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace shagym::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with stdout and stderr on one pipe.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }

  // Reads output until a line containing `needle` arrives (returned), the
  // output closes or `limit` passes (both: ""). Lines read are kept in
  // output().
  std::string WaitForLine(const std::string& needle,
                          std::chrono::milliseconds limit);

  void Signal(int sig);

  // Exit code after waiting at most `limit` (128 + signal when killed by
  // one); -1 when it did not exit in time.
  int Wait(std::chrono::milliseconds limit);

  // Every complete line read so far.
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  std::string buffer_;
  std::string output_;
};

}  // namespace shagym::testing
