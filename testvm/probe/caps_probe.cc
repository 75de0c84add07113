// vstest caps: the capability matrix.  For each capability, one action
// that needs it is run with only that capability effective: on the host it
// works (the control), in a guest with the default bounding set it works if
// the capability is in the set and is refused if not.  Then neither a
// setuid-root binary, nor a binary with file capabilities, nor a new user
// namespace brings a masked capability back.  A guest keeping
// CAP_SYS_ADMIN injects no memory failure, takes no console, asks no
// permission event of a file the host opens too, and makes no tracefs
// instance (patches 0091-0093); no guest arms a privileged pressure
// trigger from a user namespace (0089).
//
//   vstest caps          the matrix and the regain attempts
//   vstest show-caps     prints "CapEff CapPrm" of itself, in hex
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/reboot.h>
#include <linux/vserver.h>
#include <sched.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "capabilities.h"
#include "probe.h"
#include "unique_fd.h"
#include "vserver_client.h"

namespace probe {

namespace {

constexpr uint32_t kDefaultXid = 4700;
constexpr uint32_t kNamespaceXid = 4701;
constexpr uid_t kUser = 1234;
constexpr char kDir[] = "/tmp/vs-caps";

struct CapabilitySets {
  uint64_t effective = 0, permitted = 0;
  int execErrno = 0;  // for capsAfterExec: why the program did not run
};

CapabilitySets currentCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  syscall(SYS_capget, &header, data);
  return {data[0].effective | (uint64_t{data[1].effective} << 32),
          data[0].permitted | (uint64_t{data[1].permitted} << 32)};
}

// Leaves only cap (if permitted) in the effective set.
bool onlyEffective(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  for (auto& word : data) word.effective = 0;
  data[cap / 32].effective = data[cap / 32].permitted & (1U << (cap % 32));
  return syscall(SYS_capset, &header, data) == 0;
}

uint64_t boundingSet() {
  uint64_t set = 0;
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    if (prctl(PR_CAPBSET_READ, cap) == 1) set |= uint64_t{1} << cap;
  return set;
}

std::string path(const char* name) { return std::string(kDir) + "/" + name; }

// A process of uid kUser to signal and trace, in the caller's context.
pid_t spawnUserSleeper() {
  const pid_t pid = fork();
  if (pid == 0) {
    if (setresgid(kUser, kUser, kUser) == 0 && setresuid(kUser, kUser, kUser) == 0) pause();
    _exit(1);
  }
  usleep(100000);
  return pid;
}

int fileModeHasSetgid() {
  if (chmod(path("setgid").c_str(), 02755) != 0) return errno;
  struct stat st;
  stat(path("setgid").c_str(), &st);
  return (st.st_mode & S_ISGID) ? 0 : EPERM;
}

int raiseHardFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  rlimit lower = limit;
  lower.rlim_max = limit.rlim_max - 1;
  if (lower.rlim_cur > lower.rlim_max) lower.rlim_cur = lower.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &lower) != 0) return errno;
  return errnoOf(setrlimit(RLIMIT_NOFILE, &limit));
}

int lockMemoryBeyondLimit() {
  rlimit none{0, 0};
  if (setrlimit(RLIMIT_MEMLOCK, &none) != 0) return errno;
  static char page[4096] __attribute__((aligned(4096)));
  return errnoOf(mlock(page, sizeof(page)));
}

int bindPrivilegedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(81);
  const int result = errnoOf(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
  close(fd);
  return result;
}

int setFileCapability() {
  // A v2 security.capability granting CAP_CHOWN.
  const uint32_t value[5] = {VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, 1U << CAP_CHOWN, 0, 0,
                             0};
  return errnoOf(setxattr(path("fcap").c_str(), "security.capability", value, sizeof(value), 0));
}

int appendOnlyFlag() {
  const int fd = open(path("flags").c_str(), O_RDONLY);
  int flags = FS_APPEND_FL;
  const int result = errnoOf(ioctl(fd, FS_IOC_SETFLAGS, &flags));
  flags = 0;
  ioctl(fd, FS_IOC_SETFLAGS, &flags);
  close(fd);
  return result;
}

