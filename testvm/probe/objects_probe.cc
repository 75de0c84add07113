// vstest objects: kernel objects that are told apart by uid alone, or by
// a name in a table the host shares with its guests, are kept per
// context: keys and keyrings (which end with their context and run no
// request-key helper for a guest), the netlink ports and groups
// messages between processes go to, userfaultfds (user-mode faults only),
// the module loads the crypto manager makes for it (none),
// System V IPC objects in a shared IPC
// namespace, abstract unix socket names, the pids behind file locks and
// the tasks priority calls look at.  Each refusal comes with its exact
// errno and a control on the guest's own object or from the host.  What
// the kernel keeps for a guest is charged to its memory cgroup
// (charges_probe.cc).
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/userfaultfd.h>
#include <mqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "probe.h"
#include "unique_fd.h"

namespace probe {

namespace {

constexpr uint32_t kKeysXid = 4800;
constexpr uint32_t kIpcXid = 4801;
constexpr uint32_t kNamesXid = 4802;
constexpr uint32_t kLocksXid = 4803;
constexpr uint32_t kUserfaultfdXid = 4807;
constexpr uint32_t kCryptoXid = 4808;
constexpr uint32_t kMqueueXid = 4809;
constexpr uint32_t kOwnMqueueXid = 4810;
constexpr uint32_t kNetlinkPortsXid = 4811;
constexpr uint32_t kOtherNetlinkPortsXid = 4812;
constexpr uint32_t kSharedFilesXid = 4813;
constexpr uint32_t kOwnLocksXid = 4814;
constexpr uint32_t kPidAnswersXid = 4815;
constexpr uint32_t kLeaseXid = 4816;
constexpr uint32_t kPacketXid = 4831;

// Files every context opens as the same inode: a sysfs file glibc reads
// for the number of CPUs, and a cgroup2 file.
constexpr const char* kSharedFiles[] = {"/sys/devices/system/cpu/online",
                                        "/sys/fs/cgroup/cgroup.controllers"};

// Best effort, its lowest level.
constexpr long kLowestBestEffort = ioprioOf(kIoprioBestEffort, 7);

// A request-key helper that only records that it ran.
constexpr char kRequestKeyHelper[] = "/sbin/request-key";
constexpr char kUpcallRecord[] = "/tmp/vs-upcall-ran";
// A core dump helper that reads the core and records that it ran.
constexpr char kCoreHelper[] = "/sbin/vs-core-helper";
constexpr char kCoreRecord[] = "/tmp/vs-core-ran";
constexpr char kCorePattern[] = "/proc/sys/kernel/core_pattern";

int readKey(long key) {
  char buffer[64];
  return errnoOf(syscall(SYS_keyctl, KEYCTL_READ, key, buffer, sizeof(buffer)));
}

long keyringId(long special) { return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, special, 0); }

int searchKey(long keyring, const char* description) {
  return errnoOf(syscall(SYS_keyctl, KEYCTL_SEARCH, keyring, "user", description, 0));
}

// Joins a new session keyring, then hands it to the parent.
int sessionToParent() {
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0) return errno;
  return errnoOf(syscall(SYS_keyctl, KEYCTL_SESSION_TO_PARENT));
}

// request_key() of a key nobody has, with callout information: the kernel
// runs the request-key helper, which makes nothing; 0 or the errno.
int requestKey(const char* description) {
  return errnoOf(syscall(SYS_request_key, "user", description, "vs-callout",
                         KEY_SPEC_PROCESS_KEYRING));
}

void checkKeys() {
  int serials[2];
  if (pipe2(serials, O_CLOEXEC) != 0) {
    report(false, "a pipe for the guest's key id", std::strerror(errno));
    return;
  }
  const long hostKeyring = keyringId(KEY_SPEC_USER_KEYRING);
  const long hostKey = addKey("vs-host-secret", "s3cret", KEY_SPEC_USER_KEYRING);
  report(hostKey > 0, "host: a key in root's user keyring", std::strerror(errno));
  expect("host: read its key (control)", 0, readKey(hostKey));
  inChild([=] {
    if (!enteredNewContext(kKeysXid, "keys")) return;
    // A key of another context answers as an id no key has.
    expect("guest: read host root's key by its id", ENOKEY, readKey(hostKey));
    expect("guest: read a key id nobody has (control)", ENOKEY, readKey(0x7ffffff0));
    expect("guest: search host root's user keyring", EACCES,
           searchKey(hostKeyring, "vs-host-secret"));
    const long ownKeyring = keyringId(KEY_SPEC_USER_KEYRING);
    report(ownKeyring > 0 && ownKeyring != hostKeyring,
           "guest: its root's user keyring is not host root's",
           "host " + std::to_string(hostKeyring) + ", guest " + std::to_string(ownKeyring));
    expect("guest: find host root's key from its own user keyring", ENOKEY,
           searchKey(KEY_SPEC_USER_KEYRING, "vs-host-secret"));
    const long ownKey = addKey("vs-guest-secret", "mine", KEY_SPEC_USER_KEYRING);
    expect("guest: read a key of its own (control)", 0, ownKey > 0 ? readKey(ownKey) : errno);
    if (write(serials[1], &ownKey, sizeof(ownKey)) != sizeof(ownKey))
      report(false, "guest: pass its key's id on", std::strerror(errno));
    expect("guest: hand a session keyring to a parent in its own context (control)", 0,
           isolated(sessionToParent));
    // This process joined the guest; its parent is the host's probe.
    expect("guest: hand a session keyring to its host parent", EPERM, sessionToParent());
  });
  close(serials[1]);
  long lastKey = 0;
  if (read(serials[0], &lastKey, sizeof(lastKey)) != sizeof(lastKey)) lastKey = 0;
  close(serials[0]);
  // The context ended with its child; the next one given the xid finds
  // nothing the last one left.
  inChild([=] {
    if (!enteredNewContext(kKeysXid, "keys-again")) return;
    expect("next guest of the xid: find the last one's key in its user keyring", ENOKEY,
           searchKey(KEY_SPEC_USER_KEYRING, "vs-guest-secret"));
    expect("next guest of the xid: read the last one's key by its id", ENOKEY,
           lastKey > 0 ? readKey(lastKey) : EINVAL);
    const long ownKey = addKey("vs-guest-secret", "new", KEY_SPEC_USER_KEYRING);
    expect("next guest of the xid: a key of its own of that name (control)", 0,
           ownKey > 0 ? readKey(ownKey) : errno);
  });
  syscall(SYS_keyctl, KEYCTL_UNLINK, hostKey, KEY_SPEC_USER_KEYRING);
}

