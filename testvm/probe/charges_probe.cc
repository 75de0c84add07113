// vstest objects' memory charges: what a guest makes the kernel keep
// (keys, in-memory attributes, waiting poll() and io_uring requests, pty
// pairs, socket queues, what sockets keep to send or beside their queues:
// corked datagrams, packet rings and fanout tables, AF_ALG pages, flow
// labels; uid records) is charged to its memory cgroup, read from
// memory.current of a cgroup of its own.

#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/filter.h>
#include <linux/if_alg.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in6.h>
#include <linux/sockios.h>
#include <linux/keyctl.h>
#include <linux/net_tstamp.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "probe.h"
#include "submission_ring.h"
#include "unique_fd.h"

namespace probe {

namespace {

constexpr uint32_t kKeyMemoryXid = 4805;
constexpr uint32_t kNetlinkMemoryXid = 4806;
constexpr uint32_t kPingQueueXid = 4817;
constexpr uint32_t kErrorQueueXid = 4818;
constexpr uint32_t kUidRecordsXid = 4819;
constexpr uint32_t kAclMemoryXid = 4820;
constexpr uint32_t kXattrMemoryXid = 4821;
constexpr uint32_t kPollMemoryXid = 4822;
constexpr uint32_t kRingMemoryXid = 4823;
constexpr uint32_t kRequestMemoryXid = 4824;
constexpr uint32_t kPtyMemoryXid = 4825;
constexpr uint32_t kCorkMemoryXid = 4826;
constexpr uint32_t kPacketRingXid = 4827;
constexpr uint32_t kCipherMemoryXid = 4828;
constexpr uint32_t kCorkAfterTcpXid = 4829;
constexpr uint32_t kFlowLabelXid = 4830;
constexpr uint32_t kPacketQueueXid = 4832;
constexpr uint32_t kFilterMemoryXid = 4833;

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

// Reports what as passed if memory.current of cgroup comes back to
// before, within the CPUs' charge stocks, once closed sockets are gone,
// which may be an RCU grace period after the close.
void expectGivenBack(const std::string& what, const std::string& cgroup, long long before) {
  long long kept = memoryCurrent(cgroup) - before;
  for (int i = 0; i < 100 && kept >= kChargeStocks; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    kept = memoryCurrent(cgroup) - before;
  }
  report(kept < kChargeStocks, what,
         "memory.current still " + std::to_string(kept) + " above where it was");
}

// count sockets made by make, or none, reported as a failure of what, if
// one could not be.
std::vector<vs::UniqueFd> socketsMade(int count, const std::string& what,
                                      const std::function<int()>& make) {
  std::vector<vs::UniqueFd> sockets;
  for (int i = 0; i < count; i++) {
    const int fd = make();
    if (fd < 0) {
      report(false, what, std::strerror(errno));
      return {};
    }
    sockets.emplace_back(fd);
  }
  return sockets;
}

// Sets up each of a guest's sockets in turn (setUp: 0 or an errno), up to
// the first failure, and reports as what whether all were set up and the
// memory.current of cgroup grew by at least bytes, what they now keep:
// the memory.current before, for expectGivenBack().
long long expectSetUpCharged(const std::string& what, const std::string& cgroup, long long bytes,
                             const std::vector<vs::UniqueFd>& sockets,
                             const std::function<int(int fd, size_t i)>& setUp) {
  const long long before = memoryCurrent(cgroup);
  size_t done = 0;
  int error = 0;
  while (done < sockets.size() && (error = setUp(sockets[done].get(), done)) == 0) done++;
  const long long grown = memoryCurrent(cgroup) - before;
  report(error == 0 && showsCharges(grown, bytes), what,
         std::to_string(done) + " of " + std::to_string(sockets.size()) + " sockets set up (" +
             errnoName(error) + "), memory.current grew by " + std::to_string(grown));
  return before;
}

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
    if (!enteredNewContext(kXattrMemoryXid, "xattr-memory", policyWithCapability(CAP_SYS_ADMIN)))
      return;
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

// How a request waits: on its own read of an empty pipe, or linked
// behind a read of it that does.
enum class Waiting { kItself, kBehindRead };

// Queues count requests on ring, each made by prepare (given the pipe's
// read end) and waiting as waiting says: the requests queued, reads
// included, or -1 when the ring is full.
int queueWaiting(SubmissionRing& ring, int pipe, int count, Waiting waiting,
                 const std::function<void(io_uring_sqe&, int)>& prepare) {
  static char byte;  // outlives the ring, which cancels the reads when it closes
  int queued = 0;
  for (int i = 0; i < count; i++) {
    if (waiting == Waiting::kBehindRead) {
      io_uring_sqe* const read = ring.next();
      if (read == nullptr) return -1;
      read->opcode = IORING_OP_READ;
      read->fd = pipe;
      read->addr = reinterpret_cast<uintptr_t>(&byte);
      read->len = 1;
      read->flags = IOSQE_IO_LINK;
      queued++;
    }
    io_uring_sqe* const request = ring.next();
    if (request == nullptr) return -1;
    prepare(*request, pipe);
    queued++;
  }
  return queued;
}

// Submits count requests prepare makes, waiting as waiting says, on a
// ring of 2048 in a guest's memory cgroup: whether they raise its
// memory.current by bytes.
void expectWaitingRequestsCharged(const std::string& what, long long bytes, int count,
                                  Waiting waiting,
                                  const std::function<void(io_uring_sqe&, int)>& prepare) {
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
    const int queued = ring.valid() ? queueWaiting(ring, readEnd.get(), count, waiting, prepare) : -1;
    const int submitted = queued > 0 ? ring.submit() : -EINVAL;
    const long long grown = memoryCurrent(cgroup) - before;
    report(submitted == queued && showsCharges(grown, bytes),
           "guest: " + what + " raise its memory.current by " + std::to_string(bytes),
           std::to_string(submitted) + " submitted, memory.current grew by " +
               std::to_string(grown));
  });
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
  expectWaitingRequestsCharged(
      "256 setxattr requests of 60000 bytes waiting behind reads",
      static_cast<long long>(kRequests) * kValueBytes, kRequests, Waiting::kBehindRead,
      [&](io_uring_sqe& set, int pipe) {
        // Never run: the value is copied when the request is prepared.
        set.opcode = IORING_OP_FSETXATTR;
        set.fd = pipe;
        set.addr = reinterpret_cast<uintptr_t>("user.vs-waiting");
        set.addr2 = reinterpret_cast<uintptr_t>(value.data());
        set.len = kValueBytes;
      });
  char byte = 0;
  const std::vector<iovec> segments(kSegments, iovec{&byte, 1});
  expectWaitingRequestsCharged(
      "256 waiting readv requests of 1024 segments",
      static_cast<long long>(kRequests) * kSegments * sizeof(iovec), kRequests, Waiting::kItself,
      [&](io_uring_sqe& read, int pipe) {
        read.opcode = IORING_OP_READV;
        read.fd = pipe;
        read.addr = reinterpret_cast<uintptr_t>(segments.data());
        read.len = kSegments;
      });
  expectWaitingRequestsCharged(
      "1024 rename requests waiting behind reads", 2LL * kRenames * 4096, kRenames,
      Waiting::kBehindRead, [](io_uring_sqe& rename, int) {
        rename.opcode = IORING_OP_RENAMEAT;
        rename.fd = AT_FDCWD;
        rename.addr = reinterpret_cast<uintptr_t>("/tmp/vs-waiting-rename-from");
        rename.len = static_cast<uint32_t>(AT_FDCWD);
        rename.addr2 = reinterpret_cast<uintptr_t>("/tmp/vs-waiting-rename-to");
      });
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
                         std::vector<vs::UniqueFd> sockets,
                         const std::function<long long(int)>& fill) {
  constexpr long long kPerQueue = 256 * 1024;
  const long long least = kPerQueue * static_cast<long long>(sockets.size());
  const long long before = memoryCurrent(cgroup);
  long long sent = 0;
  for (const vs::UniqueFd& fd : sockets) sent += fill(fd.get());
  // What loopback delivers comes in softirq, maybe after our send; until
  // then it waits in a CPU's backlog, charged to the sender if at all.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  long long grown = memoryCurrent(cgroup) - before;
  for (int i = 0; i < 40 && grown < least; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    grown = memoryCurrent(cgroup) - before;
  }
  report(sent >= least && grown >= least,
         "guest: " + what + " raise its memory.current by at least " + std::to_string(least),
         std::to_string(sent) + " bytes sent, memory.current grew by " + std::to_string(grown));
  sockets.clear();
  expectGivenBack("guest: closing them gives back what " + what + " held", cgroup, before);
}

