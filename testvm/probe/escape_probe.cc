// vstest escape: root inside a guest context tries to see, signal, trace,
// reach or leave what is not its own, one attempt per line, each with its
// exact errno, and each paired with a control that shows the same action
// working where it should: on a process of the guest's own context, from
// the host, or inside the guest's root.
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/kexec.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/vserver.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "probe.h"
#include "vserver_client.h"

namespace probe {

namespace {

// Context ids of this probe; the suites leave them free.
constexpr uint32_t kAttackerXid = 4600;
constexpr uint32_t kOtherGuestXid = 4601;
constexpr uint32_t kMknodXid = 4602;
constexpr uint32_t kRootedXid = 4603;
constexpr uint32_t kNamespaceXid = 4604;
constexpr uint32_t kSyslogXid = 4605;

// process_vm_readv/writev aim at this; every target is a fork of the probe,
// so it sits at the same address in each of them.
volatile char gMarker = 'm';

int gNotifyFd = -1;

void reportDelivery(int) {
  const char byte = 'u';
  (void)!write(gNotifyFd, &byte, 1);
}

// A sleeping process to aim at: a process-group leader with a second
// thread, abstract unix sockets of its own, and a SIGUSR1 handler that
// reports every delivery on a pipe, so a refused signal is seen not to
// arrive and an allowed one to arrive.
struct Target {
  std::string label;
  pid_t pid = -1;
  pid_t tid = -1;     // the second thread
  int notify = -1;    // read end: one byte per SIGUSR1 handled
  int pidfd = -1;     // opened by whoever spawned it
  std::string socketName;
};

sockaddr_un abstractAddress(const std::string& name, socklen_t* length) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  return address;
}

int bindAbstract(int type, const std::string& name) {
  const int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  socklen_t length;
  const sockaddr_un address = abstractAddress(name, &length);
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) return -1;
  if (type == SOCK_STREAM && listen(fd, 16) != 0) return -1;
  return fd;
}

[[noreturn]] void serveAsTarget(const Target& target, uint32_t xid, int notifyWrite, int ready) {
  if (xid != 0 && enterNewContext(xid, target.label) != 0) _exit(1);
  setpgid(0, 0);
  gNotifyFd = notifyWrite;
  struct sigaction action {};
  action.sa_handler = reportDelivery;
  action.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &action, nullptr);
  if (bindAbstract(SOCK_STREAM, target.socketName) < 0 ||
      bindAbstract(SOCK_DGRAM, target.socketName + "-dg") < 0)
    _exit(1);
  pid_t tid = 0;
  std::thread([&tid, ready] {
    tid = static_cast<pid_t>(syscall(SYS_gettid));
    (void)!write(ready, &tid, sizeof(tid));
    for (;;) pause();
  }).detach();
  for (;;) pause();
}

// Forks a target; xid 0 leaves it in the caller's context, another xid
// creates that context for it (the caller must be the host).
Target spawnTarget(const std::string& label, uint32_t xid) {
  Target target;
  target.label = label;
  target.socketName = "vs-escape-" + label;
  int notify[2], ready[2];
  if (pipe2(notify, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) return target;
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    close(notify[0]);
    close(ready[0]);
    serveAsTarget(target, xid, notify[1], ready[1]);
  }
  close(notify[1]);
  close(ready[1]);
  pid_t tid = 0;
  if (pid > 0 && read(ready[0], &tid, sizeof(tid)) == sizeof(tid)) {
    target.pid = pid;
    target.tid = tid;
    target.notify = notify[0];
    target.pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  }
  close(ready[0]);
  report(target.tid > 0, "spawn target " + label, "it did not come up");
  return target;
}

void stopTarget(const Target& target) {
  if (target.pid <= 0) return;
  kill(target.pid, SIGKILL);
  waitpid(target.pid, nullptr, 0);
}

// Waits up to ms for SIGUSR1 deliveries to target and drains them.
bool delivered(const Target& target, int ms) {
  pollfd pfd{target.notify, POLLIN, 0};
  if (poll(&pfd, 1, ms) != 1) return false;
  char bytes[64];
  (void)!read(target.notify, bytes, sizeof(bytes));
  return true;
}

