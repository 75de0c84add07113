// The guest's filesystem view, built in its own mount namespace: the
// guest root bound onto itself, the fstab entries mounted inside it, then
// pivot_root into it.  Nothing here is visible on the host: the namespace
// is made private first, and it goes away with the guest's last process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config.h"

namespace vs::guest {

struct MountOptions {
  unsigned long flags = 0;  // MS_*
  std::string data;         // what the filesystem itself interprets
  bool automatic = true;    // false with noauto: util-vserver's mount -a skips it
};

// Splits an fstab options field into mount(2) flags and data.
MountOptions parseMountOptions(const std::string& options);

// How start mounts an fstab line, as util-vserver did: nodev unless the
// line says dev (devpts aside); nothing for noauto or swap lines.
std::optional<MountOptions> startMountOptions(const FstabEntry& entry);

// mount(2) applies the per-mount flags (ro, nodev, nosuid, noexec, atime)
// of a bind mount only on a second call, a remount of the new mount; the
// first call takes MS_BIND and MS_REC alone.  The remount changes the new
// mount only: a recursive bind's mounts below it get the restricting flags
// (ro, nosuid, nodev, noexec) through mount_setattr, or a host filesystem
// mounted below the bound directory would be writable (and take devices).
struct BindMountPlan {
  unsigned long bindFlags = 0;
  std::optional<unsigned long> remountFlags;  // none when no flag needs it
  uint64_t belowAttributes = 0;               // MOUNT_ATTR_*, for every mount below
};

// The calls for a bind line's options (MS_BIND set in options.flags).
BindMountPlan planBindMount(const MountOptions& options);

// Makes every mount private, binds vdir onto itself, makes it and every
// mount under it nodev, mounts a fresh /dev (devices.h) and the fstab
// entries inside it.  Mount points are resolved inside vdir, so a symlink
// in the guest cannot send a mount elsewhere.
void mountGuestFilesystems(const GuestConfig& config);

// pivot_root into vdir, detaching the host's tree.
void pivotIntoGuestRoot(const std::filesystem::path& vdir);

}  // namespace vs::guest
