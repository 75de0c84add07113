// vstest objects: kernel objects that are told apart by uid alone, or by
// a name in a table the host shares with its guests, are kept per
// context: keys and keyrings (which end with their context, run no
// request-key helper for a guest and are charged to its memory cgroup),
// netlink queues (charged to it too) and the netlink ports and groups
// messages between processes go to, userfaultfds (user-mode faults only),
// the module loads the crypto manager makes for it (none),
// System V IPC objects in a shared IPC
// namespace, abstract unix socket names, the pids behind file locks and
// the tasks priority calls look at.  Each refusal comes with its exact
// errno and a control on the guest's own object or from the host.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_alg.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/net_tstamp.h>
#include <linux/netlink.h>
#include <linux/userfaultfd.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
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
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
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
#include "submission_ring.h"
#include "unique_fd.h"

namespace probe {

namespace {

constexpr uint32_t kKeysXid = 4800;
constexpr uint32_t kIpcXid = 4801;
constexpr uint32_t kNamesXid = 4802;
constexpr uint32_t kLocksXid = 4803;
constexpr uint32_t kKeyMemoryXid = 4805;
constexpr uint32_t kNetlinkMemoryXid = 4806;
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
constexpr uint32_t kPingQueueXid = 4817;
constexpr uint32_t kErrorQueueXid = 4818;
constexpr uint32_t kUidRecordsXid = 4819;
constexpr uint32_t kAclMemoryXid = 4820;
constexpr uint32_t kXattrMemoryXid = 4821;
constexpr uint32_t kPollMemoryXid = 4822;
constexpr uint32_t kRingMemoryXid = 4823;
constexpr uint32_t kRequestMemoryXid = 4824;

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

long long memoryCurrent(const std::string& cgroup) {
  return std::atoll(readFile(cgroup + "/memory.current").c_str());
}

// What memory.current may be off by, either way: each CPU keeps a stock
// of up to 64 pages charged ahead, and up to two pages of bytes the slab
// charges leave (66 pages on each of the VM's 2 CPUs), so a growth of n
// bytes of charges reads as n less, or more, than this at worst.  Each
// check's charges are several times this.
constexpr long long kChargeStocks = 2 * 66 * 4096;

// Whether a growth read from memory.current shows charges of bytes.
bool showsCharges(long long grown, long long bytes) { return grown >= bytes - kChargeStocks; }

// A guest's keys are charged to its memory cgroup: 128 user keys of 16000
// bytes, under key quotas the probe raises for them, raise its
// memory.current by their payloads.
void checkKeyMemory() {
  constexpr int kCount = 128, kPayload = 16000;
  const FilesSetForNow quotas({{"/proc/sys/kernel/keys/maxkeys", "1000\n"},
                               {"/proc/sys/kernel/keys/maxbytes", "4000000\n"}});
  const std::string cgroup = "/sys/fs/cgroup/vs-key-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kKeyMemoryXid, "key-memory")) return;
    const std::string payload(kPayload, 'k');
    const long long before = memoryCurrent(cgroup);
    int added = 0;
    for (; added < kCount; added++) {
      const std::string description = "vs-memory-" + std::to_string(added);
      if (addKey(description.c_str(), payload.c_str(), KEY_SPEC_PROCESS_KEYRING) < 0) break;
    }
    const long long grown = memoryCurrent(cgroup) - before;
    report(added == kCount && showsCharges(grown, static_cast<long long>(kCount) * kPayload),
           "guest: 128 keys of 16000 bytes raise its memory.current by their 2048000",
           std::to_string(added) + " keys added, memory.current grew by " + std::to_string(grown));
  });
}

