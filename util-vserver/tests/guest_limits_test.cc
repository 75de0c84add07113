// The configuration -> cgroup v2 mapping of a guest's limits (issue 11),
// and the module's counted limits.
#include "guest/limits.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test_helpers.h"

using vs::guest::CgroupSetting;
using vs::guest::GuestConfig;
using vs::kUnlimited;
using vs::guest::RlimitConfig;

namespace {

constexpr uint64_t kPage = 4096;

GuestConfig guest() {
  GuestConfig config;
  config.location.cfgdir = "/etc/vservers/web";
  config.name = "web";
  return config;
}

// rlimits/RES as util-vserver's single file sets it: min = soft = hard.
RlimitConfig all(const std::string& resource, uint64_t value) {
  return {resource, value, value, value};
}

// "file=value<source>" per setting, one string, for whole-list checks.
std::string describe(const std::vector<CgroupSetting>& settings) {
  std::string text;
  for (const CgroupSetting& s : settings)
    text += s.file + "=" + s.value + "<" + s.source.string() + ">\n";
  return text;
}

std::string settingsOf(const GuestConfig& config) {
  return describe(vs::guest::cgroupSettingsOf(config, kPage));
}

std::string mappingError(const GuestConfig& config) {
  return vs::test::expectError([&] { vs::guest::cgroupSettingsOf(config, kPage); }).what();
}

}  // namespace

TEST_GROUP(GuestLimits){};

TEST(GuestLimits, NothingForAGuestWithoutLimits) {
  CHECK(vs::guest::cgroupSettingsOf(guest(), kPage).empty());
  CHECK(vs::guest::unappliedRlimits(guest()).empty());
}

TEST(GuestLimits, NprocHardIsPidsMax) {
  GuestConfig config = guest();
  config.rlimits = {all("nproc", 20)};
  STRCMP_EQUAL("pids.max=20</etc/vservers/web/rlimits/nproc>\n", settingsOf(config).c_str());
  config.rlimits = {{"nproc", std::nullopt, 10, 30}};
  STRCMP_EQUAL("pids.max=30</etc/vservers/web/rlimits/nproc>\n", settingsOf(config).c_str());
  config.rlimits = {all("nproc", kUnlimited)};
  STRCMP_EQUAL("pids.max=max</etc/vservers/web/rlimits/nproc>\n", settingsOf(config).c_str());
}

TEST(GuestLimits, NprocSoftAloneHasNoCgroupFileAndStaysUnapplied) {
  GuestConfig config = guest();
  config.rlimits = {{"nproc", std::nullopt, 10, std::nullopt}};
  CHECK(vs::guest::cgroupSettingsOf(config, kPage).empty());
  LONGS_EQUAL(1, vs::guest::unappliedRlimits(config).size());
  STRCMP_EQUAL("nproc", vs::guest::unappliedRlimits(config)[0].c_str());
}

TEST(GuestLimits, NprocZeroIsRefused) {
  GuestConfig config = guest();
  config.rlimits = {all("nproc", 0)};
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits/nproc: 0 leaves no room for the guest's init (at least 1)",
      mappingError(config).c_str());
}

TEST(GuestLimits, RssPagesBecomeMemoryMaxBytes) {
  GuestConfig config = guest();
  config.rlimits = {all("rss", 1000)};
  // soft == hard: memory.max alone says it.
  STRCMP_EQUAL("memory.max=4096000</etc/vservers/web/rlimits/rss>\n", settingsOf(config).c_str());
  // The page size is the machine's.
  STRCMP_EQUAL("memory.max=65536000</etc/vservers/web/rlimits/rss>\n",
               describe(vs::guest::cgroupSettingsOf(config, 65536)).c_str());
}

TEST(GuestLimits, SoftBelowHardIsMemoryHigh) {
  GuestConfig config = guest();
  config.rlimits = {{"rss", std::nullopt, 500, 1000}};
  STRCMP_EQUAL(
      "memory.max=4096000</etc/vservers/web/rlimits/rss>\n"
      "memory.high=2048000</etc/vservers/web/rlimits/rss>\n",
      settingsOf(config).c_str());
  // A soft limit alone is memory.high; memory.max stays the kernel's.
  config.rlimits = {{"anon", std::nullopt, 256, std::nullopt}};
  STRCMP_EQUAL("memory.high=1048576</etc/vservers/web/rlimits/anon>\n", settingsOf(config).c_str());
  // A soft limit at or above the hard one adds nothing.
  config.rlimits = {{"rss", std::nullopt, 2000, 1000}};
  STRCMP_EQUAL("memory.max=4096000</etc/vservers/web/rlimits/rss>\n", settingsOf(config).c_str());
}