// Lines in a helper's record: how often it ran.
size_t runsOf(const char* record) {
  const std::string lines = readFile(record);
  return static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n'));
}

// The request-key helper runs as the host's root, in the host's
// namespaces: it runs for the host's requests and never for a guest's.
void checkUpcalls() {
  writeFile(kRequestKeyHelper, std::string("#!/bin/sh\necho \"$@\" >> ") + kUpcallRecord + "\n",
            0755);
  expect("host: request_key of a key nobody has, with a callout (the helper makes none)", ENOKEY,
         requestKey("vs-upcall-host"));
  report(runsOf(kUpcallRecord) == 1, "host: the kernel ran the request-key helper (control)",
         std::to_string(runsOf(kUpcallRecord)) + " runs");
  inChild([] {
    if (!enteredNewContext(kKeysXid, "upcalls")) return;
    expect("guest: request_key with a callout", ENOKEY, requestKey("vs-upcall-guest"));
    report(runsOf(kUpcallRecord) == 1, "guest: the kernel ran no request-key helper for it",
           std::to_string(runsOf(kUpcallRecord)) + " runs in all");
  });
  unlink(kRequestKeyHelper);
  unlink(kUpcallRecord);
}

// Forks a child that dies of SIGSEGV with RLIMIT_CORE at its hard limit:
// 1 if the kernel says it dumped its core (WCOREDUMP), 0 if not, -1 if
// it did not die so.
int crashDumpsCore() {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    rlimit core{};
    getrlimit(RLIMIT_CORE, &core);
    core.rlim_cur = core.rlim_max;
    setrlimit(RLIMIT_CORE, &core);
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    _exit(0);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) ||
      WTERMSIG(status) != SIGSEGV)
    return -1;
  return WCOREDUMP(status) ? 1 : 0;
}

// The helper's runs once they reach want, or after 3 s.
size_t coreHelperRuns(size_t want) {
  for (int tries = 0; tries < 30 && runsOf(kCoreRecord) < want; tries++)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return runsOf(kCoreRecord);
}

// A core_pattern piping to a helper runs it as the host's root, in the
// host's namespaces: a host process's crash is handed to it, a guest's is
// not dumped at all.
void checkCoreDumpHelper() {
  writeFile(kCoreHelper,
            std::string("#!/bin/sh\ncat > /dev/null\necho \"$1\" >> ") + kCoreRecord + "\n", 0755);
  const FilesSetForNow pattern({{kCorePattern, std::string("|") + kCoreHelper + " %p\n"}});
  const int hostDumped = crashDumpsCore();
  report(hostDumped == 1, "host: a crash dumps its core through the helper (control)",
         "WCOREDUMP " + std::to_string(hostDumped));
  report(coreHelperRuns(1) == 1, "host: the helper ran for the host's crash (control)",
         std::to_string(runsOf(kCoreRecord)) + " runs");
  inChild([] {
    if (!enteredNewContext(kKeysXid, "core-dump")) return;
    const int dumped = crashDumpsCore();
    report(dumped == 0, "guest: a crash dumps no core", "WCOREDUMP " + std::to_string(dumped));
  });
  report(coreHelperRuns(2) == 1, "guest: the kernel ran no core dump helper for its crash",
         std::to_string(runsOf(kCoreRecord)) + " runs in all");
  unlink(kCoreHelper);
  unlink(kCoreRecord);
}

// Sends text to port, and to the groups in the mask: 0 or the errno.
int sendNetlink(int fd, uint32_t port, uint32_t groups, const std::string& text) {
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_pid = port;
  address.nl_groups = groups;
  return errnoOf(sendto(fd, text.data(), text.size(), 0,
                        reinterpret_cast<const sockaddr*>(&address), sizeof(address)));
}

// What fd's queue holds, in order, joined by spaces.
std::string receivedNetlink(int fd) {
  std::string all;
  for (const std::string& datagram : queuedDatagrams(fd)) all += (all.empty() ? "" : " ") + datagram;
  return all;
}

constexpr uint32_t kUsersockGroup = 1;       // NETLINK_USERSOCK's group 1
constexpr uint32_t kUdevGroup = 1u << 1;     // NETLINK_KOBJECT_UEVENT's group 2

