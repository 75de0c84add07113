#include "subprocess.h"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "error.h"
#include "test_helpers.h"

TEST_GROUP(Subprocess){};

TEST(Subprocess, CapturesWhatACommandPrintsAndItsStatus) {
  const vs::CapturedOutput echoed = vs::runCapturingOutput({"sh", "-c", "echo out; exit 3"});
  STRCMP_EQUAL("out\n", echoed.output.c_str());
  LONGS_EQUAL(3, echoed.status);
}

// A command that would print without end is killed at the limit, and the
// caller gets one error, not the memory it would take.
TEST(Subprocess, KillsACommandPrintingPastTheLimit) {
  alarm(60);  // without the limit, yes would print for ever
  try {
    vs::runCapturingOutput({"yes"}, -1, 100000);
    FAIL("no error");
  } catch (const vs::Error& e) {
    LONGS_EQUAL(EFBIG, e.errnum());
    STRCMP_EQUAL("yes printed more than 100000 bytes", e.what());
  }
  alarm(0);
  // Exactly the limit is kept.
  const vs::CapturedOutput full =
      vs::runCapturingOutput({"head", "-c", "100000", "/dev/zero"}, -1, 100000);
  LONGS_EQUAL(100000, full.output.size());
  LONGS_EQUAL(0, full.status);
}

TEST(Subprocess, HandsOnEachLineCuttingLongOnes) {
  std::vector<std::string> lines;
  const int status = vs::runReadingLines(
      {"sh", "-c", "printf 'a\\nbbbbbbbb\\n\\ncccc\\nd'; exit 4"},
      [&lines](const std::string& line) { lines.push_back(line); }, 4);
  LONGS_EQUAL(4, status);
  CHECK((std::vector<std::string>{"a", "bbbb", "", "cccc", "d"}) == lines);
}

// What the caller's handler throws ends the command: vps stops reading ps
// at its first error.
TEST(Subprocess, KillsTheCommandWhenTheHandlerThrows) {
  alarm(60);
  size_t seen = 0;
  try {
    vs::runReadingLines({"yes"}, [&seen](const std::string&) {
      if (++seen == 1000) throw vs::Error(EIO, "enough");
    });
    FAIL("no error");
  } catch (const vs::Error& e) {
    STRCMP_EQUAL("enough", e.what());
  }
  LONGS_EQUAL(1000, seen);
  alarm(0);
}