TEST(GuestLimits, TheSmallestMemoryLimitWinsAndNamesItsFile) {
  GuestConfig config = guest();
  config.rlimits = {all("rss", 1000), {"as", std::nullopt, std::nullopt, 800}, all("anon", 900)};
  STRCMP_EQUAL("memory.max=3276800</etc/vservers/web/rlimits/as>\n", settingsOf(config).c_str());
  config.rlimits = {all("rss", kUnlimited), all("anon", 100)};
  STRCMP_EQUAL("memory.max=409600</etc/vservers/web/rlimits/anon>\n", settingsOf(config).c_str());
  config.rlimits = {all("rss", kUnlimited)};
  STRCMP_EQUAL("memory.max=max</etc/vservers/web/rlimits/rss>\n", settingsOf(config).c_str());
}

TEST(GuestLimits, AsSoftIsNotApplied) {
  GuestConfig config = guest();
  config.rlimits = {{"as", std::nullopt, 100, std::nullopt}};
  CHECK(vs::guest::cgroupSettingsOf(config, kPage).empty());
  STRCMP_EQUAL("as", vs::guest::unappliedRlimits(config).at(0).c_str());
}

TEST(GuestLimits, MemoryPastTwoToTheSixtyFourIsRefused) {
  GuestConfig config = guest();
  config.rlimits = {all("rss", uint64_t{1} << 60)};
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits/rss: 1152921504606846976 pages are more memory than 2^64 bytes",
      mappingError(config).c_str());
}

TEST(GuestLimits, SwapPagesBecomeSwapMaxBytes) {
  GuestConfig config = guest();
  config.rlimits = {all("swap", 4096)};
  STRCMP_EQUAL("memory.swap.max=16777216</etc/vservers/web/rlimits/swap>\n",
               settingsOf(config).c_str());
  STRCMP_EQUAL("memory.swap.max=268435456</etc/vservers/web/rlimits/swap>\n",
               describe(vs::guest::cgroupSettingsOf(config, 65536)).c_str());
  config.rlimits = {all("swap", kUnlimited)};
  STRCMP_EQUAL("memory.swap.max=max</etc/vservers/web/rlimits/swap>\n", settingsOf(config).c_str());
  // 0 is no swap at all: the guest's memory stays in memory.
  config.rlimits = {all("swap", 0)};
  STRCMP_EQUAL("memory.swap.max=0</etc/vservers/web/rlimits/swap>\n", settingsOf(config).c_str());
  CHECK(vs::guest::unappliedRlimits(config).empty());
}

TEST(GuestLimits, SwapIsWrittenAfterTheMemoryLimitsAndBoundsNothingElse) {
  GuestConfig config = guest();
  config.rlimits = {{"rss", std::nullopt, 500, 1000}, all("swap", 100)};
  STRCMP_EQUAL(
      "memory.max=4096000</etc/vservers/web/rlimits/rss>\n"
      "memory.high=2048000</etc/vservers/web/rlimits/rss>\n"
      "memory.swap.max=409600</etc/vservers/web/rlimits/swap>\n",
      settingsOf(config).c_str());
  // A swap limit below rss does not lower memory.max.
  config.rlimits = {all("rss", 1000), all("swap", 10)};
  STRCMP_EQUAL(
      "memory.max=4096000</etc/vservers/web/rlimits/rss>\n"
      "memory.swap.max=40960</etc/vservers/web/rlimits/swap>\n",
      settingsOf(config).c_str());
}

TEST(GuestLimits, SwapHasAHardLimitOnly) {
  GuestConfig config = guest();
  config.rlimits = {{"swap", 10, 100, std::nullopt}};
  CHECK(vs::guest::cgroupSettingsOf(config, kPage).empty());
  STRCMP_EQUAL("swap", vs::guest::unappliedRlimits(config).at(0).c_str());
  CHECK(vs::guest::unappliedBecause(config.rlimits[0]) == vs::guest::Unapplied::kHardOnly);
  // A soft value beside the hard one is not memory.swap.high.
  config.rlimits = {{"swap", std::nullopt, 100, 200}};
  STRCMP_EQUAL("memory.swap.max=819200</etc/vservers/web/rlimits/swap>\n",
               settingsOf(config).c_str());
  CHECK(vs::guest::unappliedRlimits(config).empty());
}