// A pty pair's line disciplines are charged to the memory cgroup of the
// task that opens it (patch 0159): 256 pairs, each with two n_tty_data
// of three pages (read and echo buffers of 4 KiB each, and more) raise
// its memory.current by at least their 6291456; uncharged, by their
// tty_structs and the like (3670016 on the debug test kernel).
void checkPtyMemory() {
  constexpr int kPairs = 256;
  constexpr long long kDisciplines = 2LL * kPairs * 3 * 4096;
  const std::string cgroup = "/sys/fs/cgroup/vs-pty-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kPtyMemoryXid, "pty-memory")) return;
    std::vector<vs::UniqueFd> primaries;
    int failure = 0;
    const long long before = memoryCurrent(cgroup);
    while (primaries.size() < kPairs && failure == 0) {
      vs::UniqueFd primary(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
      if (primary)
        primaries.push_back(std::move(primary));
      else
        failure = errno;
    }
    const long long grown = memoryCurrent(cgroup) - before;
    report(failure == 0 && showsCharges(grown, kDisciplines),
           "guest: 256 pty pairs raise its memory.current by their line disciplines' 6291456",
           (failure == 0 ? std::string("256 pairs") : std::strerror(failure)) +
               ", memory.current grew by " + std::to_string(grown));
  });
}

