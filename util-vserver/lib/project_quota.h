// Project quotas (ext4 with -O quota,project, XFS with prjquota): the
// filesystem counts the blocks and inodes of every file carrying a
// project id against that project's limits.  Host-side primitives with no
// knowledge of guests; guest/disk_limits.h gives a guest's tree its
// context id as project id.
//
// The limits here are the hard ones: setProjectLimits() clears the soft
// limits, since a soft limit only starts a grace period that ends in the
// same refusal (and the kernel's warnings), which dlimits never had.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "error.h"
#include "unique_fd.h"

namespace vs {

// What a limit of 0 means to the kernel: none.
constexpr uint64_t kNoQuotaLimit = 0;

// The largest limits the quota format v2r1 (ext4) takes: 2^63 - 1 bytes,
// in KiB, and 2^63 - 1 inodes.  XFS takes as much.
constexpr uint64_t kMaxQuotaKiB = (UINT64_C(1) << 63) / 1024 - 1;
constexpr uint64_t kMaxQuotaInodes = (UINT64_C(1) << 63) - 1;

// Gives every directory and regular file below the directory dirFd, and
// that directory itself last, the project id project; directories also get
// PROJINHERIT, so that what is created in them later inherits it.  Stays
// on its filesystem (a mount point below is neither entered nor tagged)
// and follows no symlink: the tree may be a guest's, with hostile names
// and links.  Symlinks, devices, fifos and sockets are skipped: their
// blocks are nil, and a device is never opened.  The top already tagged so
// (the mark of a walk that completed) makes it return at once.  Throws
// Error naming the path (dir is the top's, for messages) and the errno; a
// filesystem without project ids says so in one line.
void tagTree(int dirFd, const std::filesystem::path& dir, uint32_t project);

// An fd for the quotactl calls below: any file of the filesystem, opened
// O_PATH (quotactl_fd takes one, and nothing is opened for reading).
UniqueFd openForQuotas(const std::filesystem::path& path);

// Throws Error unless the filesystem of fsFd counts project quotas and
// enforces their limits (ext4 counts them with the quota feature alone
// and enforces them only when mounted with prjquota).
void requireEnforcedProjectQuotas(int fsFd);

struct ProjectQuota {
  uint64_t spaceUsedKiB = 0;  // rounded up
  uint64_t spaceLimitKiB = kNoQuotaLimit;
  uint64_t inodesUsed = 0;
  uint64_t inodesLimit = kNoQuotaLimit;
};

// The usage and hard limits of project on the filesystem of fsFd.
ProjectQuota projectQuota(int fsFd, uint32_t project);

// Sets the hard limits of project (kNoQuotaLimit: none) and clears its
// soft limits.
void setProjectLimits(int fsFd, uint32_t project, uint64_t spaceKiB, uint64_t inodes);

// Runs fn; an Error from it gets "NAME: " in front (the path, say, as the
// errors above do not know it).
template <typename Fn>
auto withErrorsNamed(const std::string& name, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& e) {
    throw Error(e.errnum(), name + ": " + e.what(), e.exitStatus());
  }
}

// Runs fn with an fd on path's filesystem (openForQuotas), its errors
// named by the path.
template <typename Fn>
auto onFilesystemOf(const std::filesystem::path& path, Fn&& fn) -> decltype(fn(0)) {
  const UniqueFd fd = openForQuotas(path);
  return withErrorsNamed(path.string(), [&] { return fn(fd.get()); });
}

}  // namespace vs
