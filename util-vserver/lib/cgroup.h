// cgroup v2 groups through cgroupfs files.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "unique_fd.h"

namespace vs {

// Creates group (and its parents), with the memory, pids, cpu, cpuset and
// io controllers enabled for it where the parents offer them, and returns it
// open as a directory (for CLONE_INTO_CGROUP).  An existing empty group is
// taken over; one with processes in it is an error.  With top, an existing
// group above group, nothing above top is changed: a systemd unit's
// delegated group may have its tree changed, not systemd's groups above it.
UniqueFd createCgroup(const std::filesystem::path& group,
                      const std::optional<std::filesystem::path>& top = std::nullopt);

// Whether dir is a cgroup v2 group that we may change (make groups in,
// move processes into).
bool cgroupWritable(const std::filesystem::path& dir);

// Makes group, which processes run in (a systemd unit's delegated group),
// able to have groups with the guest controllers below it: cgroup v2 lets
// no group both hold processes and enable controllers for its children
// (EBUSY).  Its processes move into its child leaf (created), those that
// fork meanwhile too, then the controllers it has are enabled for its
// children.  Harmless to repeat, also by several processes at once.
void makeParentCgroup(const std::filesystem::path& group, const std::string& leaf);

// Removes group and the groups below it, killing what is still in them
// first (cgroup.kill) and waiting for them to empty.  A missing group is
// fine.
void removeCgroup(const std::filesystem::path& group);

// Whether group holds any process.
bool cgroupPopulated(const std::filesystem::path& group);

// Writes value to group's interface file (e.g. "pids.max").  A file the
// kernel does not offer (its controller or option is not built in, or not
// enabled for group) and a value the kernel refuses are Errors saying so,
// without naming group, which the caller knows.
void setCgroupValue(const std::filesystem::path& group, const std::string& file,
                    const std::string& value);

// What a group counts against its limits, from its files; nothing where
// a file is missing (no such controller, or the group is gone).  A limit
// of "max" is kNoCgroupLimit.
constexpr uint64_t kNoCgroupLimit = UINT64_MAX;
struct CgroupUsage {
  std::optional<uint64_t> tasks;         // pids.current
  std::optional<uint64_t> tasksMax;      // pids.max
  std::optional<uint64_t> forksRefused;  // pids.events "max"
  std::optional<uint64_t> memoryBytes;   // memory.current
  std::optional<uint64_t> memoryMax;     // memory.max
  std::optional<uint64_t> memoryHigh;    // memory.high
  std::optional<uint64_t> oomKills;      // memory.events "oom_kill"
  std::optional<uint64_t> swapBytes;     // memory.swap.current
  std::optional<uint64_t> swapMax;       // memory.swap.max
  std::optional<uint64_t> swapRefused;   // memory.swap.events "max"
  std::optional<uint64_t> cpuUsec;       // cpu.stat "usage_usec"
  std::optional<uint64_t> cpuQuotaUsec;  // cpu.max's quota per period
  std::optional<uint64_t> cpuPeriodUsec;  // cpu.max's period
  std::optional<uint64_t> cpuThrottled;   // cpu.stat "nr_throttled"
};
CgroupUsage readCgroupUsage(const std::filesystem::path& group);

// A limit file's text ("max" or a number, a newline after it); nothing
// when it is neither.
std::optional<uint64_t> parseCgroupLimit(std::string_view text);

// cpu.max's "QUOTA PERIOD" (QUOTA "max" or a number); nothing when it is
// not that.
std::optional<std::pair<uint64_t, uint64_t>> parseCpuMax(std::string_view text);

// The count of key in a flat-keyed file ("key value" lines: pids.events,
// memory.events, memory.swap.events, cpu.stat); nothing when key is not
// there.
std::optional<uint64_t> parseKeyedCount(std::string_view text, std::string_view key);

// Moves process pid into group.
void joinCgroup(const std::filesystem::path& group, pid_t pid);

}  // namespace vs