// Drops deliveries already reported, so a check judges only what its own
// act sends.
void discardDeliveries(const Target& target) {
  while (delivered(target, 0)) {
  }
}

std::string procPath(pid_t pid, const std::string& rest = "") {
  return "/proc/" + std::to_string(pid) + rest;
}

int readlinkErrno(const std::string& path) {
  char buffer[256];
  return errnoOf(readlink(path.c_str(), buffer, sizeof(buffer)));
}

int statErrno(const std::string& path) {
  struct stat st;
  return errnoOf(stat(path.c_str(), &st));
}

int listedInProc(pid_t pid) {
  DIR* dir = opendir("/proc");
  if (!dir) return errno;
  const std::string name = std::to_string(pid);
  int result = ENOENT;
  while (const dirent* entry = readdir(dir))
    if (name == entry->d_name) result = 0;
  closedir(dir);
  return result;
}

int ptraceAttach(pid_t pid) {
  if (ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) != 0) return errno;
  waitpid(pid, nullptr, __WALL);
  ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
  return 0;
}

int ptraceSeize(pid_t pid) {
  if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) return errno;
  return 0;  // the child's exit detaches
}

int vmRead(pid_t pid) {
  char byte;
  iovec local{&byte, 1};
  iovec remote{const_cast<char*>(&gMarker), 1};
  return errnoOf(process_vm_readv(pid, &local, 1, &remote, 1, 0));
}

int vmWrite(pid_t pid) {
  char byte = 'm';
  iovec local{&byte, 1};
  iovec remote{const_cast<char*>(&gMarker), 1};
  return errnoOf(process_vm_writev(pid, &local, 1, &remote, 1, 0));
}

// Exactly one SIGIO: O_ASYNC is cleared before the pipe is closed, for
// closing the write end first would signal the reader's owner again (in
// the exit of the child this runs in, after the check had read its byte).
int sigioTo(pid_t pid) {
  int fds[2];
  if (pipe(fds) != 0) return errno;
  int result = 0;
  if (fcntl(fds[0], F_SETSIG, SIGUSR1) != 0 || fcntl(fds[0], F_SETOWN, pid) != 0 ||
      fcntl(fds[0], F_SETFL, O_ASYNC | O_NONBLOCK) != 0)
    result = errno;
  else
    result = errnoOf(write(fds[1], "x", 1));
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  close(fds[0]);
  close(fds[1]);
  return result;
}

int queueSignal(pid_t pid) {
  siginfo_t info{};
  info.si_signo = SIGUSR1;
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();
  info.si_uid = getuid();
  return errnoOf(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &info));
}

int connectAbstract(int type, const std::string& name) {
  const int fd = socket(AF_UNIX, type, 0);
  if (fd < 0) return errno;
  socklen_t length;
  const sockaddr_un address = abstractAddress(name, &length);
  int result;
  if (type == SOCK_STREAM)
    result = errnoOf(connect(fd, reinterpret_cast<const sockaddr*>(&address), length));
  else
    result = errnoOf(
        sendto(fd, "x", 1, 0, reinterpret_cast<const sockaddr*>(&address), length));
  close(fd);
  return result;
}

int setAffinity(pid_t pid) {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  CPU_SET(0, &cpus);
  CPU_SET(1, &cpus);
  return errnoOf(sched_setaffinity(pid, sizeof(cpus), &cpus));
}

int setScheduler(pid_t pid) {
  sched_param param{};
  return errnoOf(sched_setscheduler(pid, SCHED_OTHER, &param));
}

int getScheduler(pid_t pid) {
  sched_param param{};
  return errnoOf(sched_getparam(pid, &param));
}

int setIoPriority(pid_t pid) {
  return setIoprio(kIoprioWhoProcess, pid, ioprioOf(kIoprioBestEffort, 4));
}

int readLimit(pid_t pid) {
  rlimit old{};
  return errnoOf(prlimit(pid, RLIMIT_NOFILE, nullptr, &old));
}