// A system.posix_acl_* attribute value of entries ACL_USER entries (ids
// 1000 on) with the entries every such ACL needs: 8 bytes each.
std::string posixAclValue(uint32_t entries) {
  constexpr uint16_t kUserObj = 0x01, kUser = 0x02, kGroupObj = 0x04, kMask = 0x10,
                     kOther = 0x20;
  constexpr uint32_t kVersion = 2, kUndefinedId = ~0U;
  std::string value;
  const auto put = [&value](const void* bytes, size_t size) {
    value.append(static_cast<const char*>(bytes), size);
  };
  const auto entry = [&put](uint16_t tag, uint16_t perm, uint32_t id) {
    put(&tag, sizeof(tag));
    put(&perm, sizeof(perm));
    put(&id, sizeof(id));
  };
  put(&kVersion, sizeof(kVersion));
  entry(kUserObj, 7, kUndefinedId);
  for (uint32_t i = 0; i < entries; i++) entry(kUser, 4, 1000 + i);
  entry(kGroupObj, 5, kUndefinedId);
  entry(kMask, 7, kUndefinedId);
  entry(kOther, 0, kUndefinedId);
  return value;
}

// What tmpfs keeps in memory of a guest's files beyond their pages is
// charged to its memory cgroup: each file made under a default ACL of
// 8000 entries gets a copy (64 KiB), and an attribute of 60000 bytes
// (trusted.*, for one with SYS_ADMIN) holds that much.  32 of either
// raise its memory.current by their size; uncharged, they would
// raise it by the few KiB of the files' inodes.
void checkInMemoryAttributeMemory() {
  constexpr int kFiles = 32;
  constexpr long long kAclBytes = 8000 * 8, kAttributeBytes = 60000;
  const std::string cgroup = "/sys/fs/cgroup/vs-attribute-memory", dir = "/tmp/vs-acl";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kAclMemoryXid, "acl-memory")) return;
    const std::string acl = posixAclValue(8000);
    expect("guest: make a directory of its own on tmpfs (control)", 0,
           errnoOf(mkdir(dir.c_str(), 0755)));
    expect("guest: a default ACL of 8000 entries on it (control)", 0,
           errnoOf(setxattr(dir.c_str(), "system.posix_acl_default", acl.data(), acl.size(), 0)));
    const long long before = memoryCurrent(cgroup);
    int made = 0;
    for (; made < kFiles; made++) {
      const vs::UniqueFd file(open((dir + "/f" + std::to_string(made)).c_str(),
                                   O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
      if (!file) break;
    }
    const long long grown = memoryCurrent(cgroup) - before;
    report(made == kFiles && showsCharges(grown, kFiles * kAclBytes),
           "guest: 32 files under it raise its memory.current by their ACLs' 2048000",
           std::to_string(made) + " files made, memory.current grew by " + std::to_string(grown));
    for (int i = 0; i < made; i++) unlink((dir + "/f" + std::to_string(i)).c_str());
    rmdir(dir.c_str());
  });
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    vs::ContextPolicy policy;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(CAP_SYS_ADMIN);
    if (!enteredNewContext(kXattrMemoryXid, "xattr-memory", policy)) return;
    const std::string file = "/tmp/vs-xattr-memory", value(kAttributeBytes, 'x');
    writeFile(file, "x");
    const long long before = memoryCurrent(cgroup);
    int set = 0;
    for (; set < kFiles; set++) {
      const std::string name = "trusted.vs" + std::to_string(set);
      if (setxattr(file.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) break;
    }
    const long long grown = memoryCurrent(cgroup) - before;
    report(set == kFiles && showsCharges(grown, kFiles * kAttributeBytes),
           "guest with SYS_ADMIN: 32 trusted.* attributes of 60000 bytes on its tmpfs file "
           "raise its memory.current by their 1920000",
           std::to_string(set) + " set, memory.current grew by " + std::to_string(grown));
    unlink(file.c_str());
  });
}

