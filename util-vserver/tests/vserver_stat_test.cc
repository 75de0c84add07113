#include "commands/vserver_stat.h"

#include <filesystem>
#include <fstream>

#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::test::argv;
using vs::test::expectError;
using namespace vs::vserver_stat;

namespace {

Options parse(auto args) { return parseOptions(static_cast<int>(args.size()), args.data()); }

// /proc/PID/stat of a process named "a) (b c)" (proc(5) fields 3..52):
// utime 150, stime 30, cutime 7, cstime 3, starttime 500, vsize
// 4404019, rss 300.
constexpr const char* kStat =
    "812 (a) (b c)) S 1 812 812 0 -1 4194560 120 0 0 0 150 30 7 3 20 0 1 0 500 4404019 300 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

vs::ContextInfo kernelContext(uint32_t xid, const std::string& name, uint64_t uptimeNs) {
  vs::ContextInfo info;
  info.xid = xid;
  info.name = name;
  info.uptimeNs = uptimeNs;
  info.limits = {{VSERVER_LIMIT_NOFILE, {.hard = 4096, .current = 41, .held = 57, .hits = 0}}};
  return info;
}

}  // namespace

TEST_GROUP(VserverStatOptions){};

TEST(VserverStatOptions, TableOrJson) {
  CHECK_FALSE(parse(argv("vserver-stat")).json);
  CHECK(parse(argv("vserver-stat", "--json")).json);
}

TEST(VserverStatOptions, RefusesArgumentsAndUnknownOptions) {
  STRCMP_EQUAL("unexpected argument 'web1'",
               expectError([] { parse(argv("vserver-stat", "web1")); }).what());
  STRCMP_EQUAL("--sort: unknown option",
               expectError([] { parse(argv("vserver-stat", "--sort")); }).what());
}

TEST_GROUP(VserverStatProcStat){};

TEST(VserverStatProcStat, ReadsAfterTheLastParenthesis) {
  const auto stat = parseProcStat(kStat);
  CHECK(stat.has_value());
  CHECK_EQUAL(157u, stat->userTicks);
  CHECK_EQUAL(33u, stat->systemTicks);
  CHECK_EQUAL(500u, stat->startTicks);
  CHECK_EQUAL(4404019u, stat->vszBytes);
  CHECK_EQUAL(300u, stat->rssPages);
}

// A kernel worker's name is up to 63 bytes; a process may name itself
// like the fields that follow, and its name still ends at the last ')'.
TEST(VserverStatProcStat, TakesTheLongestNameAndOneThatMimicsFields) {
  const std::string fields =
      " S 1 812 812 0 -1 4194560 120 0 0 0 150 30 7 3 20 0 1 0 500 4404019 300 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  const auto longest = parseProcStat("4194304 (" + std::string(63, 'w') + ")" + fields);
  CHECK(longest.has_value());
  CHECK_EQUAL(157u, longest->userTicks);
  const auto mimic = parseProcStat("812 (x) S 1 2 3 4 5 6 7 8 9 99 99)" + fields);
  CHECK(mimic.has_value());
  CHECK_EQUAL(157u, mimic->userTicks);
  CHECK_EQUAL(300u, mimic->rssPages);
}

// The dump's start in ns against /proc's in ticks, as the kernel divides.
TEST(VserverStatProcStat, SameProcessWhenTheStartTimesAgree) {
  const ProcStat process{.startTicks = 500};
  const auto task = [](std::optional<uint64_t> startNs) {
    return vs::TaskContext{.pid = 812, .xid = 42, .startNs = startNs};
  };
  CHECK(sameProcess(task(5000000000ULL), process, 100));
  CHECK(sameProcess(task(5009999999ULL), process, 100));
  CHECK_FALSE(sameProcess(task(5010000000ULL), process, 100));
  CHECK_FALSE(sameProcess(task(4990000000ULL), process, 100));
  CHECK(sameProcess(task(std::nullopt), process, 100));
}

TEST(VserverStatProcStat, RefusesMalformedText) {
  CHECK_FALSE(parseProcStat("").has_value());
  CHECK_FALSE(parseProcStat("812 no parenthesis S 1 2 3").has_value());
  CHECK_FALSE(parseProcStat("812 (sh) S 1 812 812 0 -1 4194560 120 0 0 0 150").has_value());
  std::string negative = kStat;
  negative.replace(negative.find(" 300 "), 5, " -30 ");
  CHECK_FALSE(parseProcStat(negative).has_value());
}

TEST_GROUP(VserverStatUsage){};

