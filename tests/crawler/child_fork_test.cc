// The command tests run the real binary from a test process that has many
// threads (TestServer's pool is still being created when its constructor
// returns). Between fork() and exec() the child may only use what is safe
// after a fork in a threaded process: no heap allocation, because another
// thread may have held an allocator lock at the fork, and that lock never
// opens in the child. glibc's malloc resets its locks in the child, but the
// AddressSanitizer allocator of clang 14 does not: such a child hangs before
// exec (seen as `shagym fetch` "not exiting" with no output at all).
//
// Under AddressSanitizer these tests install an allocation hook that ends a
// forked child at its first allocation, so an allocation there fails every
// time (exit kAllocatedAfterFork) instead of hanging once in a while. Other
// builds have no hook and skip.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "tests/testing/child_process.h"
#include "tests/testing/run_command.h"
#include "tests/testing/sanitizers.h"
#include "tests/testing/test_server.h"

#ifdef SHAGYM_TEST_ASAN
#include <sanitizer/allocator_interface.h>
#endif

namespace shagym::crawler {
namespace child_fork_test {

using shagym::testing::ChildProcess;
using shagym::testing::RunCommand;
using shagym::testing::ShagymBinary;

constexpr int kAllocatedAfterFork = 86;

#ifdef SHAGYM_TEST_ASAN
std::atomic<pid_t> g_parent{0};

void OnMalloc(const volatile void*, size_t) {
  pid_t parent = g_parent.load(std::memory_order_relaxed);
  if (parent != 0 && getpid() != parent) _exit(kAllocatedAfterFork);
}
void OnFree(const volatile void*) {}

// Arms the hook for this process: any allocation in a forked child of it
// (before exec replaces the image) ends that child.
bool ArmAllocationTrap() {
  static const bool installed =
      __sanitizer_install_malloc_and_free_hooks(&OnMalloc, &OnFree) != 0;
  if (installed) g_parent.store(getpid());
  return installed;
}
void DisarmAllocationTrap() { g_parent.store(0); }
#else
bool ArmAllocationTrap() { return false; }
void DisarmAllocationTrap() {}
#endif

class ChildForkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ArmAllocationTrap()) {
      GTEST_SKIP() << "needs an AddressSanitizer build (allocation hooks)";
    }
  }
  void TearDown() override { DisarmAllocationTrap(); }
};

TEST_F(ChildForkTest, RunCommandChildDoesNotAllocateBeforeExec) {
  // Busy server threads in the parent, as in the command tests.
  shagym::testing::TestServer server;
  auto r = RunCommand(
      {ShagymBinary(), "url", "canonical", "HTTP://A.kz:80/x?utm_source=1"});
  EXPECT_EQ(r.exit_code, 0) << "exit " << r.exit_code
                            << " (" + std::to_string(kAllocatedAfterFork) +
                                   " = allocated between fork and exec) "
                            << r.err;
  EXPECT_EQ(r.out, "http://a.kz/x\n");
}

TEST_F(ChildForkTest, ChildProcessDoesNotAllocateBeforeExec) {
  shagym::testing::TestServer server;
  ChildProcess child(
      {ShagymBinary(), "url", "canonical", "HTTP://A.kz:80/x?utm_source=1"});
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.WaitForLine("http://a.kz/x", std::chrono::seconds(60)),
            "http://a.kz/x");
  EXPECT_EQ(child.Wait(std::chrono::seconds(60)), 0)
      << kAllocatedAfterFork
      << " = allocated between fork and exec; output: " << child.output();
}

}  // namespace child_fork_test
}  // namespace shagym::crawler