// A guest's sends to another context's port answer as to a port nobody
// bound, from guest to host, host to guest and guest to guest, and a
// group's members of another context get no copy of a process's message
// (guest to host on NETLINK_USERSOCK, which any process may send on;
// host to guest on udev's uevent group, which any process may join);
// its own sockets and the host's talk among themselves (the controls).
void checkNetlinkPorts() {
  const vs::UniqueFd hostListener = netlinkSocket(NETLINK_USERSOCK, kUsersockGroup);
  const vs::UniqueFd hostSender = netlinkSocket(NETLINK_USERSOCK);
  const vs::UniqueFd hostUdevListener = netlinkSocket(NETLINK_KOBJECT_UEVENT, kUdevGroup);
  const vs::UniqueFd hostUdevSender = netlinkSocket(NETLINK_KOBJECT_UEVENT);
  if (!hostListener || !hostSender || !hostUdevListener || !hostUdevSender) {
    report(false, "host: netlink sockets", std::strerror(errno));
    return;
  }
  const uint32_t hostPort = netlinkPortOf(hostListener.get());
  const auto guestSide = [&](const HandOver& handOver) {
    const int entered = enterNewContext(kNetlinkPortsXid, "netlink-ports");
    expect("guest: enter a new context", 0, entered);
    if (entered != 0) return;
    const vs::UniqueFd own = netlinkSocket(NETLINK_USERSOCK);
    const vs::UniqueFd peer = netlinkSocket(NETLINK_USERSOCK);
    const vs::UniqueFd udevListener = netlinkSocket(NETLINK_KOBJECT_UEVENT, kUdevGroup);
    report(own && peer && udevListener, "guest: its netlink sockets, one in udev's group", std::strerror(errno));
    expect("guest: send to the host's port", ECONNREFUSED,
           sendNetlink(own.get(), hostPort, 0, "guest-to-port"));
    // Sent to the group and to port 0, which no socket of this protocol
    // has: ECONNREFUSED whoever gets the group's copy.
    sendNetlink(own.get(), 0, kUsersockGroup, "guest-to-group");
    expect("guest: send to its own socket's port (control)", 0,
           sendNetlink(own.get(), netlinkPortOf(peer.get()), 0, "guest-own"));
    const std::string ownReceived = receivedNetlink(peer.get());
    report(ownReceived == "guest-own", "guest: its own socket received it (control)",
           "received \"" + ownReceived + "\"");
    handOver(netlinkPortOf(own.get()));
    const std::string received = receivedNetlink(own.get());
    report(received.empty(), "guest: nothing of the host or another guest reached its port",
           "received \"" + received + "\"");
    const std::string udevReceived = receivedNetlink(udevListener.get());
    report(udevReceived.empty(), "guest: nothing the host sent to udev's group reached it",
           "received \"" + udevReceived + "\"");
  };
  const auto hostSide = [&](uint32_t guestPort) {
    expect("host: send to the guest's port", ECONNREFUSED,
           sendNetlink(hostSender.get(), guestPort, 0, "host-to-guest"));
    expect("host: send to its own listener's port (control)", 0,
           sendNetlink(hostSender.get(), hostPort, 0, "host-to-port"));
    sendNetlink(hostSender.get(), 0, kUsersockGroup, "host-to-group");
    const std::string received = receivedNetlink(hostListener.get());
    report(received == "host-to-port host-to-group",
           "host: its listener got the host's messages and none of the guest's",
           "received \"" + received + "\"");
    // Sent to port 0 too, the kernel's uevent socket, which takes it for
    // no message.
    sendNetlink(hostUdevSender.get(), 0, kUdevGroup, "host-to-udev");
    const std::string udevReceived = receivedNetlink(hostUdevListener.get());
    report(udevReceived == "host-to-udev", "host: its own listener in udev's group got it (control)",
           "received \"" + udevReceived + "\"");
    inChild([&] {
      const int entered = enterNewContext(kOtherNetlinkPortsXid, "netlink-ports-2");
      expect("other guest: enter a new context", 0, entered);
      if (entered != 0) return;
      const vs::UniqueFd other = netlinkSocket(NETLINK_USERSOCK);
      expect("other guest: send to the first guest's port", ECONNREFUSED,
             sendNetlink(other.get(), guestPort, 0, "guest-to-guest"));
    });
  };
  inTurns("guest: netlink port checks", guestSide, hostSide);
}

// Whether the caller holds CAP_SYS_PTRACE: reading the environment of a
// child that made itself undumpable takes it.
bool readsUndumpableChild() {
  int ready[2];
  if (pipe(ready) != 0) return false;
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_DUMPABLE, 0);
    close(ready[0]);
    (void)!write(ready[1], "r", 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char byte;
  const bool started = child > 0 && read(ready[0], &byte, 1) == 1;
  close(ready[0]);
  const int fd = started ? open(("/proc/" + std::to_string(child) + "/environ").c_str(),
                                O_RDONLY | O_CLOEXEC)
                         : -1;
  if (fd >= 0) close(fd);
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }
  return fd >= 0;
}

// A guest handles no kernel-mode page fault (it could stall the kernel
// copying from its memory with RTNL held), even with CAP_SYS_PTRACE, which
// lets the host's root make such a userfaultfd; user-mode only ones work.
void checkUserfaultfd() {
  const int host = static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC));
  report(host >= 0, "host: a userfaultfd handling kernel-mode faults (control)",
         std::strerror(errno));
  if (host >= 0) close(host);
  inChild([] {
    if (!enteredNewContext(kUserfaultfdXid, "userfaultfd", policyWithCapability(CAP_SYS_PTRACE)))
      return;
    report(readsUndumpableChild(), "guest: holds CAP_SYS_PTRACE (reads an undumpable child's environ)",
           "it does not");
    expect("guest: a userfaultfd handling kernel-mode faults", EPERM,
           errnoOf(syscall(SYS_userfaultfd, O_CLOEXEC)));
    const int userOnly = static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
    report(userOnly >= 0, "guest: a userfaultfd handling user-mode faults only", std::strerror(errno));
  });
}

// Binds an AF_ALG socket to the hash name: 0 or the errno.
int bindHash(const std::string& name) { return algSocket("hash", name) ? 0 : errno; }

