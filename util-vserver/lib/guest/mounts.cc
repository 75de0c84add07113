#include "mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "../error.h"
#include "../open_in_root.h"
#include "../unique_fd.h"
#include "devices.h"
#include "guest_tree.h"
#include "registry.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

struct FlagOption {
  unsigned long set;
  unsigned long clear;
};

struct NamedFlagOption {
  const char* name;
  FlagOption option;
};

constexpr NamedFlagOption kFlagOptions[] = {
    {"defaults", {0, 0}},
    {"ro", {MS_RDONLY, 0}},
    {"rw", {0, MS_RDONLY}},
    {"nosuid", {MS_NOSUID, 0}},
    {"suid", {0, MS_NOSUID}},
    {"nodev", {MS_NODEV, 0}},
    {"dev", {0, MS_NODEV}},
    {"noexec", {MS_NOEXEC, 0}},
    {"exec", {0, MS_NOEXEC}},
    {"sync", {MS_SYNCHRONOUS, 0}},
    {"async", {0, MS_SYNCHRONOUS}},
    {"noatime", {MS_NOATIME, 0}},
    {"nodiratime", {MS_NODIRATIME, 0}},
    {"relatime", {MS_RELATIME, 0}},
    {"strictatime", {MS_STRICTATIME, 0}},
    {"bind", {MS_BIND, 0}},
    {"rbind", {MS_BIND | MS_REC, 0}},
    // util-vserver's fstab has these for the host's mount(8); they mean
    // nothing to mount(2).  (noauto and auto are read separately.)
    {"auto", {0, 0}},
    {"noauto", {0, 0}},
    {"user", {0, 0}},
    {"nouser", {0, 0}},
    {"_netdev", {0, 0}},
};

const FlagOption* flagOption(const std::string& name) {
  for (const auto& entry : kFlagOptions) {
    if (name == entry.name) return &entry.option;
  }
  return nullptr;
}

// "FSTAB:LINE: cannot mount SOURCE on TARGET: why".
[[noreturn]] void throwMountError(const FstabEntry& entry, const fs::path& fstab, int errnum,
                                  const std::string& why) {
  throw Error(errnum, fstab.string() + ":" + std::to_string(entry.line) + ": cannot mount " +
                          entry.source + " on " + entry.target + ": " + why);
}

[[noreturn]] void throwMountError(const FstabEntry& entry, const fs::path& fstab) {
  const int errnum = errno;
  throwMountError(entry, fstab, errnum, std::strerror(errnum));
}

// The mount point open as fd, for mount(2), which takes only paths.
std::string procFdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Whether a and b are one directory on one mount.
bool sameMountedFile(int a, int b) {
  struct statx first {}, second {};
  const unsigned mask = STATX_INO | STATX_MNT_ID;
  return statx(a, "", AT_EMPTY_PATH, mask, &first) == 0 &&
         statx(b, "", AT_EMPTY_PATH, mask, &second) == 0 && first.stx_ino == second.stx_ino &&
         first.stx_dev_major == second.stx_dev_major &&
         first.stx_dev_minor == second.stx_dev_minor && first.stx_mnt_id == second.stx_mnt_id;
}

// The mount point of entry, opened inside the guest root.  Never the root
// itself, as a symlink in the guest's tree to / makes it: a mount there
// would cover the guest's root, a remount meant for it would change the
// root's mount, and the guest would start in what was mounted.
UniqueFd openMountPoint(int rootFd, const FstabEntry& entry, const fs::path& fstab) {
  UniqueFd target = openInRoot(rootFd, entry.target.c_str(), O_PATH);
  if (!target) throwMountError(entry, fstab);
  if (sameMountedFile(target.get(), rootFd))
    throwMountError(entry, fstab, EINVAL, "it is the guest's root directory");
  return target;
}

void mountFilesystem(int rootFd, const FstabEntry& entry, const MountOptions& options,
                     const fs::path& fstab) {
  const UniqueFd target = openMountPoint(rootFd, entry, fstab);
  if (mount(entry.source.c_str(), procFdPath(target.get()).c_str(), entry.type.c_str(),
            options.flags, options.data.empty() ? nullptr : options.data.c_str()) != 0)
    throwMountError(entry, fstab);
}