int statOwnerOnlyQueue() {
  const int queue = msgget(IPC_PRIVATE, 0);
  if (queue < 0) return errno;
  msqid_ds info{};
  const int result = errnoOf(msgctl(queue, IPC_STAT, &info));
  msgctl(queue, IPC_RMID, nullptr);
  return result;
}

struct CapabilityAction {
  int cap;
  const char* what;
  int refused;   // the errno without the capability
  int granted;   // the result with it
  std::function<int(pid_t sleeper)> act;
};

std::vector<CapabilityAction> actions() {
  return {
      {CAP_CHOWN, "chown a file to another user", EPERM, 0,
       [](pid_t) { return errnoOf(chown(path("chown").c_str(), kUser, kUser)); }},
      {CAP_DAC_OVERRIDE, "open another user's mode-0 file for writing", EACCES, 0,
       [](pid_t) { return errnoOf(open(path("secret").c_str(), O_WRONLY)); }},
      {CAP_DAC_READ_SEARCH, "open another user's mode-0 file for reading", EACCES, 0,
       [](pid_t) { return errnoOf(open(path("secret").c_str(), O_RDONLY)); }},
      {CAP_FOWNER, "chmod another user's file", EPERM, 0,
       [](pid_t) { return errnoOf(chmod(path("secret").c_str(), 0)); }},
      {CAP_FSETID, "keep the setgid bit of a file of a foreign group", EPERM, 0,
       [](pid_t) { return fileModeHasSetgid(); }},
      {CAP_KILL, "signal another user's process", EPERM, 0,
       [](pid_t sleeper) { return errnoOf(kill(sleeper, 0)); }},
      {CAP_SETGID, "setgid", EPERM, 0, [](pid_t) { return errnoOf(setgid(kUser)); }},
      {CAP_SETUID, "setuid", EPERM, 0, [](pid_t) { return errnoOf(setuid(kUser)); }},
      {CAP_SETPCAP, "drop a capability from the bounding set", EPERM, 0,
       [](pid_t) { return errnoOf(prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN)); }},
      {CAP_LINUX_IMMUTABLE, "set the append-only flag", EPERM, 0,
       [](pid_t) { return appendOnlyFlag(); }},
      {CAP_NET_BIND_SERVICE, "bind port 81", EACCES, 0, [](pid_t) { return bindPrivilegedPort(); }},
      {CAP_NET_ADMIN, "SO_RCVBUFFORCE", EPERM, 0,
       [](pid_t) {
         const int fd = socket(AF_INET, SOCK_DGRAM, 0), size = 65536;
         return errnoOf(setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)));
       }},
      {CAP_NET_BROADCAST, "listen to every namespace's netlink notifications", EPERM, 0,
       [](pid_t) { return listenAllNamespaces(); }},
      {CAP_NET_RAW, "open a raw socket", EPERM, 0,
       [](pid_t) { return errnoOf(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)); }},
      {CAP_IPC_LOCK, "mlock beyond RLIMIT_MEMLOCK", EPERM, 0,
       [](pid_t) { return lockMemoryBeyondLimit(); }},
      {CAP_IPC_OWNER, "read a mode-0 message queue", EACCES, 0,
       [](pid_t) { return statOwnerOnlyQueue(); }},
      {CAP_SYS_MODULE, "delete_module", EPERM, ENOENT,
       [](pid_t) { return errnoOf(syscall(SYS_delete_module, "vs_no_such_module", O_NONBLOCK)); }},
      {CAP_SYS_RAWIO, "open /dev/port", EPERM, 0,
       [](pid_t) { return errnoOf(open("/dev/port", O_RDONLY)); }},
      {CAP_SYS_CHROOT, "chroot", EPERM, 0, [](pid_t) { return errnoOf(chroot("/")); }},
      {CAP_SYS_PTRACE, "ptrace another user's process", EPERM, 0,
       [](pid_t sleeper) { return errnoOf(ptrace(PTRACE_SEIZE, sleeper, nullptr, nullptr)); }},
      {CAP_SYS_ADMIN, "sethostname", EPERM, 0, [](pid_t) { return setSameHostname(); }},
      {CAP_SYS_BOOT, "reboot(CAD_OFF)", EPERM, 0,
       [](pid_t) { return errnoOf(reboot(LINUX_REBOOT_CMD_CAD_OFF)); }},
      {CAP_SYS_NICE, "raise its own priority", EACCES, 0,
       [](pid_t) { return errnoOf(setpriority(PRIO_PROCESS, 0, -1)); }},
      {CAP_SYS_RESOURCE, "raise a hard resource limit", EPERM, 0,
       [](pid_t) { return raiseHardFileLimit(); }},
      {CAP_SYS_TIME, "settimeofday", EPERM, 0, [](pid_t) { return setTimeOfDayToNow(); }},
      {CAP_SYS_TTY_CONFIG, "vhangup", EPERM, 0, [](pid_t) { return errnoOf(vhangup()); }},
      {CAP_MKNOD, "mknod of /dev/null's device", EPERM, 0,
       [](pid_t) {
         unlink(path("null").c_str());
         return errnoOf(mknod(path("null").c_str(), S_IFCHR | 0666, makedev(1, 3)));
       }},
      {CAP_LEASE, "lease another user's file", EACCES, 0, [](pid_t) { return leaseErrno(path("lease")); }},
      {CAP_SETFCAP, "set a file capability", EPERM, 0, [](pid_t) { return setFileCapability(); }},
      {CAP_SYSLOG, "read the unread kernel log size", EPERM, 0,
       [](pid_t) { return errnoOf(klogctl(9, nullptr, 0)); }},
      {CAP_WAKE_ALARM, "create an alarm timer", EPERM, 0,
       [](pid_t) { return errnoOf(timerfd_create(CLOCK_REALTIME_ALARM, 0)); }},
  };
}

