// Part of vstest escape: root in a guest whose context root is
// /tmp/vs-root holds directory fds and file handles from outside it and
// tries every way out.  Each attempt is made once on the outside directory
// (refused) and once on a directory inside the root (the control).
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "probe.h"

namespace probe {

namespace {

constexpr uint32_t kRootedXid = 4603;
constexpr char kRoot[] = "/tmp/vs-root";
constexpr char kInside[] = "/tmp/vs-root/inside";
constexpr char kOutside[] = "/tmp/vs-outside";

void fillDirectory(const std::string& dir, const std::string& tool) {
  mkdir(dir.c_str(), 0755);
  for (const char* name : {"file", "victim", "victim2"}) writeFile(dir + "/" + name, "data\n");
  writeFile(dir + "/tool", tool, 0755);
}

std::string readWholeFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
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
  const int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  expect("rooted guest: open_by_handle_at of a file outside its root", EACCES, isolated([&] {
           const int fd = open_by_handle_at(root, const_cast<file_handle*>(&outsideHandle), O_RDONLY);
           return errnoOf(fd);
         }));
  expect("rooted guest: open_by_handle_at of a file inside its root (control)", 0, isolated([&] {
           const int fd = open_by_handle_at(root, const_cast<file_handle*>(&insideHandle), O_RDONLY);
           return errnoOf(fd);
         }));
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

}  // namespace

void checkBarrier() {
  const std::string tool = readWholeFile("/bin/busybox");
  mkdir(kRoot, 0755);
  mkdir((std::string(kRoot) + "/proc").c_str(), 0755);
  fillDirectory(kInside, tool);
  fillDirectory(kOutside, tool);
  if (mount("proc", (std::string(kRoot) + "/proc").c_str(), "proc", 0, nullptr) != 0) {
    report(false, "mount proc inside the guest root", std::strerror(errno));
    return;
  }
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
  close(outside);
  close(inside);
  umount((std::string(kRoot) + "/proc").c_str());
}

}  // namespace probe
