// vserver-stat: what each running context uses, one line per context.
//
//   vserver-stat [--json]
//
// Like vps, vserver-stat moves itself into the spectator context, which sees
// every process, and adds up the processes of each context as listed in
// /proc: their number, virtual and resident memory, and user and system CPU
// time.  Contexts and names come from the kernel; context 0 is the "root
// server", 1 the "monitoring server", as in util-vserver.  With --json it
// also reports each guest's cgroup v2 memory, swap, CPU and task usage,
// its memory, swap and task limits, how often the memory and task limits
// were hit, the counted limits of each context the kernel lists, with
// their use, and the use of each guest's dlimits/ against their project
// quotas.
//
// The formatting and adding up below are pure, so the unit tests cover
// them; only run() reads /proc and the cgroups, and diskUsageByContext()
// the guests' configurations and quotas.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../guest/disk_limits.h"
#include "../vserver_proto.h"

namespace vs::vserver_stat {

struct Options {
  bool json = false;
};

Options parseOptions(int argc, const char** argv);

// What /proc/PID/stat tells about a process.  CPU times include those of
// the children it has reaped (cutime, cstime), as util-vserver counted
// them: a context's finished processes keep counting.
struct ProcStat {
  uint64_t userTicks = 0;
  uint64_t systemTicks = 0;
  uint64_t startTicks = 0;  // since boot
  uint64_t vszBytes = 0;
  uint64_t rssPages = 0;
};

// Parses the text of /proc/PID/stat; nothing when it is malformed.
std::optional<ProcStat> parseProcStat(std::string_view text);

// The processes of one context, added up.
struct Usage {
  uint32_t processes = 0;
  uint64_t vszBytes = 0;
  uint64_t rssPages = 0;
  uint64_t userTicks = 0;
  uint64_t systemTicks = 0;
  uint64_t oldestStartTicks = UINT64_MAX;
};

void addProcess(Usage& usage, const ProcStat& process);

// Whether process, read from /proc/PID/stat after the module's dump named
// task, is that task and not a later process that reused its pid: their
// start times agree (the dump's in ns, /proc's in ticks).  A dump without
// start times (an older module) is taken at its word.
bool sameProcess(const TaskContext& task, const ProcStat& process, uint64_t ticksPerSecond);

// The units of /proc's figures.
struct Units {
  uint64_t pageSize = 4096;
  uint64_t ticksPerSecond = 100;
};

// One line of the report.
struct Row {
  uint32_t xid = 0;
  std::string name;
  uint32_t processes = 0;
  uint64_t vszBytes = 0;
  uint64_t rssBytes = 0;
  uint64_t userMs = 0;
  uint64_t systemMs = 0;
  uint64_t uptimeMs = 0;
  std::optional<uint64_t> cgroupMemoryBytes;  // memory.current
  std::optional<uint64_t> cgroupCpuUsec;      // cpu.stat usage_usec
  std::optional<uint64_t> cgroupMemoryMaxBytes;  // memory.max; nothing for "max"
  std::optional<uint64_t> cgroupOomKills;        // memory.events oom_kill
  std::optional<uint64_t> cgroupSwapBytes;       // memory.swap.current
  std::optional<uint64_t> cgroupSwapMaxBytes;    // memory.swap.max; nothing for "max"
  std::optional<uint64_t> cgroupTasks;           // pids.current
  std::optional<uint64_t> cgroupTasksMax;        // pids.max; nothing for "max"
  std::optional<uint64_t> cgroupForksRefused;    // pids.events max
  std::optional<uint64_t> cgroupCpuMaxUsec;      // cpu.max's quota; nothing for "max"
  std::optional<uint64_t> cgroupCpuPeriodUsec;   // cpu.max's period
  std::optional<uint64_t> cgroupCpuThrottled;    // cpu.stat nr_throttled
  std::optional<std::vector<IpAddress>> addresses;  // its network set's; empty: unconfined
  // The kernel's; empty for a context it did not list, which has none.
  std::map<vserver_limit_resource, CountedLimit> limits;
  // Its guest's dlimits/; nothing for a context that is no guest's, or
  // whose configuration could not be read.
  std::optional<std::vector<guest::DiskUsage>> dlimits;
};

// "root server" for 0, "monitoring server" for 1, else the kernel's name.
std::string contextName(uint32_t xid, const std::string& kernelName);

// A row for every context the kernel listed or that has processes, in xid
// order.  Uptime is the kernel's for a listed context, else the age of the
// context's oldest process at sinceBootMs.
std::vector<Row> buildRows(const std::map<uint32_t, Usage>& usage,
                           const std::vector<ContextInfo>& contexts, const Units& units,
                           uint64_t sinceBootMs);

// The dlimits/ usage of guest contexts, by xid and the context's name.
using DiskUsageByContext =
    std::map<std::pair<uint32_t, std::string>, std::vector<guest::DiskUsage>>;

// The dlimits/ usage of each context among contexts that runs a guest
// configured under configRoot: the guest whose name and static xid are
// the context's, as its start gave them to the kernel (a context made by
// hand may carry a guest's name, not its xid too).  The host, the
// spectator, a context that is no guest's and a guest whose configuration
// cannot be read are left out.  Reading another's quota takes
// CAP_SYS_ADMIN.
DiskUsageByContext diskUsageByContext(const std::vector<ContextInfo>& contexts,
                                      const std::filesystem::path& configRoot);

// Gives each row the usage of its context, if it has one.
void addDiskUsage(std::vector<Row>& rows, const DiskUsageByContext& usage);

// util-vserver's sizes: below 1000 of a unit, with tenths (truncated) when
// not zero, and a suffix: " " for bytes, K, M, G, T, P, E (powers of 1024).
std::string formatSize(uint64_t bytes);

// util-vserver's times, most significant units first: "2m05s19" (minutes,
// seconds, hundredths), "1h03m05", "4d07h12", "3y75d03" (after 999 days).
std::string formatTime(uint64_t milliseconds);

// The table util-vserver prints: a header, then one line per row; after
// the name, a column of ours: the context's addresses, comma-separated
// (nothing for a context without any, so that its line ends with its name
// as before).
std::string formatTable(const std::vector<Row>& rows);

// A JSON array of one object per row (fields: see vserver-stat(8)).
std::string formatJson(const std::vector<Row>& rows);

// text as a JSON string, quotes included.
std::string jsonString(std::string_view text);

int run(const Options& options);

int main(int argc, const char** argv);

}  // namespace vs::vserver_stat
