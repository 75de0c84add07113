#include "limits.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <iomanip>
#include <optional>
#include <sstream>

#include "../cgroup.h"
#include "../commands/vserver_stat.h"
#include "../error.h"
#include "io_limits.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

// The kernel's sched_prio_to_weight[], nice -20 to 19 (kernel/sched/core.c).
constexpr std::array<uint64_t, 40> kNiceWeights = {
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
    9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
    1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
    110,   87,    70,    56,    45,    36,    29,    23,    18,    15};

// A limit and the file it came from; the smallest of several wins.
struct Candidate {
  uint64_t value = kUnlimited;
  fs::path source;
};

fs::path rlimitFile(const GuestConfig& config, const std::string& resource) {
  return config.location.cfgdir / "rlimits" / resource;
}

const RlimitConfig* findRlimit(const GuestConfig& config, const std::string& resource) {
  const auto found = std::find_if(config.rlimits.begin(), config.rlimits.end(),
                                  [&](const RlimitConfig& l) { return l.resource == resource; });
  return found == config.rlimits.end() ? nullptr : &*found;
}

// "max" for no limit, as every cgroup v2 limit file spells it.
std::string limitText(uint64_t value) { return value == kUnlimited ? "max" : std::to_string(value); }

// The smallest of the given limits, converted from pages to bytes.
std::optional<Candidate> smallestInBytes(const GuestConfig& config,
                                         std::initializer_list<const char*> resources,
                                         std::optional<uint64_t> RlimitConfig::*kind,
                                         uint64_t pageSize) {
  std::optional<Candidate> smallest;
  for (const char* resource : resources) {
    const RlimitConfig* limit = findRlimit(config, resource);
    if (!limit || !(limit->*kind)) continue;
    Candidate candidate{kUnlimited, rlimitFile(config, resource)};
    if (*(limit->*kind) != kUnlimited &&
        __builtin_mul_overflow(*(limit->*kind), pageSize, &candidate.value))
      throw ConfigError(candidate.source, 0,
                        std::to_string(*(limit->*kind)) + " pages are more memory than 2^64 bytes");
    if (!smallest || candidate.value < smallest->value) smallest = candidate;
  }
  return smallest;
}

void addPids(const GuestConfig& config, std::vector<CgroupSetting>& settings) {
  const RlimitConfig* nproc = findRlimit(config, "nproc");
  if (!nproc || !nproc->hard) return;
  const fs::path source = rlimitFile(config, "nproc");
  // The guest's first process is cloned into the group, so it counts.
  if (*nproc->hard == 0)
    throw ConfigError(source, 0, "0 leaves no room for the guest's init (at least 1)");
  settings.push_back({"pids.max", limitText(*nproc->hard), source});
}

// util-vserver's rss, anon and as are in pages.  A cgroup counts every
// page the guest is charged for, so each hard limit bounds the group:
// the smallest is memory.max.  rss and anon have a soft limit, which
// becomes memory.high (reclaim and throttling, no OOM kill) where it is
// below memory.max; as has none in util-vserver either.  swap, in pages
// too, is memory.swap.max, which the group's swap is counted against
// apart from its memory.  It has no soft limit: memory.swap.high
// throttles every allocation of the group past it, for an OOM handler of
// its own to step in, where memory.high merely reclaims.
void addMemory(const GuestConfig& config, uint64_t pageSize, std::vector<CgroupSetting>& settings) {
  const auto hard = smallestInBytes(config, {"rss", "anon", "as"}, &RlimitConfig::hard, pageSize);
  const auto soft = smallestInBytes(config, {"rss", "anon"}, &RlimitConfig::soft, pageSize);
  const auto swap = smallestInBytes(config, {"swap"}, &RlimitConfig::hard, pageSize);
  if (hard) settings.push_back({"memory.max", limitText(hard->value), hard->source});
  if (soft && soft->value < (hard ? hard->value : kUnlimited))
    settings.push_back({"memory.high", limitText(soft->value), soft->source});
  if (swap) settings.push_back({"memory.swap.max", limitText(swap->value), swap->source});
}

// The bucket gains fill-rate tokens every interval ticks and a running
// tick costs one: the guest may run fill-rate/interval of a CPU's time,
// which is cpu.max's quota over its period.  A rate of more than one
// gives more than one CPU's worth, as a cgroup can.
void addCpu(const GuestConfig& config, std::vector<CgroupSetting>& settings) {
  const SchedConfig& sched = config.sched;
  const fs::path dir = config.location.cfgdir / "sched";
  if (sched.fillRate && sched.interval) {
    const fs::path source = dir / "fill-rate";
    uint64_t scaled = 0;
    if (__builtin_mul_overflow(*sched.fillRate, kCpuPeriodUsec, &scaled))
      throw ConfigError(source, 0, "fill-rate " + std::to_string(*sched.fillRate) + " is too large");
    const uint64_t quota = scaled / *sched.interval;
    if (quota < kCpuMinQuotaUsec)
      throw ConfigError(source, 0,
                        std::to_string(*sched.fillRate) + "/" + std::to_string(*sched.interval) +
                            " of a CPU is below cpu.max's least share, 1 ms in 100 ms (1/100)");
    settings.push_back(
        {"cpu.max", std::to_string(quota) + " " + std::to_string(kCpuPeriodUsec), source});
  }
  if (sched.priorityBias)
    settings.push_back({"cpu.weight", std::to_string(cpuWeightOfNice(*sched.priorityBias)),
                        dir / "priority-bias"});
}