// A socket with a receive buffer of size bytes (the kernel bounds it by
// rmem_max, doubles it and raises it to its least): by default, as large
// as a guest may set.
int withReceiveBuffer(int fd, int size = 1 << 20) {
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
    std::vector<vs::UniqueFd> receivers =
        socketsMade(4, "guest: four NETLINK_USERSOCK sockets", [] {
          return withReceiveBuffer(netlinkSocket(NETLINK_USERSOCK).release());
        });
    if (!sender || receivers.empty()) return;
    expectQueuesCharged("four netlink sockets' full queues", cgroup, std::move(receivers),
                        [&](int receiver) { return fillNetlinkQueue(sender.get(), receiver); });
  });
}

// Sends count datagrams of size bytes (an ICMP echo request if icmp) on
// fd to 127.0.0.1:port, unconnected, so that the port unreachable errors
// a closed port answers fail none of the sends, with flags (MSG_MORE
// appends them to one corked datagram): the bytes sent.
long long sendDatagrams(int fd, size_t size, int count, bool icmp, uint16_t port = 0,
                        int flags = MSG_DONTWAIT) {
  std::string datagram(size, 'q');
  if (icmp) {
    icmphdr echo{};
    echo.type = ICMP_ECHO;
    std::memcpy(datagram.data(), &echo, sizeof(echo));
  }
  const sockaddr_in to = loopbackAddress(port);
  long long sent = 0;
  for (int i = 0; i < count; i++)
    if (sendto(fd, datagram.data(), datagram.size(), flags,
               reinterpret_cast<const sockaddr*>(&to), sizeof(to)) > 0)
      sent += static_cast<long long>(size);
  return sent;
}

