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

  // Opens path below temp/guest, which must be on its way.
  vs::UniqueFd openBelowGuest(const fs::path& path) {
    const auto entered = vs::guest::findGuestTreeOnTheWay(path, {{temp.path() / "guest"}, {}});
    CHECK(entered.has_value());
    return vs::guest::openInEnteredGuestTree(*entered, "shown", O_PATH);
  }
};

TEST(GuestTree, TheRootItselfIsBelowAsDot) {
  fs::create_directories(temp.path() / "guest");
  const auto entered = vs::guest::findGuestTreeOnTheWay(temp.path() / "guest", {{temp.path() / "guest"}, {}});
  CHECK(entered.has_value());
  STRCMP_EQUAL(".", entered->below.c_str());
}

TEST(GuestTree, ALinkOnTheWayIsRefusedNamingThePath) {
  fs::create_directories(temp.path() / "guest/srv");
  fs::create_directory(temp.path() / "host");
  fs::create_directory_symlink(temp.path() / "host", temp.path() / "guest/srv/share");
  const vs::Error e = expectError([&] { openBelowGuest(temp.path() / "guest/srv/share"); });
  LONGS_EQUAL(ELOOP, e.errnum());
  STRCMP_EQUAL(("shown: a symbolic link in the guest's tree (below " +
                (temp.path() / "guest").string() + ") leads there; name the directory itself")
                   .c_str(),
               e.what());
}

TEST(GuestTree, AFileOrDirectoryOnNoLinkOpens) {
  fs::create_directories(temp.path() / "guest/srv/share");
  const vs::UniqueFd fd = openBelowGuest(temp.path() / "guest/srv/share");
  struct stat opened {}, expected {};
  CHECK(fstat(fd.get(), &opened) == 0 && stat((temp.path() / "guest/srv/share").c_str(), &expected) == 0);
  CHECK(opened.st_ino == expected.st_ino && opened.st_dev == expected.st_dev);
}

TEST(GuestTree, AMissingPathGivesItsErrno) {
  fs::create_directories(temp.path() / "guest");
  const vs::Error e = expectError([&] { openBelowGuest(temp.path() / "guest/nothing"); });
  LONGS_EQUAL(ENOENT, e.errnum());
}

// The way into a guest's tree, however the path names it.
TEST_GROUP(GuestTreeOnTheWay) {
  vs::test::TempDir temp;
  vs::guest::GuestTrees trees;

  void setup() override {
    fs::create_directories(temp.path() / "vservers/web2/srv/share");
    fs::create_directories(temp.path() / "guests/db/etc");
    fs::create_directories(temp.path() / "host/etc");
    trees = {{temp.path() / "guests/db"}, {temp.path() / "vservers"}};
  }
};

TEST(GuestTreeOnTheWay, ADirectoryOfTheBaseIsARoot) {
  const auto entered =
      vs::guest::findGuestTreeOnTheWay(temp.path() / "vservers/web2/srv/share", trees);
  CHECK(entered.has_value());
  STRCMP_EQUAL((temp.path() / "vservers/web2").c_str(), entered->rootShown.c_str());
  STRCMP_EQUAL("srv/share", entered->below.c_str());
}

TEST(GuestTreeOnTheWay, ARootIsReachedThroughAHostLink) {
  fs::create_directory_symlink(temp.path() / "guests/db/etc", temp.path() / "host/dbconf");
  fs::create_directory_symlink("../vservers/web2/srv", temp.path() / "host/share");
  auto entered = vs::guest::findGuestTreeOnTheWay(temp.path() / "host/dbconf", trees);
  CHECK(entered.has_value());
  STRCMP_EQUAL((temp.path() / "guests/db").c_str(), entered->rootShown.c_str());
  STRCMP_EQUAL("etc", entered->below.c_str());
  entered = vs::guest::findGuestTreeOnTheWay(temp.path() / "host/share/share", trees);
  CHECK(entered.has_value());
  STRCMP_EQUAL("srv/share", entered->below.c_str());
}