TEST(VserverStatUsage, AddsUpProcessesAndKeepsTheOldestStart) {
  Usage usage;
  addProcess(usage, {.userTicks = 10, .systemTicks = 1, .startTicks = 900, .vszBytes = 1000,
                     .rssPages = 2});
  addProcess(usage, {.userTicks = 5, .systemTicks = 2, .startTicks = 300, .vszBytes = 24,
                     .rssPages = 1});
  CHECK_EQUAL(2u, usage.processes);
  CHECK_EQUAL(1024u, usage.vszBytes);
  CHECK_EQUAL(3u, usage.rssPages);
  CHECK_EQUAL(15u, usage.userTicks);
  CHECK_EQUAL(3u, usage.systemTicks);
  CHECK_EQUAL(300u, usage.oldestStartTicks);
}

TEST(VserverStatUsage, NamesTheHostAndTheSpectatorAsUtilVserver) {
  STRCMP_EQUAL("root server", contextName(0, "").c_str());
  STRCMP_EQUAL("monitoring server", contextName(1, "").c_str());
  STRCMP_EQUAL("web1", contextName(42, "web1").c_str());
  STRCMP_EQUAL("", contextName(43, "").c_str());
}

TEST(VserverStatUsage, OneRowPerContextInXidOrder) {
  const Units units{.pageSize = 4096, .ticksPerSecond = 100};
  Usage host;
  addProcess(host, {.userTicks = 250, .systemTicks = 50, .startTicks = 100, .vszBytes = 8192,
                    .rssPages = 3});
  Usage guest;
  addProcess(guest, {.userTicks = 1, .systemTicks = 0, .startTicks = 4000, .vszBytes = 100,
                     .rssPages = 1});
  Usage unlisted;
  addProcess(unlisted, {.userTicks = 0, .systemTicks = 0, .startTicks = 9000, .vszBytes = 0,
                        .rssPages = 0});
  const std::map<uint32_t, Usage> usage = {{0, host}, {42, guest}, {44, unlisted}};
  // 43 has no process left (a persistent context).
  const std::vector<vs::ContextInfo> contexts = {kernelContext(42, "web1", 7500000000),
                                                 kernelContext(43, "idle", 1000000)};

  const std::vector<Row> rows = buildRows(usage, contexts, units, 100000);
  LONGS_EQUAL(4, rows.size());

  CHECK_EQUAL(0u, rows[0].xid);
  STRCMP_EQUAL("root server", rows[0].name.c_str());
  CHECK_EQUAL(1u, rows[0].processes);
  CHECK_EQUAL(8192u, rows[0].vszBytes);
  CHECK_EQUAL(3u * 4096, rows[0].rssBytes);
  CHECK_EQUAL(2500u, rows[0].userMs);
  CHECK_EQUAL(500u, rows[0].systemMs);
  CHECK_EQUAL(99000u, rows[0].uptimeMs);  // since its oldest process started, at 1 s

  STRCMP_EQUAL("web1", rows[1].name.c_str());
  CHECK_EQUAL(10u, rows[1].userMs);
  CHECK_EQUAL(7500u, rows[1].uptimeMs);  // the kernel's

  CHECK(rows[0].limits.empty());  // no context of the kernel's list
  CHECK(rows[1].limits == contexts[0].limits);

  CHECK_EQUAL(43u, rows[2].xid);
  STRCMP_EQUAL("idle", rows[2].name.c_str());
  CHECK_EQUAL(0u, rows[2].processes);
  CHECK_EQUAL(1u, rows[2].uptimeMs);

  CHECK_EQUAL(44u, rows[3].xid);
  STRCMP_EQUAL("", rows[3].name.c_str());
  CHECK_EQUAL(10000u, rows[3].uptimeMs);
  CHECK_FALSE(rows[3].cgroupMemoryBytes.has_value());
}

TEST_GROUP(VserverStatFormat){};

TEST(VserverStatFormat, SizesAsUtilVserver) {
  STRCMP_EQUAL("0 ", formatSize(0).c_str());
  STRCMP_EQUAL("999 ", formatSize(999).c_str());
  STRCMP_EQUAL("0.9K", formatSize(1000).c_str());
  STRCMP_EQUAL("1K", formatSize(1024).c_str());
  STRCMP_EQUAL("1.5K", formatSize(1536).c_str());
  STRCMP_EQUAL("4.2M", formatSize(4404020).c_str());
  STRCMP_EQUAL("4.1M", formatSize(4404019).c_str());  // 4.1999995M
  STRCMP_EQUAL("999.9M", formatSize(1048575999).c_str());  // truncated, not rounded
  STRCMP_EQUAL("1G", formatSize(1ULL << 30).c_str());
  STRCMP_EQUAL("15.9E", formatSize(UINT64_MAX).c_str());
}