// A SOCK_DGRAM packet socket on lo taking only ICMP echo replies (of an
// IPv4 header without options), with a large receive buffer: the socket
// or -1.
int echoReplyTap() {
  sock_filter program[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),  // the IP protocol
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 0, 3),
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),  // the ICMP type
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ICMP_ECHOREPLY, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  const sock_fprog filter{sizeof(program) / sizeof(program[0]), program};
  sockaddr_ll lo{};
  lo.sll_family = AF_PACKET;
  lo.sll_protocol = htons(ETH_P_IP);
  lo.sll_ifindex = static_cast<int>(if_nametoindex("lo"));
  vs::UniqueFd fd(withReceiveBuffer(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP))));
  if (!fd || setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof(filter)) != 0 ||
      bind(fd.get(), reinterpret_cast<const sockaddr*>(&lo), sizeof(lo)) != 0)
    return -1;
  return fd.release();
}

// A packet socket's receive queue is charged to the memory cgroup of a
// guest given CAP_NET_RAW (patch 0166): four packet sockets on lo taking
// the echo replies to the guest's pings, which are made in softirq and
// charged to no one, hold at least 1 MiB of them (0 uncharged).  The
// ping socket itself keeps next to none: its receive buffer is the
// smallest.  lo is up and the guest may ping: checkUnaccountedQueueMemory()
// sees to both.
void checkPacketQueueMemory() {
  const std::string cgroup = "/sys/fs/cgroup/vs-packet-queue-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kPacketQueueXid, "packet-queue-memory",
                           policyWithCapability(CAP_NET_RAW)))
      return;
    const vs::UniqueFd pinger(
        withReceiveBuffer(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP), 1));
    if (!pinger) {
      report(false, "guest with CAP_NET_RAW: a ping socket", std::strerror(errno));
      return;
    }
    std::vector<vs::UniqueFd> taps = socketsMade(
        4, "guest with CAP_NET_RAW: four packet sockets on lo taking echo replies", echoReplyTap);
    if (!taps.empty())
      expectQueuesCharged("four packet sockets' queues of echo replies", cgroup, std::move(taps),
                          [&](int) { return sendDatagrams(pinger.get(), 1000, 400, true); });
  });
}

// Queues their protocols do not account: the echo replies to a ping
// socket that is not read, the error queue, here of a UDP socket asking
// for its sends' transmit timestamps, each a copy of the datagram, and a
// packet socket's receive queue.
void checkUnaccountedQueueMemory() {
  // A suite that ran before in the VM may have set it up, or not.
  expect("host: set lo up (control)", 0, setLinkUpErrno("lo", true));
  const FilesSetForNow ping(std::map<std::string, std::string>{
      {"/proc/sys/net/ipv4/ping_group_range", "0 0\n"}});
  const std::string pingCgroup = "/sys/fs/cgroup/vs-ping-memory";
  inCgroupOfItsOwn(pingCgroup, "memory", {}, [&] {
    if (!enteredNewContext(kPingQueueXid, "ping-queue")) return;
    std::vector<vs::UniqueFd> sockets = socketsMade(4, "guest: four ping sockets", [] {
      return withReceiveBuffer(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP));
    });
    if (!sockets.empty())
      expectQueuesCharged("four ping sockets' unread replies", pingCgroup, std::move(sockets),
                          [](int fd) { return sendDatagrams(fd, 1000, 400, true); });
  });
  const std::string errorCgroup = "/sys/fs/cgroup/vs-error-queue-memory";
  inCgroupOfItsOwn(errorCgroup, "memory", {}, [&] {
    if (!enteredNewContext(kErrorQueueXid, "error-queue")) return;
    std::vector<vs::UniqueFd> sockets =
        socketsMade(4, "guest: four UDP sockets with transmit timestamps", [] {
      const int fd = withReceiveBuffer(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      const int stamps = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
      if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &stamps, sizeof(stamps)) != 0) {
        close(fd);
        return -1;
      }
      return fd;
    });
    if (!sockets.empty())
      expectQueuesCharged("four UDP sockets' error queues of transmit timestamps", errorCgroup,
                          std::move(sockets),
                          [](int fd) { return sendDatagrams(fd, 16000, 40, false, 9); });
  });
  checkPacketQueueMemory();
}