void addCpuset(const GuestConfig& config, std::vector<CgroupSetting>& settings) {
  const fs::path dir = config.location.cfgdir / "cpuset";
  if (config.cpuset.cpus) settings.push_back({"cpuset.cpus", *config.cpuset.cpus, dir / "cpus"});
  if (config.cpuset.mems) settings.push_back({"cpuset.mems", *config.cpuset.mems, dir / "mems"});
}

// One write per line: the kernel takes one device's settings per write.
void addIo(const GuestConfig& config, std::vector<CgroupSetting>& settings) {
  const fs::path dir = config.location.cfgdir / "cgroup";
  const auto add = [&](const std::vector<IoLine>& lines, const std::string& file) {
    for (const IoLine& line : lines)
      settings.push_back({file, ioLineValue(line, dir / file), dir / file, line.line});
  };
  add(config.cgroup.ioMax, "io.max");
  add(config.cgroup.ioWeight, "io.weight");
}

std::string counted(uint64_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// "USED of LIMIT, HITS" or "USED, no limit"; with a peak, "USED of
// LIMIT, most PEAK, HITS" or "USED, most PEAK, no limit".
std::string againstLimit(const std::string& used, std::optional<uint64_t> limit,
                         const std::string& limitText, const std::string& hits,
                         std::optional<uint64_t> peak = std::nullopt) {
  const std::string most = peak ? ", most " + std::to_string(*peak) : "";
  if (!limit || *limit == kNoCgroupLimit) return used + most + ", no limit";
  return used + " of " + limitText + most + ", " + hits;
}

// "12.5M", "0": vserver-stat's size, without the blank that its columns
// give a size below 1000 bytes, which swap often is.
std::string sizeText(uint64_t bytes) {
  std::string text = vserver_stat::formatSize(bytes);
  if (text.ends_with(' ')) text.pop_back();
  return text;
}

// "2 decimals", as the CPU line shows seconds and shares of a CPU.
std::string twoDecimals(uint64_t numerator, uint64_t denominator) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(2)
       << static_cast<double>(numerator) / static_cast<double>(denominator);
  return text.str();
}

// "8.73 s used, no limit" or "8.73 s used, at most 0.25 CPU, 312 periods
// throttled".
std::string cpuUsage(const CgroupUsage& usage) {
  const std::string used = twoDecimals(*usage.cpuUsec, 1000000) + " s used";
  if (!usage.cpuQuotaUsec || *usage.cpuQuotaUsec == kNoCgroupLimit || !usage.cpuPeriodUsec)
    return used + ", no limit";
  return used + ", at most " + twoDecimals(*usage.cpuQuotaUsec, *usage.cpuPeriodUsec) + " CPU, " +
         counted(usage.cpuThrottled.value_or(0), "period throttled", "periods throttled");
}

// Every group has memory.swap.current where the kernel counts swap, on a
// host with no swap device too: a line of "0, no limit" for each guest
// would say nothing.
bool usesOrLimitsSwap(const CgroupUsage& usage) {
  return usage.swapBytes &&
         (*usage.swapBytes > 0 || (usage.swapMax && *usage.swapMax != kNoCgroupLimit));
}

// The status line's label of each counted resource, padded as the other
// lines' are; indexed by vserver_limit_resource.
constexpr std::array<const char*, VSERVER_LIMIT_MAX + 1> kCountedLabels = {
    nullptr, "Open files:          ", "Sockets:             ", "Semaphore sets:      ",
    "Message queues:      ", "Semaphores:          ", "File locks:          "};
static_assert(std::all_of(kCountedLabels.begin() + 1, kCountedLabels.end(),
                          [](const char* label) { return label != nullptr; }));

}  // namespace

