// vstest spectator: the spectator context (xid 1) sees everything and
// changes nothing.  It still runs as uid 0, so every change that plain
// owner permissions would allow is tried on root's own files, on /proc
// entries, on its own children and ids, on a setuid program and on a
// root daemon's socket; each refusal is paired with a control (the same
// call from the host, or a read where a write is refused).
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "probe.h"
#include "vserver_client.h"

namespace probe {

namespace {

constexpr char kDir[] = "/tmp/vs-spectator";

std::string at(const char* name) { return std::string(kDir) + "/" + name; }

sockaddr_un unixAddress(const std::string& path, bool abstract) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path + (abstract ? 1 : 0), sizeof(address.sun_path) - 1, "%s",
                path.c_str());
  return address;
}

int connectTo(const std::string& path, bool abstract) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_un address = unixAddress(path, abstract);
  const int result =
      errnoOf(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)));
  close(fd);
  return result;
}

int listenOn(const std::string& path, bool abstract) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_un address = unixAddress(path, abstract);
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 8) != 0)
    return -1;
  return fd;
}

int runProgram(const std::string& path) {
  return isolated([&] {
    char arg0[] = "true";
    char* argv[] = {arg0, nullptr};
    char* envp[] = {nullptr};
    execve(path.c_str(), argv, envp);
    return errno;
  });
}

// A process that sleeps until killed, or for at most lifetime seconds.
pid_t spawnSleeper(unsigned int lifetime) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    alarm(lifetime);
    for (;;) pause();
  }
  return pid;
}

