// The run file of a running guest (util-vserver's /var/run/vservers/NAME):
// its first line is the xid, as util-vserver's tools expect; we add the
// host pids of the guest's init and of its monitor, which enter and exec
// need.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

namespace vs::guest {

struct RunRecord {
  uint32_t xid = 0;
  pid_t initPid = 0;
  pid_t monitorPid = 0;
};

// Creates file (O_EXCL: one start wins), with its directory.
void writeRunFile(const std::filesystem::path& file, const RunRecord& record);

// The record, or nothing when there is no (readable) run file.
std::optional<RunRecord> readRunFile(const std::filesystem::path& file);

void removeRunFile(const std::filesystem::path& file);

}  // namespace vs::guest