// One way of reaching another process; guestErrno is what root in a guest
// must get when the target belongs to another context, hostErrno what the
// host gets on a guest's process (0: the host reaches every process, but
// not a guest's abstract socket names, which are the guest's own).
struct Reach {
  const char* what;
  int guestErrno;
  std::function<int(const Target&)> act;
  bool sendsSignal = false;
  int hostErrno = 0;
};

int getPriority(pid_t pid) {
  errno = 0;
  getpriority(PRIO_PROCESS, pid);
  return errno;
}

int capGet(pid_t pid) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, pid};
  __user_cap_data_struct data[2]{};
  return errnoOf(syscall(SYS_capget, &header, data));
}

// clock_gettime() of pid's process CPU clock (MAKE_PROCESS_CPUCLOCK with
// CPUCLOCK_SCHED, as <linux/posix-timers.h> builds it): 0 or the errno,
// EINVAL for a pid no process has.
int readCpuClock(pid_t pid) {
  const clockid_t clock = static_cast<clockid_t>((~static_cast<unsigned>(pid) << 3) | 2);
  timespec now{};
  return errnoOf(clock_gettime(clock, &now));
}

// pidfd_open() of a thread that leads no process answers EINVAL when the
// thread is there (ESRCH when it is not): the EINVAL counts as reaching it.
int pidfdOpenOfThread(pid_t tid) {
  const long fd = syscall(SYS_pidfd_open, tid, 0);
  if (fd >= 0) close(static_cast<int>(fd));
  return fd >= 0 || errno == EINVAL ? 0 : errno;
}