// What a guest's poll() holds while it waits is charged to its memory
// cgroup (patch 0154): 4 threads, each polling one eventfd repeated 60000
// times, hold a wait entry of 64 bytes for each repeat, 3.84 MB a thread.
// Charged, they raise its memory.current by 15360000 within a
// minute; uncharged, by their few pages of stack.  Each also polls a
// second eventfd, written to end them all.
void checkPollMemory() {
  constexpr int kThreads = 4, kRepeats = 60000;
  constexpr long long kWaitEntries = 64LL * kThreads * kRepeats;
  const std::string cgroup = "/sys/fs/cgroup/vs-poll-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    const rlimit files = {kRepeats + 100, kRepeats + 100};
    if (setrlimit(RLIMIT_NOFILE, &files) != 0) {
      report(false, "guest: allow it 60100 files (control)", std::strerror(errno));
      return;
    }
    if (!enteredNewContext(kPollMemoryXid, "poll-memory")) return;
    const vs::UniqueFd idle(eventfd(0, EFD_CLOEXEC)), stop(eventfd(0, EFD_CLOEXEC));
    std::vector<pollfd> watched(kRepeats + 1, pollfd{idle.get(), POLLIN, 0});
    watched[0].fd = stop.get();
    const long long before = memoryCurrent(cgroup);
    std::vector<std::thread> pollers;
    for (int i = 0; i < kThreads; i++)
      pollers.emplace_back([&watched] { poll(watched.data(), watched.size(), -1); });
    long long grown = 0;
    for (int tenths = 0; tenths < 600 && !showsCharges(grown, kWaitEntries); tenths++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      grown = memoryCurrent(cgroup) - before;
    }
    report(showsCharges(grown, kWaitEntries),
           "guest: 4 threads polling an eventfd repeated 60000 times raise its memory.current by their 15360000",
           "memory.current grew by " + std::to_string(grown));
    const uint64_t one = 1;
    expect("guest: wake its pollers (control)", 0, errnoOf(write(stop.get(), &one, sizeof(one))));
    for (std::thread& poller : pollers) poller.join();
  });
}

// What the kernel keeps of a guest's io_uring beside its rings is charged
// to its memory cgroup (patch 0156): a table of 16384 registered buffer
// slots, all empty, takes 8 bytes a slot, as a table of as many file
// slots does, which was charged before.  64 rings with either raise its
// memory.current alike (tags of 8 bytes a slot are charged in both);
// with the buffer table uncharged, the buffers would raise it by 8388608
// less.  The check allows half that, for the CPUs' charge stocks.
void checkRingMemory() {
  constexpr size_t kRings = 64, kSlots = 16384;
  constexpr long long kTables = 8LL * kRings * kSlots;
  const std::string cgroup = "/sys/fs/cgroup/vs-ring-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    const rlimit files = {kSlots, kSlots};
    if (setrlimit(RLIMIT_NOFILE, &files) != 0) {
      report(false, "guest: allow it 16384 files (control)", std::strerror(errno));
      return;
    }
    if (!enteredNewContext(kRingMemoryXid, "ring-memory")) return;
    const std::vector<iovec> noBuffers(kSlots, iovec{nullptr, 0});
    const std::vector<int> noFiles(kSlots, -1);
    std::vector<vs::UniqueFd> rings;
    int failure = 0;
    // The growth of memory.current as 64 more rings register kSlots
    // slots each with opcode, or 0 once one failed.
    const auto growthOfRings = [&](unsigned opcode, const void* slots) {
      const long long before = memoryCurrent(cgroup);
      for (size_t made = 0; made < kRings && failure == 0; made++) {
        io_uring_params params{};
        vs::UniqueFd ring(static_cast<int>(syscall(SYS_io_uring_setup, 1, &params)));
        if (ring && syscall(SYS_io_uring_register, ring.get(), opcode, slots, kSlots) == 0)
          rings.push_back(std::move(ring));
        else
          failure = errno;
      }
      return failure == 0 ? memoryCurrent(cgroup) - before : 0;
    };
    const long long fileGrowth = growthOfRings(IORING_REGISTER_FILES, noFiles.data());
    const long long bufferGrowth = growthOfRings(IORING_REGISTER_BUFFERS, noBuffers.data());
    report(failure == 0 && fileGrowth > kTables && bufferGrowth >= fileGrowth - kTables / 2,
           "guest: 64 io_urings with 16384 empty buffer slots each raise its memory.current as "
           "much as with as many file slots",
           (failure == 0 ? std::string("128 rings") : std::strerror(failure)) +
               ", memory.current grew by " + std::to_string(bufferGrowth) + " and by " +
               std::to_string(fileGrowth));
  });
}