// A TCP connection of the current process with itself on 127.0.0.1, whose
// blocking calls give up after 5 s.
struct TcpLoop {
  vs::UniqueFd client, server;
};

std::optional<TcpLoop> tcpLoop() {
  uint16_t port = 0;
  const vs::UniqueFd listener(listenTcp(port));
  TcpLoop loop{vs::UniqueFd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), vs::UniqueFd(-1)};
  const sockaddr_in address = loopbackAddress(port);
  if (!listener || !loop.client ||
      connect(loop.client.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
    return std::nullopt;
  loop.server = vs::UniqueFd(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  const timeval timeout{5, 0};
  for (const vs::UniqueFd* end : {&loop.client, &loop.server})
    if (!*end || setsockopt(end->get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) != 0 ||
        setsockopt(end->get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0)
      return std::nullopt;
  return loop;
}

// Passes bytes through a TCP connection, reads them and waits (1 s at
// most) until they are acknowledged: TCP has copied them into the task's
// page fragment, freed its copies, and left there the page it allocated
// last, which only the fragment still holds.
bool passThrough(const TcpLoop& loop, size_t bytes) {
  const int quick = 1;
  const std::string data(bytes, 't');
  if (setsockopt(loop.server.get(), IPPROTO_TCP, TCP_QUICKACK, &quick, sizeof(quick)) != 0 ||
      send(loop.client.get(), data.data(), data.size(), 0) != static_cast<ssize_t>(bytes))
    return false;
  std::string received(bytes, '\0');
  for (size_t got = 0; got < bytes;) {
    const ssize_t n = recv(loop.server.get(), received.data() + got, bytes - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  int unacknowledged = 1;
  for (int i = 0; i < 1000 && unacknowledged > 0; i++) {
    if (ioctl(loop.client.get(), SIOCOUTQ, &unacknowledged) != 0) return false;
    if (unacknowledged > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return unacknowledged == 0;
}

// What a guest's datagram sockets keep to send is charged to the memory
// cgroup of the task that sends it (patch 0160): 128 UDP sockets, each
// holding 60000 bytes corked with MSG_MORE, raise its memory.current by
// at least their 7680000 (by 8650752 on the debug test kernel; by 524288
// uncharged).  Closing the sockets gives it back.  With tcp, each
// socket's appends follow 32769 bytes passed through a TCP connection:
// one more than a fragment page holds, so that TCP always leaves a page
// of its own, uncharged, in the task's fragment, which the appends would
// fill first but for patch 0163 (9494528 grown; 4612096 without 0163).
// lo is up: checkUnaccountedQueueMemory() set it.
void expectCorksCharged(uint32_t xid, const std::string& name, bool tcp) {
  constexpr int kSockets = 128;
  constexpr int kAppends = 60;
  constexpr size_t kAppend = 1000;
  constexpr size_t kTcpBytes = 32 * 1024 + 1;
  constexpr long long kCorkedBytes = static_cast<long long>(kSockets) * kAppends * kAppend;
  const std::string cgroup = "/sys/fs/cgroup/vs-" + name;
  const std::string what = "guest: 128 UDP sockets with 60000 bytes corked each" +
                           std::string(tcp ? " after TCP traffic" : "");
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(xid, name)) return;
    const std::optional<TcpLoop> loop = tcp ? tcpLoop() : std::nullopt;
    if (tcp && !loop) {
      report(false, "guest: a TCP connection with itself", std::strerror(errno));
      return;
    }
    std::vector<vs::UniqueFd> sockets = socketsMade(kSockets, "guest: 128 UDP sockets", [] {
      return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    });
    if (sockets.empty()) return;
    const long long before = memoryCurrent(cgroup);
    long long corked = 0;
    for (const vs::UniqueFd& fd : sockets) {
      if (loop && !passThrough(*loop, kTcpBytes)) {
        report(false, "guest: 32769 bytes through its TCP connection", std::strerror(errno));
        return;
      }
      corked += sendDatagrams(fd.get(), kAppend, kAppends, false, 9, MSG_MORE);
    }
    const int error = corked < kCorkedBytes ? errno : 0;
    const long long grown = memoryCurrent(cgroup) - before;
    report(corked == kCorkedBytes && showsCharges(grown, kCorkedBytes),
           what + " raise its memory.current by at least their 7680000",
           std::to_string(corked) + " bytes corked (" + errnoName(error) +
               "), memory.current grew by " + std::to_string(grown));
    sockets.clear();
    expectGivenBack(what + ": closing them gives back what their corks held", cgroup, before);
  });
}

void checkCorkedDatagramMemory() {
  expectCorksCharged(kCorkMemoryXid, "cork-memory", false);
  expectCorksCharged(kCorkAfterTcpXid, "cork-after-tcp-memory", true);
}

// A fanout group's table of members is charged as a packet socket's
// rings are (patch 0161): 16 groups of up to 65536 members each, one a
// socket, raise the guest's memory.current by at least their tables'
// 8388608 (16777216: each table, just over 512 KiB, is a 1 MiB
// allocation).  A socket joins a group only once it runs, bound to a
// protocol: one nobody sends (0x88b5, for local experiments), so that it
// receives nothing.  Group ids are the guest's own (patch 0167).
void checkPacketFanoutMemory(const std::string& cgroup) {
  constexpr int kGroups = 16;
  constexpr uint32_t kMembers = 65536;
  constexpr long long kTables =
      static_cast<long long>(kGroups) * kMembers * static_cast<long long>(sizeof(void*));
  const std::vector<vs::UniqueFd> sockets =
      socketsMade(kGroups, "guest with CAP_NET_RAW: 16 packet sockets",
                  [] { return socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x88b5)); });
  if (sockets.empty()) return;
  expectSetUpCharged(
      "guest with CAP_NET_RAW: 16 packet fanout groups of 65536 members raise its "
      "memory.current by at least their tables' 8388608",
      cgroup, kTables, sockets, [](int fd, size_t i) {
        fanout_args group{};
        group.id = static_cast<uint16_t>(kPacketRingXid + i);
        group.type_flags = PACKET_FANOUT_HASH;
        group.max_num_members = kMembers;
        return errnoOf(setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &group, sizeof(group)));
      });
}

// A packet socket's rings are charged to the memory cgroup of the task
// that sets them up, for a guest given CAP_NET_RAW (patch 0161): four
// receive rings of 8 MiB raise its memory.current by at least their
// 33554432 (by 0 uncharged).  Closing the sockets gives it back.  The
// fanout tables are checked in the same guest.
void checkPacketRingMemory() {
  constexpr int kRings = 4;
  constexpr unsigned kBlockSize = 1 << 20, kBlocks = 8, kFrameSize = 2048;
  constexpr long long kRingBytes = static_cast<long long>(kRings) * kBlocks * kBlockSize;
  const std::string cgroup = "/sys/fs/cgroup/vs-packet-ring-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kPacketRingXid, "packet-ring-memory", policyWithCapability(CAP_NET_RAW)))
      return;
    // Protocol 0: a socket receives nothing until it binds one.
    std::vector<vs::UniqueFd> sockets =
        socketsMade(kRings, "guest with CAP_NET_RAW: four packet sockets",
                    [] { return socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); });
    if (sockets.empty()) return;
    const long long before = expectSetUpCharged(
        "guest with CAP_NET_RAW: four packet sockets' 8 MiB receive rings raise its "
        "memory.current by at least their 33554432",
        cgroup, kRingBytes, sockets, [](int fd, size_t) {
          tpacket_req ring{kBlockSize, kBlocks, kFrameSize, kBlocks * (kBlockSize / kFrameSize)};
          return errnoOf(setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &ring, sizeof(ring)));
        });
    sockets.clear();
    expectGivenBack("guest with CAP_NET_RAW: closing them gives back their rings", cgroup, before);
    checkPacketFanoutMemory(cgroup);
  });
}