void prepareFiles() {
  mkdir(kDir, 0755);
  for (const char* name : {"chown", "setgid", "fcap", "flags"}) writeFile(path(name), "x");
  writeFile(path("secret"), "x", 0);
  writeFile(path("lease"), "x", 0644);
  chown(path("secret").c_str(), kUser, kUser);
  chmod(path("secret").c_str(), 0);
  chown(path("lease").c_str(), kUser, kUser);
  chown(path("setgid").c_str(), 0, kUser);
}

void runMatrix(const std::string& who, uint64_t granted) {
  const pid_t sleeper = spawnUserSleeper();
  for (const CapabilityAction& a : actions()) {
    prepareFiles();
    const bool has = granted & (uint64_t{1} << a.cap);
    const int got = isolated([&] {
      if (!onlyEffective(a.cap)) return 254;
      return a.act(sleeper);
    });
    const std::string name = vs::namesOfBits(vs::BitSet::Capabilities, uint64_t{1} << a.cap)[0];
    expect(who + ": " + name + ": " + a.what, has ? a.granted : a.refused, got);
  }
  kill(sleeper, SIGKILL);
  waitpid(sleeper, nullptr, 0);
}

// The exec'd vstest show-caps prints its sets; returns them.
CapabilitySets capsAfterExec(const std::string& binary, uid_t uid) {
  int out[2];
  if (pipe(out) != 0) return {};
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    if (setresgid(uid, uid, uid) == 0 && setresuid(uid, uid, uid) == 0)
      execl(binary.c_str(), binary.c_str(), "show-caps", nullptr);
    std::printf("exec-error %d\n", errno);
    std::fflush(stdout);
    _exit(1);
  }
  close(out[1]);
  char buffer[128] = {};
  (void)!read(out[0], buffer, sizeof(buffer) - 1);
  close(out[0]);
  waitpid(pid, nullptr, 0);
  CapabilitySets sets;
  unsigned long long effective = 0, permitted = 0;
  if (std::sscanf(buffer, "exec-error %d", &sets.execErrno) == 1) return sets;
  if (std::sscanf(buffer, "%llx %llx", &effective, &permitted) == 2)
    sets = {effective, permitted, 0};
  return sets;
}