// For a name no algorithm has, such as hmac(NAME), the crypto manager
// builds the instance in a kernel thread that loads the modules of the
// template and of what it wraps: for a guest's name, with the guest's
// credentials, so that no modprobe runs as the host's root.  A modprobe
// that records its runs shows the host's request (the control) reaching
// it from that thread, and the guest's not at all.
void checkCryptoModuleLoads() {
  constexpr char kModprobeHelper[] = "/sbin/vs-modprobe";
  constexpr char kModprobeRecord[] = "/tmp/vs-modprobe-ran";
  writeFile(kModprobeHelper, std::string("#!/bin/sh\necho \"$*\" >>") + kModprobeRecord + "\nexit 1\n");
  chmod(kModprobeHelper, 0755);
  unlink(kModprobeRecord);
  const FilesSetForNow modprobe({{"/proc/sys/kernel/modprobe", std::string(kModprobeHelper) + "\n"}});
  const int hostBind = bindHash("hmac(vshostnosuch)");
  report(hostBind != 0, "host: bind AF_ALG to hash hmac(vshostnosuch) fails", "it succeeded");
  const std::string hostRuns = readFile(kModprobeRecord);
  report(hostRuns.find("-- crypto-vshostnosuch") != std::string::npos,
         "host: the crypto manager ran modprobe crypto-vshostnosuch (control)",
         "modprobe ran for: " + hostRuns);
  inChild([] {
    if (!enteredNewContext(kCryptoXid, "crypto")) return;
    const int guestBind = bindHash("hmac(vsguestnosuch)");
    report(guestBind != 0, "guest: bind AF_ALG to hash hmac(vsguestnosuch) fails", "it succeeded");
  });
  const std::string allRuns = readFile(kModprobeRecord);
  report(allRuns.find("vsguestnosuch") == std::string::npos,
         "guest: no modprobe ran for its names, in its context or the crypto manager's",
         "modprobe ran for: " + allRuns);
  unlink(kModprobeHelper);
  unlink(kModprobeRecord);
}

void checkIpc() {
  constexpr key_t kHostKey = 0x56530001, kGuestKey = 0x56530002;
  const int hostId = shmget(kHostKey, 4096, IPC_CREAT | 0666);
  report(hostId >= 0, "host: a shared memory segment", std::strerror(errno));
  inChild([hostId] {
    if (!enteredNewContext(kIpcXid, "ipc")) return;
    expect("guest sharing the IPC namespace: shmget of the host's key", EACCES,
           errnoOf(shmget(kHostKey, 0, 0)));
    expect("guest: shmat of the host's segment by id", EACCES, [hostId] {
      void* at = shmat(hostId, nullptr, SHM_RDONLY);
      if (at == reinterpret_cast<void*>(-1)) return errno;
      shmdt(at);
      return 0;
    }());
    shmid_ds ds{};
    expect("guest: IPC_STAT of the host's segment", EACCES, errnoOf(shmctl(hostId, IPC_STAT, &ds)));
    expect("guest: IPC_RMID of the host's segment", EACCES, errnoOf(shmctl(hostId, IPC_RMID, nullptr)));
    const int own = shmget(kGuestKey, 4096, IPC_CREAT | 0600);
    expect("guest: a segment of its own (control)", 0, own >= 0 ? 0 : errno);
    expect("guest: IPC_STAT of its own segment (control)", 0, errnoOf(shmctl(own, IPC_STAT, &ds)));
  });
  const int guestId = shmget(kGuestKey, 0, 0);
  expect("host: shmget of the guest's key (control: the host reaches all)", 0,
         guestId >= 0 ? 0 : errno);
  shmctl(guestId, IPC_RMID, nullptr);
  shmctl(hostId, IPC_RMID, nullptr);
}

// mq_open(name, flags) with a small queue: 0 (the queue closed again) or
// the errno.
int mqOpenErrno(const char* name, int flags) {
  mq_attr attr{};
  attr.mq_maxmsg = 4;
  attr.mq_msgsize = 64;
  const mqd_t queue = mq_open(name, flags, 0666, &attr);
  if (queue == static_cast<mqd_t>(-1)) return errno;
  mq_close(queue);
  return 0;
}

// POSIX message queues are told apart by name, mode and uid alone: a
// guest sharing the host's IPC namespace opens, creates and unlinks none
// of its queues.  One in an IPC namespace of its own is the control.
void checkMessageQueues() {
  constexpr const char* kHostQueue = "/vstest-host";
  constexpr const char* kGuestQueue = "/vstest-guest";
  expect("host: create a message queue (control)", 0, mqOpenErrno(kHostQueue, O_CREAT | O_RDWR));
  inChild([=] {
    if (!enteredNewContext(kMqueueXid, "mqueue")) return;
    expect("guest sharing the IPC namespace: mq_open of the host's queue", EACCES,
           mqOpenErrno(kHostQueue, O_RDONLY));
    expect("guest sharing the IPC namespace: mq_unlink of the host's queue", EACCES,
           errnoOf(mq_unlink(kHostQueue)));
    expect("guest sharing the IPC namespace: create a queue", EACCES,
           mqOpenErrno(kGuestQueue, O_CREAT | O_RDWR));
  });
  expect("host: its queue is still there", 0, mqOpenErrno(kHostQueue, O_RDONLY));
  expect("host: the guest created no queue", ENOENT, mqOpenErrno(kGuestQueue, O_RDONLY));
  inChild([=] {
    if (unshare(CLONE_NEWIPC) != 0) {
      report(false, "host: unshare an IPC namespace", std::strerror(errno));
      return;
    }
    if (!enteredNewContext(kOwnMqueueXid, "mqueue-own")) return;
    expect("guest in an IPC namespace of its own: create a queue (control)", 0,
           mqOpenErrno(kGuestQueue, O_CREAT | O_RDWR));
    expect("guest in an IPC namespace of its own: unlink it (control)", 0,
           errnoOf(mq_unlink(kGuestQueue)));
  });
  mq_unlink(kHostQueue);
}

sockaddr_un abstractName(const std::string& name, socklen_t* length) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  return address;
}

