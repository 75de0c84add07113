// dlimits/: a guest's disk limits on a filesystem it shares with others,
// as project quotas whose project id is the guest's static xid.
//
// readDiskLimits() is part of readGuestConfig().  At start,
// applyDiskLimits() gives every file and directory of each entry's tree
// the project id (PROJINHERIT on directories passes it on to what the
// guest creates later) and sets the project's limits.  Stopping leaves
// both: the filesystem keeps counting, so the next start needs no
// reseeding of counters, as util-vserver's did.  The kernel keeps the
// guest from changing project ids or PROJINHERIT and from setting quotas.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "../project_quota.h"
#include "config.h"

namespace vs::guest {

// dlimits/<entry>/: directory, space_total, inodes_total, optional
// reserved; an entry with a disabled file is left out unread.  Throws
// ConfigError naming the file that is missing or wrong.
std::vector<DiskLimit> readDiskLimits(const std::filesystem::path& dir);

// What keeps config's disk limits from holding, checked before anything
// is touched: no static xid (the project id), or a bounding set with
// CAP_SYS_RESOURCE, which passes any quota.  Throws Error.
void checkDiskLimits(const GuestConfig& config);

// At start, before any hook runs: checks, then, entry by entry, requires
// project quotas enforced on the entry's filesystem, tags its tree and
// sets its limits.  Throws Error "NAME: dlimits/ENTRY: ..." on the first
// failure.
void applyDiskLimits(const GuestConfig& config);

// What the filesystem counts against one entry: its project's usage and
// limits, or why they could not be read.
struct DiskUsage {
  std::filesystem::path directory;
  std::optional<ProjectQuota> quota;
  std::string problem;  // why, when there is no quota
};

// The usage of each entry, as vserver NAME status and vserver-stat --json
// show it; nothing for a guest without a static xid.  An entry whose
// quota cannot be read does not hide the others: it carries the reason.
std::vector<DiskUsage> readDiskUsage(const GuestConfig& config);

// What vserver NAME status shows, one line per entry: "Disk
// /vservers/web1:     1234 of 65536 KiB, 56 of 1000 inodes", or why the
// quota could not be read.
std::vector<std::string> diskUsageLines(const std::vector<DiskUsage>& usage);

}  // namespace vs::guest
