// cgroup/: a guest's block I/O limits, in the io controller's own files.
//
//   cgroup/io.max      "DEVICE rbps=N wbps=N riops=N wiops=N" (any of
//                      them, N a number or max): bandwidth and I/O rate
//                      caps per device, one device per line
//   cgroup/io.weight   "default N", "N" or "DEVICE N" (N 1..10000): the
//                      guest's share of a device against other groups
//
// DEVICE is MAJ:MIN as the kernel takes it, or the absolute path of a
// block device node, which start turns into its MAJ:MIN: a disk's
// numbers may change from boot to boot, a path (/dev/disk/by-id/...)
// keeps naming it.  readCgroupDirectory() is part of readGuestConfig();
// the lines become cgroup settings in guest/limits.h, one write per
// line, the kernel taking one device per write.
#pragma once

#include <filesystem>
#include <string>

#include "config.h"

namespace vs::guest {

// io.max and io.weight, checked for form; name is noted (it is not
// used).  Any other file is a ConfigError naming it and what is read
// instead; hidden files and backups ending in '~' are skipped.
CgroupConfig readCgroupDirectory(const std::filesystem::path& dir);

// What line of file is written to the kernel: its device as MAJ:MIN
// (a path is stat()ed now), then its settings.  Throws ConfigError at
// file:line for a path that is no block device, or names a partition,
// whose limits the kernel takes on its disk only.
std::string ioLineValue(const IoLine& line, const std::filesystem::path& file);

}  // namespace vs::guest