// Submits the requests fill queues (a count, or -1) on a ring of 2048 in
// a guest's memory cgroup, where they wait on an empty pipe: whether they
// raise its memory.current by bytes.
void expectWaitingRequestsCharged(const std::string& what, long long bytes,
                                  const std::function<int(SubmissionRing&, int)>& fill) {
  const std::string cgroup = "/sys/fs/cgroup/vs-request-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kRequestMemoryXid, "request-memory")) return;
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) {
      report(false, "guest: a pipe (control)", std::strerror(errno));
      return;
    }
    const vs::UniqueFd readEnd(ends[0]), writeEnd(ends[1]);
    SubmissionRing ring(2048);
    const long long before = memoryCurrent(cgroup);
    const int queued = ring.valid() ? fill(ring, readEnd.get()) : -1;
    const int submitted = queued > 0 ? ring.submit() : -EINVAL;
    const long long grown = memoryCurrent(cgroup) - before;
    report(submitted == queued && showsCharges(grown, bytes),
           "guest: " + what + " raise its memory.current by " + std::to_string(bytes),
           std::to_string(submitted) + " submitted, memory.current grew by " +
               std::to_string(grown));
  });
}

// Queues on ring a read of one byte from an empty pipe, which waits, and
// a request linked behind it, which waits for it: that request, or nullptr
// when the ring is full.
io_uring_sqe* queueBehindWaitingRead(SubmissionRing& ring, int pipe, char* byte) {
  io_uring_sqe* const read = ring.next();
  io_uring_sqe* const linked = ring.next();
  if (read == nullptr || linked == nullptr) return nullptr;
  read->opcode = IORING_OP_READ;
  read->fd = pipe;
  read->addr = reinterpret_cast<uintptr_t>(byte);
  read->len = 1;
  read->flags = IOSQE_IO_LINK;
  return linked;
}

// What an io_uring request keeps while it waits is charged to the memory
// cgroup of the task that submits it (patches 0157 and 0158): the value
// of a setxattr linked behind a read that waits, copied when it is
// submitted, the iovec array a waiting readv imported, and the two names
// of a rename.  256 setxattrs, 256 readvs and 1024 renames raise its
// memory.current by their values' 15360000 bytes, their arrays' 4194304
// and their names' 8388608 (4 KiB each); uncharged, by the 256-byte
// requests and little more.
void checkWaitingRequestMemory() {
  constexpr int kRequests = 256, kValueBytes = 60000, kSegments = 1024, kRenames = 1024;
  const std::string value(kValueBytes, 'v');
  char byte = 0;
  expectWaitingRequestsCharged(
      "256 setxattr requests of 60000 bytes waiting behind reads",
      static_cast<long long>(kRequests) * kValueBytes, [&](SubmissionRing& ring, int pipe) {
        for (int i = 0; i < kRequests; i++) {
          io_uring_sqe* const set = queueBehindWaitingRead(ring, pipe, &byte);
          if (set == nullptr) return -1;
          // Never run: the value is copied when the request is prepared.
          set->opcode = IORING_OP_FSETXATTR;
          set->fd = pipe;
          set->addr = reinterpret_cast<uintptr_t>("user.vs-waiting");
          set->addr2 = reinterpret_cast<uintptr_t>(value.data());
          set->len = kValueBytes;
        }
        return 2 * kRequests;
      });
  const std::vector<iovec> segments(kSegments, iovec{&byte, 1});
  expectWaitingRequestsCharged(
      "256 waiting readv requests of 1024 segments",
      static_cast<long long>(kRequests) * kSegments * sizeof(iovec),
      [&](SubmissionRing& ring, int pipe) {
        for (int i = 0; i < kRequests; i++) {
          io_uring_sqe* const read = ring.next();
          if (read == nullptr) return -1;
          read->opcode = IORING_OP_READV;
          read->fd = pipe;
          read->addr = reinterpret_cast<uintptr_t>(segments.data());
          read->len = kSegments;
        }
        return kRequests;
      });
  expectWaitingRequestsCharged(
      "1024 rename requests waiting behind reads", 2LL * kRenames * 4096,
      [&](SubmissionRing& ring, int pipe) {
        for (int i = 0; i < kRenames; i++) {
          io_uring_sqe* const rename = queueBehindWaitingRead(ring, pipe, &byte);
          if (rename == nullptr) return -1;
          rename->opcode = IORING_OP_RENAMEAT;
          rename->fd = AT_FDCWD;
          rename->addr = reinterpret_cast<uintptr_t>("/tmp/vs-waiting-rename-from");
          rename->len = static_cast<uint32_t>(AT_FDCWD);
          rename->addr2 = reinterpret_cast<uintptr_t>("/tmp/vs-waiting-rename-to");
        }
        return 2 * kRenames;
      });
}

