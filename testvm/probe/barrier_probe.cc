// Part of vstest escape: root in a guest whose context root is
// /tmp/vs-root holds directory fds and file handles from outside it and
// tries every way out.  Each attempt is made once on the outside directory
// (refused) and once on a directory inside the root (the control): path
// operations, the inode operations that reach the kernel with no path
// (xattrs, utimes, readlink, access, statfs), inotify and fanotify marks,
// and unix sockets bound in the directory.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "probe.h"

namespace probe {

namespace {

constexpr uint32_t kRootedXid = 4603;
constexpr char kRoot[] = "/tmp/vs-root";
constexpr char kInside[] = "/tmp/vs-root/inside";
constexpr char kOutside[] = "/tmp/vs-outside";

// A stream socket listening at path, bound by the host; -1 on failure.
int listenAt(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  unlink(path.c_str());
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 64) != 0)
    return -1;
  return fd;
}

void fillDirectory(const std::string& dir, const std::string& tool) {
  mkdir(dir.c_str(), 0755);
  for (const char* name : {"file", "victim", "victim2"}) writeFile(dir + "/" + name, "data\n");
  writeFile(dir + "/tool", tool, 0755);
  symlink("file", (dir + "/alink").c_str());
}

// The path of name in the directory behind fd, through /proc/self/fd: a
// lookup that starts from the held descriptor, as *at() calls do.
std::string through(int dir, const char* name) {
  return "/proc/self/fd/" + std::to_string(dir) + "/" + name;
}

// A file capability granting nothing, as setcap would write it.
int setFileCapability(int dir) {
  vfs_cap_data data{};
  data.magic_etc = VFS_CAP_REVISION_2;
  return errnoOf(setxattr(through(dir, "file").c_str(), "security.capability", &data,
                          XATTR_CAPS_SZ_2, 0));
}

int connectThrough(int dir) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", through(dir, "sock").c_str());
  const int result = errnoOf(connect(fd, reinterpret_cast<const sockaddr*>(&address),
                                     sizeof(address)));
  close(fd);
  return result;
}

int markWithFanotify(int dir) {
  const int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_CLOEXEC, O_RDONLY);
  if (fd < 0) return errno;
  const int result = errnoOf(fanotify_mark(fd, FAN_MARK_ADD, FAN_MODIFY, dir, "file"));
  close(fd);
  return result;
}

// A file handle as name_to_handle_at() gives it, taken by the host.
std::shared_ptr<file_handle> handleOf(const std::string& path) {
  std::shared_ptr<file_handle> handle(
      static_cast<file_handle*>(operator new(sizeof(file_handle) + MAX_HANDLE_SZ)),
      [](file_handle* h) { operator delete(h); });
  handle->handle_bytes = MAX_HANDLE_SZ;
  int mountId;
  if (name_to_handle_at(AT_FDCWD, path.c_str(), handle.get(), &mountId, 0) != 0) return nullptr;
  return handle;
}