std::string hex(uint64_t value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

// Copies of vstest: setuid root, and with file capabilities granting
// CAP_SYS_ADMIN (masked in a guest) and CAP_CHOWN (kept).
void prepareBinaries() {
  std::string self(1 << 20, '\0');
  const int fd = open("/proc/self/exe", O_RDONLY);
  ssize_t total = 0, n;
  while ((n = read(fd, self.data() + total, self.size() - total)) > 0) {
    total += n;
    if (static_cast<size_t>(total) == self.size()) self.resize(self.size() * 2);
  }
  close(fd);
  self.resize(total);
  writeFile(path("setuid"), self, 0755);
  chmod(path("setuid").c_str(), 04755);
  writeFile(path("filecaps"), self, 0755);
  const uint32_t value[5] = {VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
                             (1U << CAP_SYS_ADMIN) | (1U << CAP_CHOWN), 0, 0, 0};
  report(setxattr(path("filecaps").c_str(), "security.capability", value, sizeof(value), 0) == 0,
         "host: set file capabilities on a copy of vstest", std::strerror(errno));
}

void checkRegain(const std::string& who, uint64_t bound) {
  const uint64_t full = (uint64_t{1} << (CAP_LAST_CAP + 1)) - 1;
  const CapabilitySets setuid = capsAfterExec(path("setuid"), kUser);
  report(setuid.effective == (full & bound), who + ": a setuid-root binary gets exactly the bounding set",
         "CapEff " + hex(setuid.effective) + ", bounding set " + hex(bound));
  // A binary whose file capabilities are marked effective must get all of
  // them or not run at all (commoncap): on the host it gets them, in a
  // guest, where the bounding set lacks SYS_ADMIN, exec is refused.
  const CapabilitySets fcaps = capsAfterExec(path("filecaps"), kUser);
  const uint64_t wanted = (uint64_t{1} << CAP_SYS_ADMIN) | (uint64_t{1} << CAP_CHOWN);
  if ((wanted & bound) == wanted)
    report(fcaps.execErrno == 0 && fcaps.effective == wanted,
           who + ": file capabilities are granted (control)",
           "CapEff " + hex(fcaps.effective) + ", exec " + errnoName(fcaps.execErrno));
  else
    expect(who + ": a binary with file capabilities beyond the bounding set does not run",
           EPERM, fcaps.execErrno);
}

void checkGuest() {
  if (enterNewContext(kDefaultXid, "caps") != 0) return;
  const uint64_t bound = boundingSet();
  report(bound == VSERVER_BCAPS_DEFAULT, "guest: the bounding set is the default set",
         hex(bound) + " != " + hex(VSERVER_BCAPS_DEFAULT));
  const CapabilitySets sets = currentCapabilities();
  report(sets.effective == VSERVER_BCAPS_DEFAULT && sets.permitted == VSERVER_BCAPS_DEFAULT,
         "guest: root's effective and permitted sets are the default set",
         "CapEff " + hex(sets.effective) + " CapPrm " + hex(sets.permitted));
  runMatrix("guest", VSERVER_BCAPS_DEFAULT);
  checkRegain("guest", bound);
  expect("guest: prctl cannot put a capability back in the bounding set", 0,
         isolated([] { return prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) == 0 ? 0 : EPERM; }));
  expect("guest: unshare a user namespace", EPERM,
         isolated([] { return errnoOf(unshare(CLONE_NEWUSER)); }));
}

// A pressure trigger whose window is no multiple of 2 s is for writers
// holding CAP_SYS_RESOURCE only: it buys a real-time poller thread.
constexpr char kPrivilegedTrigger[] = "some 100000 500000";
constexpr char kUnprivilegedTrigger[] = "some 100000 2000000";
constexpr char kHostPressure[] = "/proc/pressure/cpu";
// A guest writes no /proc file but its own, and its cgroup's files only
// below the root of its cgroup namespace: the group it makes there.
constexpr char kPressureCgroup[] = "/sys/fs/cgroup/vs-caps-pressure";
constexpr char kGuestPressure[] = "/sys/fs/cgroup/vs-caps-pressure/guest/cpu.pressure";
constexpr uint32_t kPressureXid = 4708;