std::vector<Reach> reaches() {
  return {
      {"kill", ESRCH, [](const Target& t) { return errnoOf(kill(t.pid, SIGUSR1)); }, true},
      {"kill of its process group", ESRCH,
       [](const Target& t) { return errnoOf(kill(-t.pid, SIGUSR1)); }, true},
      {"tkill of a thread", ESRCH,
       [](const Target& t) { return errnoOf(syscall(SYS_tkill, t.tid, SIGUSR1)); }, true},
      {"tgkill of a thread", ESRCH,
       [](const Target& t) { return errnoOf(syscall(SYS_tgkill, t.pid, t.tid, SIGUSR1)); },
       true},
      {"sigqueue", ESRCH, [](const Target& t) { return queueSignal(t.pid); }, true},
      {"pidfd_send_signal on a pidfd passed in", ESRCH,
       [](const Target& t) {
         return errnoOf(syscall(SYS_pidfd_send_signal, t.pidfd, SIGUSR1, nullptr, 0));
       },
       true},
      // F_SETOWN names no foreign task, as for a free pid (patch 0126).
      {"SIGIO through F_SETOWN (the signal must not arrive)", ESRCH,
       [](const Target& t) { return sigioTo(t.pid); }, true},
      {"pidfd_open", ESRCH,
       [](const Target& t) {
         const long fd = syscall(SYS_pidfd_open, t.pid, 0);
         if (fd >= 0) close(static_cast<int>(fd));
         return errnoOf(fd);
       }},
      {"pidfd_open of a thread", ESRCH, [](const Target& t) { return pidfdOpenOfThread(t.tid); }},
      {"clock_gettime of its CPU clock", EINVAL, [](const Target& t) { return readCpuClock(t.pid); }},
      {"pidfd_getfd on a pidfd passed in", EPERM,
       [](const Target& t) {
         const long fd = syscall(SYS_pidfd_getfd, t.pidfd, 0, 0);
         if (fd >= 0) close(static_cast<int>(fd));
         return errnoOf(fd);
       }},
      // A foreign process answers as a free pid does, wherever a pid is named.
      {"ptrace attach", ESRCH, [](const Target& t) { return ptraceAttach(t.pid); }},
      {"ptrace seize", ESRCH, [](const Target& t) { return ptraceSeize(t.pid); }},
      {"process_vm_readv", ESRCH, [](const Target& t) { return vmRead(t.pid); }},
      {"process_vm_writev", ESRCH, [](const Target& t) { return vmWrite(t.pid); }},
      {"getpriority", ESRCH, [](const Target& t) { return getPriority(t.pid); }},
      {"capget", ESRCH, [](const Target& t) { return capGet(t.pid); }},
      {"kcmp", ESRCH,
       [](const Target& t) { return errnoOf(syscall(SYS_kcmp, getpid(), t.pid, KCMP_VM, 0, 0)); }},
      {"/proc/PID listed by readdir", ENOENT, [](const Target& t) { return listedInProc(t.pid); }},
      {"stat /proc/PID", ENOENT, [](const Target& t) { return statErrno(procPath(t.pid)); }},
      {"open /proc/PID/mem", ENOENT,
       [](const Target& t) { return openErrno(procPath(t.pid, "/mem"), O_RDONLY); }},
      {"open /proc/PID/environ", ENOENT,
       [](const Target& t) { return openErrno(procPath(t.pid, "/environ"), O_RDONLY); }},
      {"open /proc/PID/fd", ENOENT,
       [](const Target& t) { return openErrno(procPath(t.pid, "/fd"), O_RDONLY | O_DIRECTORY); }},
      {"readlink /proc/PID/root", ENOENT,
       [](const Target& t) { return readlinkErrno(procPath(t.pid, "/root")); }},
      {"readlink /proc/PID/cwd", ENOENT,
       [](const Target& t) { return readlinkErrno(procPath(t.pid, "/cwd")); }},
      {"open /proc/PID/task/TID/status", ENOENT,
       [](const Target& t) {
         return openErrno(procPath(t.pid, "/task/" + std::to_string(t.tid) + "/status"),
                          O_RDONLY);
       }},
      {"stat /proc/TID of a thread", ENOENT,
       [](const Target& t) { return statErrno(procPath(t.tid)); }},
      {"setpgid into its process group", EPERM,
       [](const Target& t) { return errnoOf(setpgid(0, t.pid)); }},
      {"getpgid", ESRCH, [](const Target& t) { return errnoOf(getpgid(t.pid)); }},
      {"getsid", ESRCH, [](const Target& t) { return errnoOf(getsid(t.pid)); }},
      {"setpriority", ESRCH,
       [](const Target& t) { return errnoOf(setpriority(PRIO_PROCESS, t.pid, 0)); }},
      {"sched_setscheduler", ESRCH, [](const Target& t) { return setScheduler(t.pid); }},
      {"sched_getparam", ESRCH, [](const Target& t) { return getScheduler(t.pid); }},
      {"sched_setaffinity", ESRCH, [](const Target& t) { return setAffinity(t.pid); }},
      {"ioprio_set", ESRCH, [](const Target& t) { return setIoPriority(t.pid); }},
      {"prlimit", ESRCH, [](const Target& t) { return readLimit(t.pid); }},
      {"connect to its abstract unix stream socket", ECONNREFUSED,
       [](const Target& t) { return connectAbstract(SOCK_STREAM, t.socketName); }, false,
       ECONNREFUSED},
      {"send to its abstract unix datagram socket", ECONNREFUSED,
       [](const Target& t) { return connectAbstract(SOCK_DGRAM, t.socketName + "-dg"); }, false,
       ECONNREFUSED},
  };
}

// Runs one reach; allowed says whether the actor may act on target (a
// guest on its own context, the host on anyone but a guest's abstract
// names), and so whether a signal must arrive or must not; refused is the
// errno when it may not (0 where the call succeeds and its effect is
// dropped, as F_SETOWN's).
void checkReach(const Reach& reach, const Target& target, bool allowed, const std::string& who,
                int refused) {
  const std::string what = who + ": " + reach.what + " of " + target.label;
  discardDeliveries(target);
  expect(what, allowed ? 0 : refused, isolated([&] { return reach.act(target); }));
  if (!reach.sendsSignal) return;
  const bool arrived = delivered(target, allowed ? 2000 : 300);
  report(arrived == allowed, what + (allowed ? ": the signal arrives" : ": no signal arrives"),
         arrived ? "it arrived" : "it did not arrive");
}