// A guest's link to the host, reached through a host link to its tree:
// refused once in the tree.
TEST(GuestTreeOnTheWay, AGuestsLinkOutIsRefusedBehindAHostLink) {
  fs::create_directory_symlink(temp.path() / "host/etc", temp.path() / "guests/db/etc/shared");
  fs::create_directory_symlink(temp.path() / "guests/db/etc", temp.path() / "host/dbconf");
  const auto entered = vs::guest::findGuestTreeOnTheWay(temp.path() / "host/dbconf/shared", trees);
  CHECK(entered.has_value());
  const vs::Error e = expectError(
      [&] { vs::guest::openInEnteredGuestTree(*entered, "/srv/dbconf/shared", O_PATH); });
  LONGS_EQUAL(ELOOP, e.errnum());
}

TEST(GuestTreeOnTheWay, AHostPathIsInNoTree) {
  CHECK_FALSE(vs::guest::findGuestTreeOnTheWay(temp.path() / "host/etc", trees));
  CHECK_FALSE(vs::guest::findGuestTreeOnTheWay(temp.path() / "vservers", trees));
  CHECK_FALSE(vs::guest::findGuestTreeOnTheWay("vservers/web2", trees));
}

// The host part not resolving here leaves the path to mount(2).
TEST(GuestTreeOnTheWay, AMissingHostPathIsLeftAsItIs) {
  CHECK_FALSE(vs::guest::findGuestTreeOnTheWay(temp.path() / "nothing/vservers/web2", trees));
}

// An admin's link in the base to a root elsewhere: the root is the link's
// target, and the guest's links below it are refused.
TEST(GuestTreeOnTheWay, ALinkInTheBaseNamesARoot) {
  fs::create_directories(temp.path() / "srv/web3/srv");
  fs::create_directory_symlink(temp.path() / "host/etc", temp.path() / "srv/web3/srv/share");
  fs::create_directory_symlink(temp.path() / "srv/web3", temp.path() / "vservers/web3");
  const auto entered = vs::guest::findGuestTreeOnTheWay(temp.path() / "vservers/web3/srv/share", trees);
  CHECK(entered.has_value());
  STRCMP_EQUAL((temp.path() / "vservers/web3").c_str(), entered->rootShown.c_str());
  STRCMP_EQUAL("srv/share", entered->below.c_str());
  const vs::Error e =
      expectError([&] { vs::guest::openInEnteredGuestTree(*entered, "shown", O_PATH); });
  LONGS_EQUAL(ELOOP, e.errnum());
}

// A ".." out of the base (in a host link) leads back to the host.
TEST(GuestTreeOnTheWay, DotDotFromTheBaseIsNoRoot) {
  fs::create_directory_symlink("../host", temp.path() / "hostlink");
  fs::create_directory_symlink("../host/etc", temp.path() / "vservers/up");
  CHECK_FALSE(vs::guest::findGuestTreeOnTheWay(temp.path() / "hostlink/etc", trees));
  // Through the base: its entry "up" is a link, whose target is taken as
  // the root it names (the admin's).
  const auto entered = vs::guest::findGuestTreeOnTheWay(temp.path() / "vservers/up", trees);
  CHECK(entered.has_value());
  STRCMP_EQUAL(".", entered->below.c_str());
}

TEST(GuestTreeOnTheWay, ATrailingSlashIsTheSame) {
  const auto entered = vs::guest::findGuestTreeOnTheWay(temp.path() / "vservers/web2/srv/", trees);
  CHECK(entered.has_value());
  STRCMP_EQUAL("srv", entered->below.c_str());
}

TEST(GuestTreeOnTheWay, ALinkLoopOnTheHostIsInNoTree) {
  fs::create_symlink(temp.path() / "loop-b", temp.path() / "loop-a");
  fs::create_symlink(temp.path() / "loop-a", temp.path() / "loop-b");
  CHECK_FALSE(vs::guest::findGuestTreeOnTheWay(temp.path() / "loop-a/x", trees));
}

// A ".." in the rest of the way, below the root, may not leave it.
TEST(GuestTreeOnTheWay, DotDotOutOfARootIsRefused) {
  vs::guest::EnteredGuestTree entered{
      vs::UniqueFd(open((temp.path() / "vservers/web2").c_str(), O_PATH | O_DIRECTORY)),
      temp.path() / "vservers/web2", "srv/../../host"};
  const vs::Error e =
      expectError([&] { vs::guest::openInEnteredGuestTree(entered, "shown", O_PATH); });
  LONGS_EQUAL(EXDEV, e.errnum());
}