TEST(GuestLimits, SwapPastTwoToTheSixtyFourIsRefused) {
  GuestConfig config = guest();
  config.rlimits = {all("swap", uint64_t{1} << 52)};
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits/swap: 4503599627370496 pages are more memory than 2^64 bytes",
      mappingError(config).c_str());
}

TEST(GuestLimits, SwapIsEnforcedAfterUtilVserversResources) {
  const auto names = vs::guest::enforcedRlimits();
  STRCMP_EQUAL("swap", names.back().c_str());
}

TEST(GuestLimits, ResourcesNothingEnforcesStayUnapplied) {
  GuestConfig config = guest();
  config.rlimits = {all("nproc", 10), all("nofile", 100), all("rss", 10),  all("nsock", 5),
                    all("shmem", 5),  all("nsems", 32),   all("locks", 5), all("memlock", 5)};
  const auto names = vs::guest::unappliedRlimits(config);
  LONGS_EQUAL(2, names.size());
  STRCMP_EQUAL("shmem", names[0].c_str());
  STRCMP_EQUAL("memlock", names[1].c_str());
}

// ---- the module's counted limits (VSERVER_A_LIMITS) ---------------------

TEST(GuestLimits, CountedResourcesGiveTheirHardLimitToTheContext) {
  GuestConfig config = guest();
  config.rlimits = {all("nofile", 100),
                    {"nsock", std::nullopt, 5, kUnlimited},
                    {"semary", std::nullopt, std::nullopt, 3},
                    all("msgqueue", 0),
                    {"nsems", std::nullopt, std::nullopt, 10},
                    {"locks", std::nullopt, 20, 50}};
  const vs::HardLimits expected = {{VSERVER_LIMIT_NOFILE, 100},
                                   {VSERVER_LIMIT_NSOCK, VSERVER_LIMIT_INFINITY},
                                   {VSERVER_LIMIT_SEMARY, 3},
                                   {VSERVER_LIMIT_MSGQUEUE, 0},
                                   {VSERVER_LIMIT_NSEMS, 10},
                                   {VSERVER_LIMIT_LOCKS, 50}};
  CHECK(expected == vs::guest::countedLimitsOf(config));
  // No cgroup counts them, and nothing of them is left unapplied.
  CHECK(vs::guest::cgroupSettingsOf(config, kPage).empty());
  CHECK(vs::guest::unappliedRlimits(config).empty());
}

TEST(GuestLimits, CountedResourcesWithoutAHardLimitStayUnapplied) {
  GuestConfig config = guest();
  config.rlimits = {{"nofile", std::nullopt, 50, std::nullopt},
                    {"msgqueue", 2, std::nullopt, std::nullopt},
                    {"nsems", std::nullopt, 8, std::nullopt},
                    {"locks", 4, 8, std::nullopt}};
  CHECK(vs::guest::countedLimitsOf(config).empty());
  const auto names = vs::guest::unappliedRlimits(config);
  LONGS_EQUAL(4, names.size());
  STRCMP_EQUAL("nofile", names[0].c_str());
  STRCMP_EQUAL("msgqueue", names[1].c_str());
  STRCMP_EQUAL("nsems", names[2].c_str());
  STRCMP_EQUAL("locks", names[3].c_str());
  // For the same reason as a soft nproc: only the hard limit has a meaning.
  for (const auto& limit : config.rlimits)
    CHECK(vs::guest::unappliedBecause(limit) == vs::guest::Unapplied::kHardOnly);
}

// The set count and the semaphores in the sets are two limits, and so
// are the open files and the locks on them: each alone goes to the
// context without the other.
TEST(GuestLimits, RelatedCountedResourcesAreLimitsOfTheirOwn) {
  const std::pair<const char*, vserver_limit_resource> resources[] = {
      {"semary", VSERVER_LIMIT_SEMARY},
      {"nsems", VSERVER_LIMIT_NSEMS},
      {"nofile", VSERVER_LIMIT_NOFILE},
      {"locks", VSERVER_LIMIT_LOCKS}};
  for (const auto& [name, resource] : resources) {
    GuestConfig config = guest();
    config.rlimits = {all(name, 64)};
    const vs::HardLimits alone = {{resource, 64}};
    CHECK(alone == vs::guest::countedLimitsOf(config));
    CHECK_FALSE(vs::guest::unappliedBecause(config.rlimits[0]).has_value());
  }
}