// Sends data to an AF_ALG skcipher operation socket as the start of an
// encryption (MSG_MORE: it keeps it until read): the bytes it took, or
// -1 and errno.
ssize_t sendToEncrypt(int operation, const std::string& data) {
  return sendWithControlInt(operation, data.data(), data.size(), MSG_MORE | MSG_DONTWAIT, SOL_ALG,
                            ALG_SET_OP, ALG_OP_ENCRYPT);
}

// What a guest's AF_ALG operation sockets keep to be read is charged to
// its memory cgroup (patch 0162): 32 skcipher sockets of the null
// cipher, each sent 212992 bytes (net.core.wmem_default, their
// SO_SNDBUF, all of it whole pages) with MSG_MORE, raise its
// memory.current by at least their 6815744 (7077888 on the debug test
// kernel; 0 uncharged).  Closing them gives it back.
void checkCipherSocketMemory() {
  constexpr int kSockets = 32;
  constexpr size_t kHeldEach = 212992;
  constexpr long long kHeld = static_cast<long long>(kSockets) * kHeldEach;
  const std::string cgroup = "/sys/fs/cgroup/vs-alg-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kCipherMemoryXid, "alg-memory")) return;
    const vs::UniqueFd cipher = algSocket("skcipher", "ecb(cipher_null)");
    if (!cipher) {
      report(false, "guest: an AF_ALG socket of ecb(cipher_null)", std::strerror(errno));
      return;
    }
    std::vector<vs::UniqueFd> operations =
        socketsMade(kSockets, "guest: 32 AF_ALG operation sockets",
                    [&] { return accept4(cipher.get(), nullptr, nullptr, SOCK_CLOEXEC); });
    if (operations.empty()) return;
    const std::string data(kHeldEach, 'a');
    const long long before = memoryCurrent(cgroup);
    long long held = 0;
    int error = 0;
    for (const vs::UniqueFd& operation : operations) {
      const ssize_t sent = sendToEncrypt(operation.get(), data);
      if (sent < 0 && error == 0) error = errno;
      held += sent < 0 ? 0 : sent;
    }
    const long long grown = memoryCurrent(cgroup) - before;
    report(held == kHeld && showsCharges(grown, kHeld),
           "guest: 32 AF_ALG skcipher sockets keeping 212992 bytes each raise its "
           "memory.current by at least their 6815744",
           std::to_string(held) + " bytes kept (" + errnoName(error) +
               "), memory.current grew by " + std::to_string(grown));
    operations.clear();
    expectGivenBack("guest: closing them gives back what they kept", cgroup, before);
  });
}

