// The pure parts of starting and entering guests: fstab mount options,
// guest users, the vserver command line.
#include <sys/mount.h>
#include <sys/stat.h>

#include <fstream>

#include "commands/vserver.h"
#include "guest/mounts.h"
#include "guest/passwd.h"
#include "test_helpers.h"

using vs::test::argv;
using vs::test::expectError;
using vs::test::TempDir;

TEST_GROUP(MountOptions){};

TEST(MountOptions, FlagsAndData) {
  const auto options = vs::guest::parseMountOptions("defaults,nosuid,nodev,size=16m,mode=1777");
  UNSIGNED_LONGS_EQUAL(MS_NOSUID | MS_NODEV, options.flags);
  STRCMP_EQUAL("size=16m,mode=1777", options.data.c_str());
}

TEST(MountOptions, LaterOptionsWin) {
  UNSIGNED_LONGS_EQUAL(0, vs::guest::parseMountOptions("ro,rw").flags);
  UNSIGNED_LONGS_EQUAL(MS_RDONLY, vs::guest::parseMountOptions("rw,ro").flags);
}

TEST(MountOptions, BindAndRbind) {
  UNSIGNED_LONGS_EQUAL(MS_BIND | MS_RDONLY, vs::guest::parseMountOptions("bind,ro").flags);
  UNSIGNED_LONGS_EQUAL(MS_BIND | MS_REC, vs::guest::parseMountOptions("rbind").flags);
}

TEST(MountOptions, MountEightOnlyOptionsAreDropped) {
  const auto options = vs::guest::parseMountOptions("user,_netdev,gid=5");
  UNSIGNED_LONGS_EQUAL(0, options.flags);
  STRCMP_EQUAL("gid=5", options.data.c_str());
}

TEST(MountOptions, NoautoEntriesAreNotMountedAtStart) {
  CHECK_TRUE(vs::guest::parseMountOptions("defaults").automatic);
  CHECK_FALSE(vs::guest::parseMountOptions("noauto,user").automatic);
  CHECK_TRUE(vs::guest::parseMountOptions("noauto,auto").automatic);
  STRCMP_EQUAL("", vs::guest::parseMountOptions("noauto").data.c_str());
}

// The config reference's "bind,ro" line: bind first, then remount the new
// mount with the flags, nodev (implied at start) included (issue 9, item 18).
TEST(MountOptions, BindThenRemountTheNewMountWithItsFlags) {
  const auto plan =
      vs::guest::planBindMount(vs::guest::parseMountOptions("nodev,bind,ro"));
  UNSIGNED_LONGS_EQUAL(MS_BIND, plan.bindFlags);
  UNSIGNED_LONGS_EQUAL(MS_REMOUNT | MS_BIND | MS_NODEV | MS_RDONLY, *plan.remountFlags);
}

// The remount changes the top mount only; the mounts below an rbind get
// the restricting flags (not the atime ones) through mount_setattr.
TEST(MountOptions, RbindRestrictsTheMountsBelowToo) {
  const auto plan =
      vs::guest::planBindMount(vs::guest::parseMountOptions("rbind,nosuid,ro,nodev,noatime"));
  UNSIGNED_LONGS_EQUAL(MS_BIND | MS_REC, plan.bindFlags);
  UNSIGNED_LONGS_EQUAL(MS_REMOUNT | MS_BIND | MS_NOSUID | MS_RDONLY | MS_NODEV | MS_NOATIME,
                       *plan.remountFlags);
  UNSIGNED_LONGS_EQUAL(MOUNT_ATTR_NOSUID | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV,
                       plan.belowAttributes);
}

TEST(MountOptions, APlainBindNeedsNoRemount) {
  CHECK_FALSE(vs::guest::planBindMount(vs::guest::parseMountOptions("bind,dev")).remountFlags);
}

TEST(MountOptions, APlainBindHasNoMountsBelowToRestrict) {
  UNSIGNED_LONGS_EQUAL(
      0, vs::guest::planBindMount(vs::guest::parseMountOptions("bind,ro,nodev")).belowAttributes);
}

namespace {
vs::guest::FstabEntry fstabLine(const std::string& type, const std::string& options) {
  return {"source", "/target", type, options, 1};
}
}  // namespace

TEST(MountOptions, StartMountsNodevUnlessTheLineSaysDev) {
  UNSIGNED_LONGS_EQUAL(MS_NODEV,
                       vs::guest::startMountOptions(fstabLine("tmpfs", "size=1m"))->flags);
  UNSIGNED_LONGS_EQUAL(0, vs::guest::startMountOptions(fstabLine("tmpfs", "dev"))->flags);
  UNSIGNED_LONGS_EQUAL(MS_BIND | MS_NODEV | MS_RDONLY,
                       vs::guest::startMountOptions(fstabLine("none", "bind,ro"))->flags);
  UNSIGNED_LONGS_EQUAL(0, vs::guest::startMountOptions(fstabLine("devpts", "gid=5"))->flags);
}

