// vstest limits: each counted limit (open files, sockets, System V
// semaphore sets, the semaphores in them, message queues and file locks)
// refuses the request one past it with the errno a program expects, counts
// a hit, and gives back what is freed: no drift after 10 000 opens across
// fork and exit, and a context created again under the same xid counts
// from zero.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/vserver.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "genl_socket.h"
#include "probe.h"
#include "vserver_client.h"

namespace probe {

namespace {

// Context ids the probe uses; the suites leave them free.
constexpr uint32_t kLimitedXid = 4545;
constexpr uint32_t kUnlimitedXid = 4546;
constexpr uint32_t kSemaphoresXid = 4547;
constexpr uint32_t kConnectionsXid = 4548;
constexpr uint32_t kUserCountsXid = 4549;
constexpr uint32_t kOverlayXid = 4550;
constexpr uint32_t kAcceptXid = 4551;
// kAcceptXid's socket limit: the bound AF_ALG socket and two accepted.
constexpr uint64_t kAlgSockets = 3;

constexpr uint64_t kFiles = 8;
constexpr uint64_t kSockets = 4;
constexpr uint64_t kSemaphoreSets = 2;
constexpr uint64_t kMessageQueues = 2;
constexpr uint64_t kLocks = 3;
// The one file kLimitedXid locks: its open files are few.
constexpr char kLockFile[] = "/tmp/vs-limits-locks";
// kSemaphoresXid's limit (nsems), taken in sets of kSetSize.
constexpr uint64_t kSemaphores = 10;
constexpr int kSetSize = 4;
// kConnectionsXid's socket limit, and the unix listener it binds.
constexpr uint64_t kListenerSockets = 4;
constexpr char kUnixListener[] = "/tmp/vs-limits-listener";
// The kernel's per-user limits as the probe sets them: inotify instances
// per user (a sysctl), and the RLIMIT_SIGPENDING and RLIMIT_NPROC of the
// processes that count; kCountedUid is a uid no one else uses.
constexpr int kInotifyInstances = 8;
constexpr uint64_t kInotifyWatches = 8;
constexpr rlim_t kSignals = 4;
constexpr rlim_t kProcesses = 3;
constexpr uid_t kCountedUid = 4550;
constexpr char kMaxInotifyInstances[] = "/proc/sys/fs/inotify/max_user_instances";
constexpr char kMaxInotifyWatches[] = "/proc/sys/fs/inotify/max_user_watches";
// The kernel's per-user limits kept in struct user_struct and struct
// key_user, as the probe sets them: epoll watches, the pipe pages past
// which a user's new pipes get two pages (two default pipes of 16), and
// the keys of every user but the host's root.
constexpr uint64_t kEpollWatches = 8;
constexpr int kPipePagesSoft = 32;
constexpr long long kKeys = 5;
constexpr char kMaxEpollWatches[] = "/proc/sys/fs/epoll/max_user_watches";
constexpr char kMaxPipePagesSoft[] = "/proc/sys/fs/pipe-user-pages-soft";
constexpr char kMaxKeys[] = "/proc/sys/kernel/keys/maxkeys";

// One line of /proc/virtual/<xid>/limit.
struct Row {
  long long current = -2, held = -2, soft = -2, hard = -2, hits = -2;
};

// Creates xid, persistent so that its account outlives the probe's child,
// with the given hard limits, and moves the caller in.  Raw netlink: what
// the kernel takes is under test, not the tools' encoding of it.
int enterLimited(uint32_t xid, const std::map<uint16_t, uint64_t>& limits) {
  try {
    vs::GenlSocket socket;
    const vs::GenlFamily family = socket.resolveFamily(VSERVER_GENL_NAME);
    vs::GenlRequest request(family.id, VSERVER_CMD_CTX_CREATE, VSERVER_GENL_VERSION, 0);
    request.putU32(VSERVER_A_XID, xid);
    request.putU64(VSERVER_A_FLAGS, VSERVER_CF_PERSISTENT);
    const size_t all = request.beginNest(VSERVER_A_LIMITS);
    for (const auto& [resource, hard] : limits) {
      const size_t one = request.beginNest(resource);
      request.putU64(VSERVER_A_LIMIT_HARD, hard);
      request.endNest(one);
    }
    request.endNest(all);
    socket.transact(request, [](const nlmsghdr*) {});
    return 0;
  } catch (const vs::Error& e) {
    std::printf("# create context %u: %s\n", xid, e.what());
    return e.errnum() ? e.errnum() : EINVAL;
  }
}

void endPersistent(uint32_t xid) {
  vs::PolicyChange change;
  change.flags.mask = VSERVER_CF_PERSISTENT;
  vs::VserverClient().setPolicy(xid, change);
}

std::map<std::string, Row> readLimits(uint32_t xid) {
  std::map<std::string, Row> rows;
  std::istringstream lines(readFile("/proc/virtual/" + std::to_string(xid) + "/limit"));
  std::string line;
  while (std::getline(lines, line)) {
    std::string name;
    Row row;
    char slash = 0;
    std::istringstream fields(line);
    if (fields >> name >> row.current >> row.held >> row.soft >> slash >> row.hard >> row.hits &&
        slash == '/' && name.ends_with(':'))
      rows[name.substr(0, name.size() - 1)] = row;
  }
  return rows;
}

std::string describe(const Row& row) {
  return "current " + std::to_string(row.current) + ", held " + std::to_string(row.held) +
         ", hard " + std::to_string(row.hard) + ", hits " + std::to_string(row.hits);
}

// Row name of /proc/virtual/<xid>/limit; all -2 when it has none.
Row rowOf(uint32_t xid, const std::string& name) {
  const auto rows = readLimits(xid);
  const auto found = rows.find(name);
  return found == rows.end() ? Row{} : found->second;
}

// The row once its current use is current (waiting up to 10 s: a closed
// TCP connection goes once its peer has answered), or as last read.
Row rowOnceAt(uint32_t xid, const std::string& name, long long current) {
  Row row;
  for (int tries = 0; tries < 100; tries++) {
    row = rowOf(xid, name);
    if (row.current == current) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return row;
}

// Takes objects with take() (a new descriptor or id, or -1 and errno) until
// one is refused; returns how many it took and the refusal's errno, and
// gives them back with release().
template <typename Take, typename Release>
std::pair<uint64_t, int> takeUntilRefused(Take take, Release release, uint64_t most) {
  std::vector<int> taken;
  int refusal = 0;
  while (taken.size() <= most) {
    const int id = take();
    if (id < 0) {
      refusal = errno;
      break;
    }
    taken.push_back(id);
  }
  for (const int id : taken) release(id);
  return {taken.size(), refusal};
}

// At the limit of what take() makes: 100 rounds of releasing one and
// making another at once.  The rounds done before the first refusal.
template <typename Take, typename Release>
int roundsAtTheLimit(Take take, Release release, uint64_t limit) {
  std::vector<int> held;
  while (held.size() < limit) {
    const int id = take();
    if (id < 0) break;
    held.push_back(id);
  }
  int rounds = 0;
  while (held.size() == limit && rounds < 100) {
    release(held.back());
    held.pop_back();
    const int id = take();
    if (id < 0) break;
    held.push_back(id);
    rounds++;
  }
  if (rounds < 100)
    std::printf("# %zu of %llu held, then %s\n", held.size(),
                static_cast<unsigned long long>(limit), errnoName(errno));
  for (const int id : held) release(id);
  return rounds;
}

// What the kernel frees a grace period after it is removed (a System V
// set or queue, a bound UDP socket) gives its count back at removal
// (patch 0117): at the limit, one removed makes room at once.
void expectRoomAtOnce(const std::string& what, int rounds) {
  report(rounds == 100, what + ": at the limit, removing one makes room at once, 100 times",
         std::to_string(rounds) + " rounds, then a refusal");
}

// A UDP socket bound to a port, which lookups find under RCU; -1 and errno
// if it cannot be made.
int boundUdpSocket() {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

void expectRefusal(const std::string& what, uint64_t limit, int errnum,
                   std::pair<uint64_t, int> outcome) {
  report(outcome.first == limit && outcome.second == errnum,
         what + ": " + std::to_string(limit) + " taken, the next one -> " + errnoName(errnum),
         std::to_string(outcome.first) + " taken, then " + errnoName(outcome.second));
}

// What another lock owner, a forked child, finds on byte at of fd's file:
// F_WRLCK while the caller holds it, F_UNLCK once it is free, 255 when the
// child could not tell.
int lockSeenByAnother(int fd, off_t at) {
  return isolated([&] {
    struct flock lock = byteRange(F_WRLCK, at, 1);
    return fcntl(fd, F_GETLK, &lock) == 0 ? lock.l_type : 255;
  });
}

std::string lockTypeName(int type) {
  return type == F_WRLCK ? "locked" : type == F_UNLCK ? "free" : "no answer";
}

// Inside kLimitedXid, limited to kLocks file locks, on one file: POSIX,
// OFD and flock locks each count, a POSIX lock split in two by an unlock
// needs room for its second part, ranges that merge count once, and a
// process's exit and the file's close give the locks back.
void exhaustLocks() {
  const int fd = open(kLockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  // flock and OFD locks belong to an open file description: a second one
  // of the same file.
  const int other = fd < 0 ? -1 : open(kLockFile, O_RDWR | O_CLOEXEC);
  if (other < 0) {
    report(false, std::string("open ") + kLockFile + " twice", errnoName(errno));
    if (fd >= 0) close(fd);
    return;
  }
  const auto held = [] { return rowOf(kLimitedXid, "LOCKS"); };

  // A byte apart, so that no two merge.
  off_t next = 0;
  expectRefusal("POSIX locks", kLocks, ENOLCK, takeUntilRefused(
      [&] {
        const off_t at = next;
        next += 2;
        return lockBytes(fd, F_SETLK, F_WRLCK, at, 1) == 0 ? static_cast<int>(at) : -1;
      },
      [&](int at) { lockBytes(fd, F_SETLK, F_UNLCK, at, 1); }, kLocks));

  // Unlocking the middle of bytes 0-9 leaves two locks: at the limit the
  // second does not fit, and the lock stays whole.
  lockBytes(fd, F_SETLK, F_WRLCK, 0, 10);
  lockBytes(fd, F_SETLK, F_WRLCK, 20, 1);
  lockBytes(fd, F_SETLK, F_WRLCK, 22, 1);
  const Row three = held();
  report(three.current == 3, "LOCKS: bytes 0-9, 20 and 22 are 3 locks", describe(three));
  expect("unlock byte 5 of bytes 0-9 with 3 locks held (a split)", ENOLCK,
         errnoOf(lockBytes(fd, F_SETLK, F_UNLCK, 5, 1)));
  const int kept = lockSeenByAnother(fd, 5);
  const Row whole = held();
  report(kept == F_WRLCK && whole.current == 3 && whole.hits == 2,
         "the refused unlock leaves byte 5 locked for another process, 3 locks, 2 hits",
         "byte 5 " + lockTypeName(kept) + ", " + describe(whole));
  lockBytes(fd, F_SETLK, F_UNLCK, 22, 1);
  expect("the same split with 2 locks held", 0, errnoOf(lockBytes(fd, F_SETLK, F_UNLCK, 5, 1)));
  const int freed = lockSeenByAnother(fd, 5);
  const Row split = held();
  report(freed == F_UNLCK && split.current == 3,
         "byte 5 is free, bytes 0-4, 6-9 and 20 are 3 locks",
         "byte 5 " + lockTypeName(freed) + ", " + describe(split));
  lockBytes(fd, F_SETLK, F_UNLCK, 0, 0);  // the whole file

  // Adjacent ranges of one owner and type are one lock.
  int refused = 0;
  for (const off_t at : {0, 1, 2})
    if (lockBytes(fd, F_SETLK, F_WRLCK, at, 1) != 0) refused++;
  const Row merged = held();
  report(refused == 0 && merged.current == 1, "bytes 0, 1 and 2 locked one by one merge: 1 lock",
         std::to_string(refused) + " refused, " + describe(merged));

  // A child is another owner: its locks on the same open file go when it
  // exits, though the file stays open here.
  const int child = isolated([&] {
    const bool took =
        lockBytes(fd, F_SETLK, F_WRLCK, 10, 1) == 0 && lockBytes(fd, F_SETLK, F_WRLCK, 12, 1) == 0;
    return took && held().current == 3 ? 0 : 1;
  });
  const Row afterChild = held();
  report(child == 0 && afterChild.current == 1,
         "a child's 2 locks (3 held) are given back when it exits holding them: 1 held",
         (child == 0 ? "the child held 3, then " : "the child did not hold 3, then ") +
             describe(afterChild));

  // OFD and flock locks count as POSIX ones do.
  expect("an OFD lock (2 of 3)", 0, errnoOf(lockBytes(fd, F_OFD_SETLK, F_WRLCK, 10, 1)));
  expect("a POSIX lock of byte 20 (3 of 3)", 0, errnoOf(lockBytes(fd, F_SETLK, F_WRLCK, 20, 1)));
  expect("flock at the limit", ENOLCK, errnoOf(flock(other, LOCK_EX | LOCK_NB)));
  expect("an OFD lock at the limit", ENOLCK, errnoOf(lockBytes(fd, F_OFD_SETLK, F_WRLCK, 12, 1)));
  lockBytes(fd, F_SETLK, F_UNLCK, 20, 1);
  expect("flock with room for one (3 of 3)", 0, errnoOf(flock(other, LOCK_EX | LOCK_NB)));
  const Row kinds = held();
  report(kinds.current == 3, "LOCKS: the merged POSIX lock, the OFD lock and the flock lock are 3",
         describe(kinds));

  // A flock lock converted at the limit is one lock held still.
  expect("flock LOCK_EX to LOCK_SH at the limit (a conversion)", 0,
         errnoOf(flock(other, LOCK_SH | LOCK_NB)));
  const Row converted = held();
  report(converted.current == 3, "LOCKS: still 3 after the conversion", describe(converted));
  // In a child: closing any descriptor of the file drops its closer's
  // POSIX locks.
  expect("the converted lock is held: another open file's LOCK_EX", EWOULDBLOCK, isolated([] {
           return errnoOf(flock(open(kLockFile, O_RDWR | O_CLOEXEC), LOCK_EX | LOCK_NB));
         }));

  // Closing the file gives back every kind.
  close(fd);
  close(other);
  const Row closed = held();
  report(closed.current == 0, "after the file is closed no lock is held", describe(closed));
  unlink(kLockFile);
}

// Inside kLimitedXid: each resource up to its limit, and one past it.
void exhaustEach() {
  if (enterLimited(kLimitedXid, {{VSERVER_LIMIT_NOFILE, kFiles},
                                 {VSERVER_LIMIT_NSOCK, kSockets},
                                 {VSERVER_LIMIT_SEMARY, kSemaphoreSets},
                                 {VSERVER_LIMIT_MSGQUEUE, kMessageQueues},
                                 {VSERVER_LIMIT_LOCKS, kLocks}}) != 0) {
    report(false, "create the limited context", "refused");
    return;
  }
  const auto closeFd = [](int fd) { close(fd); };
  expectRefusal("open files", kFiles, EMFILE, takeUntilRefused(
      [] { return open("/dev/null", O_RDONLY | O_CLOEXEC); }, closeFd, kFiles));
  expectRefusal("sockets", kSockets, ENOBUFS, takeUntilRefused(
      [] { return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); }, closeFd, kSockets));

  // One socket short of the limit, a pair does not fit: neither is made.
  std::vector<int> held;
  for (uint64_t i = 0; i + 1 < kSockets; i++) held.push_back(socket(AF_UNIX, SOCK_DGRAM, 0));
  int pair[2];
  expect("socketpair with room for one socket", ENOBUFS,
         errnoOf(socketpair(AF_UNIX, SOCK_STREAM, 0, pair)));
  held.push_back(socket(AF_UNIX, SOCK_DGRAM, 0));
  report(held.back() >= 0, "the socket the failed pair did not keep can be made",
         "refused: the pair's first socket stayed charged");
  for (const int fd : held) close(fd);

  const auto newSet = [] { return semget(IPC_PRIVATE, 1, IPC_CREAT | 0600); };
  const auto removeSet = [](int id) { semctl(id, 0, IPC_RMID); };
  const auto newQueue = [] { return msgget(IPC_PRIVATE, IPC_CREAT | 0600); };
  const auto removeQueue = [](int id) { msgctl(id, IPC_RMID, nullptr); };
  expectRefusal("semaphore sets", kSemaphoreSets, ENOSPC,
                takeUntilRefused(newSet, removeSet, kSemaphoreSets));
  expectRefusal("message queues", kMessageQueues, ENOSPC,
                takeUntilRefused(newQueue, removeQueue, kMessageQueues));
  expectRoomAtOnce("semaphore sets", roundsAtTheLimit(newSet, removeSet, kSemaphoreSets));
  expectRoomAtOnce("message queues", roundsAtTheLimit(newQueue, removeQueue, kMessageQueues));
  expectRoomAtOnce("bound UDP sockets", roundsAtTheLimit(boundUdpSocket, closeFd, kSockets));
  exhaustLocks();
}

sockaddr_un unixListenerAddress() {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", kUnixListener);
  return address;
}

// A unix listener on kUnixListener; -1 if it could not be made.
int listenUnix() {
  unlink(kUnixListener);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_un address = unixListenerAddress();
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 8) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// Starts a nonblocking connect to 127.0.0.1:port: 0 or the errno.
int startConnect(int fd, uint16_t port) {
  const sockaddr_in address = loopbackAddress(port);
  const int result = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  return result == 0 || errno == EINPROGRESS ? 0 : errno;
}

int connectUnix(int fd) {
  const sockaddr_un address = unixListenerAddress();
  return errnoOf(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address));
}

// A connection from listener's queue, waiting up to wait_ms for one; -1
// and errno if none came.
int acceptWithin(int listener, int wait_ms) {
  pollfd ready{listener, POLLIN, 0};
  if (poll(&ready, 1, wait_ms) != 1) {
    errno = EAGAIN;
    return -1;
  }
  return accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

// The row once its hits are at least hits (a SYN is handled in softirq),
// waiting up to 5 s, or as last read.
Row rowOnceHit(uint32_t xid, const std::string& name, long long hits) {
  Row row;
  for (int tries = 0; tries < 50; tries++) {
    row = rowOf(xid, name);
    if (row.hits >= hits) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return row;
}

// Inside kConnectionsXid, limited to kListenerSockets sockets: the
// connections its listeners take are its sockets, whoever made the other
// end.  The clients are made by the host, before the child enters, so
// that they are charged to no one.
void fillWithConnections() {
  expect("host: set lo up", 0, setLinkUpErrno("lo", true));
  int tcpClients[3], unixClients[2];
  for (int& fd : tcpClients) fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  for (int& fd : unixClients) fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (enterLimited(kConnectionsXid, {{VSERVER_LIMIT_NSOCK, kListenerSockets}}) != 0) {
    report(false, "create the context limited on sockets", "refused");
    return;
  }
  const auto sockets = [] { return rowOf(kConnectionsXid, "SOCK"); };
  uint16_t port = 0;
  const int tcpListener = listenTcp(port);
  report(tcpListener >= 0, "a TCP listener on 127.0.0.1", errnoName(errno));
  const int first = startConnect(tcpClients[0], port) == 0 ? acceptWithin(tcpListener, 5000) : -1;
  const int second = startConnect(tcpClients[1], port) == 0 ? acceptWithin(tcpListener, 5000) : -1;
  const Row accepted = sockets();
  report(tcpListener >= 0 && first >= 0 && second >= 0 && accepted.current == 3,
         "SOCK: a TCP listener and the 2 connections it accepted from the host are 3",
         std::string(first < 0 || second < 0 ? "a connection failed, " : "") + describe(accepted));

  const int unixListener = listenUnix();
  report(unixListener >= 0, "a unix listener, the 4th of 4 sockets",
         std::string("refused: ") + errnoName(errno));
  expect("a host's unix connect to the listener at its limit", ENOBUFS,
         connectUnix(unixClients[0]));
  expect("the host starts a TCP connect at the limit", 0, startConnect(tcpClients[2], port));
  const Row turnedAway = rowOnceHit(kConnectionsXid, "SOCK", 2);
  const int third = acceptWithin(tcpListener, 500);
  report(third < 0 && turnedAway.current == 4 && turnedAway.hits >= 2,
         "its SYN is dropped: no connection to accept, 4 held, at least 2 hits",
         (third >= 0 ? "a connection came, " : "") + describe(turnedAway));
  if (third >= 0) close(third);
  close(tcpClients[2]);

  // The host's end first, so that the guest's closes at once.
  close(tcpClients[0]);
  close(first);
  const Row closed = rowOnceAt(kConnectionsXid, "SOCK", 3);
  report(closed.current == 3, "a closed connection gives its socket back: 3 held", describe(closed));
  expect("with room for one, a unix connect", 0, connectUnix(unixClients[1]));
  const int unixServer = acceptWithin(unixListener, 5000);
  const Row full = sockets();
  report(unixServer >= 0 && full.current == 4,
         "the accepted unix connection was charged at the connect: 4 held", describe(full));

  for (const int fd : {second, tcpClients[1], unixServer, unixClients[0], unixClients[1],
                       unixListener, tcpListener})
    if (fd >= 0) close(fd);
  unlink(kUnixListener);
}

// Takes inotify instances until one is refused; they stay open.
std::pair<uint64_t, int> takeInotifyInstances() {
  uint64_t taken = 0;
  while (taken <= kInotifyInstances) {
    if (inotify_init1(IN_CLOEXEC) < 0) return {taken, errno};
    taken++;
  }
  return {taken, 0};
}

// Watches files of a new directory under /tmp with one inotify instance
// until a watch is refused (each file an inode of its own: a second watch
// of one inode is the first one changed); all stay.
std::pair<uint64_t, int> takeInotifyWatches() {
  char directory[] = "/tmp/vs-watches-XXXXXX";
  const int instance = inotify_init1(IN_CLOEXEC);
  if (instance < 0 || !mkdtemp(directory)) return {0, errno};
  uint64_t taken = 0;
  while (taken <= kInotifyWatches) {
    const std::string file = std::string(directory) + "/" + std::to_string(taken);
    const int made = open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (made < 0) return {taken, errno};
    close(made);
    if (inotify_add_watch(instance, file.c_str(), IN_MODIFY) < 0) return {taken, errno};
    taken++;
  }
  return {taken, 0};
}

int oneInotifyWatchErrno() {
  const auto [taken, refusal] = takeInotifyWatches();
  return taken >= 1 ? 0 : refusal;
}

// Blocks SIGRTMIN, sets RLIMIT_SIGPENDING to limit and queues SIGRTMIN to
// itself until refused; the signals stay pending.
std::pair<uint64_t, int> queueSignals(rlim_t limit) {
  sigset_t rt;
  sigemptyset(&rt);
  sigaddset(&rt, SIGRTMIN);
  const rlimit bound{limit, limit};
  if (sigprocmask(SIG_BLOCK, &rt, nullptr) != 0 || setrlimit(RLIMIT_SIGPENDING, &bound) != 0)
    return {0, errno};
  uint64_t queued = 0;
  while (queued <= limit) {
    if (sigqueue(getpid(), SIGRTMIN, sigval{}) != 0) return {queued, errno};
    queued++;
  }
  return {queued, 0};
}

// Becomes kCountedUid: 0 or the errno.
int becomeCountedUser() {
  return setgid(kCountedUid) == 0 && setuid(kCountedUid) == 0 ? 0 : errno;
}

// Becomes kCountedUid with RLIMIT_NPROC limit (this process counts 1) and
// forks children that wait until killed, until a fork is refused; returns
// their pids and the refusal's errno.
std::pair<std::vector<pid_t>, int> forkAsCountedUser(rlim_t limit) {
  const rlimit bound{limit, limit};
  if (setrlimit(RLIMIT_NPROC, &bound) != 0) return {{}, errno};
  if (const int refusal = becomeCountedUser(); refusal != 0) return {{}, refusal};
  std::vector<pid_t> children;
  while (children.size() <= limit) {
    const pid_t pid = fork();
    if (pid < 0) return {children, errno};
    if (pid == 0) {
      pause();
      _exit(0);
    }
    children.push_back(pid);
  }
  return {children, 0};
}

// Watches eventfds with one epoll instance until a watch is refused; all
// stay open.
std::pair<uint64_t, int> takeEpollWatches() {
  const int instance = epoll_create1(EPOLL_CLOEXEC);
  if (instance < 0) return {0, errno};
  uint64_t taken = 0;
  while (taken <= kEpollWatches) {
    const int watched = eventfd(0, EFD_CLOEXEC);
    epoll_event event{};
    event.events = EPOLLIN;
    if (watched < 0 || epoll_ctl(instance, EPOLL_CTL_ADD, watched, &event) != 0)
      return {taken, errno};
    taken++;
  }
  return {taken, 0};
}

int oneEpollWatchErrno() {
  const auto [taken, refusal] = takeEpollWatches();
  return taken >= 1 ? 0 : refusal;
}

// The size of a new pipe (F_GETPIPE_SZ), which stays open; -1 if refused.
int newPipeSize() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return -1;
  return fcntl(ends[0], F_GETPIPE_SZ);
}

// Adds keys to the process keyring until one is refused: the refusal's
// errno.  The keys stay.  Their names are the caller's uid's: a key of the
// name already there would be updated, not added.
int takeKeys() {
  for (long long taken = 0; taken <= kKeys; taken++) {
    const std::string description =
        "vs-quota-" + std::to_string(getuid()) + "-" + std::to_string(taken);
    if (addKey(description.c_str(), "x", KEY_SPEC_PROCESS_KEYRING) < 0) return errno;
  }
  return 0;
}

// What /proc/key-users shows the caller of uid: its lines, and the keys
// and key quota of the last.
struct KeyQuota {
  int lines = 0;
  long long keys = -1, maxKeys = -1;
};

KeyQuota keyQuotaOf(uid_t uid) {
  KeyQuota quota;
  std::istringstream lines(readFile("/proc/key-users"));
  std::string line;
  while (std::getline(lines, line)) {
    unsigned shown = 0;
    long long keys = 0, maxKeys = 0;
    if (std::sscanf(line.c_str(), "%u: %*d %*d/%*d %lld/%lld", &shown, &keys, &maxKeys) == 3 &&
        shown == uid) {
      quota.lines++;
      quota.keys = keys;
      quota.maxKeys = maxKeys;
    }
  }
  return quota;
}

std::string describe(const KeyQuota& quota) {
  return std::to_string(quota.lines) + " line(s), " + std::to_string(quota.keys) + "/" +
         std::to_string(quota.maxKeys) + " keys";
}

// Takes keys until refused and checks that the refusal is the quota's and
// that /proc/key-users shows the caller its own record, full.
void expectKeysRefusedAtQuota(const std::string& who, uid_t uid) {
  const int refusal = takeKeys();
  const KeyQuota quota = keyQuotaOf(uid);
  report(refusal == EDQUOT && quota.lines == 1 && quota.keys == kKeys && quota.maxKeys == kKeys,
         who + ": keys until EDQUOT at the users' quota (/proc/key-users: its own 5/5)",
         std::string(errnoName(refusal)) + ", " + describe(quota));
}

void endChildren(const std::vector<pid_t>& children) {
  for (const pid_t pid : children) kill(pid, SIGKILL);
  for (const pid_t pid : children) waitpid(pid, nullptr, 0);
}

// Runs guestSide() in a child that entered xid and, while that child holds
// what it took, hostSide() here; then the child ends the processes
// guestSide() returned.
void whileGuestHolds(uint32_t xid, const std::function<std::vector<pid_t>()>& guestSide,
                     const std::function<void()>& hostSide) {
  inTurns(
      "the guest side of the per-user counts",
      [&](const HandOver& handOver) {
        const int entered = enterLimited(xid, {});
        expect("create context " + std::to_string(xid), 0, entered);
        if (entered != 0) return;
        const std::vector<pid_t> children = guestSide();
        handOver(0);
        endChildren(children);
      },
      [&](uint32_t) { hostSide(); });
}

// The kernel's per-user counts are per context: a guest's root and its
// uids are the host's, but what they hold of their uid's inotify
// instances and watches, queued signals, processes, epoll watches, pipe pages and keys
// neither uses up the host's nor is held by them.  The guest's own limits
// still hold, and a guest's root has the key quota of the other users.
void checkPerUserCounts() {
  const FilesSetForNow limits({{kMaxInotifyInstances, std::to_string(kInotifyInstances) + "\n"},
                               {kMaxInotifyWatches, std::to_string(kInotifyWatches) + "\n"},
                               {kMaxEpollWatches, std::to_string(kEpollWatches) + "\n"},
                               {kMaxPipePagesSoft, std::to_string(kPipePagesSoft) + "\n"},
                               {kMaxKeys, std::to_string(kKeys) + "\n"}});
  whileGuestHolds(
      kUserCountsXid,
      [] {
        expectRefusal("guest root: inotify instances", kInotifyInstances, EMFILE,
                      takeInotifyInstances());
        expectRefusal("guest root: RT signals queued to itself", kSignals, EAGAIN,
                      queueSignals(kSignals));
        expectRefusal("guest root: epoll watches", kEpollWatches, ENOSPC, takeEpollWatches());
        expectKeysRefusedAtQuota("guest root", 0);
        const auto [children, refusal] = forkAsCountedUser(kProcesses);
        // The process itself is one of kProcesses.
        report(children.size() == kProcesses - 1 && refusal == EAGAIN,
               "guest uid 4550: 2 children under RLIMIT_NPROC 3, the next fork -> EAGAIN",
               std::to_string(children.size()) + " forked, then " + errnoName(refusal));
        const int sizes[] = {newPipeSize(), newPipeSize(), newPipeSize()};
        // Past the soft limit a pipe gets PIPE_MIN_DEF_BUFFERS, 2 pages.
        report(sizes[0] == 65536 && sizes[1] == 65536 && sizes[2] == 8192,
               "guest uid 4550: two pipes of 16 pages, then one of 2 pages (soft limit 32)",
               std::to_string(sizes[0]) + ", " + std::to_string(sizes[1]) + ", " +
                   std::to_string(sizes[2]) + " bytes");
        expectKeysRefusedAtQuota("guest uid 4550", kCountedUid);
        // Its own uid: guest root's inotify instances are all taken.
        expectRefusal("guest uid 4550: inotify watches", kInotifyWatches, ENOSPC,
                      takeInotifyWatches());
        return children;
      },
      [] {
        const int instance = inotify_init1(IN_CLOEXEC);
        report(instance >= 0, "host root: an inotify instance while guest root holds its uid's 8",
               errnoName(errno));
        if (instance >= 0) close(instance);
        expect("host root: an RT signal queued while guest root has its uid's 4 pending", 0,
               isolated([] {
                 const auto [queued, refusal] = queueSignals(kSignals);
                 return queued >= 1 ? 0 : refusal;
               }));
        expect("host uid 4550: a fork while guest uid 4550 runs 3 processes", 0, isolated([] {
                 const auto [children, refusal] = forkAsCountedUser(kProcesses);
                 endChildren(children);
                 return children.empty() ? refusal : 0;
               }));
        expect("host root: an epoll watch while guest root holds its uid's 8", 0,
               oneEpollWatchErrno());
        const KeyQuota guestUsers = keyQuotaOf(kCountedUid);
        report(guestUsers.lines == 0, "host: /proc/key-users does not list guest uid 4550",
               describe(guestUsers));
        const int pipePages = isolated([] {
          return becomeCountedUser() == 0 ? newPipeSize() / 4096 : -1;
        });
        report(pipePages == 16,
               "host uid 4550: a pipe of 16 pages while guest uid 4550 is past the soft limit",
               std::to_string(pipePages) + " pages");
        expect("host uid 4550: an inotify watch while guest uid 4550 holds its 8", 0,
               isolated([] {
                 const int refusal = becomeCountedUser();
                 return refusal != 0 ? refusal : oneInotifyWatchErrno();
               }));
        expect("host uid 4550: a key while guest uid 4550 holds its 5", 0, isolated([] {
                 const int refusal = becomeCountedUser();
                 if (refusal != 0) return refusal;
                 return addKey("vs-quota-host", "x", KEY_SPEC_PROCESS_KEYRING) < 0 ? errno : 0;
               }));
      });
}

int newSemaphoreSet(int nsems) { return semget(IPC_PRIVATE, nsems, IPC_CREAT | 0600); }

// The errno of making a set of nsems semaphores, or 0; a set made where a
// refusal was due is removed at once, so that the failed check leaves no
// set behind.
int newSetErrno(int nsems) {
  const int id = newSemaphoreSet(nsems);
  if (id < 0) return errno;
  semctl(id, 0, IPC_RMID);
  return 0;
}

// Inside kSemaphoresXid, limited to kSemaphores semaphores and any number
// of sets: sets of kSetSize up to the limit, one past it, and back.  The
// guest reads its own /proc/virtual/<xid>/limit.
void fillSemaphores() {
  if (enterLimited(kSemaphoresXid, {{VSERVER_LIMIT_NSEMS, kSemaphores}}) != 0) {
    report(false, "create the context limited on semaphores", "refused");
    return;
  }
  const int first = newSemaphoreSet(kSetSize);
  const int second = newSemaphoreSet(kSetSize);
  report(first >= 0 && second >= 0, "semaphores: two sets of 4 under a limit of 10",
         std::string("refused: ") + errnoName(errno));
  expect("semaphores: a third set of 4 (12 of 10)", ENOSPC, newSetErrno(kSetSize));
  // A refused set is freed at once, not after a grace period: no waiting.
  const Row sets = rowOf(kSemaphoresXid, "SEMA");
  report(sets.current == 2, "the refused set is not kept: 2 sets (SEMA)", describe(sets));
  const Row refused = rowOf(kSemaphoresXid, "SEMS");
  report(refused.current == 2 * kSetSize && refused.hits == 1,
         "SEMS: the 8 semaphores of the 2 sets, the refusal 1 hit", describe(refused));

  // Exactly at the limit, and one past it.
  const int third = newSemaphoreSet(2);
  report(third >= 0, "semaphores: a set of 2 then fits, 10 of 10 (control)",
         std::string("refused: ") + errnoName(errno));
  expect("semaphores: at the limit, a set of 1", ENOSPC, newSetErrno(1));

  // A removed set gives its semaphores back at once (patch 0117).
  const int removed = first >= 0 ? errnoOf(semctl(first, 0, IPC_RMID)) : EINVAL;
  expect("remove the first set of 4 (semctl IPC_RMID)", 0, removed);
  const Row freed = rowOf(kSemaphoresXid, "SEMS");
  report(freed.current == static_cast<long long>(kSemaphores - kSetSize),
         "SEMS: the removed set's 4 are given back, 6 held", describe(freed));
  const int fourth = newSemaphoreSet(kSetSize);
  report(fourth >= 0, "semaphores: a set of 4 fits again",
         std::string("refused: ") + errnoName(errno));
  for (const int id : {second, third, fourth})
    if (id >= 0) semctl(id, 0, IPC_RMID);
}

// Inside kAcceptXid, limited to kAlgSockets: AF_ALG's accept() clones
// its socket, which only the clone hook sees; it is refused at the limit
// (patch 0119).
void acceptHashSockets() {
  if (enterLimited(kAcceptXid, {{VSERVER_LIMIT_NSOCK, kAlgSockets}}) != 0) {
    report(false, "create the context limited on sockets for AF_ALG", "refused");
    return;
  }
  vs::UniqueFd hashSocket = algSocket("hash", "sha256");
  expect("AF_ALG: bind a sha256 socket (1 of 3)", 0, hashSocket ? 0 : errno);
  const int hash = hashSocket.release();
  const int first = accept4(hash, nullptr, nullptr, SOCK_CLOEXEC);
  const int second = accept4(hash, nullptr, nullptr, SOCK_CLOEXEC);
  report(first >= 0 && second >= 0, "AF_ALG: two accepted sockets (3 of 3)", errnoName(errno));
  expect("AF_ALG: accept at the limit", ENOBUFS,
         errnoOf(accept4(hash, nullptr, nullptr, SOCK_CLOEXEC)));
  const Row full = rowOf(kAcceptXid, "SOCK");
  report(full.current == static_cast<long long>(kAlgSockets) && full.hits == 1,
         "SOCK: " + std::to_string(kAlgSockets) + " held, the refused accept 1 hit", describe(full));
  close(second);
  const int third = accept4(hash, nullptr, nullptr, SOCK_CLOEXEC);
  report(third >= 0, "AF_ALG: with room for one, accept (control)", errnoName(errno));
  for (const int fd : {hash, first, third}) close(fd);
}

// The host is charged nothing: more semaphores than kSemaphoresXid may
// have, in sets of its size.
void semaphoresOfTheHost() {
  std::vector<int> ids;
  for (uint64_t taken = 0; taken <= kSemaphores; taken += kSetSize) {
    const int id = newSemaphoreSet(kSetSize);
    if (id < 0) break;
    ids.push_back(id);
  }
  const int refusal = errno;
  const size_t wanted = kSemaphores / kSetSize + 1;
  report(ids.size() == wanted, "host: 3 sets of 4, 12 semaphores, past a guest's 10",
         std::to_string(ids.size()) + " made, then " + errnoName(refusal));
  for (const int id : ids) semctl(id, 0, IPC_RMID);
}

// Inside kUnlimitedXid: 10 000 opens, by 100 processes that each exit
// holding their 100 files.
void churnFiles() {
  if (enterLimited(kUnlimitedXid, {}) != 0) {
    report(false, "create the unlimited context", "refused");
    return;
  }
  int failed = 0;
  for (int child = 0; child < 100; child++) {
    const pid_t pid = fork();
    if (pid == 0) {
      for (int i = 0; i < 100; i++)
        if (open("/dev/null", O_RDONLY) < 0) _exit(1);
      _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) failed++;
  }
  report(failed == 0, "10 000 opens by 100 processes that exit holding them",
         std::to_string(failed) + " processes failed");
}

// IPC objects are freed after an RCU grace period: waits up to 10 s for
// every row's current use to be back at zero.
std::map<std::string, Row> settledLimits(uint32_t xid) {
  std::map<std::string, Row> rows;
  for (int tries = 0; tries < 100; tries++) {
    rows = readLimits(xid);
    bool settled = !rows.empty();
    for (const auto& [name, row] : rows) settled = settled && row.current == 0;
    if (settled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return rows;
}

void checkRow(uint32_t xid, const std::map<std::string, Row>& rows, const std::string& name,
              long long held, long long hard, long long minHits) {
  const std::string file = "/proc/virtual/" + std::to_string(xid) + "/limit";
  const auto found = rows.find(name);
  if (found == rows.end()) {
    report(false, file + " has " + name, "no such line");
    return;
  }
  const Row& row = found->second;
  report(row.current == 0 && row.held == held && row.hard == hard && row.hits >= minHits &&
             row.soft == -1,
         file + " " + name + ": nothing held, " + std::to_string(held) + " at most, " +
             (hard < 0 ? "no limit" : "limit " + std::to_string(hard)) + ", at least " +
             std::to_string(minHits) + " hit(s)",
         describe(row));
}

// The CPUs the task tid of this process may run on (Cpus_allowed_list).
std::string allowedCpus(pid_t tid) {
  std::istringstream status(readFile("/proc/self/task/" + std::to_string(tid) + "/status"));
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Cpus_allowed_list:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 18));
  return "";
}

// The id of this process's io_uring SQPOLL thread (iou-sqp-PID), or 0.
pid_t sqpollThread() {
  const std::string name = "iou-sqp-" + std::to_string(getpid()) + "\n";
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    if (readFile(task.path() / "comm") == name) return std::stoi(task.path().filename());
  return 0;
}

// An io_uring's SQPOLL thread, with no CPU asked for, stays within its
// creator's cpuset: one ring each must not spin on the CPUs a cpuset
// keeps for others.
void checkSqpollCpuset() {
  const std::string cgroup = "/sys/fs/cgroup/vs-sqpoll";
  inCgroupOfItsOwn(cgroup, "cpuset", {{"cpuset.cpus", "1"}, {"cpuset.mems", "0"}}, [] {
    report(allowedCpus(getpid()) == "1", "a process in a cpuset of CPU 1 runs on CPU 1 only",
           allowedCpus(getpid()));
    io_uring_params params{};
    params.flags = IORING_SETUP_SQPOLL;
    params.sq_thread_idle = 1000;
    const long ring = syscall(SYS_io_uring_setup, 4, &params);
    report(ring >= 0, "it sets up an io_uring with an SQPOLL thread", std::strerror(errno));
    const pid_t poller = ring >= 0 ? sqpollThread() : 0;
    report(poller > 0 && allowedCpus(poller) == "1", "the SQPOLL thread runs on CPU 1 only",
           poller > 0 ? allowedCpus(poller) : "no iou-sqp thread");
    if (ring >= 0) close(static_cast<int>(ring));
  });
}

// In a new context: a file opened through merged, an overlay the host
// mounted, counts twice, and closing it gives both back.
void expectOverlayFilesCharged(const std::string& merged) {
  const int entered = enterLimited(kOverlayXid, {});
  expect("create context " + std::to_string(kOverlayXid), 0, entered);
  if (entered != 0) return;
  const long long before = rowOf(kOverlayXid, "FILES").current;
  const int fd = open((merged + "/data").c_str(), O_RDONLY | O_CLOEXEC);
  const long long opened = rowOf(kOverlayXid, "FILES").current;
  report(fd >= 0 && opened == before + 2,
         "a file opened through the host's overlay is 2 files of the guest's: its own and "
         "its real file",
         fd < 0 ? errnoName(errno) : std::to_string(before) + ", then " + std::to_string(opened));
  if (fd >= 0) close(fd);
  const long long closed = rowOf(kOverlayXid, "FILES").current;
  report(closed == before, "closing it gives both back",
         std::to_string(before) + ", then " + std::to_string(closed));
}

// overlayfs opens the real file of one opened through it with the
// credentials of whoever mounted it: the host's, for an overlay the host
// made.  Both files are the guest's all the same.
void checkOverlayCharges() {
  const std::filesystem::path base = "/tmp/vs-overlay";
  for (const char* dir : {"lower", "upper", "work", "merged"})
    std::filesystem::create_directories(base / dir);
  writeFile(base / "lower/data", "lower\n");
  const std::string options = "lowerdir=" + (base / "lower").string() +
                              ",upperdir=" + (base / "upper").string() +
                              ",workdir=" + (base / "work").string();
  const std::string merged = base / "merged";
  const int mounted = errnoOf(mount("overlay", merged.c_str(), "overlay", 0, options.c_str()));
  expect("host: mount an overlay", 0, mounted);
  if (mounted == 0) {
    inChild([&] { expectOverlayFilesCharged(merged); });
    umount2(merged.c_str(), MNT_DETACH);
  }
  std::filesystem::remove_all(base);
  endPersistent(kOverlayXid);
}

}  // namespace

int probeLimits() {
  inChild(exhaustEach);
  const auto limited = settledLimits(kLimitedXid);
  checkRow(kLimitedXid, limited, "FILES", kFiles, kFiles, 1);
  // The fifth socket and the pair's second one.
  checkRow(kLimitedXid, limited, "SOCK", kSockets, kSockets, 2);
  checkRow(kLimitedXid, limited, "SEMA", kSemaphoreSets, kSemaphoreSets, 1);
  checkRow(kLimitedXid, limited, "MSGQ", kMessageQueues, kMessageQueues, 1);
  // Its sets had one semaphore each; the set refused for the set limit
  // was charged none.
  checkRow(kLimitedXid, limited, "SEMS", kSemaphoreSets, -1, 0);
  // The fourth POSIX lock, the split at the limit, the flock and the OFD
  // lock at it.
  checkRow(kLimitedXid, limited, "LOCKS", kLocks, kLocks, 4);

  inChild(fillSemaphores);
  semaphoresOfTheHost();
  const auto semaphores = settledLimits(kSemaphoresXid);
  // The third set of 4 and the set of 1 at the limit.
  checkRow(kSemaphoresXid, semaphores, "SEMS", kSemaphores, kSemaphores, 2);

  inChild(fillWithConnections);
  const auto connections = settledLimits(kConnectionsXid);
  // The unix connect and the SYN at the limit.
  checkRow(kConnectionsXid, connections, "SOCK", kListenerSockets, kListenerSockets, 2);

  inChild(acceptHashSockets);
  endPersistent(kAcceptXid);

  checkPerUserCounts();
  checkSqpollCpuset();
  checkOverlayCharges();

  inChild(churnFiles);
  const auto churned = settledLimits(kUnlimitedXid);
  const auto files = churned.find("FILES");
  report(files != churned.end() && files->second.current == 0 && files->second.held >= 100 &&
             files->second.hard == -1 && files->second.hits == 0,
         "after the churn the unlimited context holds no file, and held at least 100",
         files == churned.end() ? "no FILES line" : describe(files->second));

  endPersistent(kLimitedXid);
  endPersistent(kUnlimitedXid);
  endPersistent(kSemaphoresXid);
  endPersistent(kConnectionsXid);
  endPersistent(kUserCountsXid);
  inChild([] {
    if (enterLimited(kLimitedXid, {}) != 0) report(false, "create 4545 again", "refused");
  });
  const auto again = readLimits(kLimitedXid);
  bool fresh = again.size() == static_cast<size_t>(VSERVER_LIMIT_MAX);
  for (const auto& [name, row] : again)
    fresh = fresh && row.current == 0 && row.held == 0 && row.hits == 0 && row.hard == -1;
  report(fresh, "4545 created again counts from zero, without the old limits",
         again.empty() ? "no rows" : describe(again.begin()->second));
  endPersistent(kLimitedXid);
  return failures() ? 1 : 0;
}

}  // namespace probe