// The listener does not block, so accepted() can say "nothing came".
int bindName(const std::string& name, int* fd) {
  *fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  socklen_t length;
  const sockaddr_un address = abstractName(name, &length);
  if (bind(*fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) return errno;
  return errnoOf(listen(*fd, 8));
}

// Connects to name; accepted() on a listener then says whether it took it.
int connectName(const std::string& name) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socklen_t length;
  const sockaddr_un address = abstractName(name, &length);
  const int result = errnoOf(connect(fd, reinterpret_cast<const sockaddr*>(&address), length));
  close(fd);
  return result;
}

bool accepted(int listener) {
  const int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return false;
  close(fd);
  return true;
}

void checkAbstractNames() {
  // The guest binds first a name the host will want: squatting.
  const auto guestSide = [](const HandOver& handOver) {
    const int entered = enterNewContext(kNamesXid, "names");
    expect("guest: enter a new context", 0, entered);
    if (entered != 0) return;
    int listener;
    expect("guest: bind a name the host will use", 0, bindName("vs-squatted", &listener));
    handOver(0);
    report(!accepted(listener), "guest: none of the host's connections reached its socket",
           "a host connection arrived");
    expect("guest: connect to its own name (control)", 0, connectName("vs-squatted"));
    report(accepted(listener), "guest: its own connection reached its socket", "nothing arrived");
  };
  const auto hostSide = [](uint32_t) {
    int hostListener;
    expect("host: bind the same name after the guest (its own names)", 0,
           bindName("vs-squatted", &hostListener));
    expect("host: connect to the name", 0, connectName("vs-squatted"));
    report(accepted(hostListener), "host: its connection reached its own socket", "nothing arrived");
    close(hostListener);
  };
  inTurns("guest: abstract name checks", guestSide, hostSide);
}

// Whether a field of /proc/locks matches.
bool procLocksHave(const std::function<bool(const std::string& field)>& matches) {
  std::ifstream locks("/proc/locks");
  std::string field;
  while (locks >> field)
    if (matches(field)) return true;
  return false;
}

bool procLocksMentions(pid_t pid) {
  return procLocksHave([wanted = std::to_string(pid)](const std::string& f) { return f == wanted; });
}

// Whether /proc/locks has a lock on file (its field "MAJ:MIN:INODE", the
// device in hex).
bool procLocksMentionsFile(const struct stat& file) {
  char wanted[64];
  std::snprintf(wanted, sizeof(wanted), "%02x:%02x:%lu", major(file.st_dev), minor(file.st_dev),
                static_cast<unsigned long>(file.st_ino));
  return procLocksHave([&wanted](const std::string& f) { return f == wanted; });
}

void checkLocks() {
  const char* path = "/tmp/vs-objects-lock";
  writeFile(path, "lock\n");
  int ready[2];
  if (pipe(ready) != 0) return;
  std::fflush(stdout);
  const pid_t holder = fork();
  if (holder == 0) {
    const int fd = open(path, O_RDWR);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (fd < 0 || fcntl(fd, F_SETLK, &lock) != 0) _exit(1);
    (void)!write(ready[1], "r", 1);
    for (;;) pause();
  }
  char byte;
  (void)!read(ready[0], &byte, 1);
  auto conflictingPid = [path] {
    const int fd = open(path, O_RDWR);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    // -1: the call failed; -2: it saw no conflicting lock at all.
    int result = fd < 0 || fcntl(fd, F_GETLK, &lock) != 0 ? -1 : lock.l_pid;
    if (result >= 0 && lock.l_type == F_UNLCK) result = -2;
    close(fd);
    return result;
  };
  report(conflictingPid() == holder, "host: F_GETLK names the holder's pid (control)",
         "got " + std::to_string(conflictingPid()));
  report(procLocksMentions(holder), "host: /proc/locks shows the holder (control)",
         "it does not");
  inChild([&] {
    if (!enteredNewContext(kLocksXid, "locks")) return;
    const int seen = conflictingPid();
    report(seen == 0, "guest: F_GETLK sees the conflict but not a host holder's pid",
           "got " + std::to_string(seen));
    report(!procLocksMentions(holder), "guest: /proc/locks does not show a host holder",
           "it does");
  });
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
}

// A shared flock() on path, without waiting: 0 or the errno.
int flockErrno(const char* path) {
  const int fd = open(path, O_RDONLY);
  if (fd < 0) return errno;
  const int result = errnoOf(flock(fd, LOCK_SH | LOCK_NB));
  close(fd);
  return result;
}

// An inotify watch for opens and reads of path: 0 or the errno.
int watchOpensErrno(const char* path) {
  const int instance = inotify_init1(IN_CLOEXEC);
  if (instance < 0) return errno;
  const int result = errnoOf(inotify_add_watch(instance, path, IN_OPEN | IN_ACCESS));
  close(instance);
  return result;
}

// The kernel's inodes every context shares: the one behind every eventfd
// (and timerfd, epoll, signalfd) on the machine, whose watch reports each
// write to any, and the network namespace's.  A guest neither watches nor
// locks them; its own pipe's inode it locks (control).
void checkSharedKernelInodes(bool guest) {
  const std::string who = guest ? "guest" : "host";
  const int expected = guest ? EPERM : 0;
  const std::string control = guest ? "" : " (control)";
  const vs::UniqueFd events(eventfd(0, EFD_CLOEXEC));
  const std::string eventsPath = "/proc/self/fd/" + std::to_string(events.get());
  struct stat st;
  expect(who + ": look its eventfd up by path (control)", 0, errnoOf(stat(eventsPath.c_str(), &st)));
  expect(who + ": open its network namespace (control)", 0,
         openErrno("/proc/self/ns/net", O_RDONLY));
  expect(who + ": watch an eventfd's inode" + control, expected,
         watchOpensErrno(eventsPath.c_str()));
  expect(who + ": flock an eventfd" + control, expected,
         errnoOf(flock(events.get(), LOCK_SH | LOCK_NB)));
  expect(who + ": watch its network namespace" + control, expected,
         watchOpensErrno("/proc/self/ns/net"));
  expect(who + ": flock its network namespace" + control, expected,
         flockErrno("/proc/self/ns/net"));
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return report(false, who + ": pipe", std::strerror(errno));
  const vs::UniqueFd reader(ends[0]), writer(ends[1]);
  expect(who + ": flock a pipe of its own (control)", 0,
         errnoOf(flock(reader.get(), LOCK_SH | LOCK_NB)));
}

