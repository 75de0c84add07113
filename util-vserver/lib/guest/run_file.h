// The run file of a running guest (util-vserver's /var/run/vservers/NAME):
// its first line is the xid, as util-vserver's tools expect; we add the
// host pids of the guest's init and of its monitor, which enter and exec
// need, and the guest's cgroup, whose place depends on how the guest was
// started (cgroup_place.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace vs::guest {

struct RunRecord {
  uint32_t xid = 0;
  pid_t initPid = 0;
  pid_t monitorPid = 0;
  std::filesystem::path cgroup;  // the guest's group
};

// Creates file (O_EXCL: one start wins), with its directory.
void writeRunFile(const std::filesystem::path& file, const RunRecord& record);

// The record of guest name, or nothing when there is no (readable) run
// file.  A file of an older version, without the cgroup line, means the
// default group.  A cgroup line that names no group of the guest
// (guestCgroupProblem) is an Error: a stop would kill what is in it.
std::optional<RunRecord> readRunFile(const std::filesystem::path& file, const std::string& name);

void removeRunFile(const std::filesystem::path& file);

}  // namespace vs::guest