TEST(GuestLimits, OtherResourcesGiveTheContextNoLimit) {
  GuestConfig config = guest();
  config.rlimits = {all("nproc", 10), all("memlock", 5), all("rss", 10)};
  CHECK(vs::guest::countedLimitsOf(config).empty());
}

TEST(GuestLimits, FillRateOverIntervalIsCpuMaxQuota) {
  GuestConfig config = guest();
  config.sched.fillRate = 1;
  config.sched.interval = 4;
  STRCMP_EQUAL("cpu.max=25000 100000</etc/vservers/web/sched/fill-rate>\n",
               settingsOf(config).c_str());
  // More than one CPU's worth is a cgroup's to give.
  config.sched.fillRate = 3;
  config.sched.interval = 2;
  STRCMP_EQUAL("cpu.max=150000 100000</etc/vservers/web/sched/fill-rate>\n",
               settingsOf(config).c_str());
  // The least share: 1 ms in 100 ms.
  config.sched.fillRate = 1;
  config.sched.interval = 100;
  STRCMP_EQUAL("cpu.max=1000 100000</etc/vservers/web/sched/fill-rate>\n",
               settingsOf(config).c_str());
}

TEST(GuestLimits, ShareBelowTheKernelsLeastIsRefused) {
  GuestConfig config = guest();
  config.sched.fillRate = 1;
  config.sched.interval = 101;
  STRCMP_EQUAL(
      "/etc/vservers/web/sched/fill-rate: 1/101 of a CPU is below cpu.max's least share, 1 ms in "
      "100 ms (1/100)",
      mappingError(config).c_str());
  config.sched.fillRate = UINT64_MAX / 2;
  config.sched.interval = 1;
  STRCMP_EQUAL("/etc/vservers/web/sched/fill-rate: fill-rate 9223372036854775807 is too large",
               mappingError(config).c_str());
}

TEST(GuestLimits, PriorityBiasIsTheWeightOfThatNice) {
  GuestConfig config = guest();
  config.sched.priorityBias = 0;
  STRCMP_EQUAL("cpu.weight=100</etc/vservers/web/sched/priority-bias>\n",
               settingsOf(config).c_str());
  // The kernel's table (kernel/sched/core.c), rounded as cpu.weight reads.
  LONGS_EQUAL(8668, vs::guest::cpuWeightOfNice(-20));
  LONGS_EQUAL(305, vs::guest::cpuWeightOfNice(-5));
  LONGS_EQUAL(100, vs::guest::cpuWeightOfNice(0));
  LONGS_EQUAL(33, vs::guest::cpuWeightOfNice(5));
  LONGS_EQUAL(1, vs::guest::cpuWeightOfNice(19));
}

TEST(GuestLimits, CpusetListsPassThrough) {
  GuestConfig config = guest();
  config.cpuset.cpus = "0-1";
  config.cpuset.mems = "0";
  STRCMP_EQUAL(
      "cpuset.cpus=0-1</etc/vservers/web/cpuset/cpus>\n"
      "cpuset.mems=0</etc/vservers/web/cpuset/mems>\n",
      settingsOf(config).c_str());
}

TEST(GuestLimits, AllInOrderPidsMemoryCpuCpuset) {
  GuestConfig config = guest();
  config.rlimits = {all("rss", 256), all("nproc", 50)};
  config.sched = {.fillRate = 1, .interval = 2, .priorityBias = 10, .bucketFiles = {}};
  config.cpuset.cpus = "1";
  STRCMP_EQUAL(
      "pids.max=50</etc/vservers/web/rlimits/nproc>\n"
      "memory.max=1048576</etc/vservers/web/rlimits/rss>\n"
      "cpu.max=50000 100000</etc/vservers/web/sched/fill-rate>\n"
      "cpu.weight=11</etc/vservers/web/sched/priority-bias>\n"
      "cpuset.cpus=1</etc/vservers/web/cpuset/cpus>\n",
      settingsOf(config).c_str());
}

// ---- cgroup/io.max, cgroup/io.weight ----------------------------------------

