// dlimits/ at start: what is refused before anything is touched, and
// project quotas where the filesystem has none.  The quotas themselves
// need ext4 or XFS and root: the testvm suite covers them.
#include "guest/disk_limits.h"

#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <cerrno>
#include <filesystem>

#include "guest/ignored_settings.h"
#include "project_quota.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::test::expectError;

namespace {

vs::guest::GuestConfig guestWithDiskLimit() {
  vs::guest::GuestConfig config;
  config.location.cfgdir = "/etc/vservers/web";
  config.name = "web";
  config.xid = 1001;
  config.diskLimits = {{"0", "/vservers/web", 65536, 1000, 0}};
  return config;
}


}  // namespace

TEST_GROUP(DiskLimits){};

TEST(DiskLimits, NothingToCheckWithoutLimits) {
  vs::guest::GuestConfig config;
  config.bcaps = {uint64_t{1} << CAP_SYS_RESOURCE, uint64_t{1} << CAP_SYS_RESOURCE};
  vs::guest::checkDiskLimits(config);
  vs::guest::applyDiskLimits(config);
  CHECK(vs::guest::diskUsageLines(config).empty());
}

TEST(DiskLimits, NeedAStaticXid) {
  vs::guest::GuestConfig config = guestWithDiskLimit();
  config.xid.reset();
  STRCMP_EQUAL("web: dlimits need a static context id (the file context)",
               expectError([&] { vs::guest::checkDiskLimits(config); }).what());
}

TEST(DiskLimits, RefuseAGuestThatMayPassAnyQuota) {
  vs::guest::GuestConfig config = guestWithDiskLimit();
  vs::guest::checkDiskLimits(config);
  config.bcaps = {uint64_t{1} << CAP_SYS_RESOURCE, uint64_t{1} << CAP_SYS_RESOURCE};
  STRCMP_EQUAL("web: bcapabilities grant CAP_SYS_RESOURCE: the kernel lets CAP_SYS_RESOURCE pass "
               "any quota, so dlimits cannot hold this guest",
               expectError([&] { vs::guest::checkDiskLimits(config); }).what());
  // Checked before the filesystem, which does not exist here.
  STRCMP_EQUAL("web: bcapabilities grant CAP_SYS_RESOURCE: the kernel lets CAP_SYS_RESOURCE pass "
               "any quota, so dlimits cannot hold this guest",
               expectError([&] { vs::guest::applyDiskLimits(config); }).what());
}

TEST(DiskLimits, TwoEntriesOnOneFilesystemAreRefused) {
  vs::test::TempDir temp;
  fs::create_directory(temp.path() / "a");
  vs::guest::GuestConfig config = guestWithDiskLimit();
  config.diskLimits = {{"0", temp.path(), 1, 1, 0}, {"1", temp.path() / "a", 1, 1, 0}};
  STRCMP_EQUAL("web: dlimits/0 and dlimits/1 are on one filesystem, where the guest has one "
               "project quota",
               expectError([&] { vs::guest::applyDiskLimits(config); }).what());
}

TEST(DiskLimits, ReservedIsWarnedAbout) {
  vs::guest::GuestConfig config = guestWithDiskLimit();
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.diskLimits[0].reserved = 5;
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL("/etc/vservers/web/dlimits/0/reserved: project quotas reserve nothing for the "
               "guest's root; the 5% are not kept back",
               lines[0].c_str());
}

// tmpfs has file attributes but no project ids (EOPNOTSUPP); /dev/shm is
// one on every Debian host.
TEST(DiskLimits, TagTreeSaysWhenTheFilesystemHasNoProjectIds) {
  struct statfs st {};
  CHECK_TEXT(statfs("/dev/shm", &st) == 0 && st.f_type == TMPFS_MAGIC, "/dev/shm is no tmpfs");
  const vs::test::TempDir temp("/dev/shm");
  fs::create_directories(temp.path() / "a/b");
  fs::create_directory_symlink("/", temp.path() / "a/link");
  const vs::Error e = expectError([&] { vs::tagTree(temp.path(), 1001); });
  STRCMP_EQUAL((temp.path().string() + ": this filesystem has no project quotas (ext4 needs -O "
                                       "quota,project, XFS the prjquota mount option)")
                   .c_str(),
               e.what());
  LONGS_EQUAL(EOPNOTSUPP, e.errnum());
}

TEST(DiskLimits, TagTreeFollowsNoLinkAtTheTop) {
  vs::test::TempDir temp;
  fs::create_directory_symlink("/", temp.path() / "link");
  const vs::Error e = expectError([&] { vs::tagTree(temp.path() / "link", 1001); });
  STRCMP_EQUAL(((temp.path() / "link").string() + ": is a symbolic link; name the directory itself")
                   .c_str(),
               e.what());
  LONGS_EQUAL(ELOOP, e.errnum());
}
