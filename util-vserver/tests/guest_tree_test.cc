// Host tools open paths in a guest's tree through none of the guest's
// links (dlimits directories, bind sources).
#include "guest/guest_tree.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::test::expectError;

TEST_GROUP(GuestTree) {
  vs::test::TempDir temp;
};

TEST(GuestTree, APathInTheSecondRootIsFoundThere) {
  const auto where = vs::guest::locateInGuestTree(temp.path() / "b/srv/share",
                                                  {temp.path() / "a", temp.path() / "b"});
  CHECK(where.has_value());
  STRCMP_EQUAL((temp.path() / "b").c_str(), where->root.c_str());
  STRCMP_EQUAL("srv/share", where->below.c_str());
}

TEST(GuestTree, TheRootItselfIsBelowAsDot) {
  const auto where = vs::guest::locateInGuestTree(temp.path() / "a", {temp.path() / "a"});
  CHECK(where.has_value());
  STRCMP_EQUAL(".", where->below.c_str());
}

TEST(GuestTree, APathBesideEveryRootIsInNone) {
  CHECK_FALSE(vs::guest::locateInGuestTree(temp.path() / "ab/x", {temp.path() / "a"}));
  CHECK_FALSE(vs::guest::locateInGuestTree(temp.path() / "a/../b", {temp.path() / "a"}));
  CHECK_FALSE(vs::guest::locateInGuestTree(temp.path(), {temp.path() / "a"}));
}

// The root given through a host link: a path naming its real place is in
// it too.
TEST(GuestTree, ARootIsAlsoFoundByItsRealPath) {
  fs::create_directories(temp.path() / "srv/guest");
  fs::create_directory_symlink(temp.path() / "srv", temp.path() / "vservers");
  const auto where = vs::guest::locateInGuestTree(temp.path() / "srv/guest/etc",
                                                  {temp.path() / "vservers/guest"});
  CHECK(where.has_value());
  STRCMP_EQUAL("etc", where->below.c_str());
}

TEST(GuestTree, ALinkOnTheWayIsRefusedNamingThePath) {
  fs::create_directories(temp.path() / "guest/srv");
  fs::create_directory(temp.path() / "host");
  fs::create_directory_symlink(temp.path() / "host", temp.path() / "guest/srv/share");
  const fs::path shown = temp.path() / "guest/srv/share";
  const vs::Error e = expectError([&] {
    vs::guest::openInGuestTree({temp.path() / "guest", "srv/share"}, shown, O_PATH);
  });
  LONGS_EQUAL(ELOOP, e.errnum());
  STRCMP_EQUAL((shown.string() + ": a symbolic link in the guest's tree (below " +
                (temp.path() / "guest").string() + ") leads there; name the directory itself")
                   .c_str(),
               e.what());
}

TEST(GuestTree, AFileOrDirectoryOnNoLinkOpens) {
  fs::create_directories(temp.path() / "guest/srv/share");
  const vs::UniqueFd fd =
      vs::guest::openInGuestTree({temp.path() / "guest", "srv/share"}, "shown", O_PATH);
  struct stat opened {}, expected {};
  CHECK(fstat(fd.get(), &opened) == 0 && stat((temp.path() / "guest/srv/share").c_str(), &expected) == 0);
  CHECK(opened.st_ino == expected.st_ino && opened.st_dev == expected.st_dev);
}

TEST(GuestTree, AMissingPathGivesItsErrno) {
  fs::create_directories(temp.path() / "guest");
  const vs::Error e = expectError(
      [&] { vs::guest::openInGuestTree({temp.path() / "guest", "nothing"}, "shown", O_PATH); });
  LONGS_EQUAL(ENOENT, e.errnum());
}