// A lease breaks when anyone opens its file, who waits for the holder; a
// watch reports every open.  On the files every context shares, a guest
// takes neither, nor a lock; on its own files it takes them all.
void checkSharedFiles() {
  const char* own = "/tmp/vs-objects-own-file";
  writeFile(own, "own\n");
  for (const char* path : kSharedFiles) {
    expect(std::string("host: a lease on ") + path + " (control)", 0, leaseErrno(path));
    expect(std::string("host: flock ") + path + " (control)", 0, flockErrno(path));
  }
  expect("host: watch opens of /sys/devices/system/cpu/online (control)", 0,
         watchOpensErrno("/sys/devices/system/cpu/online"));
  checkSharedKernelInodes(false);
  inChild([own] {
    if (!enteredNewContext(kSharedFilesXid, "shared-files")) return;
    checkSharedKernelInodes(true);
    for (const char* path : kSharedFiles) {
      expect(std::string("guest: a lease on ") + path, EPERM, leaseErrno(path));
      expect(std::string("guest: flock ") + path, EPERM, flockErrno(path));
    }
    expect("guest: watch opens of /sys/devices/system/cpu/online", EPERM,
           watchOpensErrno("/sys/devices/system/cpu/online"));
    // cgroup.events of its own groups is how a guest's init learns one emptied.
    expect("guest: watch a cgroup2 file (control)", 0,
           watchOpensErrno("/sys/fs/cgroup/cgroup.controllers"));
    expect("guest: a lease on a file of its own (control)", 0, leaseErrno(own));
    expect("guest: flock a file of its own (control)", 0, flockErrno(own));
    expect("guest: watch opens of a file of its own (control)", 0, watchOpensErrno(own));
  });
  unlink(own);
}

volatile sig_atomic_t sigiosSeen = 0;
void countSigio(int) { sigiosSeen = sigiosSeen + 1; }

// A guest's lease makes its own context's openers wait, and no other's: the
// host's open, without waiting (a lease it waited for would refuse it with
// EWOULDBLOCK), takes it away at once, and its holder is told by SIGIO.
// Once with a fresh lease, once with one its own task's open began to break.
void checkLeaseBreaks() {
  const char* path = "/tmp/vs-objects-leased";
  writeFile(path, "leased\n");
  for (const bool ownOpenFirst : {false, true}) {
    const std::string which = ownOpenFirst ? "a breaking lease" : "a fresh lease";
    const auto guestSide = [&](const HandOver& handOver) {
      if (!enteredNewContext(kLeaseXid + (ownOpenFirst ? 1 : 0), "lease")) return;
      signal(SIGIO, countSigio);
      const int fd = open(path, O_RDONLY | O_CLOEXEC);
      expect("guest: " + which + ": a write lease on a file of its own (control)", 0,
             errnoOf(fcntl(fd, F_SETLEASE, F_WRLCK)));
      if (ownOpenFirst)
        expect("guest: its own task's open waits for its lease (control)", EWOULDBLOCK,
               isolated([path] { return openErrno(path, O_RDONLY | O_NONBLOCK); }));
      const int toldBefore = sigiosSeen;
      handOver(0);
      const int held = fcntl(fd, F_GETLEASE);
      report(held == F_UNLCK, "guest: " + which + ": the host's open took it away at once",
             "F_GETLEASE gives " + std::to_string(held));
      if (!ownOpenFirst)
        report(sigiosSeen - toldBefore == 1, "guest: " + which + ": its holder was told by one SIGIO",
               std::to_string(sigiosSeen - toldBefore) + " seen");
      close(fd);
    };
    const auto hostSide = [&](uint32_t) {
      expect("host: open a file a guest holds " + which + " on, without waiting", 0,
             openErrno(path, O_RDONLY | O_NONBLOCK));
    };
    inTurns("guest: " + which, guestSide, hostSide);
  }
  unlink(path);
}

// A new file at path, open for writing, that check what expects to take
// an OFD lock on the whole of: its descriptor and what stat says of it.
struct LockedFile {
  int fd;
  struct stat file;
};

LockedFile lockNewFile(const char* path, const std::string& what) {
  writeFile(path, "locked\n");
  LockedFile locked{open(path, O_RDWR | O_CLOEXEC), {}};
  fstat(locked.fd, &locked.file);
  expect(what, 0, errnoOf(lockBytes(locked.fd, F_OFD_SETLK, F_WRLCK, 0, 0)));
  return locked;
}

// An OFD lock names no pid: /proc/locks shows a guest the locks of its own
// context by the context, not by a pid.
void checkOpenFileLocks() {
  const char* hostPath = "/tmp/vs-objects-ofd";
  const LockedFile host = lockNewFile(hostPath, "host: an OFD lock (control)");
  report(procLocksMentionsFile(host.file), "host: /proc/locks shows its OFD lock (control)",
         "it does not");
  inChild([&host] {
    if (!enteredNewContext(kOwnLocksXid, "own-locks")) return;
    report(!procLocksMentionsFile(host.file), "guest: /proc/locks does not show a host OFD lock",
           "it does");
    const char* ownPath = "/tmp/vs-objects-ofd-own";
    const LockedFile own = lockNewFile(ownPath, "guest: an OFD lock of its own (control)");
    report(procLocksMentionsFile(own.file), "guest: /proc/locks shows its own OFD lock (control)",
           "it does not");
    close(own.fd);
    unlink(ownPath);
  });
  close(host.fd);
  unlink(hostPath);
}