TEST(VserverStatFormat, TimesAsUtilVserver) {
  STRCMP_EQUAL("0m00s00", formatTime(0).c_str());
  STRCMP_EQUAL("0m00s19", formatTime(190).c_str());
  STRCMP_EQUAL("0m00s05", formatTime(59).c_str());
  STRCMP_EQUAL("2m05s19", formatTime(125199).c_str());
  STRCMP_EQUAL("59m59s99", formatTime(3599999).c_str());
  STRCMP_EQUAL("1h03m05", formatTime(3785000).c_str());
  STRCMP_EQUAL("4d07h12", formatTime(((4 * 24 + 7) * 60 + 12) * 60000ULL).c_str());
  STRCMP_EQUAL("999d23h59", formatTime(1000 * 86400000ULL - 1).c_str());
  STRCMP_EQUAL("3y75d03", formatTime((1170 * 24 + 3) * 3600000ULL).c_str());
  STRCMP_EQUAL("2y300d00", formatTime(1030 * 86400000ULL).c_str());
}

TEST(VserverStatFormat, TableHasUtilVserversColumns) {
  Row host;
  host.name = "root server";
  host.processes = 57;
  host.vszBytes = 4404020;
  host.rssBytes = 1536;
  host.userMs = 190;
  host.systemMs = 3785000;
  host.uptimeMs = 4 * 86400000ULL;
  Row guest;
  guest.xid = 42;
  guest.name = "web1";
  guest.processes = 1;
  guest.addresses = std::vector<vs::IpAddress>{};
  Row served = guest;
  served.xid = 43;
  served.name = "web2";
  served.addresses = {*vs::parseIpAddress("192.0.2.7"), *vs::parseIpAddress("2001:db8::7")};
  STRCMP_EQUAL(
      "CTX   PROC    VSZ    RSS  userTIME   sysTIME    UPTIME NAME ADDRESSES\n"
      "0       57   4.2M   1.5K   0m00s19   1h03m05   4d00h00 root server\n"
      "42       1     0      0    0m00s00   0m00s00   0m00s00 web1\n"
      "43       1     0      0    0m00s00   0m00s00   0m00s00 web2 192.0.2.7,2001:db8::7\n",
      formatTable({host, guest, served}).c_str());
}

TEST(VserverStatFormat, JsonEscapesNames) {
  STRCMP_EQUAL("\"web1\"", jsonString("web1").c_str());
  STRCMP_EQUAL("\"a\\\"b\\\\c\\u000ad\\u001f\"", jsonString("a\"b\\c\nd\x1f").c_str());
  STRCMP_EQUAL("\"caf\xc3\xa9\"", jsonString("caf\xc3\xa9").c_str());
}

