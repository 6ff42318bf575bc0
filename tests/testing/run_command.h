#pragma once

// Runs the shagym binary (or any program) as a child process and collects its
// exit code and output, for end-to-end tests of the command line.

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

// Path of the shagym binary under test ($SHAGYM_BINARY).
std::string ShagymBinary();

}  // namespace shagym::testing
