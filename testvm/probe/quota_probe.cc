// vstest projects DIR: a guest cannot move its files out of its disk limit,
// nor act on the whole filesystem its tree shares with the host.  DIR is on
// a filesystem with project quotas (ext4 -O quota,project, or XFS mounted
// with prjquota).  The host gives a directory the guest's project and the
// inheritance flag, as vserver start does for dlimits/, and sets the
// project's quota; then a guest holding CAP_SYS_ADMIN besides its default
// CAP_FOWNER tries to change the project of its files, to clear the flag
// through either ioctl, and to set or read quotas.  Only what leaves its
// limit is refused: other file flags and reading its own project's quota
// stay the guest's.  With the same capability it tries what acts on the
// whole filesystem: freeze, trim, shutdown, relabel, a forced unmount, a
// fanotify mark of the filesystem or the mount and, on XFS, bulk stat and
// open by handle (patches 0090, 0091); on a tmpfs of its own, freeze passes
// the capability check, the mark and the forced unmount work, and a configfs it mounted first is its
// own until the host mounts it too.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <linux/vserver.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xfs/xfs.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "probe.h"
#include "unique_fd.h"

namespace probe {

namespace {

constexpr uint32_t kGuestXid = 4801;
// Another guest's project, on the same filesystem.
constexpr uint32_t kOtherProject = 4802;

int quotactlFd(int fd, int cmd, int type, uint32_t id, void* addr) {
  return errnoOf(syscall(SYS_quotactl_fd, fd, QCMD(cmd, type), id, addr));
}

int getAttributes(int fd, fsxattr& attributes) {
  return errnoOf(ioctl(fd, FS_IOC_FSGETXATTR, &attributes));
}

// Sets fd's project and inheritance flag as given, keeping its other
// attributes: 0 or the errno.
int setProject(int fd, uint32_t project, bool inherit) {
  fsxattr attributes{};
  if (const int err = getAttributes(fd, attributes)) return err;
  attributes.fsx_projid = project;
  attributes.fsx_xflags = inherit ? attributes.fsx_xflags | FS_XFLAG_PROJINHERIT
                                  : attributes.fsx_xflags & ~FS_XFLAG_PROJINHERIT;
  return errnoOf(ioctl(fd, FS_IOC_FSSETXATTR, &attributes));
}

// Changes fd's FS_IOC_SETFLAGS flags by turning set on and clear off.
int changeFlags(int fd, int set, int clear) {
  int flags = 0;
  if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) return errno;
  flags = (flags | set) & ~clear;
  return errnoOf(ioctl(fd, FS_IOC_SETFLAGS, &flags));
}

vs::UniqueFd openOrDie(const std::string& path, int flags) {
  vs::UniqueFd fd(open(path.c_str(), flags | O_CLOEXEC, 0644));
  if (!fd) {
    std::printf("Bail out! open %s: %s\n", path.c_str(), errnoName(errno));
    _exit(1);
  }
  return fd;
}

struct Project {
  uint32_t id = 0;
  bool inherit = false;
};

Project projectOf(int fd) {
  fsxattr attributes{};
  if (getAttributes(fd, attributes) != 0) return {~0U, false};
  return {attributes.fsx_projid, (attributes.fsx_xflags & FS_XFLAG_PROJINHERIT) != 0};
}

void hostGivesTheProject(const std::string& dir) {
  mkdir(dir.c_str(), 0755);
  const vs::UniqueFd top = openOrDie(dir, O_RDONLY | O_DIRECTORY);
  expect("host: give the guest's directory its project and the inheritance flag (control)", 0,
         setProject(top.get(), kGuestXid, true));
  if_dqblk limit{};
  limit.dqb_bhardlimit = 1024;
  limit.dqb_ihardlimit = 100;
  limit.dqb_valid = QIF_LIMITS;
  expect("host: set the project's quota (control)", 0,
         quotactlFd(top.get(), Q_SETQUOTA, PRJQUOTA, kGuestXid, &limit));
  const vs::UniqueFd file = openOrDie(dir + "/host-made", O_RDWR | O_CREAT);
  const Project made = projectOf(file.get());
  report(made.id == kGuestXid, "host: a file made in the directory inherits its project",
         std::to_string(made.id));
}

void guestTriesToLeave(const std::string& dir) {
  const vs::UniqueFd top = openOrDie(dir, O_RDONLY | O_DIRECTORY);
  const vs::UniqueFd file = openOrDie(dir + "/guest-made", O_RDWR | O_CREAT);
  report(projectOf(file.get()).id == kGuestXid, "guest: its new file is in its project");

  expect("guest: FS_IOC_FSSETXATTR moving its file to project 0", EPERM,
         setProject(file.get(), 0, false));
  expect("guest: FS_IOC_FSSETXATTR moving its file to another guest's project", EPERM,
         setProject(file.get(), kOtherProject, false));
  expect("guest: FS_IOC_FSSETXATTR clearing its directory's inheritance", EPERM,
         setProject(top.get(), kGuestXid, false));
  expect("guest: FS_IOC_SETFLAGS clearing its directory's inheritance", EPERM,
         changeFlags(top.get(), 0, FS_PROJINHERIT_FL));
  const Project after = projectOf(top.get());
  report(after.id == kGuestXid && after.inherit,
         "guest: its directory keeps its project and the flag", std::to_string(after.id));
  expect("guest: FS_IOC_FSSETXATTR of another flag, same project (control)", 0,
         errnoOf([&] {
           fsxattr attributes{};
           if (getAttributes(file.get(), attributes) != 0) return -1;
           attributes.fsx_xflags |= FS_XFLAG_NOATIME;
           return ioctl(file.get(), FS_IOC_FSSETXATTR, &attributes);
         }()));
  expect("guest: FS_IOC_SETFLAGS of another flag (control)", 0,
         changeFlags(file.get(), FS_NODUMP_FL, 0));

  if_dqblk quota{};
  expect("guest: read its own project's quota", 0,
         quotactlFd(top.get(), Q_GETQUOTA, PRJQUOTA, kGuestXid, &quota));
  report(quota.dqb_bhardlimit == 1024 && quota.dqb_ihardlimit == 100,
         "guest: it reads the limits the host set",
         std::to_string(quota.dqb_bhardlimit) + " blocks, " +
             std::to_string(quota.dqb_ihardlimit) + " inodes");
  expect("guest: read another guest's project quota", EPERM,
         quotactlFd(top.get(), Q_GETQUOTA, PRJQUOTA, kOtherProject, &quota));
  if_nextdqblk next{};
  expect("guest: walk the projects' quotas (Q_GETNEXTQUOTA)", EPERM,
         quotactlFd(top.get(), Q_GETNEXTQUOTA, PRJQUOTA, 0, &next));
  if_dqblk raise{};
  raise.dqb_bhardlimit = 1 << 30;
  raise.dqb_valid = QIF_BLIMITS;
  expect("guest (with CAP_SYS_ADMIN): raise its project's quota", EPERM,
         quotactlFd(top.get(), Q_SETQUOTA, PRJQUOTA, kGuestXid, &raise));
  expect("guest (with CAP_SYS_ADMIN): set a user quota", EPERM,
         quotactlFd(top.get(), Q_SETQUOTA, USRQUOTA, 0, &raise));
  expect("guest: turn project quotas off", EPERM,
         quotactlFd(top.get(), Q_QUOTAOFF, PRJQUOTA, 0, nullptr));
  if_dqinfo info{};
  expect("guest: read the filesystem's quota settings (control)", 0,
         quotactlFd(top.get(), Q_GETINFO, PRJQUOTA, 0, &info));
}

// A shutdown flag no filesystem knows: the ioctl fails with EINVAL once its
// capability check passed, and shuts nothing down.
constexpr uint32_t kNoShutdownFlag = 0xdead;
// The shutdown ioctl of ext4, XFS and f2fs, which share its number.
constexpr unsigned long kShutdownIoctl = XFS_IOC_GOINGDOWN;
constexpr char kOwnTmpfs[] = "/tmp/vs-projects-tmpfs";

// Freezes fd's filesystem and thaws it at once: 0 or the freeze's errno.
int freezeAndThaw(int fd) {
  int unused = 0;
  if (ioctl(fd, FIFREEZE, &unused) != 0) return errno;
  ioctl(fd, FITHAW, &unused);
  return 0;
}

int trim(int fd) {
  fstrim_range range{0, ULLONG_MAX, 0};
  return errnoOf(ioctl(fd, FITRIM, &range));
}

int shutdownWithUnknownFlag(int fd) {
  uint32_t flag = kNoShutdownFlag;
  return errnoOf(ioctl(fd, kShutdownIoctl, &flag));
}

int setLabel(int fd, const char* label) {
  char buffer[FSLABEL_MAX] = {};
  std::snprintf(buffer, sizeof(buffer), "%s", label);
  return errnoOf(ioctl(fd, FS_IOC_SETFSLABEL, buffer));
}

// Marks path's superblock (FAN_MARK_FILESYSTEM), mount or inode for open
// events with a new fanotify group: 0 or the errno.
int fanotifyMark(const std::string& path, unsigned int what) {
  return fanotifyMarkErrno(path, FAN_CLASS_NOTIF, what, FAN_OPEN);
}

bool onXfs(int fd) {
  struct statfs fs{};
  return fstatfs(fd, &fs) == 0 && fs.f_type == XFS_SUPER_MAGIC;
}

int bulkStat(int fd) {
  __u64 last = 0;
  __s32 count = 0;
  alignas(8) char buffer[4096];
  xfs_fsop_bulkreq request{&last, 1, buffer, &count};
  return errnoOf(ioctl(fd, XFS_IOC_FSBULKSTAT, &request));
}

struct XfsHandle {
  char bytes[64] = {};
  __u32 length = sizeof(bytes);
};

XfsHandle handleOf(int anyFd, const std::string& path) {
  XfsHandle handle;
  xfs_fsop_handlereq request{};
  request.path = const_cast<char*>(path.c_str());
  request.ohandle = handle.bytes;
  request.ohandlen = &handle.length;
  if (ioctl(anyFd, XFS_IOC_PATH_TO_HANDLE, &request) != 0) handle.length = 0;
  return handle;
}

// Opens what handle names through XFS's own ioctl: 0 or the errno.
int openByXfsHandle(int anyFd, XfsHandle handle) {
  xfs_fsop_handlereq request{};
  request.oflags = O_RDONLY;
  request.ihandle = handle.bytes;
  request.ihandlen = handle.length;
  const int fd = ioctl(anyFd, XFS_IOC_OPEN_BY_HANDLE, &request);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

// The host's controls: each whole-filesystem action works for it on DIR's
// filesystem, so the guest's EPERM is the rule's.
XfsHandle hostActsOnTheFilesystem(const std::string& dir) {
  const vs::UniqueFd top = openOrDie(dir, O_RDONLY | O_DIRECTORY);
  expect("host: freeze and thaw the filesystem (control)", 0, freezeAndThaw(top.get()));
  expect("host: trim it (control)", 0, trim(top.get()));
  expect("host: its shutdown ioctl passes the capability check (control)", EINVAL,
         shutdownWithUnknownFlag(top.get()));
  expect("host: relabel it (control)", 0, setLabel(top.get(), "shared"));
  expect("host: a fanotify mark of the whole filesystem (control)", 0,
         fanotifyMark(dir, FAN_MARK_FILESYSTEM));
  if (!onXfs(top.get())) return {};
  expect("host: XFS bulk stat (control)", 0, bulkStat(top.get()));
  writeFile(dir + "/../host-secret", "host only\n", 0600);
  const XfsHandle secret = handleOf(top.get(), dir + "/../host-secret");
  report(secret.length > 0, "host: an XFS handle of a file outside the guest's directory (control)");
  expect("host: open it by XFS handle (control)", 0, openByXfsHandle(top.get(), secret));
  return secret;
}

void guestTriesTheWholeFilesystem(const std::string& dir, const XfsHandle& secret) {
  const vs::UniqueFd top = openOrDie(dir, O_RDONLY | O_DIRECTORY);
  expect("guest (with CAP_SYS_ADMIN): freeze the filesystem its tree is on", EPERM,
         freezeAndThaw(top.get()));
  expect("guest (with CAP_SYS_ADMIN): trim it", EPERM, trim(top.get()));
  expect("guest (with CAP_SYS_ADMIN): shut it down", EPERM, shutdownWithUnknownFlag(top.get()));
  expect("guest (with CAP_SYS_ADMIN): relabel it", EPERM, setLabel(top.get(), "guest"));
  expect("guest (with CAP_SYS_ADMIN): a fanotify mark of the whole filesystem", EPERM,
         fanotifyMark(dir, FAN_MARK_FILESYSTEM));
  expect("guest (with CAP_SYS_ADMIN): a fanotify mark of its mount", EPERM,
         fanotifyMark(dir, FAN_MARK_MOUNT));
  expect("guest (with CAP_SYS_ADMIN): a fanotify mark of its own directory (control)", 0,
         fanotifyMark(dir, 0));
  // Busy with the descriptors open here, the unmount would fail with
  // EBUSY if it got that far.
  expect("guest (with CAP_SYS_ADMIN): force the unmount of the filesystem", EPERM,
         errnoOf(umount2((dir + "/..").c_str(), MNT_FORCE)));
  if (onXfs(top.get())) {
    expect("guest (with CAP_SYS_ADMIN): XFS bulk stat of the filesystem", EPERM,
           bulkStat(top.get()));
    expect("guest (with CAP_SYS_ADMIN): open the host's file by XFS handle", EPERM,
           openByXfsHandle(top.get(), secret));
  }
  // What the guest mounted is its own: freeze passes the capability check,
  // the mark and the forced unmount work.
  const int mounted = errnoOf(mount("none", kOwnTmpfs, "tmpfs", 0, "size=1m"));
  expect("guest (with CAP_SYS_ADMIN): mount a tmpfs of its own (control)", 0, mounted);
  if (mounted != 0) return;
  vs::UniqueFd own = openOrDie(kOwnTmpfs, O_RDONLY | O_DIRECTORY);
  // tmpfs cannot freeze, which FIFREEZE says once the capability passed.
  expect("guest (with CAP_SYS_ADMIN): freeze its own tmpfs passes the capability check (control)",
         EOPNOTSUPP, freezeAndThaw(own.get()));
  expect("guest (with CAP_SYS_ADMIN): a fanotify mark of its own tmpfs (control)", 0,
         fanotifyMark(kOwnTmpfs, FAN_MARK_FILESYSTEM));
  expect("guest (with CAP_SYS_ADMIN): force the unmount of its own tmpfs (control)", 0,
         errnoOf([&] {
           own.reset();
           return umount2(kOwnTmpfs, MNT_FORCE);
         }()));
}

constexpr char kGuestConfigfs[] = "/tmp/vs-projects-configfs-guest";
constexpr char kHostConfigfs[] = "/tmp/vs-projects-configfs-host";

// configfs has one superblock, which the guest creates by mounting it
// first: its own, until the host mounts it too.  Runs in the guest; the
// host's side is hostMountsConfigfsToo(), told over the pipes.
void guestLosesASharedSuperblock(int toHost, int fromHost) {
  const int mounted = errnoOf(mount("none", kGuestConfigfs, "configfs", 0, nullptr));
  expect("guest (with CAP_SYS_ADMIN): mount configfs, mounted nowhere yet (control)", 0, mounted);
  if (mounted != 0) return;
  expect("guest (with CAP_SYS_ADMIN): a fanotify mark of all of the configfs it created (control)",
         0, fanotifyMark(kGuestConfigfs, FAN_MARK_FILESYSTEM));
  int hostErrno = -1;
  if (write(toHost, "m", 1) != 1 || read(fromHost, &hostErrno, sizeof hostErrno) != sizeof hostErrno)
    hostErrno = -1;
  expect("host: mount configfs too, the guest's superblock (control)", 0, hostErrno);
  expect("guest (with CAP_SYS_ADMIN): a fanotify mark of all of configfs, once the host mounted it",
         EPERM, fanotifyMark(kGuestConfigfs, FAN_MARK_FILESYSTEM));
  umount(kGuestConfigfs);
}

void hostMountsConfigfsToo(int fromGuest, int toGuest) {
  char byte = 0;
  if (read(fromGuest, &byte, 1) != 1) return;
  const int err = errnoOf(mount("none", kHostConfigfs, "configfs", 0, nullptr));
  if (write(toGuest, &err, sizeof err) != sizeof err) return;
}

void hostStillChanges(const std::string& dir) {
  const vs::UniqueFd file = openOrDie(dir + "/guest-made", O_RDWR);
  expect("host: move the guest's file to another project (control)", 0,
         setProject(file.get(), kOtherProject, false));
  if_dqblk quota{};
  const vs::UniqueFd top = openOrDie(dir, O_RDONLY | O_DIRECTORY);
  expect("host: read any project's quota (control)", 0,
         quotactlFd(top.get(), Q_GETQUOTA, PRJQUOTA, kOtherProject, &quota));
}

}  // namespace

int probeProjects(const std::string& dir) {
  hostGivesTheProject(dir);
  const XfsHandle secret = hostActsOnTheFilesystem(dir);
  for (const char* mountPoint : {kOwnTmpfs, kGuestConfigfs, kHostConfigfs}) mkdir(mountPoint, 0755);
  int toHost[2], toGuest[2];
  if (pipe2(toHost, O_CLOEXEC) != 0 || pipe2(toGuest, O_CLOEXEC) != 0) {
    report(false, "pipes", std::strerror(errno));
    return 1;
  }
  // The host's side runs beside the guest, which waits for it.
  std::thread host(hostMountsConfigfsToo, toHost[0], toGuest[1]);
  inChild([&] {
    if (enterNewContext(kGuestXid, "projects", policyWithCapability(CAP_SYS_ADMIN)) != 0) {
      report(false, "enter context 4801", "refused");
      return;
    }
    guestTriesToLeave(dir);
    guestTriesTheWholeFilesystem(dir, secret);
    guestLosesASharedSuperblock(toHost[1], toGuest[0]);
  });
  // Unblocks the host's side if the guest never asked.
  close(toHost[1]);
  host.join();
  umount(kHostConfigfs);
  for (const int fd : {toHost[0], toGuest[0], toGuest[1]}) close(fd);
  hostStillChanges(dir);
  return failures() ? 1 : 0;
}

}  // namespace probe