// Root in the attacker context against the host, another guest and (the
// control) a process of its own context.
void attackFromGuest(const Target& host, const Target& otherGuest) {
  if (enterNewContext(kAttackerXid, "attacker") != 0) {
    report(false, "enter the attacker context", "create failed");
    return;
  }
  // kill(-1) below must not end the attacker itself.
  signal(SIGUSR1, SIG_IGN);
  const Target own = spawnTarget("own-sibling", 0);
  for (const Reach& reach : reaches()) {
    checkReach(reach, otherGuest, false, "guest", reach.guestErrno);
    checkReach(reach, host, false, "guest", reach.guestErrno);
    checkReach(reach, own, true, "guest", 0);
  }

  // kill(-1) reaches every process the caller may signal, and only those.
  for (const Target* target : {&own, &otherGuest, &host}) discardDeliveries(*target);
  expect("guest: kill(-1) succeeds", 0, isolated([] { return errnoOf(kill(-1, SIGUSR1)); }));
  report(delivered(own, 2000), "guest: kill(-1) reaches its own context", "nothing arrived");
  report(!delivered(otherGuest, 300) && !delivered(host, 300),
         "guest: kill(-1) reaches nothing outside its context", "a foreign target got it");
  stopTarget(own);
}

// PTRACE_TRACEME names no pid: the tracer would be the parent.  A host
// process's child moved into a guest must not offer itself to its parent.
void tracemeAcrossContexts() {
  const int across = isolated([] {
    if (enterNewContext(kAttackerXid + 10, "traceme") != 0) return 254;
    return errnoOf(ptrace(PTRACE_TRACEME, 0, nullptr, nullptr));
  });
  expect("guest: PTRACE_TRACEME to a parent in the host", EPERM, across);
  const int within = isolated([] {
    if (enterNewContext(kAttackerXid + 11, "traceme-own") != 0) return 254;
    return isolated([] { return errnoOf(ptrace(PTRACE_TRACEME, 0, nullptr, nullptr)); });
  });
  expect("guest: PTRACE_TRACEME to a parent in its own context (control)", 0, within);
}

// A task that shares its memory with a process outside cannot join a
// guest: a host launcher's vfork child before its exec, its CLONE_VM
// child, a process that ever made one.  Guest root (CAP_SYS_PTRACE in the
// default bounding set) could reach into the outside process through it.
// The control: a forked child joins.
int migrateErrno(uint32_t xid) {
  return errnoOfCall([xid] { vs::VserverClient().migrate(xid); });
}

int joinAndExit(void* xid) { return migrateErrno(*static_cast<const uint32_t*>(xid)); }

// What a child the launcher makes with clone(cloneFlags) gets when it
// joins xid; the launcher is a fork of ours.
int joinFromChild(uint32_t xid, int cloneFlags) {
  return isolated([xid, cloneFlags] {
    alignas(16) static char stack[256 * 1024];
    uint32_t target = xid;
    const pid_t pid = clone(joinAndExit, stack + sizeof(stack), cloneFlags | SIGCHLD, &target);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 253;
    return WEXITSTATUS(status);
  });
}

