// delete removes roots only inside the vdir base (issue 9, item 16).
#include "guest/root_guard.h"

#include "test_helpers.h"

namespace fs = std::filesystem;

TEST_GROUP(RootGuard) {
  vs::test::TempDir temp;
  vs::guest::ConfigLocation location;

  void setup() override {
    location = {temp.path() / "etc/web", temp.path() / "etc/.defaults"};
    fs::create_directories(temp.path() / "base");
    fs::create_directories(location.defaults);
    fs::create_directory_symlink(temp.path() / "base", location.defaults / "vdirbase");
  }
};

TEST(RootGuard, ARootInsideTheBaseIsFine) {
  CHECK_FALSE(vs::guest::outsideVdirBase(temp.path() / "base/web", location));
}

TEST(RootGuard, ARootElsewhereIsRefused) {
  const auto base = vs::guest::outsideVdirBase(temp.path() / "home", location);
  STRCMP_EQUAL((temp.path() / "base").c_str(), base->c_str());
}

TEST(RootGuard, TheBaseItselfIsRefused) {
  CHECK(vs::guest::outsideVdirBase(temp.path() / "base", location).has_value());
}

// Resolved: a link inside the base to elsewhere does not pass.
TEST(RootGuard, ALinkOutOfTheBaseIsRefused) {
  fs::create_directory_symlink(temp.path(), temp.path() / "base/escape");
  CHECK(vs::guest::outsideVdirBase(temp.path() / "base/escape/home", location).has_value());
}
