#pragma once

// Runs the shagym binary (or any program) as a child process and collects its
// exit code and output, for end-to-end tests of the command line.

#include <sys/types.h>

#include <string>
#include <vector>

namespace shagym::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  std::string err;
};

// Runs `argv` with `stdin_text` on its standard input. Bounded: the child is
// killed after `timeout_s` seconds (exit_code -1).
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& stdin_text = "",
                         int timeout_s = 60);

// Starts this test binary again (/proc/self/exe) running only the test
// `gtest_name`, with `env` (NAME=value strings) as its whole environment,
// stdout on /dev/null and every other descriptor inherited; for tests that
// SIGKILL a writer mid-way. Everything is built before fork(), so the child
// of a threaded test does not allocate before exec. Returns the child's pid,
// or -1 when fork() failed; the caller reaps it.
pid_t SpawnThisTest(const std::string& gtest_name,
                    const std::vector<std::string>& env);

// Path of the shagym binary under test ($SHAGYM_BINARY).
std::string ShagymBinary();

}  // namespace shagym::testing