// TIOCSPGRP of pgrp (0: the caller's own) on the controlling terminal of a
// new session, a pty's slave: 0 or the errno.
int setForegroundGroupErrno(pid_t pgrp) {
  return isolated([pgrp] {
    const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return errno;
    if (setsid() < 0) return errno;
    const int slave = open(ptsname(master), O_RDWR | O_CLOEXEC);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) return errno;
    const pid_t group = pgrp ? pgrp : getpgrp();
    return errnoOf(ioctl(slave, TIOCSPGRP, &group));
  });
}

// F_SETOWN of who (a pid, or minus a process group) on a socket of its own,
// or with ex F_SETOWN_EX naming that process: 0 or the errno.
int setOwnerErrno(pid_t who, bool ex = false) {
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  f_owner_ex owner{F_OWNER_PID, who};
  const int result = errnoOf(ex ? fcntl(fd, F_SETOWN_EX, &owner) : fcntl(fd, F_SETOWN, who));
  close(fd);
  return result;
}

// Numbers the host still uses only as a session id and only as a process
// group, their leaders gone: a task that setsid() and exited after its
// child moved to a group of its own, whose leader exited in turn after
// forking the one task left (the survivor, paused).
struct LeaderlessIds {
  pid_t session = 0, group = 0, survivor = 0;
};

LeaderlessIds makeLeaderlessIds() {
  int ids[2];
  if (pipe(ids) != 0) return {};
  std::fflush(stdout);
  const pid_t leader = fork();
  if (leader == 0) {
    setsid();
    const pid_t middle = fork();
    if (middle == 0) {
      setpgid(0, 0);
      if (fork() == 0) {
        const LeaderlessIds mine{getsid(0), getpgrp(), getpid()};
        (void)!write(ids[1], &mine, sizeof(mine));
        for (;;) pause();
      }
      _exit(0);
    }
    waitpid(middle, nullptr, 0);
    _exit(0);
  }
  LeaderlessIds found;
  if (read(ids[0], &found, sizeof(found)) != sizeof(found)) found = {};
  waitpid(leader, nullptr, 0);
  close(ids[0]);
  close(ids[1]);
  return found;
}

// A task of another context answers as a free pid, also where the uid
// check or a file's owner would look it up first, and so does a number
// its context uses only as a session or a process group.
void checkPidAnswers() {
  std::fflush(stdout);
  const pid_t other = fork();
  if (other == 0) {
    setpgid(0, 0);
    for (;;) pause();
  }
  setpgid(other, other);
  const LeaderlessIds leaderless = makeLeaderlessIds();
  report(leaderless.survivor > 0, "host: a session and a process group whose leaders exited",
         "not made");
  const auto asNobody = [](const std::function<int()>& call) {
    return isolated([&call] { return setuid(65534) != 0 ? errno : call(); });
  };
  // Without contexts the uid check tells a live task from a free pid.
  expect("host task as nobody: kill(pid, 0) of a root task (control)", EPERM,
         asNobody([other] { return errnoOf(kill(other, 0)); }));
  expect("host task as nobody: kill(-pgrp, 0) of a root group (control)", EPERM,
         asNobody([other] { return errnoOf(kill(-other, 0)); }));
  expect("host: F_SETOWN to a task (control)", 0, setOwnerErrno(other));
  expect("host: F_SETOWN_EX to a task (control)", 0, setOwnerErrno(other, true));
  expect("host: F_SETOWN to a session id whose leader exited (control)", 0,
         setOwnerErrno(leaderless.session));
  expect("host: F_SETOWN to a process group whose leader exited (control)", 0,
         setOwnerErrno(-leaderless.group));
  expect("host: TIOCSPGRP of a group of another session (control)", EPERM,
         setForegroundGroupErrno(other));
  inChild([&] {
    if (!enteredNewContext(kPidAnswersXid, "pid-answers")) return;
    expect("guest as nobody: kill(pid, 0) of a host task", ESRCH,
           asNobody([other] { return errnoOf(kill(other, 0)); }));
    expect("guest as nobody: kill(-pgrp, 0) of a host group", ESRCH,
           asNobody([other] { return errnoOf(kill(-other, 0)); }));
    expect("guest: F_SETOWN to a host task", ESRCH, setOwnerErrno(other));
    expect("guest: F_SETOWN_EX to a host task", ESRCH, setOwnerErrno(other, true));
    expect("guest: F_SETOWN to a host session id whose leader exited", ESRCH,
           setOwnerErrno(leaderless.session));
    expect("guest: F_SETOWN to a host process group whose leader exited", ESRCH,
           setOwnerErrno(-leaderless.group));
    expect("guest: TIOCSPGRP of a host group", ESRCH, setForegroundGroupErrno(other));
    expect("guest: TIOCSPGRP of its own group (control)", 0, setForegroundGroupErrno(0));
    expect("guest: F_SETOWN to itself (control)", 0, setOwnerErrno(getpid()));
  });
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
  if (leaderless.survivor > 0) kill(leaderless.survivor, SIGKILL);
}

