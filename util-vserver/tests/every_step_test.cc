#include "every_step.h"

#include <cerrno>
#include <filesystem>
#include <vector>

#include "test_helpers.h"

TEST_GROUP(EveryStep){};

// A rollback whose first step fails still kills the guest and removes its
// cgroup (issue 9, item 14): every step runs, the first failure is told.
TEST(EveryStep, RunsTheStepsAfterAFailureAndThrowsTheFirst) {
  std::vector<int> ran;
  vs::EveryStep steps;
  steps.run([&] {
    ran.push_back(1);
    throw vs::Error(ESRCH, "first");
  });
  steps.run([&] {
    ran.push_back(2);
    throw vs::Error(EBUSY, "second");
  });
  steps.run([&] { ran.push_back(3); });
  CHECK((ran == std::vector<int>{1, 2, 3}));
  const vs::Error e = vs::test::expectError([&] { steps.throwFirstFailure(); });
  LONGS_EQUAL(ESRCH, e.errnum());
  STRCMP_EQUAL("first", e.what());
}

TEST(EveryStep, TakesOtherExceptionsToo) {
  vs::EveryStep steps;
  steps.run([] { throw std::filesystem::filesystem_error("gone", std::error_code()); });
  LONGS_EQUAL(0, vs::test::expectError([&] { steps.throwFirstFailure(); }).errnum());
}

TEST(EveryStep, NothingToThrowWhenAllSucceed) {
  vs::EveryStep steps;
  steps.run([] {});
  steps.throwFirstFailure();
}
