// Settings read but not applied yet make start warn (issue 9, item 19).
#include "guest/ignored_settings.h"

#include <linux/vserver.h>

#include "test_helpers.h"

namespace {

vs::guest::GuestConfig configAt(const std::string& cfgdir) {
  vs::guest::GuestConfig config;
  config.location.cfgdir = cfgdir;
  config.name = "web";
  return config;
}

}  // namespace

TEST_GROUP(IgnoredSettings){};

TEST(IgnoredSettings, NoneForAPlainGuest) {
  CHECK(vs::guest::ignoredSettings(configAt("/etc/vservers/web")).empty());
}

TEST(IgnoredSettings, OneLinePerSettingNamingItsFile) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.rlimits = {{"memlock", 10, 10, 10}};
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits: 1 limit (memlock) not applied yet; none is set; per-process "
      "limits (memlock) are set in ulimits/",
      lines[0].c_str());
}

// Issue 10: interfaces/ and nflags are applied now.
TEST(IgnoredSettings, NetworkingIsNoLongerIgnored) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.interfaces.resize(2);
  config.nflags.mask = VSERVER_NF_SINGLE_IP;
  config.nflags.value = VSERVER_NF_SINGLE_IP;
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.spaces.net = true;  // own-namespace mode
  CHECK(vs::guest::ignoredSettings(config).empty());
}

// Issue 11: the rlimits that become cgroup limits are applied; the rest
// nothing enforces are named.
TEST(IgnoredSettings, CgroupBackedRlimitsAreNoLongerIgnored) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.rlimits = {{"nproc", 10, 10, 10}, {"rss", 10, 10, 10}, {"as", 10, 10, 10}};
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.rlimits.push_back({"memlock", 1, 1, 1});
  config.rlimits.push_back({"shmem", 1, 1, 1});
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits: 2 limits (memlock, shmem) not applied yet; none is set; "
      "per-process limits (memlock) are set in ulimits/",
      lines[0].c_str());
}

// The module's counted limits are applied, but only their hard value: a
// soft one alone is still named, as a soft nproc is.
TEST(IgnoredSettings, CountedRlimitsAreNoLongerIgnored) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.rlimits = {{"nofile", 10, 10, 10},
                    {"nsock", std::nullopt, std::nullopt, 5},
                    {"semary", 1, 1, 1},
                    {"msgqueue", 1, 1, 1},
                    {"nsems", 10, 10, 10},
                    {"locks", 10, 10, 10}};
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.rlimits = {{"nofile", std::nullopt, 10, std::nullopt}};
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL("/etc/vservers/web/rlimits: 1 limit (nofile) not applied yet; none is set",
               lines[0].c_str());
}

// nsems was validated only until the module counted semaphores; now it is
// applied as semary is, its soft value alone still named.
TEST(IgnoredSettings, NsemsIsNoLongerIgnored) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.rlimits = {{"semary", std::nullopt, std::nullopt, 4},
                    {"nsems", std::nullopt, std::nullopt, 64}};
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.rlimits = {{"nsems", std::nullopt, 64, std::nullopt}, {"memlock", 1, 1, 1}};
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits: 2 limits (nsems, memlock) not applied yet; none is set; "
      "per-process limits (memlock) are set in ulimits/",
      lines[0].c_str());
}

// locks was validated only until the module counted file locks; now its
// hard value is applied, a minimum alone still named.
TEST(IgnoredSettings, LocksIsNoLongerIgnored) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.rlimits = {{"locks", std::nullopt, std::nullopt, 50}};
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.rlimits = {{"locks", 50, std::nullopt, std::nullopt}, {"memlock", 1, 1, 1}};
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits: 2 limits (locks, memlock) not applied yet; none is set; "
      "per-process limits (memlock) are set in ulimits/",
      lines[0].c_str());
}

// cpu, fsize, data, stack, core and memlock, which nothing enforces per
// guest, point to ulimits/; a soft nofile alone, enforced with a hard
// value, and those ulimits/ lacks do not.
TEST(IgnoredSettings, UnenforcedRlimitsPointToUlimits) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.rlimits = {
      {"nofile", std::nullopt, 10, std::nullopt}, {"openfd", 1, 1, 1}, {"shmem", 1, 1, 1}};
  auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits: 3 limits (nofile, openfd, shmem) not applied yet; none is set",
      lines[0].c_str());
  config.rlimits = {{"cpu", 1, 1, 1},   {"fsize", 1, 1, 1}, {"data", 1, 1, 1},
                    {"stack", 1, 1, 1}, {"core", 1, 1, 1},  {"dentry", 1, 1, 1}};
  lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits: 6 limits (cpu, fsize, data, stack, core, dentry) not applied "
      "yet; none is set; per-process limits (cpu, fsize, data, stack, core) are set in ulimits/",
      lines[0].c_str());
}

// util-vserver's bucket has no cgroup counterpart beyond its rate.
TEST(IgnoredSettings, BucketFilesOfSchedAreNamed) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.sched.fillRate = 1;
  config.sched.interval = 4;
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.sched.bucketFiles = {"tokens-max", "idle-time"};
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/sched: tokens-max, idle-time not read: a cgroup keeps the rate "
      "(fill-rate/interval), not the bucket",
      lines[0].c_str());
}

// RLIMIT_RSS and RLIMIT_LOCKS are set, but bound nothing.
TEST(IgnoredSettings, UlimitsTheKernelIgnoresPointToRlimits) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.ulimits = {{"nofile", RLIMIT_NOFILE, 64, 64}, {"core", RLIMIT_CORE, 0, std::nullopt}};
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.ulimits.push_back({"locks", RLIMIT_LOCKS, 10, 10});
  config.ulimits.push_back({"rss", RLIMIT_RSS, std::nullopt, 1000});
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(2, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/ulimits/locks: set, but the kernel enforces no per-process locks limit; "
      "rlimits/locks bounds the guest's file locks",
      lines[0].c_str());
  STRCMP_EQUAL(
      "/etc/vservers/web/ulimits/rss: set, but the kernel enforces no per-process rss limit; "
      "rlimits/rss bounds the guest's memory",
      lines[1].c_str());
}

// util-vserver's cgroup/name named the guest's group, which is fixed here.
TEST(IgnoredSettings, CgroupNameIsNotRead) {
  vs::guest::GuestConfig config = configAt("/etc/vservers/web");
  config.cgroup.ioWeight = {{"", "50", 1}};
  CHECK(vs::guest::ignoredSettings(config).empty());
  config.cgroup.name = true;
  const auto lines = vs::guest::ignoredSettings(config);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL(
      "/etc/vservers/web/cgroup/name: not read: a guest's group is named after the guest, web in "
      "/sys/fs/cgroup/vserver or in the group of the systemd unit that started it (vserver web "
      "status names it)",
      lines[0].c_str());
}