TEST(GuestLimits, IoLinesAreOneWriteEachAfterTheRest) {
  GuestConfig config = guest();
  config.cgroup.ioMax = {{"8:16", "rbps=1048576 wbps=262144", 3}, {"253:0", "wiops=100", 4}};
  config.cgroup.ioWeight = {{"", "50", 1}, {"8:0", "200", 2}};
  config.cpuset.cpus = "1";
  STRCMP_EQUAL(
      "cpuset.cpus=1</etc/vservers/web/cpuset/cpus>\n"
      "io.max=8:16 rbps=1048576 wbps=262144</etc/vservers/web/cgroup/io.max>\n"
      "io.max=253:0 wiops=100</etc/vservers/web/cgroup/io.max>\n"
      "io.weight=default 50</etc/vservers/web/cgroup/io.weight>\n"
      "io.weight=8:0 200</etc/vservers/web/cgroup/io.weight>\n",
      settingsOf(config).c_str());
  const auto settings = vs::guest::cgroupSettingsOf(config, kPage);
  LONGS_EQUAL(0, settings[0].line);
  LONGS_EQUAL(3, settings[1].line);
  LONGS_EQUAL(2, settings[4].line);
}

// A path is looked at when the guest starts: it must be a block device
// node then (/dev/null is a character device).
TEST(GuestLimits, AnIoDevicePathMustBeABlockDevice) {
  GuestConfig config = guest();
  config.cgroup.ioMax = {{"/dev/null", "wbps=262144", 2}};
  STRCMP_EQUAL("/etc/vservers/web/cgroup/io.max:2: '/dev/null' is not a block device",
               mappingError(config).c_str());
  config.cgroup.ioMax = {{"/nonexistent/vs-test-disk", "wbps=262144", 1}};
  STRCMP_EQUAL(
      "/etc/vservers/web/cgroup/io.max:1: /nonexistent/vs-test-disk: No such file or directory",
      mappingError(config).c_str());
  config.cgroup.ioMax.clear();
  config.cgroup.ioWeight = {{"", "50", 1}, {"/dev/null", "100", 3}};
  STRCMP_EQUAL("/etc/vservers/web/cgroup/io.weight:3: '/dev/null' is not a block device",
               mappingError(config).c_str());
}

namespace {

// The interface files every cgroup2 group has, in a plain directory that
// stands in for a group.
void addCoreFiles(const std::filesystem::path& group) {
  std::ofstream(group / "cgroup.max.descendants").close();
  std::ofstream(group / "cgroup.max.depth").close();
}

std::string writtenTo(const std::filesystem::path& file) {
  std::ifstream written(file);
  return std::string((std::istreambuf_iterator<char>(written)), {});
}

}  // namespace

// Whatever the configuration, a guest's group bounds the groups the guest
// may make below it.
TEST(GuestLimits, ApplyBoundsTheGroupsBelow) {
  vs::test::TempDir group;
  addCoreFiles(group.path());
  vs::guest::applyCgroupSettings(group.path(), guest());
  STRCMP_EQUAL("1000", writtenTo(group.path() / "cgroup.max.descendants").c_str());
  STRCMP_EQUAL("16", writtenTo(group.path() / "cgroup.max.depth").c_str());
}

// The kernel refusing a write or lacking a file is one line naming the
// configuration file (here: a plain directory stands in for the group).
TEST(GuestLimits, ApplyNamesTheConfigurationFileOfAFailedWrite) {
  vs::test::TempDir group;
  addCoreFiles(group.path());
  GuestConfig config = guest();
  config.rlimits = {all("nproc", 5)};
  const std::string message =
      vs::test::expectError([&] { vs::guest::applyCgroupSettings(group.path(), config); }).what();
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits/nproc: this kernel has no cgroup file pids.max (its controller "
      "or kernel option is missing)",
      message.c_str());
}

// A kernel that does not count swap per cgroup (no CONFIG_SWAP) has no
// memory.swap.max: the start fails rather than run the guest unbounded.
TEST(GuestLimits, ApplyFailsWithoutSwapAccounting) {
  vs::test::TempDir group;
  addCoreFiles(group.path());
  std::ofstream(group.path() / "memory.max").close();
  GuestConfig config = guest();
  config.rlimits = {all("rss", 8192), all("swap", 4096)};
  STRCMP_EQUAL(
      "/etc/vservers/web/rlimits/swap: this kernel has no cgroup file memory.swap.max (its "
      "controller or kernel option is missing)",
      vs::test::expectError([&] { vs::guest::applyCgroupSettings(group.path(), config); }).what());
  std::ofstream(group.path() / "memory.swap.max").close();
  vs::guest::applyCgroupSettings(group.path(), config);
  const auto pageSize = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  STRCMP_EQUAL(std::to_string(4096 * pageSize).c_str(),
               writtenTo(group.path() / "memory.swap.max").c_str());
}