// Asks for a new exclusive flow label for ::1 on an IPv6 socket, keeping
// options: a hop-by-hop header (which CAP_NET_RAW may set) and a control
// message of another level, which the label keeps whole: 0 or an errno.
int newFlowLabelErrno(int fd, size_t filler) {
  const size_t request = CMSG_ALIGN(sizeof(in6_flowlabel_req));
  std::vector<char> buffer(request + CMSG_SPACE(8) + CMSG_SPACE(filler));
  in6_flowlabel_req label{};
  label.flr_dst = in6addr_loopback;
  label.flr_action = IPV6_FL_A_GET;
  label.flr_share = IPV6_FL_S_EXCL;
  label.flr_flags = IPV6_FL_F_CREATE;
  std::memcpy(buffer.data(), &label, sizeof(label));
  cmsghdr hop{};
  hop.cmsg_len = CMSG_LEN(8);
  hop.cmsg_level = SOL_IPV6;
  hop.cmsg_type = IPV6_HOPOPTS;
  std::memcpy(buffer.data() + request, &hop, sizeof(hop));
  // Next header, length 0 (8 bytes), a PadN option of 4 bytes.
  const unsigned char header[8] = {0, 0, 1, 4, 0, 0, 0, 0};
  std::memcpy(buffer.data() + request + CMSG_LEN(0), header, sizeof(header));
  cmsghdr other{};
  other.cmsg_len = CMSG_LEN(filler);
  other.cmsg_level = SOL_IP;
  std::memcpy(buffer.data() + request + CMSG_SPACE(8), &other, sizeof(other));
  return setsockopt(fd, SOL_IPV6, IPV6_FLOWLABEL_MGR, buffer.data(),
                    static_cast<socklen_t>(buffer.size())) == 0
             ? 0
             : errno;
}