void sharedMemoryJoins() {
  constexpr uint32_t kXid = kAttackerXid + 12;
  const Target guest = spawnTarget("shared-memory-guest", kXid);
  if (guest.tid <= 0) return;
  expect("a host launcher's forked child joins a guest (control)", 0, joinFromChild(kXid, 0));
  expect("a host launcher's vfork child cannot join a guest", EBUSY,
         joinFromChild(kXid, CLONE_VM | CLONE_VFORK));
  expect("a host launcher's CLONE_VM child cannot join a guest", EBUSY,
         joinFromChild(kXid, CLONE_VM));
  expect("a host launcher's CLONE_FILES child cannot join a guest", EBUSY,
         joinFromChild(kXid, CLONE_FILES));
  expect("a host launcher's CLONE_FS child cannot join a guest", EBUSY,
         joinFromChild(kXid, CLONE_FS));
  expect("nor can a process that made a CLONE_VM child", EBUSY, isolated([] {
           alignas(16) static char stack[64 * 1024];
           const pid_t pid =
               clone(+[](void*) { return 0; }, stack + sizeof(stack), CLONE_VM | SIGCHLD, nullptr);
           if (pid < 0 || waitpid(pid, nullptr, 0) != pid) return 253;
           return migrateErrno(kXid);
         }));
  expect("a process that made a forked child joins (control)", 0, isolated([] {
           const pid_t pid = fork();
           if (pid == 0) _exit(0);
           if (pid < 0 || waitpid(pid, nullptr, 0) != pid) return 253;
           return migrateErrno(kXid);
         }));
  stopTarget(guest);
}

