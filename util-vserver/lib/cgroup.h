// cgroup v2 groups through cgroupfs files.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "unique_fd.h"

namespace vs {

// Creates group (and its parents), with the memory, pids, cpu and cpuset
// controllers enabled for it where the parents offer them, and returns it
// open as a directory (for CLONE_INTO_CGROUP).  An existing empty group is
// taken over; one with processes in it is an error.
UniqueFd createCgroup(const std::filesystem::path& group);

// Removes group, killing what is still in it first (cgroup.kill) and
// waiting for it to empty.  A missing group is fine.
void removeCgroup(const std::filesystem::path& group);

// Whether group holds any process.
bool cgroupPopulated(const std::filesystem::path& group);

// Writes value to group's interface file (e.g. "pids.max").  A file the
// kernel does not offer (its controller or option is not built in, or not
// enabled for group) and a value the kernel refuses are Errors saying so,
// without naming group, which the caller knows.
void setCgroupValue(const std::filesystem::path& group, const std::string& file,
                    const std::string& value);

// Moves process pid into group.
void joinCgroup(const std::filesystem::path& group, pid_t pid);

}  // namespace vs
