// vstest filesystems: what a guest may write in the kernel's pseudo
// filesystems, which devices it may open, what it may remount, and which
// terminals it may push input into.  Each refusal comes with its exact
// errno and a control: the same call from the host, or from a guest on
// what is its own.
#include <fcntl.h>
#include <linux/fscrypt.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "probe.h"

namespace probe {

namespace {

constexpr uint32_t kPlainXid = 4700;
constexpr uint32_t kAdminXid = 4701;
constexpr uint32_t kDelegatedXid = 4702;
constexpr uint32_t kDevicesXid = 4703;
constexpr uint32_t kDeviceMapXid = 4704;
constexpr uint32_t kOwnNetXid = 4705;
constexpr uint32_t kXattrXid = 4706;
constexpr uint32_t kGroupReadXid = 4707;
constexpr uint32_t kDelegatedAdminXid = 4719;
constexpr uint32_t kNetworkFsXid = 4720;
constexpr uint32_t kBinaryMountXid = 4721;

constexpr const char* kNinePeeTarget = "/tmp/vs-9p";

constexpr char kCgroupA[] = "/sys/fs/cgroup/vs-fs-a";
constexpr char kCgroupB[] = "/sys/fs/cgroup/vs-fs-b";

int writeErrno(const std::string& path) { return openErrno(path, O_WRONLY); }

// clone3() of a child that exits at once, started in the cgroup whose
// directory is dir: 0 or the errno.
int cloneIntoCgroupErrno(const std::string& dir) {
  const int group = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (group < 0) return errno;
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<uint64_t>(group);
  std::fflush(stdout);
  const long child = syscall(SYS_clone3, &args, sizeof(args));
  if (child == 0) _exit(0);
  const int result = errnoOf(child);
  close(group);
  if (child > 0) waitpid(static_cast<pid_t>(child), nullptr, 0);
  return result;
}

void mountOrReport(const char* type, const char* target, const char* data = nullptr) {
  mkdir(target, 0755);
  report(mount(type, target, type, 0, data) == 0,
         std::string("host: mount ") + type + " on " + target, std::strerror(errno));
}

// One write a guest must not make, with what the host gets for it.
struct HostFile {
  const char* what;
  std::string path;
  int guestErrno;
};

std::vector<HostFile> hostFiles(pid_t self) {
  const std::string pid = std::to_string(self);
  return {
      {"a sunrpc cache through /proc/net", "/proc/net/rpc/auth.unix.ip/flush", EACCES},
      {"a sunrpc cache through /proc/self/net", "/proc/self/net/rpc/auth.unix.ip/flush", EACCES},
      {"a sunrpc cache through /proc/PID/task/TID/net",
       "/proc/self/task/" + pid + "/net/rpc/auth.unix.ip/flush", EACCES},
      {"binfmt_misc's register", "/tmp/vs-binfmt/register", EACCES},
      {"a cgroup v1 hierarchy's cgroup.procs", "/tmp/vs-cgroup1/cgroup.procs", EACCES},
      {"another cgroup's cgroup.kill", std::string(kCgroupB) + "/cgroup.kill", EACCES},
      {"another cgroup's cgroup.procs", std::string(kCgroupB) + "/cgroup.procs", EACCES},
      {"the root cgroup's cgroup.procs", "/sys/fs/cgroup/cgroup.procs", EACCES},
      {"nfsd's threads", "/tmp/vs-nfsd/threads", EACCES},
      // Writable in every kernel with debugfs (opened only, never written).
      {"debugfs", "/sys/kernel/debug/fault_around_bytes", EACCES},
  };
}

// Files a guest must not read, whose lines name the peers of the host and
// of the other guests (the host's network namespace's) or its file
// servers' state (below /proc/fs), with files it may read as the controls.
std::vector<HostFile> hostPeerLists(pid_t self) {
  const std::string pid = std::to_string(self);
  return {
      {"a sunrpc cache's content through /proc/net", "/proc/net/rpc/auth.unix.ip/content", EACCES},
      {"a sunrpc cache's content through /proc/self/net",
       "/proc/self/net/rpc/auth.unix.ip/content", EACCES},
      {"a sunrpc cache's content through /proc/PID/task/TID/net",
       "/proc/self/task/" + pid + "/net/rpc/auth.unix.ip/content", EACCES},
      {"xt_recent's tables", "/proc/net/xt_recent", EACCES},
      {"the NFS exports through /proc/fs/nfs/exports", "/proc/fs/nfs/exports", EACCES},
      {"nfsd's exports", "/tmp/vs-nfsd/exports", EACCES},
      {"nfsd's clients", "/tmp/vs-nfsd/clients", EACCES},
      {"the IPv6 flow labels' destinations", "/proc/net/ip6_flowlabel", EACCES},
      // Below /proc/fs, only what is judged (cifs's servers, fscache's
      // volumes and lockd's state are not; the test kernel has lockd).
      {"lockd's grace state below /proc/fs", "/proc/fs/lockd/nlm_end_grace", EACCES},
      {"the directory /proc/fs (control)", "/proc/fs", 0},
      {"the packet handlers, with the devices of packet sockets", "/proc/net/ptype", EACCES},
      {"/proc/net/tcp, filtered per reader (control)", "/proc/net/tcp", 0},
  };
}

// The machine's counters, which add up the host's and every guest's
// activity as it happens: no guest reads them.
std::vector<HostFile> machineCounters() {
  return {
      {"the disks' I/O", "/proc/diskstats", EACCES},
      {"the host's disks", "/proc/partitions", EACCES},
      {"the free pages of each zone", "/proc/zoneinfo", EACCES},
      {"the free pages of each order", "/proc/buddyinfo", EACCES},
      {"the files open", "/proc/sys/fs/file-nr", EACCES},
      {"the inodes in use", "/proc/sys/fs/inode-nr", EACCES},
      {"the inodes' state", "/proc/sys/fs/inode-state", EACCES},
      {"the dentries", "/proc/sys/fs/dentry-state", EACCES},
      {"the AIO contexts", "/proc/sys/fs/aio-nr", EACCES},
      {"the quota lookups", "/proc/sys/fs/quota/lookups", EACCES},
      {"the ptys open", "/proc/sys/kernel/pty/nr", EACCES},
      {"the host's namespace's IP counters", "/proc/net/snmp", EACCES},
      {"the host's namespace's TCP counters", "/proc/net/netstat", EACCES},
      {"the host's namespace's sockets in use", "/proc/net/sockstat", EACCES},
      {"every CPU's packets", "/proc/net/softnet_stat", EACCES},
      {"the neighbour cache's statistics", "/proc/net/stat/arp_cache", EACCES},
      {"every ext4 filesystem's counters", "/proc/fs/ext4", EACCES},
      {"every journal's commits", "/proc/fs/jbd2", EACCES},
      {"/proc/sys/fs/file-max, a bound (control)", "/proc/sys/fs/file-max", 0},
      {"/proc/sys/kernel/pty/max, a bound (control)", "/proc/sys/kernel/pty/max", 0},
      {"/proc/net/unix, filtered per reader (control)", "/proc/net/unix", 0},
      {"/proc/meminfo (control)", "/proc/meminfo", 0},
  };
}

// What a guest must not read, peer lists and counters, with the controls.
std::vector<HostFile> hostReads(pid_t self) {
  std::vector<HostFile> files = hostPeerLists(self);
  const std::vector<HostFile> counters = machineCounters();
  files.insert(files.end(), counters.begin(), counters.end());
  return files;
}

// /proc/vmstat's lines, and how many of them count something.
struct VmstatCounts {
  int lines = 0;
  int nonZero = 0;
};

VmstatCounts vmstatCounts() {
  VmstatCounts counts;
  FILE* file = std::fopen("/proc/vmstat", "re");
  if (!file) return counts;
  char name[128];
  unsigned long long value = 0;
  while (std::fscanf(file, "%127s %llu", name, &value) == 2) {
    counts.lines++;
    if (value) counts.nonZero++;
  }
  std::fclose(file);
  return counts;
}

// ustat(2) of the device of @path, which finds its superblock in any mount
// namespace: 0 or an errno.
int ustatErrno(const char* path) {
  struct stat st{};
  if (stat(path, &st) != 0) return errno;
  struct {
    long tfree;
    unsigned long tinode;
    char fname[6], fpack[6];
  } answer{};
  return errnoOf(syscall(SYS_ustat, static_cast<unsigned>(st.st_dev), &answer));
}

// Files whose mode and owner every mount of their filesystem shares, each
// with its mode as the kernel made it: a chmod to that mode and a chown to
// root change nothing, and still must be refused to a guest.
struct SharedAttributes {
  const char* path;
  mode_t mode;
};

std::vector<SharedAttributes> sharedAttributes() {
  return {
      {"/proc/sysrq-trigger", 0200},
      {"/proc/net/rpc/auth.unix.ip/flush", 0600},
      {"/sys/class/net/lo/mtu", 0644},
      {"/sys/fs/cgroup/cgroup.procs", 0644},
  };
}

// A PCI device's first memory or I/O region in sysfs (reading one of I/O
// runs inb on the device), or a path that is not there.
std::string firstPciResource() {
  std::error_code ignored;
  for (const auto& device : std::filesystem::directory_iterator("/sys/bus/pci/devices", ignored))
    for (int bar = 0; bar < 6; ++bar) {
      const std::string path = device.path().string() + "/resource" + std::to_string(bar);
      if (access(path.c_str(), F_OK) == 0) return path;
    }
  return "/sys/bus/pci/devices/none/resource0";
}

// Files of the kernel's pseudo filesystems only their owner may read: the
// host keeps them from its users (sysctls, physical pages' owners and
// flags, slab caches, firmware tables, a device's registers).
std::vector<std::string> ownerOnlyFiles() {
  // /proc/tty/driver/serial is 0444 and debugfs's fault_around_bytes 0644,
  // in a directory only root may enter (/proc/tty/driver, debugfs's root).
  return {"/proc/sys/net/ipv4/tcp_fastopen_key", "/proc/sys/kernel/cad_pid", "/proc/kpagecount",
          "/proc/kpageflags", "/proc/slabinfo", "/sys/firmware/dmi/tables/DMI", firstPciResource(),
          "/proc/tty/driver/serial", "/sys/kernel/debug/fault_around_bytes"};
}

// The thread path of a HostFile names the caller's own thread.
std::string ownThreadPath(std::string path, pid_t host) {
  const std::string hostPid = "/" + std::to_string(host) + "/";
  if (const auto at = path.find(hostPid); at != std::string::npos)
    path.replace(at, hostPid.size(), "/" + std::to_string(getpid()) + "/");
  return path;
}

void checkHostFiles() {
  mountOrReport("binfmt_misc", "/tmp/vs-binfmt");
  mkdir("/tmp/vs-cgroup1", 0755);
  report(mount("vstest", "/tmp/vs-cgroup1", "cgroup", 0, "none,name=vstest") == 0,
         "host: mount a named cgroup v1 hierarchy", std::strerror(errno));
  mountOrReport("nfsd", "/tmp/vs-nfsd");
  // A tmpfs only the host mounts, which ustat(2) finds all the same.
  mountOrReport("tmpfs", "/tmp/vs-ustat");
  // ext4 and jbd2 make their /proc/fs directories when they load, which
  // a distribution kernel does on the first mount of ext4: this one
  // fails (no such device), after the load.
  mkdir("/tmp/vs-ext4", 0755);
  mount("/dev/vs-none", "/tmp/vs-ext4", "ext4", MS_RDONLY, nullptr);
  // Limits for the delegated guest's group, which it must not write.
  writeFile("/sys/fs/cgroup/cgroup.subtree_control", "+pids +memory");
  mkdir(kCgroupA, 0755);
  mkdir(kCgroupB, 0755);
  mkdir((std::string(kCgroupA) + "/child").c_str(), 0755);

  const pid_t self = getpid();
  for (const HostFile& file : hostFiles(self))
    expect(std::string("host: write ") + file.what + " (control)", 0, writeErrno(file.path));
  for (const SharedAttributes& file : sharedAttributes()) {
    expect(std::string("host: chmod ") + file.path + " to its own mode (control)", 0,
           errnoOf(chmod(file.path, file.mode)));
    expect(std::string("host: chown ") + file.path + " to its own owner (control)", 0,
           errnoOf(chown(file.path, 0, 0)));
  }
  for (const std::string& path : ownerOnlyFiles())
    expect("host: read " + path + " (control)", 0, openErrno(path, O_RDONLY));
  for (const HostFile& file : hostReads(self))
    expect(std::string("host: read ") + file.what + " (control)", 0,
           openErrno(file.path, O_RDONLY));
  expect("host: ustat(2) of its own tmpfs's device (control)", 0, ustatErrno("/tmp/vs-ustat"));
  const VmstatCounts hostVmstat = vmstatCounts();
  report(hostVmstat.lines > 50 && hostVmstat.nonZero > 10,
         "host: /proc/vmstat counts the machine's pages and events (control)",
         std::to_string(hostVmstat.nonZero) + " of " + std::to_string(hostVmstat.lines));
  inChild([self, &hostVmstat] {
    if (enterNewContext(kPlainXid, "fs-plain") != 0) return;
    for (const HostFile& file : hostFiles(self))
      expect(std::string("guest: write ") + file.what, file.guestErrno,
             writeErrno(ownThreadPath(file.path, self)));
    for (const HostFile& file : hostReads(self))
      expect(std::string("guest: read ") + file.what, file.guestErrno,
             openErrno(ownThreadPath(file.path, self), O_RDONLY));
    expect("guest: ustat(2) of the device of a tmpfs only the host mounted", EINVAL,
           ustatErrno("/tmp/vs-ustat"));
    const VmstatCounts guestVmstat = vmstatCounts();
    report(guestVmstat.lines == hostVmstat.lines && guestVmstat.nonZero == 0,
           "guest: /proc/vmstat has the host's names, every count 0",
           std::to_string(guestVmstat.nonZero) + " of " + std::to_string(guestVmstat.lines));
    expect("guest without a cgroup namespace: write a cgroup's cgroup.procs", EACCES,
           writeErrno(std::string(kCgroupA) + "/child/cgroup.procs"));
    expect("guest without a cgroup namespace: clone3 into the root cgroup", EACCES,
           cloneIntoCgroupErrno("/sys/fs/cgroup"));
    expect("guest without a cgroup namespace: clone3 into another cgroup", EACCES,
           cloneIntoCgroupErrno(kCgroupB));
    expect("guest: read /proc/tty/drivers, 0444 in a directory anyone enters (control)", 0,
           openErrno("/proc/tty/drivers", O_RDONLY));
    for (const SharedAttributes& file : sharedAttributes()) {
      expect(std::string("guest: chmod ") + file.path + " to its own mode", EPERM,
             errnoOf(chmod(file.path, file.mode)));
      expect(std::string("guest: chown ") + file.path + " to its own owner", EPERM,
             errnoOf(chown(file.path, 0, 0)));
    }
    for (const std::string& path : ownerOnlyFiles())
      expect("guest: read " + path, EACCES, openErrno(path, O_RDONLY));
    expect("guest: read /proc/sys/net/ipv4/ip_forward (control)", 0,
           openErrno("/proc/sys/net/ipv4/ip_forward", O_RDONLY));
    expect("guest: read its own /proc/self/environ, only its owner's (control)", 0,
           openErrno("/proc/self/environ", O_RDONLY));
    expect("guest: read /sys/class/net/lo/mtu (control)", 0,
           openErrno("/sys/class/net/lo/mtu", O_RDONLY));
  });
  // Group root is a guest's group too: a 0440 root:root file (IMA's
  // measurement lists are) is root's alone.
  expect("host: chmod /sys/class/net/lo/mtu 0440", 0, errnoOf(chmod("/sys/class/net/lo/mtu", 0440)));
  inChild([] {
    if (enterNewContext(kGroupReadXid, "fs-group-read") != 0) return;
    expect("guest: read /sys/class/net/lo/mtu, 0440 root:root", EACCES,
           openErrno("/sys/class/net/lo/mtu", O_RDONLY));
  });
  expect("host: chmod /sys/class/net/lo/mtu back to 0644", 0, errnoOf(chmod("/sys/class/net/lo/mtu", 0644)));

  // A guest given a cgroup namespace rooted at its own group, as vserver
  // start does, writes below that group and nowhere else.
  const auto enterDelegated = [](uint32_t xid, const std::string& name,
                                 const vs::ContextPolicy& policy) {
    writeFile(std::string(kCgroupA) + "/cgroup.procs", std::to_string(getpid()));
    if (unshare(CLONE_NEWCGROUP) != 0) {
      report(false, "host: unshare a cgroup namespace", std::strerror(errno));
      return false;
    }
    return enterNewContext(xid, name, policy) == 0;
  };
  const std::string child = std::string(kCgroupA) + "/child";
  const std::string large(1024, 'x');
  // kernfs keeps them in memory no cgroup is charged for.
  expect("host: a user.* attribute of 1024 bytes on a group (control)", 0,
         errnoOf(setxattr(child.c_str(), "user.vsbig", large.data(), large.size(), 0)));
  expect("host: a user.* attribute on a group's file (control)", 0,
         errnoOf(setxattr((child + "/cgroup.procs").c_str(), "user.vstest", "1", 1, 0)));
  expect("host: a trusted.* attribute on a group (control)", 0,
         errnoOf(setxattr(child.c_str(), "trusted.vstest", "1", 1, 0)));
  inChild([&] {
    if (!enterDelegated(kDelegatedAdminXid, "fs-delegated-admin",
                        policyWithCapability(CAP_SYS_ADMIN)))
      return;
    const std::string own = "/tmp/vs-fs-trusted";
    writeFile(own, "x");
    expect("delegated guest with SYS_ADMIN: a trusted.* attribute on a file of its own (control)", 0,
           errnoOf(setxattr(own.c_str(), "trusted.vstest", "2", 1, 0)));
    unlink(own.c_str());
    expect("delegated guest with SYS_ADMIN: a trusted.* attribute on a group below its own", EPERM,
           errnoOf(setxattr(child.c_str(), "trusted.vstest", "2", 1, 0)));
  });
  inChild([&] {
    if (!enterDelegated(kDelegatedXid, "fs-delegated", {})) return;
    expect("delegated guest: a user.* attribute of 1024 bytes on a group below its own", ENOSPC,
           errnoOf(setxattr(child.c_str(), "user.vsbig", large.data(), large.size(), 0)));
    // Name and value: 12 bytes of "user.vsbound" and 244 or 245.
    expect("delegated guest: a user.* attribute of 256 bytes, name and value, below its own "
           "(control)", 0, errnoOf(setxattr(child.c_str(), "user.vsbound", large.data(), 244, 0)));
    expect("delegated guest: one of 257 bytes", ENOSPC,
           errnoOf(setxattr(child.c_str(), "user.vsbound", large.data(), 245, 0)));
    expect("delegated guest: a user.* attribute on a file of a group below its own", EPERM,
           errnoOf(setxattr((child + "/cgroup.procs").c_str(), "user.vstest", "1", 1, 0)));
    expect("delegated guest: write cgroup.procs below its own group (control)", 0,
           writeErrno(std::string(kCgroupA) + "/child/cgroup.procs"));
    expect("delegated guest: clone3 into a group below its own (control)", 0,
           cloneIntoCgroupErrno(std::string(kCgroupA) + "/child"));
    expect("delegated guest: clone3 into another group", EACCES,
           cloneIntoCgroupErrno(kCgroupB));
    expect("delegated guest: write another group's cgroup.kill", EACCES,
           writeErrno(std::string(kCgroupB) + "/cgroup.kill"));
    expect("delegated guest: write the root group's cgroup.procs", EACCES,
           writeErrno("/sys/fs/cgroup/cgroup.procs"));
    // Its own group, the namespace's root, holds its limits: as under
    // nsdelegate (the suites mount cgroup2 without it), only the files
    // that delegate are the guest's to write there.
    for (const char* file : {"cgroup.max.descendants", "cgroup.max.depth", "cgroup.freeze",
                             "pids.max", "memory.max"})
      expect(std::string("delegated guest: write its own group's ") + file, EACCES,
             writeErrno(std::string(kCgroupA) + "/" + file));
    for (const char* file : {"cgroup.max.descendants", "cgroup.max.depth", "cgroup.freeze"})
      expect(std::string("delegated guest: write ") + file + " below its own group (control)", 0,
             writeErrno(std::string(kCgroupA) + "/child/" + file));
    for (const char* file : {"cgroup.procs", "cgroup.subtree_control", "cgroup.threads"})
      expect(std::string("delegated guest: write its own group's ") + file + " (control)", 0,
             writeErrno(std::string(kCgroupA) + "/" + file));
    // systemd delegates a group to a user by chown.
    expect("delegated guest: chown a group below its own (control)", 0,
           errnoOf(chown((std::string(kCgroupA) + "/child").c_str(), 0, 0)));
    // Its own group holds its limits: it stays as the host made it.
    expect("delegated guest: chown its own group's cgroup.procs", EPERM,
           errnoOf(chown((std::string(kCgroupA) + "/cgroup.procs").c_str(), 0, 0)));
    expect("delegated guest: chmod its own group", EPERM, errnoOf(chmod(kCgroupA, 0755)));
    expect("delegated guest: set a user.* attribute on its own group", EPERM,
           errnoOf(setxattr(kCgroupA, "user.vstest", "1", 1, 0)));
    expect("delegated guest: set a user.* attribute on a group below its own (control)", 0,
           errnoOf(setxattr((std::string(kCgroupA) + "/child").c_str(), "user.vstest", "1", 1, 0)));
    expect("delegated guest: chown its own group's memory.max", EPERM,
           errnoOf(chown((std::string(kCgroupA) + "/memory.max").c_str(), 0, 0)));
    expect("delegated guest: chown another group", EPERM, errnoOf(chown(kCgroupB, 0, 0)));
  });
  rmdir((std::string(kCgroupA) + "/child").c_str());
  rmdir(kCgroupA);
  rmdir(kCgroupB);
  umount("/tmp/vs-binfmt");
  umount("/tmp/vs-cgroup1");
  umount("/tmp/vs-nfsd");
  umount("/tmp/vs-ustat");
}

// Maps root in the user namespace pid made to the host's root, as a
// guest's root may (it holds CAP_SETUID and CAP_SETFCAP): ownership then
// lets pid at the host's files, and only the module stands in the way.
int mapRootOf(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/";
  if (const int err = writeExisting(dir + "uid_map", "0 0 1\n")) return err;
  if (const int err = writeExisting(dir + "setgroups", "deny\n")) return err;
  return writeExisting(dir + "gid_map", "0 0 1\n");
}

// Run by a guest's task that made a user and a network namespace of its
// own: the host's network files stay the host's, however it names them.
void checkFromOwnNetwork(int keptSysctl, const std::string& leftBehind) {
  const std::string rpc = "/net/rpc/auth.unix.ip/";
  expect("own-net guest: write its own namespace's ip_forward (control)", 0,
         writeErrno("/proc/sys/net/ipv4/ip_forward"));
  expect("own-net guest: write its own namespace's sunrpc cache (control)", 0,
         writeErrno("/proc/self" + rpc + "flush"));
  expect("own-net guest: read its own namespace's sunrpc cache (control)", 0,
         openErrno("/proc/self" + rpc + "content", O_RDONLY));
  expect("own-net guest: read its own namespace's tcp_fastopen_key (control)", 0,
         openErrno("/proc/sys/net/ipv4/tcp_fastopen_key", O_RDONLY));
  expect("own-net guest: read its own namespace's /proc/net/ip6_flowlabel (control)", 0,
         openErrno("/proc/self/net/ip6_flowlabel", O_RDONLY));
  expect("own-net guest: read the host's /proc/net/ip6_flowlabel through /proc/PID/net of a task left behind",
         EACCES, openErrno(leftBehind + "/net/ip6_flowlabel", O_RDONLY));
  const int key = openat(keptSysctl, "tcp_fastopen_key", O_RDONLY | O_CLOEXEC);
  expect("own-net guest: read the host's tcp_fastopen_key through /proc/sys/net/ipv4 kept from before",
         EACCES, key < 0 ? errno : 0);
  if (key >= 0) close(key);
  const int fd = openat(keptSysctl, "ip_forward", O_WRONLY | O_CLOEXEC);
  expect("own-net guest: write the host's ip_forward through /proc/sys/net/ipv4 kept from before",
         EACCES, fd < 0 ? errno : 0);
  if (fd >= 0) close(fd);
  expect("own-net guest: write the host's sunrpc cache through /proc/PID/net of a task left behind",
         EACCES, writeErrno(leftBehind + rpc + "flush"));
  expect("own-net guest: read the host's sunrpc cache through /proc/PID/net of a task left behind",
         EACCES, openErrno(leftBehind + rpc + "content", O_RDONLY));
}

// A guest allowed user namespaces and SYS_ADMIN (which root of a new
// namespace needs to make a network namespace, the module keeping it to
// the bounding set) makes one of its own with its root mapped to the
// host's, keeping a directory of the host's /proc/sys/net and a task in
// the host's namespace.
void checkHostNetworkFromOwnNamespace() {
  inChild([] {
    vs::ContextPolicy policy;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(CAP_SYS_ADMIN);
    policy.ccaps = VSERVER_CCAP_NAMESPACE;
    if (enterNewContext(kOwnNetXid, "fs-own-net", policy) != 0) return;
    const std::string leftBehind = "/proc/" + std::to_string(getpid());
    const int keptSysctl = open("/proc/sys/net/ipv4", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    report(keptSysctl >= 0, "own-net guest: open /proc/sys/net/ipv4 before the unshare (control)",
           std::strerror(errno));
    int unshared[2], mapped[2];
    if (keptSysctl < 0 || pipe2(unshared, O_CLOEXEC) != 0 || pipe2(mapped, O_CLOEXEC) != 0) return;
    const int failedBefore = failures();
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
      int err = errnoOf(unshare(CLONE_NEWUSER | CLONE_NEWNET));
      char go = 0;
      if (write(unshared[1], &err, sizeof(err)) != sizeof(err) || err != 0 ||
          read(mapped[0], &go, 1) != 1)
        _exit(1);
      checkFromOwnNetwork(keptSysctl, leftBehind);
      std::fflush(stdout);
      _exit(failures() > failedBefore ? 1 : 0);
    }
    int err = EIO;
    if (read(unshared[0], &err, sizeof(err)) != sizeof(err)) err = EIO;
    expect("own-net guest: unshare a user and a network namespace (control)", 0, err);
    if (err == 0) {
      err = mapRootOf(child);
      expect("own-net guest: map its new namespace's root to its own (control)", 0, err);
    }
    if (err == 0 && write(mapped[1], "g", 1) != 1) err = errno;
    close(mapped[1]);
    int status = 0;
    waitpid(child, &status, 0);
    report(err == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "own-net guest: its task in the namespaces passed its checks", "it did not");
  });
}

// A security.* attribute needs CAP_SYS_ADMIN, which the capability module
// asks only when no other module hooks setxattr: vserver does, and must
// ask it itself.  Run by the host's root, an unprivileged host user and a
// guest's root, each on a file of its own.
int setSecurityAttribute(const std::string& path) {
  return errnoOf(setxattr(path.c_str(), "security.vstest", "1", 1, 0));
}

void checkSecurityAttributes() {
  const std::string file = "/tmp/vs-fs-xattr";
  writeFile(file, "x", 0644);
  expect("host: set a security.* attribute (control)", 0, setSecurityAttribute(file));
  expect("host: remove it (control)", 0, errnoOf(removexattr(file.c_str(), "security.vstest")));
  expect("host user 1234: set a security.* attribute on its own file", EPERM, isolated([file] {
           if (chown(file.c_str(), 1234, 1234) != 0 || setresuid(1234, 1234, 1234) != 0) return 254;
           return setSecurityAttribute(file);
         }));
  expect("host user 1234: open its own file for writing (control)", 0, isolated([file] {
           if (setresuid(1234, 1234, 1234) != 0) return 254;
           return openErrno(file, O_WRONLY);
         }));
  setSecurityAttribute(file);
  inChild([file] {
    if (enterNewContext(kXattrXid, "fs-xattr") != 0) return;
    expect("guest: set a security.* attribute", EPERM, setSecurityAttribute(file));
    expect("guest: remove a security.* attribute", EPERM,
           errnoOf(removexattr(file.c_str(), "security.vstest")));
    // Every eventfd, epoll and pidfd of the machine is the one inode, which
    // no security module sees (patch 0083 refuses its changes to all).
    const int event = eventfd(0, EFD_CLOEXEC);
    expect("guest: fchmod an eventfd's inode to its own mode", EOPNOTSUPP, errnoOf(fchmod(event, 0600)));
    expect("guest: fchown an eventfd's inode", EOPNOTSUPP, errnoOf(fchown(event, 0, 0)));
    close(event);
  });
  const int event = eventfd(0, EFD_CLOEXEC);
  expect("host: fchmod an eventfd's inode to its own mode", EOPNOTSUPP, errnoOf(fchmod(event, 0600)));
  struct stat st{};
  report(fstat(event, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_uid == 0,
         "host: the anonymous inode is root's, mode 0600 (control)", "it is not");
  close(event);
  unlink(file.c_str());
}

// Devices: the node's location does not matter, only what it opens.
struct Device {
  const char* what;
  std::string path;
  int guestErrno;
};

std::vector<Device> devices() {
  return {
      {"/dev/null", "/dev/null", 0},
      {"/dev/zero", "/dev/zero", 0},
      {"/dev/urandom", "/dev/urandom", 0},
      {"/dev/null's node made outside /dev", "/tmp/vs-dev/null-dev", 0},
      {"the host console", "/dev/console", EPERM},
      {"the host console's node made outside /dev", "/tmp/vs-dev/console", EPERM},
      {"/dev/mem", "/dev/mem", EPERM},
      {"a loop block device", "/tmp/vs-dev/loop0", EPERM},
      {"a virtual console", "/tmp/vs-dev/tty1", EPERM},
  };
}

vs::DeviceRule deviceRule(vs::DeviceRule::Type type, uint32_t major, std::optional<uint32_t> minor,
                          uint32_t access) {
  vs::DeviceRule rule;
  rule.type = type;
  rule.major = major;
  rule.minor = minor;
  rule.access = access;
  return rule;
}

// The device map: exactly the devices and the rights its rules name.
void checkDeviceMap() {
  using Type = vs::DeviceRule::Type;
  inChild([] {
    vs::ContextPolicy policy;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(CAP_MKNOD);
    policy.devices = {deviceRule(Type::Block, 7, 0, VSERVER_DEVICE_OPEN),
                      deviceRule(Type::Char, 4, std::nullopt, VSERVER_DEVICE_OPEN),
                      deviceRule(Type::Char, 1, 1, VSERVER_DEVICE_CREATE)};
    if (enterNewContext(kDeviceMapXid, "fs-devices-map", policy) != 0) return;
    const std::string status = readFile("/proc/virtual/" + std::to_string(kDeviceMapXid) + "/status");
    report(status.find("Device:\tb 7:0 open\nDevice:\tc 4:* open\nDevice:\tc 1:1 create\n") !=
               std::string::npos,
           "guest with a map: its status lists the rules", status);
    expect("guest with a map: open the loop device it names (control)", 0,
           openErrno("/tmp/vs-dev/loop0", O_RDONLY | O_NONBLOCK));
    expect("guest with a map: open it for writing (control)", 0,
           openErrno("/tmp/vs-dev/loop0", O_RDWR | O_NONBLOCK));
    expect("guest with a map: open another minor of that major", EPERM,
           openErrno("/tmp/vs-dev/loop1", O_RDONLY | O_NONBLOCK));
    expect("guest with a map: open a character device of the same numbers", EPERM,
           [] {
             unlink("/tmp/vs-dev/char-7-0");
             if (mknod("/tmp/vs-dev/char-7-0", S_IFCHR | 0600, makedev(7, 0)) != 0) return errno;
             return openErrno("/tmp/vs-dev/char-7-0", O_RDONLY | O_NONBLOCK);
           }());
    expect("guest with a map: open a virtual console (every minor of major 4) (control)", 0,
           openErrno("/tmp/vs-dev/tty1", O_RDONLY | O_NONBLOCK | O_NOCTTY));
    expect("guest with a map: open /dev/mem, not in it", EPERM,
           openErrno("/dev/mem", O_RDONLY));
    unlink("/tmp/vs-dev/mem-made");
    expect("guest with a map: mknod of /dev/mem's device, created by its rule (control)", 0,
           errnoOf(mknod("/tmp/vs-dev/mem-made", S_IFCHR | 0600, makedev(1, 1))));
    expect("guest with a map: open the node made, which the rule does not open", EPERM,
           openErrno("/tmp/vs-dev/mem-made", O_RDONLY));
    expect("guest with a map: mknod of a loop device, which its rule only opens", EPERM,
           errnoOf(mknod("/tmp/vs-dev/loop-made", S_IFBLK | 0600, makedev(7, 0))));
  });
  unlink("/tmp/vs-dev/mem-made");
  unlink("/tmp/vs-dev/char-7-0");
}

void checkDevices() {
  mkdir("/tmp/vs-dev", 0755);
  const struct {
    const char* name;
    mode_t mode;
    dev_t dev;
  } nodes[] = {{"null-dev", S_IFCHR, makedev(1, 3)},
               {"console", S_IFCHR, makedev(5, 1)},
               {"loop0", S_IFBLK, makedev(7, 0)},
               {"tty1", S_IFCHR, makedev(4, 1)}};
  for (const auto& node : nodes) {
    const std::string path = std::string("/tmp/vs-dev/") + node.name;
    unlink(path.c_str());
    report(mknod(path.c_str(), node.mode | 0600, node.dev) == 0, "host: mknod " + path,
           std::strerror(errno));
  }
  for (const Device& device : devices())
    expect(std::string("host: open ") + device.what + " (control)", 0,
           openErrno(device.path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  inChild([] {
    if (enterNewContext(kPlainXid + 1, "fs-devices") != 0) return;
    for (const Device& device : devices())
      expect(std::string("guest: open ") + device.what, device.guestErrno,
             openErrno(device.path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  });
  // ccap mknod makes nodes; only the device map opens them.
  inChild([] {
    vs::ContextPolicy policy;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(CAP_MKNOD);
    policy.ccaps = VSERVER_CCAP_MKNOD;
    if (enterNewContext(kDevicesXid, "fs-devices-mknod", policy) != 0) return;
    unlink("/tmp/vs-dev/loop1");
    expect("guest with ccap mknod: mknod a loop block device (control)", 0,
           errnoOf(mknod("/tmp/vs-dev/loop1", S_IFBLK | 0600, makedev(7, 1))));
    expect("guest with ccap mknod: open the node it made", EPERM,
           openErrno("/tmp/vs-dev/loop1", O_RDONLY | O_NONBLOCK));
    expect("guest with ccap mknod: open a loop block device", EPERM,
           openErrno("/tmp/vs-dev/loop0", O_RDONLY | O_NONBLOCK));
  });
  checkDeviceMap();
}

// A guest holding CAP_SYS_ADMIN.  It shares the host's mount namespace:
// the barrier holds a guest to the mounts of the tree it was sealed in,
// and a namespace it made itself would hold copies (see security-model.md).
void asAdminGuest(uint32_t xid, const std::function<void()>& fn, uint64_t ccaps = 0) {
  inChild([&] {
    vs::ContextPolicy policy;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(CAP_SYS_ADMIN);
    policy.ccaps = ccaps;
    if (const int err = enterNewContext(xid, "fs-admin", policy); err != 0) {
      report(false, "admin guest: create context " + std::to_string(xid), std::strerror(err));
      return;
    }
    fn();
  });
}

constexpr unsigned long kRestricted = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

// Remounts the bind on TARGET with FLAGS (MS_REMOUNT | MS_BIND): 0 or the errno.
int bindRemountErrno(const char* target, unsigned long flags) {
  return errnoOf(mount(nullptr, target, nullptr, MS_REMOUNT | MS_BIND | flags, nullptr));
}

// Clears ATTR with mount_setattr() on the mount PATH names from DIRFD
// (AT_FDCWD, or the fd itself with an empty PATH): 0 or the errno.
int clearMountAttrErrno(int dirfd, const char* path, uint64_t attr, unsigned int flags = 0) {
  struct mount_attr change = {};
  change.attr_clr = attr;
  return errnoOf(mount_setattr(dirfd, path, flags, &change, sizeof(change)));
}

bool readOnly(const char* target) {
  struct statvfs st;
  return statvfs(target, &st) == 0 && (st.f_flag & ST_RDONLY);
}

// The host binds its tmpfs read-only, as an fstab "bind,ro" line does: a
// guest given SYS_ADMIN may not make the bind, a bind of it or a clone of
// it writable, by a bind remount or by mount_setattr(), but may lift its
// other flags, and make a tmpfs of its own writable again (patch 0149).
void checkBindRestrictions() {
  const char* bind = "/tmp/vs-rofs";
  const char* copy = "/tmp/vs-rocopy";
  mkdir(bind, 0755);
  mkdir(copy, 0755);
  expect("host: bind its tmpfs, then make the bind read-only, nosuid, nodev, noexec (control)", 0,
         errnoOf(mount("/tmp/vs-hostfs", bind, nullptr, MS_BIND, nullptr)) ?:
             bindRemountErrno(bind, kRestricted));
  asAdminGuest(kAdminXid, [bind, copy] {
    expect("admin guest: remount the host's read-only bind writable", EPERM,
           bindRemountErrno(bind, kRestricted & ~MS_RDONLY));
    expect("admin guest: clear its read-only with mount_setattr()", EPERM,
           clearMountAttrErrno(AT_FDCWD, bind, MOUNT_ATTR_RDONLY));
    expect("admin guest: clear it with mount_setattr(AT_RECURSIVE)", EPERM,
           clearMountAttrErrno(AT_FDCWD, bind, MOUNT_ATTR_RDONLY, AT_RECURSIVE));
    expect("admin guest: clear its nosuid with mount_setattr() (control)", 0,
           clearMountAttrErrno(AT_FDCWD, bind, MOUNT_ATTR_NOSUID));
    const vs::UniqueFd clone(open_tree(AT_FDCWD, bind, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    report(static_cast<bool>(clone), "admin guest: clone the bind, detached (open_tree) (control)",
           std::strerror(errno));
    expect("admin guest: clear it on the clone", EPERM,
           clearMountAttrErrno(clone.get(), "", MOUNT_ATTR_RDONLY, AT_EMPTY_PATH));
    expect("admin guest: bind the bind (control)", 0, errnoOf(mount(bind, copy, nullptr, MS_BIND, nullptr)));
    expect("admin guest: remount that bind writable", EPERM, bindRemountErrno(copy, kRestricted & ~MS_RDONLY));
    umount(copy);
    // Before its own read-only remount below, which would hide a lift.
    report(readOnly(bind), "admin guest: the host's bind is still read-only after it tried", "it is writable");
    expect("admin guest: remount the host's bind read-only with execution, set-id and devices (control)", 0,
           bindRemountErrno(bind, MS_RDONLY | MS_NOATIME));
    expect("admin guest: mount a tmpfs of its own and make it read-only (control)", 0,
           errnoOf(mount("tmpfs", "/tmp/vs-guestfs", "tmpfs", 0, nullptr)) ?:
               bindRemountErrno("/tmp/vs-guestfs", MS_RDONLY));
    expect("admin guest: make its own writable again with mount_setattr() (control)", 0,
           clearMountAttrErrno(AT_FDCWD, "/tmp/vs-guestfs", MOUNT_ATTR_RDONLY));
    umount("/tmp/vs-guestfs");
  });
  expect("host: remount its bind writable (control)", 0, bindRemountErrno(bind, 0));
  report(!readOnly(bind), "host: and it is writable", "it is read-only");
  umount(bind);
  rmdir(copy);
  rmdir(bind);
}

void checkRemount() {
  mountOrReport("tmpfs", "/tmp/vs-hostfs");
  mkdir("/tmp/vs-guestfs", 0755);
  asAdminGuest(kAdminXid, [] {
    expect("admin guest: remount read-only a filesystem the host mounted", EPERM,
           errnoOf(mount(nullptr, "/tmp/vs-hostfs", nullptr, MS_REMOUNT | MS_RDONLY, nullptr)));
    expect("admin guest: mount a tmpfs of its own (control)", 0,
           errnoOf(mount("tmpfs", "/tmp/vs-guestfs", "tmpfs", 0, nullptr)));
    expect("admin guest: remount read-only a filesystem it mounted (control)", 0,
           errnoOf(mount(nullptr, "/tmp/vs-guestfs", nullptr, MS_REMOUNT | MS_RDONLY, nullptr)));
    umount("/tmp/vs-guestfs");
    // The kernel makes a new IPC namespace's mqueue superblock as it makes
    // an automount's, in the walking guest's task but by no mount of its
    // own: the guest's mount of it later claims nothing.
    expect("admin guest: make an IPC namespace and mount its mqueue (control)", 0,
           errnoOf(unshare(CLONE_NEWIPC)) ?: errnoOf(mount("mqueue", "/tmp/vs-guestfs", "mqueue", 0, nullptr)));
    expect("admin guest: remount read-only the mqueue superblock the kernel made", EPERM,
           errnoOf(mount(nullptr, "/tmp/vs-guestfs", nullptr, MS_REMOUNT | MS_RDONLY, nullptr)));
    umount("/tmp/vs-guestfs");
  });
  struct stat st;
  expect("host: its tmpfs is still writable after the guest tried", 0,
         errnoOf(mkdir("/tmp/vs-hostfs/still-writable", 0755)) ?: errnoOf(stat("/tmp/vs-hostfs", &st)));
  checkBindRestrictions();
  umount("/tmp/vs-hostfs");
}

// Mounts 9p over TCP from the discard port of 127.0.0.1, which nobody
// serves: 0 or the errno.
int mountNinePeeErrno() {
  return errnoOf(mount("127.0.0.1", kNinePeeTarget, "9p", 0, "trans=tcp,port=9"));
}

// Whether a 9p mount tried to connect: nobody serves the port, or the
// suite's loopback is down.
void expectConnectionTried(const std::string& what) {
  const int got = mountNinePeeErrno();
  report(got == ECONNREFUSED || got == ENETUNREACH, what + " -> ECONNREFUSED|ENETUNREACH",
         std::string("got ") + errnoName(got));
}

// Opens a 9p filesystem context through the mount API and gives it its
// source, with which it would connect at its creation: 0 or the errno.
int configureNinePeeErrno() {
  const vs::UniqueFd context(fsopen("9p", FSOPEN_CLOEXEC));
  if (!context) return errno;
  return errnoOf(fsconfig(context.get(), FSCONFIG_SET_STRING, "source", "127.0.0.1", 0));
}

// A network filesystem's sockets are the kernel's, made outside any rule
// of the guest's network set (NFS's by a kernel thread, from the host's
// loopback address): mounting one needs binary_mount (patch 0135).  A
// refused mount never connects, by mount(2) or by the mount API; an
// allowed one finds nobody there.
void checkNetworkFilesystem() {
  mkdir(kNinePeeTarget, 0755);
  expectConnectionTried("host: mount 9p from a port nobody serves, which connects (control)");
  expect("host: give a 9p context its source (control)", 0, configureNinePeeErrno());
  asAdminGuest(kNetworkFsXid, [] {
    expect("admin guest: mount 9p", EPERM, mountNinePeeErrno());
    expect("admin guest: give a 9p context its source", EPERM, configureNinePeeErrno());
  });
  asAdminGuest(kBinaryMountXid, [] {
    expectConnectionTried("admin guest with binary_mount: mount 9p, which connects (control)");
    expect("admin guest with binary_mount: give a 9p context its source (control)", 0,
           configureNinePeeErrno());
  }, VSERVER_CCAP_BINARY_MOUNT);
  rmdir(kNinePeeTarget);
}

// overlayfs opens a file below it under the overlay's own path: a guest
// given SYS_ADMIN reads through an overlay of its own none of the files
// of a pseudo filesystem it may not read directly (patch 0140).
void checkOverlayOfPseudoFilesystems() {
  const std::string base = "/tmp/vs-overlay", target = base + "/merged";
  // sysfs's root-only table, in a directory overlayfs takes as a layer.
  const std::string lower = "/sys/firmware/dmi/tables", table = "/DMI";
  for (const std::string& dir : {base, base + "/empty", target}) mkdir(dir.c_str(), 0755);
  const auto mountOverlay = [&] {
    const std::string data = "lowerdir=" + lower + ":" + base + "/empty";
    return errnoOf(mount("overlay", target.c_str(), "overlay", MS_RDONLY, data.c_str()));
  };
  expect("host: an overlay over " + lower + " (control)", 0, mountOverlay());
  expect("host: read DMI through it (control)", 0, openErrno(target + table, O_RDONLY));
  umount(target.c_str());
  asAdminGuest(kAdminXid, [&] {
    expect("admin guest: read " + lower + table + " (control)", EACCES,
           openErrno(lower + table, O_RDONLY));
    expect("admin guest: an overlay over " + lower + " (control)", 0, mountOverlay());
    expect("admin guest: read DMI through it", EACCES, openErrno(target + table, O_RDONLY));
    umount(target.c_str());
  });
  for (const std::string& dir : {target, base + "/empty", base}) rmdir(dir.c_str());
}

// Asks to remove an fscrypt key (none) through the file at path: the
// errno.  The vserver hook judges it before the filesystem does, which
// without fscrypt answers ENOTTY or EOPNOTSUPP.
int removeKeyErrno(const char* path) {
  const vs::UniqueFd file(open(path, O_RDONLY | O_CLOEXEC));
  if (!file) return errno;
  fscrypt_remove_key_arg arg{};
  return errnoOf(ioctl(file.get(), FS_IOC_REMOVE_ENCRYPTION_KEY, &arg));
}

// fscrypt matches a key's claims by uid, and a guest's root is uid 0 as
// the host's: a guest adds and removes keys only on a filesystem it
// mounted (patch 0136).
void checkEncryptionKeys() {
  mountOrReport("tmpfs", "/tmp/vs-hostfs");
  writeFile("/tmp/vs-hostfs/file", "host\n");
  mkdir("/tmp/vs-guestfs", 0755);
  report(removeKeyErrno("/tmp/vs-hostfs/file") != EPERM,
         "host: an fscrypt key removal on its own filesystem reaches the filesystem (control)");
  asAdminGuest(kAdminXid, [] {
    expect("admin guest: open the host's file (control)", 0,
           openErrno("/tmp/vs-hostfs/file", O_RDONLY));
    expect("admin guest: remove an fscrypt key of a filesystem the host mounted", EPERM,
           removeKeyErrno("/tmp/vs-hostfs/file"));
    if (mount("tmpfs", "/tmp/vs-guestfs", "tmpfs", 0, nullptr) != 0)
      return report(false, "admin guest: mount a tmpfs of its own", std::strerror(errno));
    writeFile("/tmp/vs-guestfs/file", "guest\n");
    report(removeKeyErrno("/tmp/vs-guestfs/file") != EPERM,
           "admin guest: one on a filesystem it mounted reaches the filesystem (control)");
    umount("/tmp/vs-guestfs");
  });
  umount("/tmp/vs-hostfs");
}

// Opens a new pseudo-terminal of the devpts at dir; returns the slave.
int openPtySlave(const std::string& dir) {
  const int master = open((dir + "/ptmx").c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || unlockpt(master) != 0) return -1;
  int index = -1;
  if (ioctl(master, TIOCGPTN, &index) != 0) return -1;
  return open((dir + "/" + std::to_string(index)).c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
}

int pushInput(int tty) {
  const char c = '\n';
  return errnoOf(ioctl(tty, TIOCSTI, &c));
}

void checkTerminals() {
  const int hostTty = openPtySlave("/dev/pts");
  report(hostTty >= 0, "host: a pseudo-terminal of the host's devpts", std::strerror(errno));
  expect("host: TIOCSTI on its terminal (control)", 0, pushInput(hostTty));
  char c = '\n';
  expect("host: 32-bit TIOCSTI on its terminal (control)", 0,
         compatIoctl(hostTty, TIOCSTI, &c, sizeof(c)));
  inChild([hostTty] {
    // The terminal as its controlling one, as a command the admin's shell
    // runs has it: the tty's own check (CAP_SYS_ADMIN for another
    // terminal) then passes, and a refusal is the hook's.
    if (setsid() < 0 || ioctl(hostTty, TIOCSCTTY, 0) != 0) {
      report(false, "make the host terminal its controlling terminal", std::strerror(errno));
      return;
    }
    if (enterNewContext(kPlainXid + 2, "fs-tty") != 0) return;
    expect("guest: TIOCSTI on a host terminal it holds", EPERM, pushInput(hostTty));
    int unused = 0;
    expect("guest: TIOCLINUX on a host terminal it holds", EPERM,
           errnoOf(ioctl(hostTty, TIOCLINUX, &unused)));
    // A 32-bit program's ioctls pass their own hook (file_ioctl_compat).
    char c = '\n';
    expect("guest: 32-bit TIOCSTI on a host terminal it holds", EPERM,
           compatIoctl(hostTty, TIOCSTI, &c, sizeof(c)));
    expect("guest: 32-bit TIOCLINUX on a host terminal it holds", EPERM,
           compatIoctl(hostTty, TIOCLINUX, &unused, sizeof(unused)));
  });
  asAdminGuest(kAdminXid + 1, [] {
    mkdir("/tmp/vs-pts", 0755);
    if (mount("devpts", "/tmp/vs-pts", "devpts", 0, "newinstance,ptmxmode=0666") != 0) {
      report(false, "admin guest: mount a devpts of its own", std::strerror(errno));
      return;
    }
    const int ownTty = openPtySlave("/tmp/vs-pts");
    expect("admin guest: TIOCSTI on a terminal of its own devpts (control)", 0,
           ownTty < 0 ? errno : pushInput(ownTty));
    if (ownTty >= 0) close(ownTty);
    umount2("/tmp/vs-pts", MNT_DETACH);
  });
  close(hostTty);
}

}  // namespace

int probeFilesystems() {
  checkHostFiles();
  checkHostNetworkFromOwnNamespace();
  checkSecurityAttributes();
  checkDevices();
  checkRemount();
  checkNetworkFilesystem();
  checkOverlayOfPseudoFilesystems();
  checkEncryptionKeys();
  checkTerminals();
  return failures() ? 1 : 0;
}

}  // namespace probe
