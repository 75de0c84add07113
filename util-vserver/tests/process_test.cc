#include "process.h"

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