// The port a netlink socket is bound to, or 0.
uint32_t netlinkPortOf(int fd) {
  sockaddr_nl address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return address.nl_pid;
}

// Sends 16000-byte NETLINK_USERSOCK messages from sender to receiver,
// without waiting, until its queue is full: the bytes sent.
long long fillNetlinkQueue(int sender, int receiver) {
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_pid = netlinkPortOf(receiver);
  if (address.nl_pid == 0) return 0;
  const std::string message(16000, 'n');
  long long sent = 0;
  for (int i = 0; i < 1000; i++) {
    if (sendto(sender, message.data(), message.size(), MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&address), sizeof(address)) < 0)
      break;
    sent += static_cast<long long>(message.size());
  }
  return sent;
}

// What fill (the bytes it sent) makes four sockets of a guest, the
// current process, hold in their queues (SO_RCVBUF, 416 KiB at most) is
// charged to its memory cgroup: it raises memory.current by at least
// 1 MiB, and closing the sockets gives that back, but for what the CPUs'
// charge stocks keep.
void expectQueuesCharged(const std::string& what, const std::string& cgroup,
                         const std::vector<int>& sockets, const std::function<long long(int)>& fill) {
  constexpr long long kPerQueue = 256 * 1024;
  const long long least = kPerQueue * static_cast<long long>(sockets.size());
  const long long before = memoryCurrent(cgroup);
  long long sent = 0;
  for (const int fd : sockets) sent += fill(fd);
  // What loopback delivers comes in softirq, maybe after our send.
  long long grown = memoryCurrent(cgroup) - before;
  for (int i = 0; i < 40 && grown < least; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    grown = memoryCurrent(cgroup) - before;
  }
  report(sent >= least && grown >= least,
         "guest: " + what + " raise its memory.current by at least 1 MiB",
         std::to_string(sent) + " bytes sent, memory.current grew by " + std::to_string(grown));
  for (const int fd : sockets) close(fd);
  // The sockets, and their queues, are freed after an RCU grace period.
  long long kept = grown;
  for (int i = 0; i < 100 && kept >= kChargeStocks; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    kept = memoryCurrent(cgroup) - before;
  }
  report(kept < kChargeStocks, "guest: closing them gives back what " + what + " held",
         "memory.current still " + std::to_string(kept) + " above where it was");
}

// Four sockets made by make, a guest's, or none if one could not be.
std::vector<int> fourSockets(const std::string& what, const std::function<int()>& make) {
  std::vector<int> sockets;
  for (int i = 0; i < 4; i++) {
    const int fd = make();
    if (fd < 0) {
      report(false, "guest: " + what, std::strerror(errno));
      for (const int made : sockets) close(made);
      return {};
    }
    sockets.push_back(fd);
  }
  return sockets;
}