// The errno of arming TRIGGER on the pressure file FILE, 0 if it was armed.
// Closing the file removes the trigger again.
int pressureTriggerErrno(const char* file, const char* trigger) {
  vs::UniqueFd fd(open(file, O_RDWR | O_CLOEXEC));
  if (!fd) return errno;
  return errnoOf(write(fd.get(), trigger, std::strlen(trigger) + 1));
}

// Arms TRIGGER on FILE from a new user namespace, where the caller holds
// CAP_SYS_RESOURCE; a cgroup's file in a group it makes first.
int pressureTriggerInUserNamespace(const char* file, const char* trigger) {
  if (unshare(CLONE_NEWUSER) != 0) return errno;
  const std::string group = std::filesystem::path(file).parent_path();
  if (group != "/proc/pressure" && mkdir(group.c_str(), 0755) != 0 && errno != EEXIST) return errno;
  return pressureTriggerErrno(file, trigger);
}

// CAP_SYS_RESOURCE in a user namespace anyone can make is no privilege
// over the machine's pressure pollers (patch 0089).
void checkPressureTriggers(const std::string& who, const char* file) {
  expect(who + ": a 2 s pressure trigger from a new user namespace (control)", 0,
         isolated([&] { return pressureTriggerInUserNamespace(file, kUnprivilegedTrigger); }));
  expect(who + ": a 500 ms pressure trigger from a new user namespace", EINVAL,
         isolated([&] { return pressureTriggerInUserNamespace(file, kPrivilegedTrigger); }));
}

void checkHostPressureTriggers() {
  expect("host: root arms a 500 ms pressure trigger (control)", 0,
         isolated([] { return pressureTriggerErrno(kHostPressure, kPrivilegedTrigger); }));
  checkPressureTriggers("host", kHostPressure);
}

// A guest allowed user namespaces, in a cgroup of its own and a cgroup
// namespace rooted there, as vserver start places a guest.
void checkGuestPressureTriggers() {
  inCgroupOfItsOwn(kPressureCgroup, "cpu", {}, [] {
    if (unshare(CLONE_NEWCGROUP) != 0) {
      report(false, "a cgroup namespace for context 4708", std::strerror(errno));
      return;
    }
    vs::ContextPolicy policy;
    policy.ccaps = VSERVER_CCAP_NAMESPACE;
    if (enterNewContext(kPressureXid, "caps-pressure", policy) != 0) {
      report(false, "enter context 4708", "refused");
      return;
    }
    checkPressureTriggers("guest with ccap namespace", kGuestPressure);
  });
  rmdir(std::filesystem::path(kGuestPressure).parent_path().c_str());
  rmdir(kPressureCgroup);
}

// A guest whose bounding set keeps CAP_SYS_ADMIN still reaches nothing of
// the machine's with it: its memory pages, its console, the permission
// events of files the host opens too, a pseudo filesystem's names.
constexpr uint32_t kSysAdminXid = 4709;
constexpr char kSharedFile[] = "/sys/devices/system/cpu/online";
constexpr char kTracing[] = "/sys/kernel/tracing";
constexpr char kHostInstance[] = "/sys/kernel/tracing/instances/vs-caps-host";
constexpr char kGuestInstance[] = "/sys/kernel/tracing/instances/vs-caps-guest";
constexpr char kGuestTmpfs[] = "/tmp/vs-caps-tmpfs";

// The kernel's MADV_SOFT_OFFLINE (asm-generic/mman-common.h), which glibc's
// <sys/mman.h> leaves out.
constexpr int kSoftOffline = 101;

// madvise(ADVICE) on a page of the caller's own: 0 or the errno.
int injectMemoryFailure(int advice) {
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return errno;
  static_cast<char*>(page)[0] = 1;
  const int err = errnoOf(madvise(page, 4096, advice));
  munmap(page, 4096);
  return err;
}