std::vector<std::string> cgroupUsageLines(const CgroupUsage& usage) {
  std::vector<std::string> lines;
  if (usage.tasks)
    lines.push_back("Tasks (cgroup):      " +
                    againstLimit(std::to_string(*usage.tasks), usage.tasksMax,
                                 std::to_string(usage.tasksMax.value_or(0)),
                                 counted(usage.forksRefused.value_or(0), "fork refused",
                                         "forks refused")));
  if (usage.memoryBytes)
    lines.push_back("Memory (cgroup):     " +
                    againstLimit(sizeText(*usage.memoryBytes), usage.memoryMax,
                                 sizeText(usage.memoryMax.value_or(0)),
                                 counted(usage.oomKills.value_or(0), "OOM kill", "OOM kills")));
  if (usesOrLimitsSwap(usage))
    lines.push_back("Swap (cgroup):       " +
                    againstLimit(sizeText(*usage.swapBytes), usage.swapMax,
                                 sizeText(usage.swapMax.value_or(0)),
                                 counted(usage.swapRefused.value_or(0), "swap-out refused",
                                         "swap-outs refused")));
  if (usage.cpuUsec) lines.push_back("CPU (cgroup):        " + cpuUsage(usage));
  return lines;
}

std::vector<std::string> countedLimitLines(
    const std::map<vserver_limit_resource, CountedLimit>& limits) {
  std::vector<std::string> lines;
  for (const auto& [resource, limit] : limits) {
    // Every guest holds open files, but few ever make a System V
    // semaphore set or message queue: six lines each time, zeros
    // mostly, would bury the ones that say something.  A limit shows
    // even unused: it is what the admin asked for, and 0 is how a guest
    // is denied a resource.
    if (!limit.limit() && limit.held == 0) continue;
    lines.push_back(kCountedLabels.at(resource) +
                    againstLimit(std::to_string(limit.current), limit.limit(),
                                 std::to_string(limit.hard), std::to_string(limit.hits) + " refused",
                                 limit.held));
  }
  return lines;
}

uint64_t cpuWeightOfNice(int nice) {
  const uint64_t weight = kNiceWeights.at(static_cast<size_t>(nice + 20));
  // As the kernel rounds cpu.weight: DIV_ROUND_CLOSEST(weight * 100, 1024).
  return std::max<uint64_t>(1, (weight * 100 + 512) / 1024);
}

std::vector<CgroupSetting> cgroupSettingsOf(const GuestConfig& config, uint64_t pageSize) {
  std::vector<CgroupSetting> settings;
  addPids(config, settings);
  addMemory(config, pageSize, settings);
  addCpu(config, settings);
  addCpuset(config, settings);
  addIo(config, settings);
  return settings;
}

// "inf" in rlimits/ is the module's "no limit".
static_assert(kUnlimited == VSERVER_LIMIT_INFINITY);

HardLimits countedLimitsOf(const GuestConfig& config) {
  HardLimits limits;
  for (const RlimitConfig& limit : config.rlimits)
    if (const auto resource = countedResourceOf(limit.resource); resource && limit.hard)
      limits[*resource] = *limit.hard;
  return limits;
}

std::optional<Unapplied> unappliedBecause(const RlimitConfig& limit) {
  if (limit.resource == "nproc" || limit.resource == "as" || limit.resource == "swap" ||
      countedResourceOf(limit.resource))
    return limit.hard ? std::nullopt : std::optional(Unapplied::kHardOnly);
  if (limit.resource == "rss" || limit.resource == "anon")
    return limit.hard || limit.soft ? std::nullopt : std::optional(Unapplied::kSoftOrHardOnly);
  return Unapplied::kNotEnforced;
}

std::vector<std::string> enforcedRlimits() {
  std::vector<std::string> names;
  for (const char* name : limitResourceNames())
    if (unappliedBecause(RlimitConfig{name, std::nullopt, 1, 1}) != Unapplied::kNotEnforced)
      names.emplace_back(name);
  return names;
}

std::vector<std::string> unappliedRlimits(const GuestConfig& config) {
  std::vector<std::string> names;
  for (const RlimitConfig& limit : config.rlimits)
    if (unappliedBecause(limit)) names.push_back(limit.resource);
  return names;
}

void applyCgroupSettings(const fs::path& group, const GuestConfig& config) {
  // A guest that mounts cgroup2 can make groups below its own, each at
  // the kernel's cost (a cfs_rq per CPU, a memory cgroup) outside its
  // memory limit, under a mutex all share, and taking one of the 65535
  // memory cgroup ids of the host: so many and so deep, no more.
  setCgroupValue(group, "cgroup.max.descendants", std::to_string(kGuestCgroupDescendants));
  setCgroupValue(group, "cgroup.max.depth", std::to_string(kGuestCgroupDepth));
  const auto pageSize = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  for (const CgroupSetting& setting : cgroupSettingsOf(config, pageSize)) {
    try {
      setCgroupValue(group, setting.file, setting.value);
    } catch (const Error& e) {
      const std::string line = setting.line > 0 ? ":" + std::to_string(setting.line) : "";
      throw Error(e.errnum(), setting.source.string() + line + ": " + e.what());
    }
  }
}

void applyNice(const GuestConfig& config) {
  if (!config.nice) return;
  if (setpriority(PRIO_PROCESS, 0, *config.nice) != 0)
    throwErrno((config.location.cfgdir / "nice").string() + ": cannot set nice " +
               std::to_string(*config.nice));
}

}  // namespace vs::guest