// getpriority over a whole user or process group sees the guest's tasks only.
void checkPriorityLoops() {
  std::fflush(stdout);
  const pid_t favoured = fork();
  if (favoured == 0) {
    setpriority(PRIO_PROCESS, 0, -15);
    for (;;) pause();
  }
  usleep(100000);
  errno = 0;
  const int hostView = getpriority(PRIO_USER, 0);
  report(hostView <= -15, "host: getpriority(PRIO_USER) sees its favoured task (control)",
         "got " + std::to_string(hostView));
  const long hostIoprio = syscall(SYS_ioprio_get, kIoprioWhoProcess, 0);
  inChild([] {
    if (!enteredNewContext(kLocksXid + 1, "priority")) return;
    errno = 0;
    const int guestView = getpriority(PRIO_USER, 0);
    report(guestView == 0, "guest: getpriority(PRIO_USER) sees only its own tasks",
           "got " + std::to_string(guestView));
    // The host's tasks of its uid are not the guest's to refuse.
    expect("guest: ioprio_set(IOPRIO_WHO_USER) of its own uid", 0,
           setIoprio(kIoprioWhoUser, 0, kLowestBestEffort));
    report(syscall(SYS_ioprio_get, kIoprioWhoProcess, 0) == kLowestBestEffort,
           "guest: its own task got that I/O priority", "it did not");
  });
  report(syscall(SYS_ioprio_get, kIoprioWhoProcess, 0) == hostIoprio,
         "host: its task of that uid kept its I/O priority", "it changed");
  kill(favoured, SIGKILL);
  waitpid(favoured, nullptr, 0);
}

// Makes packet socket fd a member of the Ethernet multicast address
// 01:00:5e:49:i/256:i%256 on lo: 0 or the errno.
int packetMembershipErrno(int fd, int i) {
  packet_mreq membership{};
  membership.mr_ifindex = static_cast<int>(if_nametoindex("lo"));
  membership.mr_type = PACKET_MR_MULTICAST;
  membership.mr_alen = 6;
  const unsigned char address[6] = {0x01, 0x00, 0x5e, 0x49, static_cast<unsigned char>(i >> 8),
                                    static_cast<unsigned char>(i)};
  std::memcpy(membership.mr_address, address, sizeof(address));
  return errnoOf(setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, sizeof(membership)));
}

// Memberships 0 to count - 1 of a new packet socket: the socket, or none
// and the first errno.
std::pair<vs::UniqueFd, int> packetSocketWithMemberships(int count) {
  vs::UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!fd) return {vs::UniqueFd(-1), errno};
  for (int i = 0; i < count; i++)
    if (const int err = packetMembershipErrno(fd.get(), i)) return {vs::UniqueFd(-1), err};
  return {std::move(fd), 0};
}

// Each of a packet socket's memberships is also an address of its device,
// in lists RTNL and the device's address lock walk on every change: a
// guest's socket, given CAP_NET_RAW, holds as many as the host lets an
// IPv4 socket join groups, igmp_max_memberships (patch 0165), and gets
// ENOBUFS past it; one it holds it may join again, which only counts up.
// The host's socket holds more (control).
void checkPacketMemberships() {
  const int most = std::atoi(readFile("/proc/sys/net/ipv4/igmp_max_memberships").c_str());
  const std::string past =
      "a packet socket's membership past igmp_max_memberships (" + std::to_string(most) + ")";
  expect("host: " + past + " (control)", 0, packetSocketWithMemberships(most + 1).second);
  inChild([most, past] {
    if (!enteredNewContext(kPacketXid, "packet-memberships", policyWithCapability(CAP_NET_RAW)))
      return;
    const auto [fd, err] = packetSocketWithMemberships(most);
    expect("guest with CAP_NET_RAW: igmp_max_memberships packet memberships (control)", 0, err);
    if (!fd) return;
    expect("guest with CAP_NET_RAW: " + past, ENOBUFS, packetMembershipErrno(fd.get(), most));
    expect("guest with CAP_NET_RAW: a membership its socket holds, again (control)", 0,
           packetMembershipErrno(fd.get(), 0));
  });
}

// A new packet socket of a protocol nobody sends (0x88b5, for local
// experiments) joining fanout group 0x4831, made of one member at most
// if it is new: the socket and 0, or the errno.
std::pair<vs::UniqueFd, int> fanoutMember() {
  vs::UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x88b5)));
  if (!fd) return {vs::UniqueFd(-1), errno};
  fanout_args group{};
  group.id = 0x4831;
  group.type_flags = PACKET_FANOUT_HASH;
  group.max_num_members = 1;
  const int err = errnoOf(setsockopt(fd.get(), SOL_PACKET, PACKET_FANOUT, &group, sizeof(group)));
  return {std::move(fd), err};
}

// Fanout group ids are a context's own (patch 0167): a guest given
// CAP_NET_RAW naming the id of the host's full group makes a group of
// its own, where without it it would join the host's (ENOSPC here, full;
// with room, it would take a share of the host's capture).
void checkFanoutGroups() {
  const auto [host, err] = fanoutMember();
  expect("host: a packet socket makes fanout group 0x4831 of one member (control)", 0, err);
  expect("host: a second socket's join of its full group (control)", ENOSPC,
         fanoutMember().second);
  inChild([] {
    if (!enteredNewContext(kPacketXid, "packet-fanout", policyWithCapability(CAP_NET_RAW))) return;
    const auto [guest, err] = fanoutMember();
    expect("guest with CAP_NET_RAW: fanout group 0x4831 is its own, not the host's full one", 0,
           err);
    expect("guest with CAP_NET_RAW: a second socket's join of its own full group (control)",
           ENOSPC, fanoutMember().second);
  });
}

}  // namespace

int probeObjects() {
  checkKeys();
  checkUpcalls();
  checkCoreDumpHelper();
  checkMemoryCharges();
  checkUserfaultfd();
  checkCryptoModuleLoads();
  checkIpc();
  checkMessageQueues();
  checkAbstractNames();
  checkNetlinkPorts();
  checkLocks();
  checkOpenFileLocks();
  checkSharedFiles();
  checkLeaseBreaks();
  checkPidAnswers();
  checkPriorityLoops();
  checkPacketMemberships();
  checkFanoutGroups();
  return failures() ? 1 : 0;
}

}  // namespace probe