TEST(VserverStatFormat, JsonHasOneObjectPerRow) {
  Row host;
  host.name = "root server";
  host.processes = 2;
  host.vszBytes = 8192;
  host.rssBytes = 4096;
  host.userMs = 10;
  host.systemMs = 20;
  host.uptimeMs = 30;
  Row guest;
  guest.xid = 42;
  guest.name = "web1";
  guest.cgroupMemoryBytes = 1052672;
  guest.cgroupCpuUsec = 123456;
  guest.cgroupMemoryMaxBytes = 33554432;
  guest.cgroupOomKills = 1;
  guest.cgroupSwapBytes = 8192;
  guest.cgroupSwapMaxBytes = 16777216;
  guest.cgroupTasks = 3;
  guest.cgroupTasksMax = 20;
  guest.cgroupForksRefused = 0;
  guest.cgroupCpuMaxUsec = 25000;
  guest.cgroupCpuPeriodUsec = 100000;
  guest.cgroupCpuThrottled = 312;
  guest.limits = {
      {VSERVER_LIMIT_NOFILE, {.hard = 4096, .current = 41, .held = 57, .hits = 0}},
      {VSERVER_LIMIT_NSOCK, {.hard = VSERVER_LIMIT_INFINITY, .current = 6, .held = 9, .hits = 0}},
      {VSERVER_LIMIT_SEMARY, {.hard = VSERVER_LIMIT_INFINITY, .current = 0, .held = 0, .hits = 0}},
      {VSERVER_LIMIT_MSGQUEUE, {.hard = 0, .current = 0, .held = 0, .hits = 2}},
      {VSERVER_LIMIT_NSEMS, {.hard = 10, .current = 6, .held = 10, .hits = 1}},
      {VSERVER_LIMIT_LOCKS, {.hard = 50, .current = 2, .held = 5, .hits = 0}}};
  guest.dlimits = std::vector<vs::guest::DiskUsage>(1);
  (*guest.dlimits)[0].directory = "/vservers/web1";
  (*guest.dlimits)[0].quota = vs::ProjectQuota{.spaceUsedKiB = 1234, .spaceLimitKiB = 65536,
                                               .inodesUsed = 56, .inodesLimit = 1000};
  guest.addresses = {*vs::parseIpAddress("192.0.2.7"), *vs::parseIpAddress("2001:db8::7")};
  STRCMP_EQUAL(
      "[\n"
      "  {\"xid\": 0, \"name\": \"root server\", \"processes\": 2, \"vsz_bytes\": 8192, "
      "\"rss_bytes\": 4096, \"user_time_ms\": 10, \"system_time_ms\": 20, \"uptime_ms\": 30, "
      "\"cgroup_memory_bytes\": null, \"cgroup_cpu_usec\": null, "
      "\"cgroup_cpu_max_usec\": null, \"cgroup_cpu_period_usec\": null, "
      "\"cgroup_cpu_throttled\": null, "
      "\"cgroup_memory_max_bytes\": null, \"cgroup_oom_kills\": null, "
      "\"cgroup_swap_bytes\": null, \"cgroup_swap_max_bytes\": null, \"cgroup_tasks\": null, "
      "\"cgroup_tasks_max\": null, \"cgroup_forks_refused\": null, \"limits\": null, "
      "\"dlimits\": null, \"addresses\": null},\n"
      "  {\"xid\": 42, \"name\": \"web1\", \"processes\": 0, \"vsz_bytes\": 0, "
      "\"rss_bytes\": 0, \"user_time_ms\": 0, \"system_time_ms\": 0, \"uptime_ms\": 0, "
      "\"cgroup_memory_bytes\": 1052672, \"cgroup_cpu_usec\": 123456, "
      "\"cgroup_cpu_max_usec\": 25000, \"cgroup_cpu_period_usec\": 100000, "
      "\"cgroup_cpu_throttled\": 312, "
      "\"cgroup_memory_max_bytes\": 33554432, \"cgroup_oom_kills\": 1, "
      "\"cgroup_swap_bytes\": 8192, \"cgroup_swap_max_bytes\": 16777216, \"cgroup_tasks\": 3, "
      "\"cgroup_tasks_max\": 20, \"cgroup_forks_refused\": 0, "
      "\"limits\": {\"nofile\": {\"current\": 41, \"held\": 57, \"hard\": 4096, \"hits\": 0}, "
      "\"nsock\": {\"current\": 6, \"held\": 9, \"hard\": null, \"hits\": 0}, "
      "\"semary\": {\"current\": 0, \"held\": 0, \"hard\": null, \"hits\": 0}, "
      "\"msgqueue\": {\"current\": 0, \"held\": 0, \"hard\": 0, \"hits\": 2}, "
      "\"nsems\": {\"current\": 6, \"held\": 10, \"hard\": 10, \"hits\": 1}, "
      "\"locks\": {\"current\": 2, \"held\": 5, \"hard\": 50, \"hits\": 0}}, "
      "\"dlimits\": [{\"directory\": \"/vservers/web1\", \"space_used_kib\": 1234, "
      "\"space_total_kib\": 65536, \"inodes_used\": 56, \"inodes_total\": 1000}], "
      "\"addresses\": [\"192.0.2.7\", \"2001:db8::7\"]}\n"
      "]\n",
      formatJson({host, guest}).c_str());
  STRCMP_EQUAL("[]\n", formatJson({}).c_str());
}

namespace {

vs::guest::DiskUsage diskUsage(const std::string& directory, uint64_t spaceLimitKiB,
                               uint64_t inodesLimit) {
  vs::guest::DiskUsage usage;
  usage.directory = directory;
  usage.quota = vs::ProjectQuota{.spaceUsedKiB = 20, .spaceLimitKiB = spaceLimitKiB,
                                 .inodesUsed = 3, .inodesLimit = inodesLimit};
  return usage;
}

// The "dlimits" member of row's JSON object, up to "addresses".
std::string jsonDiskLimitsOf(const Row& row) {
  const std::string json = formatJson({row});
  const size_t begin = json.find("\"dlimits\": ");
  return json.substr(begin, json.find(", \"addresses\"") - begin);
}

}  // namespace