TEST(MountOptions, StartSkipsNoautoAndSwapLines) {
  CHECK_FALSE(vs::guest::startMountOptions(fstabLine("ext4", "noauto")).has_value());
  CHECK_FALSE(vs::guest::startMountOptions(fstabLine("swap", "defaults")).has_value());
  CHECK_TRUE(vs::guest::startMountOptions(fstabLine("ext4", "defaults")).has_value());
}

TEST_GROUP(GuestUsers){};

namespace {
const char* const kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "web:x:1000:1000:Web Server:/srv/web:/bin/sh\n"
    "broken line\n";
const char* const kGroup = "root:x:0:\nstaff:x:50:web,other\nweb:x:1000:\nadm:x:4:other\n";
}  // namespace

TEST(GuestUsers, ByName) {
  const auto user = vs::guest::findGuestUser("web", kPasswd, kGroup);
  UNSIGNED_LONGS_EQUAL(1000, user.uid);
  UNSIGNED_LONGS_EQUAL(1000, user.gid);
  STRCMP_EQUAL("/srv/web", user.home.c_str());
  UNSIGNED_LONGS_EQUAL(1, user.groups.size());
  UNSIGNED_LONGS_EQUAL(50, user.groups[0]);
}

TEST(GuestUsers, ByUid) {
  STRCMP_EQUAL("web", vs::guest::findGuestUser("1000", kPasswd, kGroup).name.c_str());
}

TEST(GuestUsers, UnknownUidIsTakenAsItIs) {
  const auto user = vs::guest::findGuestUser("4242", kPasswd, kGroup);
  UNSIGNED_LONGS_EQUAL(4242, user.uid);
  UNSIGNED_LONGS_EQUAL(4242, user.gid);
}

TEST(GuestUsers, UnknownNameIsRefused) {
  const auto e = expectError([] { vs::guest::findGuestUser("nobody", kPasswd, kGroup); });
  STRCMP_CONTAINS("no user 'nobody'", e.what());
}

TEST(GuestUsers, ReadFromTheGuestsEtc) {
  const TempDir etc;
  std::ofstream(etc.path() / "passwd") << kPasswd;
  std::ofstream(etc.path() / "group") << kGroup;
  const auto user = vs::guest::lookUpGuestUser("web", etc.path());
  UNSIGNED_LONGS_EQUAL(1000, user.uid);
  UNSIGNED_LONGS_EQUAL(1, user.groups.size());
}

TEST(GuestUsers, MissingAccountFilesCountAsEmpty) {
  const TempDir etc;
  UNSIGNED_LONGS_EQUAL(4242, vs::guest::lookUpGuestUser("4242", etc.path()).uid);
}

// A FIFO would block a plain open until some guest process writes to it.
TEST(GuestUsers, AFifoIsRefusedNotWaitedFor) {
  const TempDir etc;
  std::ofstream(etc.path() / "passwd") << kPasswd;
  CHECK_EQUAL(0, mkfifo((etc.path() / "group").c_str(), 0644));
  const auto e = expectError([&etc] { vs::guest::lookUpGuestUser("web", etc.path()); });
  STRCMP_CONTAINS("group is not a regular file", e.what());
}

TEST(GuestUsers, ADirectoryIsRefused) {
  const TempDir etc;
  std::filesystem::create_directory(etc.path() / "passwd");
  const auto e = expectError([&etc] { vs::guest::lookUpGuestUser("web", etc.path()); });
  STRCMP_CONTAINS("passwd is not a regular file", e.what());
}

TEST_GROUP(VserverCommandLine){};

TEST(VserverCommandLine, NameCommandArguments) {
  auto args = argv("vserver", "web1", "exec", "ls", "-l");
  const auto invocation = vs::vserver::parseInvocation(static_cast<int>(args.size()), args.data());
  STRCMP_EQUAL("web1", invocation.guest.c_str());
  CHECK(invocation.command == vs::vserver::Command::Exec);
  UNSIGNED_LONGS_EQUAL(2, invocation.arguments.size());
  STRCMP_EQUAL("-l", invocation.arguments[1].c_str());
}

TEST(VserverCommandLine, BuildOptionsAreLeftToBuild) {
  auto args = argv("vserver", "web1", "build", "-m", "skeleton", "--", "true");
  const auto invocation = vs::vserver::parseInvocation(static_cast<int>(args.size()), args.data());
  CHECK(invocation.command == vs::vserver::Command::Build);
  UNSIGNED_LONGS_EQUAL(4, invocation.arguments.size());
}

TEST(VserverCommandLine, UnknownCommandExitsTwo) {
  auto args = argv("vserver", "web1", "launch");
  const auto e = expectError(
      [&] { vs::vserver::parseInvocation(static_cast<int>(args.size()), args.data()); });
  LONGS_EQUAL(vs::vserver::kExitUnknownCommand, e.exitStatus());
  STRCMP_CONTAINS("unknown command 'launch'", e.what());
}

TEST(VserverCommandLine, NeedsNameAndCommand) {
  auto args = argv("vserver", "web1");
  const auto e = expectError(
      [&] { vs::vserver::parseInvocation(static_cast<int>(args.size()), args.data()); });
  STRCMP_CONTAINS("usage: vserver NAME", e.what());
}