// A group without the io controller has no io.max: the line of the
// configuration is named, as is the refusal of a line.
TEST(GuestLimits, ApplyNamesTheLineOfAFailedIoWrite) {
  vs::test::TempDir group;
  addCoreFiles(group.path());
  GuestConfig config = guest();
  config.cgroup.ioMax = {{"8:16", "wbps=262144", 2}};
  STRCMP_EQUAL(
      "/etc/vservers/web/cgroup/io.max:2: this kernel has no cgroup file io.max (its controller "
      "or kernel option is missing)",
      vs::test::expectError([&] { vs::guest::applyCgroupSettings(group.path(), config); }).what());
  // A plain file takes the write, as the kernel's would.
  std::ofstream(group.path() / "io.max").close();
  vs::guest::applyCgroupSettings(group.path(), config);
  std::ifstream written(group.path() / "io.max");
  const std::string text((std::istreambuf_iterator<char>(written)), {});
  STRCMP_EQUAL("8:16 wbps=262144", text.c_str());
}

// ---- usage against limits (vserver NAME status, vserver-stat --json) -----

TEST(GuestLimits, CgroupLimitFiles) {
  CHECK_EQUAL(vs::kNoCgroupLimit, vs::parseCgroupLimit("max\n").value());
  CHECK_EQUAL(20, vs::parseCgroupLimit("20\n").value());
  CHECK_FALSE(vs::parseCgroupLimit("").has_value());
  CHECK_FALSE(vs::parseCgroupLimit("20 100000\n").has_value());
  CHECK_FALSE(vs::parseCgroupLimit("-1\n").has_value());
}

TEST(GuestLimits, KeyedCountsFindTheirKeyOnly) {
  const char* events = "low 0\nhigh 4\nmax 17\noom 2\noom_kill 1\noom_group_kill 0\n";
  CHECK_EQUAL(17, vs::parseKeyedCount(events, "max").value());
  CHECK_EQUAL(1, vs::parseKeyedCount(events, "oom_kill").value());
  CHECK_EQUAL(2, vs::parseKeyedCount(events, "oom").value());
  CHECK_FALSE(vs::parseKeyedCount(events, "oom_").has_value());
  CHECK_FALSE(vs::parseKeyedCount("max 3", "ma").has_value());
  CHECK_EQUAL(3, vs::parseKeyedCount("max 3", "max").value());
}

TEST(GuestLimits, ParsesCpuMax) {
  CHECK(vs::parseCpuMax("25000 100000\n") == std::make_pair(uint64_t{25000}, uint64_t{100000}));
  CHECK(vs::parseCpuMax("max 100000\n") == std::make_pair(vs::kNoCgroupLimit, uint64_t{100000}));
  CHECK_FALSE(vs::parseCpuMax("25000\n").has_value());
  CHECK_FALSE(vs::parseCpuMax("25000 max\n").has_value());
  CHECK_FALSE(vs::parseCpuMax("25000 0\n").has_value());
  CHECK_FALSE(vs::parseCpuMax("x 100000\n").has_value());
}

TEST(GuestLimits, StatusLinesShowUsageAgainstLimitsAndHits) {
  vs::CgroupUsage usage{.tasks = 5,
                        .tasksMax = 20,
                        .forksRefused = 3,
                        .memoryBytes = 12 << 20,
                        .memoryMax = 32 << 20,
                        .memoryHigh = std::nullopt,
                        .oomKills = 1,
                        .swapBytes = std::nullopt,
                        .swapMax = std::nullopt,
                        .swapRefused = std::nullopt,
                        .cpuUsec = std::nullopt,
                        .cpuQuotaUsec = std::nullopt,
                        .cpuPeriodUsec = std::nullopt,
                        .cpuThrottled = std::nullopt};
  auto lines = vs::guest::cgroupUsageLines(usage);
  LONGS_EQUAL(2, lines.size());
  STRCMP_EQUAL("Tasks (cgroup):      5 of 20, 3 forks refused", lines[0].c_str());
  STRCMP_EQUAL("Memory (cgroup):     12M of 32M, 1 OOM kill", lines[1].c_str());
  usage.tasksMax = vs::kNoCgroupLimit;
  usage.memoryMax = std::nullopt;
  lines = vs::guest::cgroupUsageLines(usage);
  STRCMP_EQUAL("Tasks (cgroup):      5, no limit", lines[0].c_str());
  STRCMP_EQUAL("Memory (cgroup):     12M, no limit", lines[1].c_str());
  CHECK(vs::guest::cgroupUsageLines({}).empty());
}