// TIOCCONS on a pseudo-terminal opened read-only: the kernel checks
// CAP_SYS_ADMIN first and then refuses the read-only terminal with
// EBADF, so no test ever takes the VM's console.
int takeConsole() {
  vs::UniqueFd primary(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!primary || grantpt(primary.get()) != 0 || unlockpt(primary.get()) != 0) return errno;
  vs::UniqueFd secondary(open(ptsname(primary.get()), O_RDONLY | O_NOCTTY | O_CLOEXEC));
  if (!secondary) return errno;
  return errnoOf(ioctl(secondary.get(), TIOCCONS));
}

// The caller's I/O priority: 0 or the errno.
int setOwnIoPriority(int ioprio) { return setIoprio(kIoprioWhoProcess, 0, ioprio); }
constexpr int kRealTimeIo = ioprioOf(kIoprioRealTime, 4);
constexpr int kBestEffortIo = ioprioOf(kIoprioBestEffort, 4);

// A fanotify mark of PATH alone, asking for MASK: 0 or the errno.
int markInode(const std::string& path, uint64_t mask) {
  return fanotifyMarkErrno(path, FAN_CLASS_CONTENT, 0, mask);
}

void checkHostSysAdmin() {
  // The test kernel migrates no pages, so a soft offline that passed the
  // capability check ends in ENOSYS.
  expect("host: MADV_SOFT_OFFLINE passes the capability check (control)", ENOSYS,
         injectMemoryFailure(kSoftOffline));
  expect("host: TIOCCONS passes the capability check (control)", EBADF, takeConsole());
  expect("host: the real-time I/O class (control)", 0, setOwnIoPriority(kRealTimeIo));
  setOwnIoPriority(0);
  expect("host: a fanotify permission event on a sysfs file (control)", 0,
         markInode(kSharedFile, FAN_OPEN_PERM));
  if (mount("nodev", kTracing, "tracefs", 0, nullptr) != 0 && errno != EBUSY)
    report(false, "mount tracefs", std::strerror(errno));
  expect("host: make a tracefs instance (control)", 0, errnoOf(mkdir(kHostInstance, 0755)));
}

// Enters a new context xid whose bounding set is the default's and
// capability; false, with a failed check, if it was refused.
bool enterGuestKeeping(uint32_t xid, const std::string& name, int capability) {
  const bool entered = enterNewContext(xid, name, policyWithCapability(capability)) == 0;
  if (!entered) report(false, "enter context " + std::to_string(xid), "refused");
  return entered;
}

void checkGuestSysAdmin() {
  if (!enterGuestKeeping(kSysAdminXid, "caps-sys-admin", CAP_SYS_ADMIN)) return;
  expect("guest with SYS_ADMIN: MADV_SOFT_OFFLINE on a page of its own", EPERM,
         injectMemoryFailure(kSoftOffline));
  expect("guest with SYS_ADMIN: MADV_HWPOISON on a page of its own", EPERM,
         injectMemoryFailure(MADV_HWPOISON));
  expect("guest with SYS_ADMIN: TIOCCONS on a terminal of its own", EPERM, takeConsole());
  expect("guest with SYS_ADMIN: the real-time I/O class", EPERM, setOwnIoPriority(kRealTimeIo));
  expect("guest with SYS_ADMIN: the best-effort I/O class (control)", 0,
         setOwnIoPriority(kBestEffortIo));
  expect("guest with SYS_ADMIN: a fanotify permission event on a sysfs file", EPERM,
         markInode(kSharedFile, FAN_OPEN_PERM));
  // Nor any watch there: its events are the host's reads (patch 0124).
  expect("guest with SYS_ADMIN: a fanotify open event on the same file", EPERM,
         markInode(kSharedFile, FAN_OPEN));
  writeFile("/tmp/vs-caps-watched", "watched\n");
  expect("guest with SYS_ADMIN: a fanotify open event on a file of /tmp (control)", 0,
         markInode("/tmp/vs-caps-watched", FAN_OPEN));
  unlink("/tmp/vs-caps-watched");
  mkdir(kGuestTmpfs, 0755);
  const int mounted = errnoOf(mount("none", kGuestTmpfs, "tmpfs", 0, "size=1m"));
  expect("guest with SYS_ADMIN: mount a tmpfs of its own (control)", 0, mounted);
  if (mounted == 0) {
    const std::string own = std::string(kGuestTmpfs) + "/file";
    writeFile(own, "guest\n");
    expect("guest with SYS_ADMIN: a fanotify permission event on its own tmpfs (control)", 0,
           markInode(own, FAN_OPEN_PERM));
    umount2(kGuestTmpfs, MNT_DETACH);
  }
  expect("guest with SYS_ADMIN: make a tracefs instance", EPERM,
         errnoOf(mkdir(kGuestInstance, 0755)));
  expect("guest with SYS_ADMIN: remove the host's tracefs instance", EPERM,
         errnoOf(rmdir(kHostInstance)));
}

