// dlimits/ at start: what is refused before anything is touched, and
// project quotas where the filesystem has none.  The quotas themselves
// need ext4 or XFS and root: the testvm suite covers them.
#include "guest/disk_limits.h"

#include <fcntl.h>
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
  CHECK(vs::guest::readDiskUsage(config).empty());
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
  const vs::UniqueFd dir(open(temp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const vs::Error e = expectError([&] { vs::tagTree(dir.get(), temp.path(), 1001); });
  STRCMP_EQUAL((temp.path().string() + ": this filesystem has no project quotas (ext4 needs -O "
                                       "quota,project, XFS the prjquota mount option)")
                   .c_str(),
               e.what());
  LONGS_EQUAL(EOPNOTSUPP, e.errnum());
}

// The guest may make any directory of its tree a link, to have a host
// directory (or another guest's) tagged and limited as its own.
TEST(DiskLimits, NoLinkIsFollowedBelowTheGuestsRoot) {
  vs::test::TempDir temp;
  fs::create_directories(temp.path() / "host/www");
  fs::create_directories(temp.path() / "guest/srv");
  fs::create_directory_symlink(temp.path() / "host", temp.path() / "guest/var");
  fs::create_directory_symlink(temp.path() / "host/www", temp.path() / "guest/srv/www");
  vs::guest::GuestConfig config = guestWithDiskLimit();
  config.vdir = temp.path() / "guest";
  for (const char* below : {"var/www", "srv/www"}) {
    config.diskLimits[0].directory = config.vdir / below;
    const vs::Error e = expectError([&] { vs::guest::applyDiskLimits(config); });
    STRCMP_EQUAL(("web: dlimits/0: " + config.diskLimits[0].directory.string() +
                  ": a symbolic link in the guest's tree (below " + config.vdir.string() +
                  ") leads there; name the directory itself")
                     .c_str(),
                 e.what());
    LONGS_EQUAL(ELOOP, e.errnum());
  }
}

// Nor when the limit names the guest's root by the real path of a vdir
// reached through a link of the host's.
TEST(DiskLimits, NoLinkIsFollowedBelowTheRealPathOfTheRoot) {
  vs::test::TempDir temp;
  fs::create_directories(temp.path() / "srv/guest");
  fs::create_directory(temp.path() / "host");
  fs::create_directory_symlink(temp.path() / "host", temp.path() / "srv/guest/var");
  fs::create_directory_symlink(temp.path() / "srv", temp.path() / "vservers");
  vs::guest::GuestConfig config = guestWithDiskLimit();
  config.vdir = temp.path() / "vservers/guest";
  config.diskLimits[0].directory = temp.path() / "srv/guest/var";
  const vs::Error e = expectError([&] { vs::guest::applyDiskLimits(config); });
  LONGS_EQUAL(ELOOP, e.errnum());
}

// Control: the host's links on the way to the root are followed, and the
// start gets as far as the filesystem's quotas.
TEST(DiskLimits, TheWayToTheRootIsTheHosts) {
  const vs::test::TempDir temp("/dev/shm");
  fs::create_directories(temp.path() / "srv/guest/var/www");
  fs::create_directory_symlink(temp.path() / "srv", temp.path() / "vservers");
  vs::guest::GuestConfig config = guestWithDiskLimit();
  config.vdir = temp.path() / "vservers/guest";
  for (const char* below : {"", "var/www"}) {
    config.diskLimits[0].directory = config.vdir / below;
    const vs::Error e = expectError([&] { vs::guest::applyDiskLimits(config); });
    CHECK_TEXT(e.errnum() != ELOOP && std::string(e.what()).find("link") == std::string::npos,
               e.what());
  }
}

TEST(DiskLimits, OutsideTheRootTheLastComponentIsNoLink) {
  vs::test::TempDir temp;
  fs::create_directory_symlink("/", temp.path() / "link");
  vs::guest::GuestConfig config = guestWithDiskLimit();
  config.vdir = temp.path() / "guest";
  config.diskLimits[0].directory = temp.path() / "link";
  const vs::Error e = expectError([&] { vs::guest::applyDiskLimits(config); });
  STRCMP_EQUAL(("web: dlimits/0: " + (temp.path() / "link").string() +
                ": is a symbolic link; name the directory itself")
                   .c_str(),
               e.what());
  LONGS_EQUAL(ELOOP, e.errnum());
}

TEST(DiskLimits, StatusLinesFromTheUsage) {
  std::vector<vs::guest::DiskUsage> usage(3);
  usage[0].directory = "/vservers/web1";
  usage[0].quota = vs::ProjectQuota{.spaceUsedKiB = 1234, .spaceLimitKiB = 65536,
                                    .inodesUsed = 56, .inodesLimit = 1000};
  usage[1].directory = "/v";
  usage[1].quota = vs::ProjectQuota{.spaceUsedKiB = 0, .spaceLimitKiB = vs::kNoQuotaLimit,
                                    .inodesUsed = 1, .inodesLimit = vs::kNoQuotaLimit};
  usage[2].directory = "/srv/shared/guests/web1";
  usage[2].problem = "/srv/shared/guests/web1: No such file or directory";
  const auto lines = vs::guest::diskUsageLines(usage);
  LONGS_EQUAL(3, lines.size());
  STRCMP_EQUAL("Disk /vservers/web1: 1234 of 65536 KiB, 56 of 1000 inodes", lines[0].c_str());
  STRCMP_EQUAL("Disk /v:             0 of no limit KiB, 1 of no limit inodes", lines[1].c_str());
  STRCMP_EQUAL("Disk /srv/shared/guests/web1: unknown (/srv/shared/guests/web1: No such file or "
               "directory)",
               lines[2].c_str());
}

// The quota itself needs a filesystem with project quotas (the testvm
// suite); an entry whose directory is gone keeps its place, with why.
TEST(DiskLimits, UsageOfAnEntryThatCannotBeReadSaysWhy) {
  vs::test::TempDir temp;
  vs::guest::GuestConfig config = guestWithDiskLimit();
  config.diskLimits[0].directory = temp.path() / "gone";
  const auto usage = vs::guest::readDiskUsage(config);
  LONGS_EQUAL(1, usage.size());
  STRCMP_EQUAL((temp.path() / "gone").c_str(), usage[0].directory.c_str());
  CHECK_FALSE(usage[0].quota.has_value());
  STRCMP_EQUAL(((temp.path() / "gone").string() + ": No such file or directory").c_str(),
               usage[0].problem.c_str());
  config.xid.reset();
  CHECK(vs::guest::readDiskUsage(config).empty());
}
