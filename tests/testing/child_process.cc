#include "tests/testing/child_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shagym::testing {

using SteadyClock = std::chrono::steady_clock;

ChildProcess::ChildProcess(const std::vector<std::string>& args) {
  int out[2];
  if (args.empty()) return;
  // Built before fork(): the child of a threaded process must not allocate
  // (see RunCommand).
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  if (pipe(out) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    // Only async-signal-safe calls until exec.
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(out[0]);
    close(out[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  if (pid_ < 0) {
    close(out[0]);
    return;
  }
  fd_ = out[0];
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

std::string ChildProcess::WaitForLine(const std::string& needle,
                                      std::chrono::milliseconds limit) {
  auto deadline = SteadyClock::now() + limit;
  while (true) {
    size_t nl;
    while ((nl = buffer_.find('\n')) != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      output_ += line + "\n";
      if (line.find(needle) != std::string::npos) return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - SteadyClock::now())
                    .count();
    if (left <= 0 || fd_ < 0) return "";
    pollfd p = {fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) {
      close(fd_);
      fd_ = -1;
      output_ += buffer_;
      buffer_.clear();
      return "";
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);
}

int ChildProcess::Wait(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return -1;
  auto deadline = SteadyClock::now() + limit;
  while (SteadyClock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      WaitForLine("\x01never", std::chrono::milliseconds(2000));  // the rest
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    // Drain the output (the child may block on a full pipe) for a while.
    if (fd_ >= 0) {
      WaitForLine("\x01never", std::chrono::milliseconds(50));
    } else {
      poll(nullptr, 0, 20);  // output closed: wait for the exit status
    }
  }
  return -1;
}

}  // namespace shagym::testing
