// vstest projects DIR: a guest cannot move its files out of its disk limit.
// DIR is on a filesystem with project quotas (ext4 -O quota,project).  The
// host gives a directory the guest's project and the inheritance flag, as
// vserver start does for dlimits/, and sets the project's quota; then a
// guest holding CAP_SYS_ADMIN besides its default CAP_FOWNER tries to change
// the project of its files, to clear the flag through either ioctl, and to
// set or read quotas.  Only what leaves its limit is refused: other file
// flags and reading its own project's quota stay the guest's.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <linux/vserver.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

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
  inChild([&] {
    vs::ContextPolicy policy;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(CAP_SYS_ADMIN);
    if (enterNewContext(kGuestXid, "projects", policy) != 0) {
      report(false, "enter context 4801", "refused");
      return;
    }
    guestTriesToLeave(dir);
  });
  hostStillChanges(dir);
  return failures() ? 1 : 0;
}

}  // namespace probe