// A socket with a receive buffer as large as a guest may set.
int withLargeBuffer(int fd) {
  const int size = 1 << 20;
  if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Netlink's queues: four NETLINK_USERSOCK sockets another of the guest's
// sockets fills until they take no more.
void checkNetlinkQueueMemory() {
  const std::string cgroup = "/sys/fs/cgroup/vs-netlink-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kNetlinkMemoryXid, "netlink-memory")) return;
    const vs::UniqueFd sender(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK));
    const std::vector<int> receivers = fourSockets("NETLINK_USERSOCK sockets", [] {
      sockaddr_nl any{};
      any.nl_family = AF_NETLINK;
      const int fd = withLargeBuffer(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK));
      if (fd >= 0 && bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof(any)) != 0) {
        close(fd);
        return -1;
      }
      return fd;
    });
    if (!sender || receivers.empty()) return;
    expectQueuesCharged("four netlink sockets' full queues", cgroup, receivers,
                        [&](int receiver) { return fillNetlinkQueue(sender.get(), receiver); });
  });
}

// Sends count datagrams of size bytes (an ICMP echo request if icmp) on
// fd to 127.0.0.1:port, unconnected, so that the port unreachable errors
// a closed port answers fail none of the sends: the bytes sent.
long long sendDatagrams(int fd, size_t size, int count, bool icmp, uint16_t port = 0) {
  std::string datagram(size, 'q');
  if (icmp) {
    icmphdr echo{};
    echo.type = ICMP_ECHO;
    std::memcpy(datagram.data(), &echo, sizeof(echo));
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  long long sent = 0;
  for (int i = 0; i < count; i++)
    if (sendto(fd, datagram.data(), datagram.size(), MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&to), sizeof(to)) > 0)
      sent += static_cast<long long>(size);
  return sent;
}

// Queues their protocols do not account: the echo replies to a ping
// socket that is not read, and the error queue, here of a UDP socket
// asking for its sends' transmit timestamps, each a copy of the datagram.
void checkUnaccountedQueueMemory() {
  // A suite that ran before in the VM may have set it up, or not.
  expect("host: set lo up (control)", 0, setLinkUpErrno("lo", true));
  const FilesSetForNow ping(std::map<std::string, std::string>{
      {"/proc/sys/net/ipv4/ping_group_range", "0 0\n"}});
  const std::string pingCgroup = "/sys/fs/cgroup/vs-ping-memory";
  inCgroupOfItsOwn(pingCgroup, "memory", {}, [&] {
    if (!enteredNewContext(kPingQueueXid, "ping-queue")) return;
    const std::vector<int> sockets = fourSockets("ping sockets", [] {
      return withLargeBuffer(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP));
    });
    if (!sockets.empty())
      expectQueuesCharged("four ping sockets' unread replies", pingCgroup, sockets,
                          [](int fd) { return sendDatagrams(fd, 1000, 400, true); });
  });
  const std::string errorCgroup = "/sys/fs/cgroup/vs-error-queue-memory";
  inCgroupOfItsOwn(errorCgroup, "memory", {}, [&] {
    if (!enteredNewContext(kErrorQueueXid, "error-queue")) return;
    const std::vector<int> sockets = fourSockets("UDP sockets with transmit timestamps", [] {
      const int fd = withLargeBuffer(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      const int stamps = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
      if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &stamps, sizeof(stamps)) != 0) {
        close(fd);
        return -1;
      }
      return fd;
    });
    if (!sockets.empty())
      expectQueuesCharged("four UDP sockets' error queues of transmit timestamps", errorCgroup,
                          sockets,
                          [](int fd) { return sendDatagrams(fd, 16000, 40, false, 9); });
  });
}

// Registers count io_uring personalities on ring, each a credential of
// the real uid uidOf(i), made by setresuid() and kept: the number
// registered.
int registerPersonalities(int ring, int count, const std::function<uid_t(int)>& uidOf) {
  int registered = 0;
  for (int i = 0; i < count; i++) {
    if (setresuid(uidOf(i), 0, 0) != 0) break;
    const long id = syscall(SYS_io_uring_register, ring, IORING_REGISTER_PERSONALITY, nullptr, 0);
    if (setresuid(0, 0, 0) != 0 || id < 0) break;
    registered++;
  }
  return registered;
}