// A host tool that joined a guest (vserver exec, the guest's first
// process) holds the host's memory, environment and session until it
// execs the guest's code: guest root may not trace it nor read it through
// /proc, its CAP_SYS_PTRACE getting past the tool's being undumpable
// notwithstanding.  Once the tool has exec'd, the guest may (the control).
void joinedToolUntilExec() {
  constexpr uint32_t kXid = kAttackerXid + 13;
  const Target guest = spawnTarget("joined-tool-guest", kXid);
  int joined[2], go[2];
  if (guest.tid <= 0 || pipe2(joined, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) return;
  std::fflush(stdout);
  const pid_t tool = fork();
  if (tool == 0) {
    prctl(PR_SET_DUMPABLE, 0);
    const int joinedErrno = migrateErrno(kXid);
    (void)!write(joined[1], &joinedErrno, sizeof(joinedErrno));
    char byte;
    if (read(go[0], &byte, 1) == 1) execl("/bin/sleep", "sleep", "1501", nullptr);
    _exit(127);
  }
  close(joined[1]);
  close(go[0]);
  int joinedErrno = -1;
  if (tool < 0 || read(joined[0], &joinedErrno, sizeof(joinedErrno)) != sizeof(joinedErrno))
    joinedErrno = -1;
  expect("an undumpable host tool joins a guest", 0, joinedErrno);
  const auto fromGuest = [](const std::function<int()>& act) {
    return isolated([&] { return migrateErrno(kXid) == 0 ? act() : 254; });
  };
  const std::string environ = procPath(tool, "/environ");
  expect("guest: ptrace attach to the joined tool before its exec", EPERM,
         fromGuest([tool] { return ptraceAttach(tool); }));
  expect("guest: open its /proc/PID/environ before its exec", EACCES,
         fromGuest([&environ] { return openErrno(environ, O_RDONLY); }));
  (void)!write(go[1], "x", 1);
  bool execd = false;
  for (int i = 0; i < 200 && !execd; i++) {
    execd = readFile(procPath(tool, "/comm")) == "sleep\n";
    if (!execd) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  report(execd, "the joined tool execs sleep", "it did not");
  expect("guest: ptrace attach to it once it has exec'd (control)", 0,
         fromGuest([tool] { return ptraceAttach(tool); }));
  expect("guest: open its /proc/PID/environ then (control)", 0,
         fromGuest([&environ] { return openErrno(environ, O_RDONLY); }));
  close(joined[0]);
  close(go[1]);
  if (tool > 0) {
    kill(tool, SIGKILL);
    waitpid(tool, nullptr, 0);
  }
  stopTarget(guest);
}

// The spectator sees every process but may act on none.
void spectate(const Target& guest) {
  inChild([&] {
    try {
      vs::VserverClient().migrate(VSERVER_SPECTATOR_XID);
    } catch (const std::exception& e) {
      report(false, "migrate into the spectator", e.what());
      return;
    }
    discardDeliveries(guest);
    expect("spectator: stat /proc/PID of a guest", 0, statErrno(procPath(guest.pid)));
    expect("spectator: kill of a guest", EPERM, isolated([&] {
             return errnoOf(kill(guest.pid, SIGUSR1));
           }));
    expect("spectator: ptrace attach of a guest", EPERM,
           isolated([&] { return ptraceAttach(guest.pid); }));
    report(!delivered(guest, 300), "spectator: no signal arrives", "it arrived");
  });
}

// Something only the host may do: the errno a guest gets, and what the
// host gets for the same call (0, or an error that shows it got past the
// permission check).
struct Privileged {
  const char* what;
  int guestErrno;
  int hostResult;
  std::function<int()> act;
};

int finitModule() {
  const int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int result = errnoOf(syscall(SYS_finit_module, fd, "", 0));
  close(fd);
  return result;
}

int readKernelLog() {
  std::vector<char> buffer(4096);
  return errnoOf(klogctl(3, buffer.data(), static_cast<int>(buffer.size())));
}

int setClockToNow() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return errnoOf(clock_settime(CLOCK_REALTIME, &now));
}

int adjustTickUnchanged() {
  timex current{};
  if (adjtimex(&current) < 0) return errno;
  timex change{};
  change.modes = ADJ_TICK;
  change.tick = current.tick;
  return errnoOf(adjtimex(&change));
}

int mountTmpfs() {
  mkdir("/tmp/vs-escape-mnt", 0755);
  if (mount("vs-escape", "/tmp/vs-escape-mnt", "tmpfs", 0, nullptr) != 0) return errno;
  return errnoOf(umount("/tmp/vs-escape-mnt"));
}

int createBpfMap() {
  bpf_attr attr{};
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  const long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
  if (fd >= 0) close(static_cast<int>(fd));
  return errnoOf(fd);
}

int openPerfCounter() {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  const long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  if (fd >= 0) close(static_cast<int>(fd));
  return errnoOf(fd);
}

std::vector<Privileged> privileged() {
  return {
      {"finit_module", EPERM, ENOEXEC, finitModule},
      {"delete_module", EPERM, ENOENT,
       [] { return errnoOf(syscall(SYS_delete_module, "vs_no_such_module", O_NONBLOCK)); }},
      {"kexec_load", EPERM, 0,
       [] { return errnoOf(syscall(SYS_kexec_load, 0, 0, nullptr, KEXEC_ARCH_DEFAULT)); }},
      // Reading needs no capability while dmesg_restrict is 0: only the
      // vserver policy stands in the way.
      {"syslog: read the kernel log", EPERM, 0, readKernelLog},
      {"syslog: clear the kernel log", EPERM, 0, [] { return errnoOf(klogctl(5, nullptr, 0)); }},
      {"open /dev/kmsg", EPERM, 0, [] { return openErrno("/dev/kmsg", O_RDONLY); }},
      // 0400: refused as the syslog rule says (EPERM), not as a root-only
      // file (EACCES), so that the syslog ccap lifts it.
      {"open /proc/kmsg", EPERM, 0, [] { return openErrno("/proc/kmsg", O_RDONLY); }},
      {"clock_settime", EPERM, 0, setClockToNow},
      {"settimeofday", EPERM, 0, setTimeOfDayToNow},
      {"adjtimex", EPERM, 0, adjustTickUnchanged},
      {"mknod of a block device", EPERM, 0,
       [] {
         unlink("/tmp/vs-escape-blk");
         return errnoOf(mknod("/tmp/vs-escape-blk", S_IFBLK | 0600, makedev(1, 0)));
       }},
      {"swapon", EPERM, EINVAL, [] { return errnoOf(swapon("/tmp/vs-escape-swap", 0)); }},
      {"open /dev/port (raw I/O)", EPERM, 0, [] { return openErrno("/dev/port", O_RDONLY); }},
      {"mount tmpfs", EPERM, 0, mountTmpfs},
      {"unshare a mount namespace", EPERM, 0, [] { return errnoOf(unshare(CLONE_NEWNS)); }},
      {"unshare a user namespace", EPERM, 0, [] { return errnoOf(unshare(CLONE_NEWUSER)); }},
      {"bpf map create", EPERM, 0, createBpfMap},
      {"perf_event_open", EPERM, 0, openPerfCounter},
      {"sethostname", EPERM, 0, setSameHostname},
      {"write /proc/irq/default_smp_affinity", EACCES, 0,
       [] { return openErrno("/proc/irq/default_smp_affinity", O_WRONLY); }},
      {"write /proc/sys/kernel/hostname", EACCES, 0,
       [] { return openErrno("/proc/sys/kernel/hostname", O_WRONLY); }},
      {"write /proc/sys/net/ipv4/ip_forward of the host's network", EACCES, 0,
       [] { return openErrno("/proc/sys/net/ipv4/ip_forward", O_WRONLY); }},
      {"write /sys/class/net/lo/mtu", EACCES, 0,
       [] { return openErrno("/sys/class/net/lo/mtu", O_WRONLY); }},
  };
}

void checkPrivileged() {
  writeFile("/tmp/vs-escape-swap", std::string(65536, '\0'), 0600);
  for (const Privileged& p : privileged()) {
    expect(std::string("host: ") + p.what + " (control)", p.hostResult, isolated(p.act));
  }
  inChild([] {
    if (enterNewContext(kAttackerXid + 1, "privileged") != 0) return;
    for (const Privileged& p : privileged())
      expect(std::string("guest: ") + p.what, p.guestErrno, isolated(p.act));
  });

  // Policy exceptions are per context: a context granted a ccap gets what
  // the default refuses, and nothing more.
  inChild([] {
    vs::ContextPolicy policy;
    policy.ccaps = VSERVER_CCAP_NAMESPACE;
    if (enterNewContext(kNamespaceXid, "userns", policy) != 0) return;
    expect("guest with ccap namespace: unshare a user namespace (control)", 0,
           isolated([] { return errnoOf(unshare(CLONE_NEWUSER)); }));
  });
  inChild([] {
    vs::ContextPolicy policy;
    policy.ccaps = VSERVER_CCAP_SYSLOG;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(CAP_SYSLOG);
    if (enterNewContext(kSyslogXid, "syslog", policy) != 0) return;
    expect("guest with ccap syslog and CAP_SYSLOG: open /proc/kmsg (control)", 0,
           isolated([] { return openErrno("/proc/kmsg", O_RDONLY); }));
  });
  inChild([] {
    if (enterNewContext(kMknodXid, "mknod", policyWithCapability(CAP_MKNOD)) != 0) return;
    expect("guest with CAP_MKNOD: mknod of /dev/null's char device (control)", 0, isolated([] {
             unlink("/tmp/vs-escape-null");
             return errnoOf(mknod("/tmp/vs-escape-null", S_IFCHR | 0666, makedev(1, 3)));
           }));
    expect("guest with CAP_MKNOD: mknod of a block device", EPERM, isolated([] {
             unlink("/tmp/vs-escape-blk");
             return errnoOf(mknod("/tmp/vs-escape-blk", S_IFBLK | 0600, makedev(1, 0)));
           }));
    expect("guest with CAP_MKNOD: mknod of /dev/mem's char device", EPERM, isolated([] {
             unlink("/tmp/vs-escape-mem");
             return errnoOf(mknod("/tmp/vs-escape-mem", S_IFCHR | 0600, makedev(1, 1)));
           }));
  });
}

}  // namespace

int probeEscape() {
  const Target host = spawnTarget("host-process", 0);
  const Target otherGuest = spawnTarget("other-guest", kOtherGuestXid);
  if (host.tid <= 0 || otherGuest.tid <= 0) return 1;

  inChild([&] { attackFromGuest(host, otherGuest); });
  // The host reaches everything, the other guest included.
  for (const Reach& reach : reaches())
    checkReach(reach, otherGuest, reach.hostErrno == 0, "host", reach.hostErrno);
  tracemeAcrossContexts();
  sharedMemoryJoins();
  joinedToolUntilExec();
  spectate(otherGuest);
  checkPrivileged();
  checkBarrier();

  stopTarget(host);
  stopTarget(otherGuest);
  return failures() ? 1 : 0;
}

}  // namespace probe