// The real-time I/O class stays for a guest whose bounding set keeps
// CAP_SYS_NICE, which is what grants it.
constexpr uint32_t kSysNiceXid = 4698;
constexpr uint32_t kLateSealXid = 4697;

void checkGuestSysNice() {
  if (!enterGuestKeeping(kSysNiceXid, "caps-sys-nice", CAP_SYS_NICE)) return;
  expect("guest with SYS_NICE: the real-time I/O class (control)", 0,
         setOwnIoPriority(kRealTimeIo));
}

// The errno of mapping page zero, below vm.mmap_min_addr, which only
// CAP_SYS_RAWIO maps; unmapped again.
int mapPageZeroErrno() {
  const long pageSize = sysconf(_SC_PAGESIZE);
  void* page = mmap(nullptr, static_cast<size_t>(pageSize), PROT_READ,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (page == MAP_FAILED) return errno;
  munmap(page, static_cast<size_t>(pageSize));
  return 0;
}

// The errno of committing a MiB of private writable memory; unmapped again.
int commitMebibyteErrno() {
  constexpr size_t kMebibyte = size_t{1} << 20;
  void* memory =
      mmap(nullptr, kMebibyte, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return errno;
  munmap(memory, kMebibyte);
  return 0;
}

// A /proc/meminfo field in kB; 0 if it is missing.
unsigned long meminfoKb(const std::string& meminfo, const std::string& field) {
  const size_t at = meminfo.find("\n" + field + ":");
  if (at == std::string::npos) return 0;
  return std::strtoul(meminfo.c_str() + at + field.size() + 2, nullptr, 10);
}

// Strict overcommit with a limit 256 MiB or more above what is committed
// now, and all of the limit held back for CAP_SYS_ADMIN: while these hold,
// only a task the kernel counts as admin commits memory (mm/util.c's
// __vm_enough_memory()).  FilesSetForNow writes them in the map's order,
// by name: the reserve, the mode, the ratio.
std::map<std::string, std::string> adminOnlyCommit() {
  const std::string meminfo = "\n" + readFile("/proc/meminfo");
  const unsigned long total = meminfoKb(meminfo, "MemTotal");
  const unsigned long limit = meminfoKb(meminfo, "Committed_AS") + (256 << 10);
  return {{"/proc/sys/vm/admin_reserve_kbytes", std::to_string(4 * limit) + "\n"},
          {"/proc/sys/vm/overcommit_memory", "2\n"},
          {"/proc/sys/vm/overcommit_ratio", std::to_string(100 * limit / total + 1) + "\n"}};
}

// A task that joined its context in the setup state keeps its full sets
// when the host seals the context from outside; commoncap asks those sets
// themselves of page zero and of the admin's memory reserve (patch 0108).
// The reserve is checked while only admins may commit memory: the probe
// runs as root with every capability, and nothing else runs meanwhile.
void checkLateSeal() {
  const std::string lowest = readFile("/proc/sys/vm/mmap_min_addr");
  report(std::strtoul(lowest.c_str(), nullptr, 10) > 0,
         "control: vm.mmap_min_addr keeps page zero from users", lowest);
  expect("host: map page zero (control)", 0, mapPageZeroErrno());
  const FilesSetForNow strict(adminOnlyCommit());
  expect("host: commit a MiB from the admin's reserve (control)", 0, commitMebibyteErrno());
  expect("host without SYS_ADMIN: commit a MiB (control)", ENOMEM, isolated([] {
           if (!onlyEffective(CAP_SYS_RAWIO)) return 254;
           return commitMebibyteErrno();
         }));
  inTurns(
      "a task that joined before the host sealed its context",
      [](const HandOver& handOver) {
        vs::ContextPolicy setup;
        setup.flags = VSERVER_CF_STATE_SETUP;
        if (enterNewContext(kLateSealXid, "caps-late-seal", setup) != 0) {
          report(false, "enter context " + std::to_string(kLateSealXid) + " in its setup state",
                 "refused");
          return;
        }
        expect("guest in its setup state: map page zero (control)", 0, mapPageZeroErrno());
        expect("guest in its setup state: commit a MiB from the admin's reserve (control)", 0,
               commitMebibyteErrno());
        handOver(0);
        const uint64_t held = currentCapabilities().effective;
        report((held >> CAP_SYS_RAWIO) & (held >> CAP_SYS_ADMIN) & 1,
               "control: sealed since it joined, it still holds SYS_RAWIO and SYS_ADMIN in its "
               "own sets",
               "it does not");
        expect("guest sealed by the host since it joined: map page zero", EPERM,
               mapPageZeroErrno());
        expect("guest sealed by the host since it joined: commit a MiB from the admin's reserve",
               ENOMEM, commitMebibyteErrno());
      },
      [](uint32_t) {
        vs::PolicyChange seal;
        seal.flags = {0, VSERVER_CF_STATE_SETUP};
        vs::VserverClient client;
        expect("host: seal the context from outside (control)", 0,
               errnoOfCall([&] { client.setPolicy(kLateSealXid, seal); }));
      });
}

// With the namespace ccap a guest may create user namespaces; root in one
// has every capability over it, and none more over the machine.
void checkGuestUserNamespace() {
  vs::ContextPolicy policy;
  policy.ccaps = VSERVER_CCAP_NAMESPACE;
  if (enterNewContext(kNamespaceXid, "caps-userns", policy) != 0) return;
  expect("guest with ccap namespace: sethostname from a new user namespace", EPERM, isolated([] {
           if (unshare(CLONE_NEWUSER) != 0) return 254;
           return setSameHostname();
         }));
  expect("guest with ccap namespace: settimeofday from a new user namespace", EPERM, isolated([] {
           if (unshare(CLONE_NEWUSER) != 0) return 254;
           return setTimeOfDayToNow();
         }));
  expect("guest with ccap namespace: open /dev/port from a new user namespace", EPERM, isolated([] {
           if (unshare(CLONE_NEWUSER) != 0) return 254;
           return errnoOf(open("/dev/port", O_RDONLY));
         }));
}


}  // namespace

int probeCapabilities() {
  prepareFiles();
  prepareBinaries();
  const uint64_t full = (uint64_t{1} << (CAP_LAST_CAP + 1)) - 1;
  runMatrix("host", full);
  checkRegain("host", boundingSet());
  checkHostPressureTriggers();
  checkGuestPressureTriggers();
  checkHostSysAdmin();
  inChild(checkGuestSysAdmin);
  inChild(checkGuestSysNice);
  expect("host: remove its tracefs instance (control)", 0, errnoOf(rmdir(kHostInstance)));
  inChild(checkGuest);
  inChild(checkGuestUserNamespace);
  checkLateSeal();
  return failures() ? 1 : 0;
}

int showCapabilities() {
  const CapabilitySets sets = currentCapabilities();
  std::printf("%llx %llx\n", static_cast<unsigned long long>(sets.effective),
              static_cast<unsigned long long>(sets.permitted));
  return 0;
}

}  // namespace probe