TEST(VserverStatFormat, JsonDiskLimitsAreAnArrayOrNull) {
  Row row;
  row.xid = 42;
  row.name = "web1";
  STRCMP_EQUAL("\"dlimits\": null", jsonDiskLimitsOf(row).c_str());
  row.dlimits.emplace();
  STRCMP_EQUAL("\"dlimits\": []", jsonDiskLimitsOf(row).c_str());
  row.dlimits = {diskUsage("/vservers/web1", 65536, 1000),
                 diskUsage("/srv/\"quoted\"", vs::kNoQuotaLimit, vs::kNoQuotaLimit)};
  STRCMP_EQUAL(
      "\"dlimits\": [{\"directory\": \"/vservers/web1\", \"space_used_kib\": 20, "
      "\"space_total_kib\": 65536, \"inodes_used\": 3, \"inodes_total\": 1000}, "
      "{\"directory\": \"/srv/\\\"quoted\\\"\", \"space_used_kib\": 20, "
      "\"space_total_kib\": null, \"inodes_used\": 3, \"inodes_total\": null}]",
      jsonDiskLimitsOf(row).c_str());
  // One quota that could not be read: the list would look complete.
  row.dlimits->emplace_back();
  row.dlimits->back().directory = "/srv/gone";
  row.dlimits->back().problem = "/srv/gone: No such file or directory";
  STRCMP_EQUAL("\"dlimits\": null", jsonDiskLimitsOf(row).c_str());
}

// Guests configured under root/, as a start gives them to the kernel:
// the context's name is the guest's name (its name file, else its
// directory's), its xid the guest's context.
TEST_GROUP(VserverStatDiskUsage) {
  vs::test::TempDir temp;
  fs::path root = temp.path();

  void write(const fs::path& relative, const std::string& content) {
    fs::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << content;
  }

  // A dlimits/ entry whose directory does not exist: its quota cannot be
  // read (the quotas themselves are the testvm suite's).
  void dlimit(const std::string& guest) {
    write(guest + "/dlimits/0/directory", (root / "gone").string() + "\n");
    write(guest + "/dlimits/0/space_total", "65536\n");
    write(guest + "/dlimits/0/inodes_total", "1000\n");
  }
};

TEST(VserverStatDiskUsage, OnlyAGuestsOwnContextHasItsConfiguration) {
  write("web1/context", "42\n");
  write("shop-dir/name", "shop\n");
  write("shop-dir/context", "43\n");
  write("broken/context", "44\n");
  write("broken/dlimits/0/directory", "/vservers/broken\n");  // no space_total
  write("disk/context", "45\n");
  dlimit("disk");
  write(".defaults/context", "46\n");
  const std::vector<vs::ContextInfo> contexts = {
      kernelContext(42, "web1", 0), kernelContext(43, "shop", 0),
      kernelContext(44, "broken", 0), kernelContext(45, "disk", 0),
      // vcontext --create --name: a guest's name on another xid, another
      // name on a guest's xid, and a name no guest has.
      kernelContext(50, "web1", 0), kernelContext(51, "shop-dir", 0),
      kernelContext(52, "foo", 0), kernelContext(46, ".defaults", 0)};

  const DiskUsageByContext usage = diskUsageByContext(contexts, root);
  LONGS_EQUAL(3, usage.size());
  CHECK(usage.at({42, "web1"}).empty());
  CHECK(usage.at({43, "shop"}).empty());
  LONGS_EQUAL(1, usage.at({45, "disk"}).size());
  CHECK_FALSE(usage.at({45, "disk"})[0].quota.has_value());

  std::vector<Row> rows =
      buildRows({{0, Usage{}}, {1, Usage{}}}, contexts, Units{}, 0);
  addDiskUsage(rows, usage);
  LONGS_EQUAL(10, rows.size());
  for (const Row& row : rows) {
    const bool configured = (row.xid == 42 || row.xid == 43 || row.xid == 45);
    CHECK_EQUAL_TEXT(configured, row.dlimits.has_value(), row.name.c_str());
  }
  STRCMP_EQUAL("\"dlimits\": []", jsonDiskLimitsOf(rows[2]).c_str());  // 42
  STRCMP_EQUAL("\"dlimits\": null", jsonDiskLimitsOf(rows[5]).c_str());  // 45: no quota
  STRCMP_EQUAL("\"dlimits\": null", jsonDiskLimitsOf(rows[0]).c_str());  // the host
}

TEST(VserverStatDiskUsage, NoConfigurationRootNoUsage) {
  CHECK(diskUsageByContext({kernelContext(42, "web1", 0)}, root / "missing").empty());
}
