#include "process.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

#include "test_helpers.h"

namespace {

std::string contentsOf(const char* file) {
  std::ifstream stream(file);
  return {std::istreambuf_iterator<char>(stream), {}};
}

}  // namespace

TEST_GROUP(Process){};

// As ps reads it: the command line up to its first NUL, and the name.
TEST(Process, TitleReplacesTheCommandLineAndName) {
  vs::setProcessTitle("vs-title");
  // Exactly: no emptied arguments after the title's NUL.
  CHECK(contentsOf("/proc/self/cmdline") == std::string("vs-title", sizeof("vs-title")));
  STRCMP_EQUAL("vs-title\n", contentsOf("/proc/self/comm").c_str());
}

TEST(Process, DescribesAnExitStatusOrASignal) {
  STRCMP_EQUAL("exit status 1", vs::describeStatus(1).c_str());
  STRCMP_EQUAL("killed by signal KILL", vs::describeStatus(128 + 9).c_str());
  // A tool's failure status, which no signal number gives.
  STRCMP_EQUAL("exit status 255", vs::describeStatus(255).c_str());
}

// stop waits so for the guest's monitor, which is not its child.
TEST(Process, AwaitsAProcessByItsPidfdForATimeAtMost) {
  int gate[2];
  CHECK(pipe(gate) == 0);
  const pid_t child = fork();
  if (child == 0) {
    close(gate[1]);
    char byte;
    _exit(read(gate[0], &byte, 1) == 0 ? 0 : 1);  // until the gate closes
  }
  close(gate[0]);
  const vs::UniqueFd pidfd = vs::openPidfd(child);
  CHECK_FALSE(vs::awaitPidfd(pidfd.get(), 50));
  close(gate[1]);
  CHECK(vs::awaitPidfd(pidfd.get(), 5000));
  LONGS_EQUAL(0, vs::waitForExitStatus(child));
}