// Every guest's tree a bind source may lead into: this guest's root, every
// other guest's under its configuration root (a directory guests share),
// and whatever the vdir base holds (a guest configured elsewhere).
GuestTrees guestTreesAround(const GuestConfig& config) {
  const fs::path& defaults = config.location.defaults;
  GuestTrees trees{{config.vdir}, {vdirBase(defaults)}};
  for (const RegisteredGuest& guest : registeredGuests(config.location.cfgdir.parent_path()))
    trees.roots.push_back(readVdir({guest.cfgdir, defaults}, guest.name));
  return trees;
}

// A bind source whose way leads into a guest's tree, this guest's or
// another's, open through no symbolic link below that root (guest_tree.h):
// the guest could otherwise make a directory on the way a link to the
// host's /etc, or to another guest's tree, and have it bound here.
// Nothing for a source elsewhere, the host's path, which mount(2) resolves
// as it is (an automount point mounting as it does).
std::optional<UniqueFd> openBindSourceInGuestTree(const FstabEntry& entry, const GuestTrees& trees,
                                                  const fs::path& fstab) {
  const fs::path source(entry.source);
  if (!source.is_absolute() ||
      std::any_of(source.begin(), source.end(), [](const fs::path& part) { return part == ".."; }))
    throwMountError(entry, fstab, EINVAL, "a bind source must be an absolute path without '..'");
  const auto entered = findGuestTreeOnTheWay(source, trees);
  if (!entered) return std::nullopt;
  try {
    return openInEnteredGuestTree(*entered, entry.source, O_PATH | O_CLOEXEC);
  } catch (const Error& e) {
    throwMountError(entry, fstab, e.errnum(), e.what());
  }
}

void bindMount(int rootFd, const FstabEntry& entry, const MountOptions& options,
               const GuestTrees& trees, const fs::path& fstab) {
  const BindMountPlan plan = planBindMount(options);
  {
    const auto inGuestTree = openBindSourceInGuestTree(entry, trees, fstab);
    const std::string source =
        inGuestTree ? procFdPath(inGuestTree->get()) : entry.source;
    const UniqueFd coveredTarget = openMountPoint(rootFd, entry, fstab);
    if (mount(source.c_str(), procFdPath(coveredTarget.get()).c_str(), nullptr, plan.bindFlags,
              nullptr) != 0)
      throwMountError(entry, fstab);
  }
  if (!plan.remountFlags) return;
  // Opened again: the descriptor from before the bind still names the
  // directory (or file) the bind now covers, and a remount of that fails
  // with EINVAL, or changes the wrong mount.
  const UniqueFd newMount = openMountPoint(rootFd, entry, fstab);
  if (mount(nullptr, procFdPath(newMount.get()).c_str(), nullptr, *plan.remountFlags, nullptr) !=
      0)
    throwMountError(entry, fstab);
  if (!plan.belowAttributes) return;
  mount_attr attributes{};
  attributes.attr_set = plan.belowAttributes;
  if (mount_setattr(newMount.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes,
                    sizeof(attributes)) != 0)
    throwMountError(entry, fstab);
}

void mountEntry(int rootFd, const FstabEntry& entry, const MountOptions& options,
                const GuestTrees& trees, const fs::path& fstab) {
  if (options.flags & MS_BIND)
    bindMount(rootFd, entry, options, trees, fstab);
  else
    mountFilesystem(rootFd, entry, options, fstab);
}

}  // namespace

MountOptions parseMountOptions(const std::string& text) {
  MountOptions result;
  std::istringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    if (item == "auto" || item == "noauto") result.automatic = item == "auto";
    const FlagOption* flag = flagOption(item);
    if (!flag) {
      result.data += (result.data.empty() ? "" : ",") + item;
      continue;
    }
    result.flags = (result.flags & ~flag->clear) | flag->set;
  }
  return result;
}

std::optional<MountOptions> startMountOptions(const FstabEntry& entry) {
  const MountOptions options =
      parseMountOptions(entry.type == "devpts" ? entry.options : "nodev," + entry.options);
  if (!options.automatic || entry.type == "swap") return std::nullopt;
  return options;
}