// Turns root's file's FS_NODUMP_FL over and back (see toggleNoDumpFlag).
int fileFlagsErrno(bool compat) {
  const int fd = open(at("file").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int result = toggleNoDumpFlag(fd, compat);
  close(fd);
  return result;
}

int fileVersionErrno(bool compat) {
  const int fd = open(at("file").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int result = setVersionErrno(fd, compat);
  close(fd);
  return result;
}

// A change the spectator's uid 0 would be allowed by file ownership alone.
struct Change {
  const char* what;
  int spectatorErrno;
  std::function<int()> act;
};

std::vector<Change> changes(pid_t hostPid) {
  const std::string hostOom = "/proc/" + std::to_string(hostPid) + "/oom_score_adj";
  return {
      {"open root's file for writing", EACCES, [] { return openErrno(at("file"), O_WRONLY); }},
      {"open with O_TRUNC", EPERM, [] { return openErrno(at("file"), O_RDONLY | O_TRUNC); }},
      {"write a host process's oom_score_adj", EACCES,
       [hostOom] { return openErrno(hostOom, O_WRONLY); }},
      {"write its own oom_score_adj", EACCES,
       [] { return openErrno("/proc/self/oom_score_adj", O_WRONLY); }},
      {"unlink", EPERM, [] { return errnoOf(unlink(at("victim").c_str())); }},
      {"mkdir", EPERM, [] { return errnoOf(mkdir(at("newdir").c_str(), 0755)); }},
      {"rename", EPERM,
       [] { return errnoOf(rename(at("victim").c_str(), at("renamed").c_str())); }},
      {"chmod", EPERM, [] { return errnoOf(chmod(at("file").c_str(), 0600)); }},
      {"chown", EPERM, [] { return errnoOf(chown(at("file").c_str(), 0, 0)); }},
      {"truncate", EPERM, [] { return errnoOf(truncate(at("file").c_str(), 0)); }},
      {"utimes", EPERM, [] { return errnoOf(utimensat(AT_FDCWD, at("file").c_str(), nullptr, 0)); }},
      {"symlink", EPERM, [] { return errnoOf(symlink("file", at("newlink").c_str())); }},
      {"link", EPERM, [] { return errnoOf(link(at("file").c_str(), at("newhard").c_str())); }},
      {"mkfifo", EPERM, [] { return errnoOf(mkfifo(at("fifo").c_str(), 0600)); }},
      {"setxattr", EPERM, [] {
         vfs_cap_data data{};
         data.magic_etc = VFS_CAP_REVISION_2;
         return errnoOf(setxattr(at("file").c_str(), "security.capability", &data,
                                 XATTR_CAPS_SZ_2, 0));
       }},
      {"FS_IOC_SETFLAGS on root's file", EPERM, [] { return fileFlagsErrno(false); }},
      {"32-bit FS_IOC32_SETFLAGS on root's file", EPERM, [] { return fileFlagsErrno(true); }},
      {"FS_IOC_SETVERSION on root's file", EPERM, [] { return fileVersionErrno(false); }},
      {"32-bit FS_IOC32_SETVERSION on root's file", EPERM, [] { return fileVersionErrno(true); }},
      {"FS_IOC_GETFLAGS on root's file, a read (control)", 0, [] {
         int flags = 0;
         const int fd = open(at("file").c_str(), O_RDONLY | O_CLOEXEC);
         const int result = fd < 0 ? errno : errnoOf(ioctl(fd, FS_IOC_GETFLAGS, &flags));
         if (fd >= 0) close(fd);
         return result;
       }},
      {"setegid back to its real gid", EPERM, [] { return errnoOf(setegid(0)); }},
      {"exec a setuid program", EPERM, [] { return runProgram(at("suid-true")); }},
      {"connect to a root daemon's unix socket", EPERM,
       [] { return connectTo(at("daemon.sock"), false); }},
  };
}

void checkFromSpectator(pid_t hostPid) {
  // A gid to go back from: allowed to any task by its real gid.
  if (setresgid(0, 65534, 0) != 0) {
    report(false, "setresgid before migrating", std::strerror(errno));
    return;
  }
  try {
    vs::VserverClient().migrate(VSERVER_SPECTATOR_XID);
  } catch (const std::exception& e) {
    report(false, "migrate into the spectator", e.what());
    return;
  }
  for (const Change& change : changes(hostPid))
    expect(std::string("spectator: ") + change.what, change.spectatorErrno,
           isolated(change.act));

  expect("spectator: read root's file (control)", 0, openErrno(at("file"), O_RDONLY));
  expect("spectator: read a host process's oom_score_adj (control)", 0,
         openErrno("/proc/" + std::to_string(hostPid) + "/oom_score_adj", O_RDONLY));
  expect("spectator: write /dev/null (control)", 0, openErrno("/dev/null", O_WRONLY));
  expect("spectator: signal itself (control)", 0, errnoOf(kill(getpid(), 0)));

  // It cannot end this one: the alarm does.
  const pid_t child = spawnSleeper(3);
  expect("spectator: kill of another spectator task", EPERM, errnoOf(kill(child, SIGTERM)));
  expect("spectator: ptrace attach of another spectator task", EPERM,
         errnoOf(ptrace(PTRACE_ATTACH, child, nullptr, nullptr)));
  expect("spectator: read another spectator task's /proc/PID/status (control)", 0,
         openErrno("/proc/" + std::to_string(child) + "/status", O_RDONLY));

  const int own = listenOn("vs-spectator-own", true);
  expect("spectator: connect to its own abstract socket (control)", 0,
         own < 0 ? errno : connectTo("vs-spectator-own", true));
  if (own >= 0) close(own);
}

}  // namespace

int probeSpectator() {
  const std::string busybox = "/bin/busybox";
  mkdir(kDir, 0755);
  for (const char* name : {"file", "victim"}) writeFile(at(name), "data\n");
  std::string tool;
  {
    const int in = open(busybox.c_str(), O_RDONLY | O_CLOEXEC);
    char buffer[65536];
    ssize_t n;
    while (in >= 0 && (n = read(in, buffer, sizeof(buffer))) > 0) tool.append(buffer, n);
    if (in >= 0) close(in);
  }
  writeFile(at("suid-true"), tool, 0755);
  const bool suidReady = chown(at("suid-true").c_str(), 65534, 65534) == 0 &&
                         chmod(at("suid-true").c_str(), 04755) == 0;
  report(suidReady, "host: a setuid program owned by nobody", std::strerror(errno));
  const int daemon = listenOn(at("daemon.sock"), false);
  report(daemon >= 0, "host: a root daemon's socket", std::strerror(errno));
  const pid_t hostPid = spawnSleeper(600);
  inChild([hostPid] { checkFromSpectator(hostPid); });
  // The same changes from the host, after the spectator tried them: they
  // work, so the refusals above are the spectator's.
  expect("host: open root's file for writing (control)", 0, openErrno(at("file"), O_WRONLY));
  expect("host: write a host process's oom_score_adj (control)", 0,
         openErrno("/proc/" + std::to_string(hostPid) + "/oom_score_adj", O_WRONLY));
  expect("host: chmod (control)", 0, errnoOf(chmod(at("file").c_str(), 0644)));
  expect("host: utimes (control)", 0,
         errnoOf(utimensat(AT_FDCWD, at("file").c_str(), nullptr, 0)));
  expect("host: unlink (control)", 0, errnoOf(unlink(at("victim").c_str())));
  expect("host: FS_IOC_SETFLAGS (control)", 0, fileFlagsErrno(false));
  expect("host: 32-bit FS_IOC32_SETFLAGS (control)", 0, fileFlagsErrno(true));
  expect("host: FS_IOC_SETVERSION reaches tmpfs (control)", ENOTTY, fileVersionErrno(false));
  expect("host: 32-bit FS_IOC32_SETVERSION reaches tmpfs (control)", ENOTTY, fileVersionErrno(true));
  expect("host: exec a setuid program (control)", 0, runProgram(at("suid-true")));
  expect("host: connect to the daemon's socket (control)", 0, connectTo(at("daemon.sock"), false));
  expect("host: setegid back to its real gid (control)", 0, isolated([] {
           if (setresgid(0, 65534, 0) != 0) return errno;
           return errnoOf(setegid(0));
         }));

  kill(hostPid, SIGKILL);
  waitpid(hostPid, nullptr, 0);
  if (daemon >= 0) close(daemon);
  return failures() ? 1 : 0;
}

}  // namespace probe
