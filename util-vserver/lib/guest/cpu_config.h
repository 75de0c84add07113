// Readers of the CPU settings util-vserver kept outside rlimits/: the
// token bucket in sched/, the CPU and memory node sets in cpuset/ and the
// guest's nice value.  Part of readGuestConfig(); each throws ConfigError
// naming the file at fault.
#pragma once

#include <filesystem>
#include <optional>

#include "config.h"

namespace vs::guest {

// sched/fill-rate, sched/interval and sched/priority-bias.  The bucket's
// other files (tokens, tokens-min, tokens-max, fill-rate2, interval2,
// idle-time, per-CPU subdirectories) are not read: a cgroup has no
// bucket to fill, only a rate.
SchedConfig readSched(const std::filesystem::path& dir);

// cpuset/cpus and cpuset/mems.  name, nocreate, cpu_exclusive,
// mem_exclusive and virtualized named util-vserver's cpuset v1 group; the
// guest's cgroup is its cpuset now, so they are not read.
CpusetConfig readCpuset(const std::filesystem::path& dir);

// nice: a number from -20 to 19.
std::optional<int> readNice(const std::filesystem::path& file);

}  // namespace vs::guest