namespace {

// The root and every mount under it nodev: a device node the root holds,
// however it got there, opens nothing.  mount_setattr sets the one flag
// and keeps the others (a read-only root stays read-only).
void makeNodev(int rootFd, const fs::path& vdir) {
  mount_attr attributes{};
  attributes.attr_set = MOUNT_ATTR_NODEV;
  if (mount_setattr(rootFd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes, sizeof(attributes)) != 0)
    throwErrno("cannot make the guest root " + vdir.string() + " nodev");
}

// The guest's /dev: a tmpfs of its own with only the nodes every guest
// gets and those of its device map, over whatever the root's dev/ holds
// (a template's, debootstrap's /dev/console: host devices).  The fstab's
// devpts goes on its pts/.
void mountFreshDev(int rootFd, const std::vector<DeviceMapEntry>& devices) {
  // One component, not followed: a link there must not move /dev.
  const UniqueFd covered(openat(rootFd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!covered) throwErrno("the guest root's dev must be a directory");
  if (mount("tmpfs", procFdPath(covered.get()).c_str(), "tmpfs", MS_NOSUID | MS_NOEXEC,
            "mode=0755,size=1m") != 0)
    throwErrno("cannot mount the guest's /dev");
  const UniqueFd dev(openat(rootFd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dev) throwErrno("cannot open the guest's /dev");
  const fs::path devPath = procFdPath(dev.get());
  makeDeviceNodes(devPath);
  // After the entries, so that a mapped node under shm/ finds it 01777.
  makeDevEntries(devPath);
  makeMappedDeviceNodes(devPath, devices);
}

}  // namespace

BindMountPlan planBindMount(const MountOptions& options) {
  struct Restriction {
    unsigned long flag;
    uint64_t attribute;
  };
  constexpr Restriction kRestrictions[] = {{MS_RDONLY, MOUNT_ATTR_RDONLY},
                                           {MS_NOSUID, MOUNT_ATTR_NOSUID},
                                           {MS_NODEV, MOUNT_ATTR_NODEV},
                                           {MS_NOEXEC, MOUNT_ATTR_NOEXEC}};
  BindMountPlan plan;
  plan.bindFlags = options.flags & (MS_BIND | MS_REC);
  const unsigned long perMount = options.flags & ~(MS_BIND | MS_REC);
  if (perMount) plan.remountFlags = MS_REMOUNT | MS_BIND | perMount;
  if (options.flags & MS_REC) {
    for (const Restriction& restriction : kRestrictions)
      if (perMount & restriction.flag) plan.belowAttributes |= restriction.attribute;
  }
  return plan;
}

void mountGuestFilesystems(const GuestConfig& config) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    throwErrno("cannot make the guest's mounts private");
  const fs::path& vdir = config.vdir;
  if (mount(vdir.c_str(), vdir.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    throwErrno("cannot bind the guest root " + vdir.string());
  const UniqueFd rootFd(open(vdir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootFd) throwErrno("cannot open the guest root " + vdir.string());
  makeNodev(rootFd.get(), vdir);
  mountFreshDev(rootFd.get(), config.devices);
  const fs::path fstab = config.location.cfgdir / "fstab";
  const GuestTrees trees = guestTreesAround(config);
  for (const FstabEntry& entry : config.fstab) {
    if (const auto options = startMountOptions(entry))
      mountEntry(rootFd.get(), entry, *options, trees, fstab);
  }
}

void pivotIntoGuestRoot(const fs::path& vdir) {
  // pivot_root(".", ".") stacks the old root under the new one, where a
  // lazy unmount of "." takes it away; no directory in the guest is needed.
  if (chdir(vdir.c_str()) != 0) throwErrno("cannot enter the guest root " + vdir.string());
  if (syscall(SYS_pivot_root, ".", ".") != 0) {
    if (errno == EINVAL)
      throwErrno("pivot_root into " + vdir.string() +
                 " (the host must run from a real root filesystem, not the initramfs)");
    throwErrno("pivot_root into " + vdir.string());
  }
  if (umount2(".", MNT_DETACH) != 0) throwErrno("cannot detach the host's root");
  if (chdir("/") != 0) throwErrno("chdir /");
}

}  // namespace vs::guest
