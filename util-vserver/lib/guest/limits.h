// A guest's limits: which interface file of the guest's cgroup v2 group,
// or which counted limit of its context, each configuration file becomes,
// and with what value.
//
//   rlimits/nproc (hard)              pids.max
//   rlimits/rss, anon, as (hard)      memory.max: the smallest, pages x page size
//   rlimits/rss, anon (soft)          memory.high, where below memory.max
//   rlimits/swap (hard; ours)         memory.swap.max: pages x page size
//   sched/fill-rate, sched/interval   cpu.max: fill-rate/interval of kCpuPeriodUsec
//   sched/priority-bias               cpu.weight: the weight of that nice value
//   cpuset/cpus, cpuset/mems          cpuset.cpus, cpuset.mems
//   cgroup/io.max, cgroup/io.weight   io.max, io.weight: a write per line, a device path
//                                     as its MAJ:MIN (guest/io_limits.h)
//   rlimits/nofile, nsock, semary,    the module's counted limits (VSERVER_A_LIMITS):
//     msgqueue, nsems, locks (hard)   no cgroup controller counts these
//
// cgroupSettingsOf() and countedLimitsOf() are pure but for the stat()
// of a device path in cgroup/, so the unit tests check the mapping;
// applyCgroupSettings() writes the cgroup's before the guest's first
// process exists, and the counted limits go into the request that
// creates the context.  docs/config-reference.md documents
// the same table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../cgroup.h"
#include "../vserver_proto.h"
#include "config.h"

namespace vs::guest {

// The period of cpu.max, the cgroup v2 default: 100 ms.
constexpr uint64_t kCpuPeriodUsec = 100000;
// The smallest quota the kernel takes: 1 ms.
constexpr uint64_t kCpuMinQuotaUsec = 1000;

// One write to the guest's group.
struct CgroupSetting {
  std::string file;              // "pids.max", relative to the group
  std::string value;             // what is written to it
  std::filesystem::path source;  // the configuration file it comes from
  int line = 0;                  // its line there; 0: the whole file
};

// The settings config asks for, in the order they are written.  Throws
// ConfigError naming the file whose value no cgroup can take (nproc 0, a
// memory size past 2^64 bytes, a CPU share below 1 ms per period, a
// device path in cgroup/ that is no disk).
std::vector<CgroupSetting> cgroupSettingsOf(const GuestConfig& config, uint64_t pageSize);

// The hard limits of config's counted resources (nofile, nsock, semary,
// msgqueue, nsems, locks), for the context's creation.  Their soft and
// minimum values have no kernel equivalent.
HardLimits countedLimitsOf(const GuestConfig& config);

// Why a limit of rlimits/ becomes neither a cgroup setting nor a counted
// limit: a kind of its that neither takes (nproc, as, swap and the
// counted resources: hard only; rss and anon: soft or hard), or a resource
// nothing enforces yet.
enum class Unapplied { kHardOnly, kSoftOrHardOnly, kNotEnforced };
std::optional<Unapplied> unappliedBecause(const RlimitConfig& limit);

// The rlimits/ resources that something enforces, in util-vserver's order.
std::vector<std::string> enforcedRlimits();

// The rlimits/ resources of config that are not applied (memlock, openfd
// and the rest nothing enforces yet; a soft-only nproc, nofile or swap,
// which has no equivalent), in config's order.
std::vector<std::string> unappliedRlimits(const GuestConfig& config);

// The groups a guest may make below its own, and how deep.
inline constexpr int kGuestCgroupDescendants = 1000;
inline constexpr int kGuestCgroupDepth = 16;

// Bounds the groups below group (kGuestCgroupDescendants, kGuestCgroupDepth),
// then writes config's settings to it.  The first one the kernel does not
// take ends it with an Error of one line: "SOURCE[:LINE]: why".
void applyCgroupSettings(const std::filesystem::path& group, const GuestConfig& config);

// nice: sets the calling process's nice value, which the guest's init and
// so every process of the guest inherit.
void applyNice(const GuestConfig& config);

// What vserver NAME status shows of usage: "Tasks (cgroup):      5 of 20,
// 3 forks refused", "Memory (cgroup):     12.5M of 32M, 1 OOM kill",
// "Swap (cgroup):       3.2M of 16M, 2 swap-outs refused"; a line only
// where the group has the controller, and for swap only where the guest
// has a swap limit or some of its memory is swapped out.
std::vector<std::string> cgroupUsageLines(const CgroupUsage& usage);

// What it shows of its context's counted resources: "Open files:
// 41 of 4096, most 57, 0 refused" (in use, the limit, the most held at
// once, the requests refused), "Sockets:             6, most 9, no
// limit"; a line for each resource with a limit or that the guest has
// held any of, in the kernel's order.
std::vector<std::string> countedLimitLines(
    const std::map<vserver_limit_resource, CountedLimit>& limits);

// The kernel's weight for nice value nice (-20..19) on cpu.weight's scale
// (nice 0 is 100), as the kernel converts cpu.weight.nice.
uint64_t cpuWeightOfNice(int nice);

}  // namespace vs::guest