// memory.current of cgroup once what was freed after an RCU grace period
// (the credentials setresuid() replaced) is gone: when it stops falling.
long long settledMemory(const std::string& cgroup) {
  long long now = memoryCurrent(cgroup);
  for (int i = 0; i < 30; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long long later = memoryCurrent(cgroup);
    if (later > now - 64 * 1024) return later;
    now = later;
  }
  return now;
}

// A guest's uids have records of their own (user_struct, ucounts), which
// are charged to its memory cgroup: 8000 io_uring personalities, each a
// credential of another uid, raise its memory.current by 150 bytes a uid
// more than 8000 credentials of one uid do (some 260 to 600 on the test
// kernel; the CPUs' charge stocks blur it by some 528 KiB at most).
void checkUidRecordMemory() {
  constexpr int kUids = 8000;
  constexpr long long kPerUid = 150;
  const std::string cgroup = "/sys/fs/cgroup/vs-uid-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kUidRecordsXid, "uid-records")) return;
    io_uring_params params{};
    const vs::UniqueFd ring(static_cast<int>(syscall(SYS_io_uring_setup, 4, &params)));
    if (!ring) {
      report(false, "guest: an io_uring", std::strerror(errno));
      return;
    }
    const long long before = settledMemory(cgroup);
    const int one = registerPersonalities(ring.get(), kUids, [](int) { return 29999; });
    const long long between = settledMemory(cgroup);
    const int many = registerPersonalities(ring.get(), kUids, [](int i) { return 30000 + i; });
    const long long oneGrowth = between - before, manyGrowth = settledMemory(cgroup) - between;
    report(one == kUids && many == kUids && manyGrowth - oneGrowth >= kUids * kPerUid,
           "guest: 8000 credentials of as many uids raise its memory.current by at least 150 "
           "bytes a uid more than 8000 of one uid",
           std::to_string(one) + " and " + std::to_string(many) + " registered, grown by " +
               std::to_string(oneGrowth) + " and " + std::to_string(manyGrowth));
  });
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
    vs::ContextPolicy policy;
    policy.bcaps = VSERVER_BCAPS_DEFAULT | (1ULL << CAP_SYS_PTRACE);
    if (!enteredNewContext(kUserfaultfdXid, "userfaultfd", policy)) return;
    report(readsUndumpableChild(), "guest: holds CAP_SYS_PTRACE (reads an undumpable child's environ)",
           "it does not");
    expect("guest: a userfaultfd handling kernel-mode faults", EPERM,
           errnoOf(syscall(SYS_userfaultfd, O_CLOEXEC)));
    const int userOnly = static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
    report(userOnly >= 0, "guest: a userfaultfd handling user-mode faults only", std::strerror(errno));
  });
}

// Binds an AF_ALG socket to the hash name: 0 or the errno.
int bindHash(const std::string& name) {
  const int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  sockaddr_alg address{};
  address.salg_family = AF_ALG;
  std::strncpy(reinterpret_cast<char*>(address.salg_type), "hash", sizeof(address.salg_type) - 1);
  std::strncpy(reinterpret_cast<char*>(address.salg_name), name.c_str(),
               sizeof(address.salg_name) - 1);
  const int result = errnoOf(bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)));
  close(fd);
  return result;
}

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

}  // namespace

int probeObjects() {
  checkKeys();
  checkUpcalls();
  checkCoreDumpHelper();
  checkKeyMemory();
  checkInMemoryAttributeMemory();
  checkPollMemory();
  checkRingMemory();
  checkWaitingRequestMemory();
  checkNetlinkQueueMemory();
  checkUnaccountedQueueMemory();
  checkUidRecordMemory();
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
  return failures() ? 1 : 0;
}

}  // namespace probe