// A flow label and the options it keeps are charged to the memory cgroup
// of the task that makes it (patch 0164): 64 labels of a guest given
// CAP_NET_RAW (for the hop-by-hop header), 32 on each of two sockets
// (a socket holds 32 at most), each keeping 60000 bytes of options, raise
// its memory.current by at least their 3840000 (4456448 on the debug
// test kernel, each a 64 KiB allocation; 0 uncharged).
void checkFlowLabelMemory() {
  constexpr int kSockets = 2, kLabelsEach = 32;
  constexpr size_t kFiller = 60000;
  constexpr long long kKept = static_cast<long long>(kSockets) * kLabelsEach * kFiller;
  const std::string cgroup = "/sys/fs/cgroup/vs-flow-label-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kFlowLabelXid, "flow-label-memory", policyWithCapability(CAP_NET_RAW)))
      return;
    const std::vector<vs::UniqueFd> sockets =
        socketsMade(kSockets, "guest with CAP_NET_RAW: two IPv6 UDP sockets",
                    [] { return socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    if (sockets.empty()) return;
    expectSetUpCharged(
        "guest with CAP_NET_RAW: 64 IPv6 flow labels keeping 60000 bytes of options each "
        "raise its memory.current by at least their 3840000",
        cgroup, kKept, sockets, [](int fd, size_t) {
          int error = 0;
          for (int i = 0; i < kLabelsEach && error == 0; i++)
            error = newFlowLabelErrno(fd, kFiller);
          return error;
        });
  });
}

// A socket filter is kept twice, as the program the kernel runs and as
// the original SO_GET_FILTER reads back, and both are charged to the
// memory cgroup of the task that attaches it (the original by patch
// 0168): 128 UDP sockets of a guest, each given a classic program of
// 2400 instructions (19200 bytes, which becomes an eBPF program about as
// large, near the socket's optmem_max), raise its memory.current by at
// least their two copies' 4915200 (by the programs' alone uncharged).
void checkSocketFilterMemory() {
  constexpr int kSockets = 128;
  constexpr size_t kInstructions = 2400;
  constexpr long long kKept =
      2LL * kSockets * static_cast<long long>(kInstructions * sizeof(sock_filter));
  const sock_filter addOne = BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1);
  std::vector<sock_filter> program(kInstructions - 1, addOne);
  program.push_back(BPF_STMT(BPF_RET | BPF_K, 0xffff));
  const sock_fprog filter{static_cast<unsigned short>(program.size()), program.data()};
  const std::string cgroup = "/sys/fs/cgroup/vs-filter-memory";
  inCgroupOfItsOwn(cgroup, "memory", {}, [&] {
    if (!enteredNewContext(kFilterMemoryXid, "filter-memory")) return;
    const std::vector<vs::UniqueFd> sockets =
        socketsMade(kSockets, "guest: 128 UDP sockets",
                    [] { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    if (sockets.empty()) return;
    expectSetUpCharged(
        "guest: 128 socket filters of 2400 instructions raise its memory.current by at least "
        "their two copies' 4915200",
        cgroup, kKept, sockets, [&](int fd, size_t) {
          return errnoOf(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof(filter)));
        });
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

}  // namespace

void checkMemoryCharges() {
  checkKeyMemory();
  checkInMemoryAttributeMemory();
  checkPollMemory();
  checkRingMemory();
  checkWaitingRequestMemory();
  checkPtyMemory();
  checkNetlinkQueueMemory();
  checkUnaccountedQueueMemory();
  checkCorkedDatagramMemory();
  checkPacketRingMemory();
  checkCipherSocketMemory();
  checkFlowLabelMemory();
  checkSocketFilterMemory();
  checkUidRecordMemory();
}

}  // namespace probe