TEST(GuestLimits, SwapStatusLineShowsUseAgainstTheLimitAndRefusals) {
  vs::CgroupUsage usage;
  usage.swapBytes = 3 << 20;
  usage.swapMax = 16 << 20;
  usage.swapRefused = 2;
  auto lines = vs::guest::cgroupUsageLines(usage);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL("Swap (cgroup):       3M of 16M, 2 swap-outs refused", lines[0].c_str());
  usage.swapRefused = 1;
  STRCMP_EQUAL("Swap (cgroup):       3M of 16M, 1 swap-out refused",
               vs::guest::cgroupUsageLines(usage)[0].c_str());
  // Limited, none used: the limit shows, 0 being how swap is denied.
  usage.swapBytes = 0;
  usage.swapMax = 0;
  usage.swapRefused = 0;
  STRCMP_EQUAL("Swap (cgroup):       0 of 0, 0 swap-outs refused",
               vs::guest::cgroupUsageLines(usage)[0].c_str());
  // Used without a limit.
  usage.swapBytes = 1 << 20;
  usage.swapMax = vs::kNoCgroupLimit;
  STRCMP_EQUAL("Swap (cgroup):       1M, no limit", vs::guest::cgroupUsageLines(usage)[0].c_str());
  // Neither: every group has the files where the kernel counts swap.
  usage.swapBytes = 0;
  CHECK(vs::guest::cgroupUsageLines(usage).empty());
}

TEST(GuestLimits, SwapStatusLineComesAfterMemory) {
  vs::CgroupUsage usage;
  usage.memoryBytes = 12 << 20;
  usage.memoryMax = 32 << 20;
  usage.oomKills = 0;
  usage.swapBytes = 0;
  usage.swapMax = 16 << 20;
  usage.cpuUsec = 1000000;
  const auto lines = vs::guest::cgroupUsageLines(usage);
  LONGS_EQUAL(3, lines.size());
  STRCMP_EQUAL("Memory (cgroup):     12M of 32M, 0 OOM kills", lines[0].c_str());
  STRCMP_EQUAL("Swap (cgroup):       0 of 16M, 0 swap-outs refused", lines[1].c_str());
  STRCMP_EQUAL("CPU (cgroup):        1.00 s used, no limit", lines[2].c_str());
}

TEST(GuestLimits, CpuStatusLineShowsTimeShareAndThrottledPeriods) {
  vs::CgroupUsage usage;
  usage.cpuUsec = 8734310;
  usage.cpuQuotaUsec = 25000;
  usage.cpuPeriodUsec = 100000;
  usage.cpuThrottled = 312;
  auto lines = vs::guest::cgroupUsageLines(usage);
  LONGS_EQUAL(1, lines.size());
  STRCMP_EQUAL("CPU (cgroup):        8.73 s used, at most 0.25 CPU, 312 periods throttled",
               lines[0].c_str());
  usage.cpuQuotaUsec = 150000;
  usage.cpuThrottled = 1;
  STRCMP_EQUAL("CPU (cgroup):        8.73 s used, at most 1.50 CPU, 1 period throttled",
               vs::guest::cgroupUsageLines(usage)[0].c_str());
  usage.cpuQuotaUsec = vs::kNoCgroupLimit;
  STRCMP_EQUAL("CPU (cgroup):        8.73 s used, no limit",
               vs::guest::cgroupUsageLines(usage)[0].c_str());
}