int openAtErrno(int dir, const char* name, int flags) {
  const int fd = openat(dir, name, flags | O_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

int execAt(int dir) {
  return isolated([dir] {
    char arg0[] = "true";
    char* argv[] = {arg0, nullptr};
    char* envp[] = {nullptr};
    syscall(SYS_execveat, dir, "tool", argv, envp, 0);
    return errno;
  });
}

// Escapes the old way: a second chroot leaves the working directory
// outside the new root, and ".." then climbs out of the first one.
int chrootInChroot() {
  mkdir("/jail", 0755);
  if (chroot("/jail") != 0) return errno;
  for (int i = 0; i < 16; i++)
    if (chdir("..") != 0) return errno;
  const std::string relative = std::string(kOutside + 1) + "/file";
  return openAtErrno(AT_FDCWD, relative.c_str(), O_RDONLY);
}

struct DirectoryAttempt {
  const char* what;
  std::function<int(int dir)> act;
};

std::vector<DirectoryAttempt> directoryAttempts() {
  return {
      {"openat", [](int dir) { return openAtErrno(dir, "file", O_RDONLY); }},
      {"fstatat",
       [](int dir) {
         struct stat st;
         return errnoOf(fstatat(dir, "file", &st, 0));
       }},
      {"fchdir, then open", [](int dir) {
         if (fchdir(dir) != 0) return errno;
         return openAtErrno(AT_FDCWD, "file", O_RDONLY);
       }},
      {"open through /proc/self/fd/N", [](int dir) {
         return openAtErrno(AT_FDCWD, ("/proc/self/fd/" + std::to_string(dir) + "/file").c_str(),
                            O_RDONLY);
       }},
      {"linkat to inside", [](int dir) {
         const int result = errnoOf(linkat(dir, "file", AT_FDCWD, "/stolen", 0));
         unlink("/stolen");
         return result;
       }},
      {"unlinkat", [](int dir) { return errnoOf(unlinkat(dir, "victim", 0)); }},
      {"mkdirat", [](int dir) { return errnoOf(mkdirat(dir, "newdir", 0755)); }},
      {"symlinkat", [](int dir) { return errnoOf(symlinkat("file", dir, "link")); }},
      {"renameat", [](int dir) { return errnoOf(renameat(dir, "victim2", dir, "renamed")); }},
      {"fchmodat", [](int dir) { return errnoOf(fchmodat(dir, "file", 0600, 0)); }},
      {"fchownat", [](int dir) { return errnoOf(fchownat(dir, "file", 0, 0, 0)); }},
      {"execveat", execAt},
      {"setxattr security.capability", setFileCapability},
      {"getxattr", [](int dir) {
         char value[64];
         return errnoOf(getxattr(through(dir, "file").c_str(), "security.capability", value,
                                 sizeof(value)));
       }},
      {"listxattr", [](int dir) {
         char names[256];
         return errnoOf(listxattr(through(dir, "file").c_str(), names, sizeof(names)));
       }},
      {"removexattr", [](int dir) {
         return errnoOf(removexattr(through(dir, "file").c_str(), "security.capability"));
       }},
      {"utimensat", [](int dir) { return errnoOf(utimensat(dir, "file", nullptr, 0)); }},
      {"readlinkat", [](int dir) {
         char target[64];
         return errnoOf(readlinkat(dir, "alink", target, sizeof(target)));
       }},
      {"faccessat", [](int dir) { return errnoOf(faccessat(dir, "file", R_OK, 0)); }},
      {"statfs", [](int dir) {
         struct statfs st;
         return errnoOf(statfs(through(dir, "file").c_str(), &st));
       }},
      {"inotify_add_watch", [](int dir) {
         const int fd = inotify_init1(IN_CLOEXEC);
         const int result = errnoOf(inotify_add_watch(fd, through(dir, "file").c_str(), IN_MODIFY));
         close(fd);
         return result;
       }},
      {"fanotify_mark", markWithFanotify},
      {"connect to a unix socket bound there", connectThrough},
      {"FS_IOC_SETFLAGS", [](int dir) { return toggleNoDumpFlag(dir, false); }},
      {"32-bit FS_IOC32_SETFLAGS", [](int dir) { return toggleNoDumpFlag(dir, true); }},
      {"fchdir, then chroot(.)", [](int dir) {
         if (fchdir(dir) != 0) return errno;
         return errnoOf(chroot("."));
       }},
  };
}

void attackFromRootedGuest(int outside, int inside, const file_handle& outsideHandle,
                           const file_handle& insideHandle) {
  if (chroot(kRoot) != 0 || chdir("/") != 0) {
    report(false, "chroot into " + std::string(kRoot), std::strerror(errno));
    return;
  }
  if (enterNewContext(kRootedXid, "rooted") != 0) {
    report(false, "enter the rooted context", "create failed");
    return;
  }
  for (const DirectoryAttempt& attempt : directoryAttempts()) {
    const std::string what = std::string("rooted guest: ") + attempt.what;
    expect(what + " on a directory fd from outside its root", EACCES,
           isolated([&] { return attempt.act(outside); }));
    expect(what + " on a directory inside its root (control)", 0,
           isolated([&] { return attempt.act(inside); }));
  }
  for (const bool compat : {false, true}) {
    const std::string what =
        std::string("rooted guest: ") + (compat ? "32-bit FS_IOC32_SETVERSION" : "FS_IOC_SETVERSION");
    expect(what + " on a directory fd from outside its root", EACCES,
           isolated([&] { return setVersionErrno(outside, compat); }));
    expect(what + " on a directory inside its root reaches tmpfs (control)", ENOTTY,
           isolated([&] { return setVersionErrno(inside, compat); }));
  }
  expect("rooted guest: FS_IOC_GETFLAGS on a directory fd from outside its root, a read (control)", 0,
         isolated([outside] {
           int flags = 0;
           return errnoOf(ioctl(outside, FS_IOC_GETFLAGS, &flags));
         }));
  const int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  expect("rooted guest: open_by_handle_at of a file outside its root", EACCES, isolated([&] {
           const int fd = open_by_handle_at(root, const_cast<file_handle*>(&outsideHandle), O_RDONLY);
           return errnoOf(fd);
         }));
  expect("rooted guest: open_by_handle_at of a file inside its root (control)", 0, isolated([&] {
           const int fd = open_by_handle_at(root, const_cast<file_handle*>(&insideHandle), O_RDONLY);
           return errnoOf(fd);
         }));
  // An O_PATH open passes no open hook, and its descriptor is authority
  // still (clone3's CLONE_INTO_CGROUP takes one).
  expect("rooted guest: open_by_handle_at O_PATH of a file outside its root", EACCES,
         isolated([&] {
           return errnoOf(
               open_by_handle_at(root, const_cast<file_handle*>(&outsideHandle), O_PATH));
         }));
  expect("rooted guest: open_by_handle_at O_PATH of a file inside its root (control)", 0,
         isolated([&] {
           return errnoOf(
               open_by_handle_at(root, const_cast<file_handle*>(&insideHandle), O_PATH));
         }));
  // Made inside, then linked outside: the inode's newest dentry, the one a
  // check that had only the inode would pick, is the outside one.
  expect("rooted guest: access(2) to its file also linked outside its root", 0,
         isolated([] { return errnoOf(faccessat(AT_FDCWD, "/inside/shared", R_OK, 0)); }));
  expect("rooted guest: open of that file (control)", 0,
         isolated([] { return openAtErrno(AT_FDCWD, "/inside/shared", O_RDONLY); }));
  expect("rooted guest: access(2) to the outside link through a held fd", EACCES,
         isolated([outside] { return errnoOf(faccessat(outside, "shared", R_OK, 0)); }));
  expect("rooted guest: chroot in chroot, then ..", EACCES, isolated(chrootInChroot));
  expect("rooted guest: open through the host's /proc/1/root", ENOENT,
         isolated([] { return openAtErrno(AT_FDCWD, "/proc/1/root/tmp/vs-outside/file", O_RDONLY); }));
  expect("rooted guest: open through its own /proc/self/root (control)", 0,
         isolated([] { return openAtErrno(AT_FDCWD, "/proc/self/root/inside/file", O_RDONLY); }));
  expect("rooted guest: open_tree clone of an outside directory", EPERM, isolated([outside] {
           return errnoOf(syscall(SYS_open_tree, outside, "", OPEN_TREE_CLONE | AT_EMPTY_PATH));
         }));
  expect("rooted guest: pivot_root", EPERM,
         isolated([] { return errnoOf(syscall(SYS_pivot_root, ".", ".")); }));
}

// A bind mount of a host directory in the guest's tree: a file handle
// opened through it may name any file of that filesystem, with the bind
// mount as its mount, whose place is inside the guest's root.
void checkHandleThroughBindMount(const file_handle& outsideHandle) {
  const std::string source = "/tmp/vs-bind-source";
  const std::string target = std::string(kInside) + "/bound";
  mkdir(source.c_str(), 0755);
  writeFile(source + "/file", "data\n");
  mkdir(target.c_str(), 0755);
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    report(false, "host: bind-mount a directory into the guest's tree", std::strerror(errno));
    return;
  }
  const auto boundHandle = handleOf(source + "/file");
  report(static_cast<bool>(boundHandle), "host: a file handle of the bind mount's file",
         std::strerror(errno));
  if (boundHandle)
    inChild([&] {
      if (chroot(kRoot) != 0 || chdir("/") != 0 ||
          enterNewContext(kRootedXid + 2, "rooted-bind") != 0) {
        report(false, "enter a rooted context", std::strerror(errno));
        return;
      }
      const int bound = open("/inside/bound", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      expect("rooted guest: open_by_handle_at through its bind mount, of a file outside it",
             EACCES, isolated([&] {
               return errnoOf(open_by_handle_at(bound, const_cast<file_handle*>(&outsideHandle),
                                                O_RDONLY));
             }));
      expect("rooted guest: open_by_handle_at O_PATH through its bind mount, of a file outside it",
             EACCES, isolated([&] {
               return errnoOf(open_by_handle_at(bound, const_cast<file_handle*>(&outsideHandle),
                                                O_PATH));
             }));
      expect("rooted guest: open_by_handle_at through its bind mount, of the mount's file "
             "(control)",
             0, isolated([&] {
               return errnoOf(
                   open_by_handle_at(bound, const_cast<file_handle*>(boundHandle.get()), O_RDONLY));
             }));
    });
  umount(target.c_str());
}

}  // namespace

void checkBarrier() {
  const std::string tool = readFile("/bin/busybox");
  mkdir(kRoot, 0755);
  mkdir((std::string(kRoot) + "/proc").c_str(), 0755);
  fillDirectory(kInside, tool);
  fillDirectory(kOutside, tool);
  writeFile(std::string(kInside) + "/shared", "data\n");
  unlink((std::string(kOutside) + "/shared").c_str());
  report(link((std::string(kInside) + "/shared").c_str(),
              (std::string(kOutside) + "/shared").c_str()) == 0,
         "host: a file of the guest's hard-linked outside its root", std::strerror(errno));
  if (mount("proc", (std::string(kRoot) + "/proc").c_str(), "proc", 0, nullptr) != 0) {
    report(false, "mount proc inside the guest root", std::strerror(errno));
    return;
  }
  const int outsideSocket = listenAt(std::string(kOutside) + "/sock");
  const int insideSocket = listenAt(std::string(kInside) + "/sock");
  report(outsideSocket >= 0 && insideSocket >= 0, "host: listening sockets for the rooted guest",
         std::strerror(errno));
  const auto outsideHandle = handleOf(std::string(kOutside) + "/file");
  const auto insideHandle = handleOf(std::string(kInside) + "/file");
  const int outside = open(kOutside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int inside = open(kInside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  report(outsideHandle && insideHandle && outside >= 0 && inside >= 0,
         "host: file handles and directory fds for the rooted guest", std::strerror(errno));

  // Without the barrier the old escape works: the host shows it does.
  expect("host: chroot in chroot, then .. (control)", 0, isolated([] {
           if (chroot(kRoot) != 0 || chdir("/") != 0) return errno;
           return chrootInChroot();
         }));
  expect("host: open_tree clone of a directory (control)", 0, isolated([outside] {
           const long fd = syscall(SYS_open_tree, outside, "", OPEN_TREE_CLONE | AT_EMPTY_PATH);
           return errnoOf(fd);
         }));
  if (outsideHandle && insideHandle)
    inChild([&] { attackFromRootedGuest(outside, inside, *outsideHandle, *insideHandle); });

  // debugfs is mounted by the kernel too (simple_pin_fs), which must not
  // exempt the host's user mount of it from the barrier.  fault_around_bytes
  // is there in every kernel with debugfs, the distribution kernel too.
  const int debugfs = open("/sys/kernel/debug", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  expect("host: fstatat in debugfs (control)", 0,
         errnoOf(fstatat(debugfs, "fault_around_bytes", &st, 0)));
  inChild([debugfs] {
    if (chroot(kRoot) != 0 || chdir("/") != 0 ||
        enterNewContext(kRootedXid + 1, "rooted-debugfs") != 0) {
      report(false, "enter a rooted context", std::strerror(errno));
      return;
    }
    struct stat st;
    expect("rooted guest: fstatat in the host's debugfs through a held fd", EACCES,
           errnoOf(fstatat(debugfs, "fault_around_bytes", &st, 0)));
  });
  close(debugfs);
  if (outsideHandle) checkHandleThroughBindMount(*outsideHandle);
  close(outside);
  close(inside);
  close(outsideSocket);
  close(insideSocket);
  umount((std::string(kRoot) + "/proc").c_str());
}

}  // namespace probe