TEST(GuestLimits, CountedLinesShowLimitedOrUsedResourcesOnly) {
  const std::map<vserver_limit_resource, vs::CountedLimit> limits = {
      {VSERVER_LIMIT_NOFILE, {.hard = 4096, .current = 41, .held = 57, .hits = 0}},
      {VSERVER_LIMIT_NSOCK, {.hard = VSERVER_LIMIT_INFINITY, .current = 6, .held = 9, .hits = 0}},
      // Never used and not limited: no line.
      {VSERVER_LIMIT_SEMARY, {}},
      // Limited, never used: the limit still shows.
      {VSERVER_LIMIT_MSGQUEUE, {.hard = 0, .current = 0, .held = 0, .hits = 2}}};
  const auto lines = vs::guest::countedLimitLines(limits);
  LONGS_EQUAL(3, lines.size());
  STRCMP_EQUAL("Open files:          41 of 4096, most 57, 0 refused", lines[0].c_str());
  STRCMP_EQUAL("Sockets:             6, most 9, no limit", lines[1].c_str());
  STRCMP_EQUAL("Message queues:      0 of 0, most 0, 2 refused", lines[2].c_str());
  // Used once, none held now, the limit lifted.
  const auto lifted = vs::guest::countedLimitLines(
      {{VSERVER_LIMIT_SEMARY, {.hard = VSERVER_LIMIT_INFINITY, .current = 0, .held = 1, .hits = 3}}});
  LONGS_EQUAL(1, lifted.size());
  STRCMP_EQUAL("Semaphore sets:      0, most 1, no limit", lifted[0].c_str());
  CHECK(vs::guest::countedLimitLines({}).empty());
}

TEST(GuestLimits, CountedLinesShowTheSemaphoresAndFileLocksAfterTheMessageQueues) {
  const std::map<vserver_limit_resource, vs::CountedLimit> limits = {
      {VSERVER_LIMIT_SEMARY, {.hard = 4, .current = 3, .held = 3, .hits = 0}},
      {VSERVER_LIMIT_MSGQUEUE, {}},
      {VSERVER_LIMIT_NSEMS, {.hard = 10, .current = 10, .held = 10, .hits = 2}},
      {VSERVER_LIMIT_LOCKS, {.hard = 50, .current = 50, .held = 50, .hits = 7}}};
  const auto lines = vs::guest::countedLimitLines(limits);
  LONGS_EQUAL(3, lines.size());
  STRCMP_EQUAL("Semaphore sets:      3 of 4, most 3, 0 refused", lines[0].c_str());
  STRCMP_EQUAL("Semaphores:          10 of 10, most 10, 2 refused", lines[1].c_str());
  STRCMP_EQUAL("File locks:          50 of 50, most 50, 7 refused", lines[2].c_str());
  // Neither limited nor ever used: no line, as for the sets.
  CHECK(vs::guest::countedLimitLines(
            {{VSERVER_LIMIT_NSEMS, {.hard = VSERVER_LIMIT_INFINITY, .current = 0, .held = 0}}})
            .empty());
  const auto unlimited = vs::guest::countedLimitLines(
      {{VSERVER_LIMIT_NSEMS, {.hard = VSERVER_LIMIT_INFINITY, .current = 5, .held = 12}}});
  LONGS_EQUAL(1, unlimited.size());
  STRCMP_EQUAL("Semaphores:          5, most 12, no limit", unlimited[0].c_str());
}

TEST(GuestLimits, UsageOfAGroupReadsItsFiles) {
  vs::test::TempDir group;
  const auto put = [&](const char* file, const char* text) {
    std::ofstream(group.path() / file) << text;
  };
  put("pids.current", "4\n");
  put("pids.max", "max\n");
  put("pids.events", "max 0\n");
  put("memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
  put("memory.swap.current", "8192\n");
  put("memory.swap.max", "16777216\n");
  put("memory.swap.events", "high 0\nmax 3\nfail 5\n");
  const vs::CgroupUsage usage = vs::readCgroupUsage(group.path());
  CHECK_EQUAL(4, usage.tasks.value());
  CHECK_EQUAL(vs::kNoCgroupLimit, usage.tasksMax.value());
  CHECK_EQUAL(0, usage.forksRefused.value());
  CHECK_FALSE(usage.memoryBytes.has_value());
  CHECK_FALSE(usage.memoryMax.has_value());
  CHECK_EQUAL(1, usage.oomKills.value());
  CHECK_EQUAL(8192, usage.swapBytes.value());
  CHECK_EQUAL(16777216, usage.swapMax.value());
  // The limit's refusals, not the failures for want of swap on the host.
  CHECK_EQUAL(3, usage.swapRefused.value());
}
