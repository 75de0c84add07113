// Shared helpers of the vstest probes: one "ok - ..." or "not ok - ..."
// line per check on stdout, exact errnos, child processes.
#pragma once

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "error.h"
#include "unique_fd.h"
#include "vserver_proto.h"

namespace probe {

// "EPERM", or "success" for 0.
const char* errnoName(int errnum);

// Prints one result line; failures are counted.
void report(bool passed, const std::string& what, const std::string& detail = "");

// Checks a call's outcome: expected is 0 for success or an errno.
void expect(const std::string& what, int expected, int got);

// The errno of a call returning -1 on failure, or 0.
int errnoOf(long result);

// ioctl(fd, cmd, arg) as a 32-bit program makes it, through the kernel's
// compat entry (int $0x80), with the size bytes at arg copied below 4 GiB
// and back: 0 or the errno.  The kernel needs CONFIG_IA32_EMULATION.
int compatIoctl(int fd, unsigned int cmd, void* arg, size_t size);

// Turns fd's FS_NODUMP_FL over and back, through FS_IOC_SETFLAGS or, with
// compat, a 32-bit program's FS_IOC32_SETFLAGS: 0 or the errno of the
// first change.
int toggleNoDumpFlag(int fd, bool compat);

// FS_IOC_SETVERSION (or, with compat, a 32-bit program's
// FS_IOC32_SETVERSION) to 1 on fd: 0 or the errno.  tmpfs does not know
// it (ENOTTY), so a refusal before the filesystem (EACCES, EPERM) shows a
// rule that covers the ioctls that may change a file, not a list.
int setVersionErrno(int fd, bool compat);

// The errno of a call that throws vs::Error (the family's), or 0.
template <typename Fn>
int errnoOfCall(Fn&& fn) {
  try {
    fn();
    return 0;
  } catch (const vs::Error& e) {
    return e.errnum() ? e.errnum() : EINVAL;
  }
}

// Number of failed checks so far in this process.
int failures();

// Runs fn in a child process (printing its own lines) and folds the
// child's failures into ours; a child that dies counts as a failure.
void inChild(const std::function<void()>& fn);

// Runs childSide in a child process and parentSide here, in turns: the
// child's until it calls handOver(value), then parentSide(value), then the
// rest of the child's.  A child that hands nothing over (it failed before)
// leaves parentSide unrun.  The child prints its own lines; one that
// failed or died fails `what` here.
using HandOver = std::function<void(uint32_t value)>;
void inTurns(const std::string& what, const std::function<void(const HandOver&)>& childSide,
             const std::function<void(uint32_t value)>& parentSide);

// Runs fn as inChild does, in cgroup: a group of its own below the root,
// with controller ("memory", "cpuset") enabled for it and settings (file,
// value) written to it in order first.  The group is removed after.
void inCgroupOfItsOwn(const std::string& cgroup, const std::string& controller,
                      const std::vector<std::pair<std::string, std::string>>& settings,
                      const std::function<void()>& fn);

// Creates a context with the given policy and moves the caller into it;
// returns 0 or the errno.
int enterNewContext(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy = {});

// As enterNewContext(), reporting a failure to enter, so that the checks
// that needed the context do not vanish unseen: whether it entered.
bool enteredNewContext(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy = {});

// The default policy, with capability in the bounding set too.
vs::ContextPolicy policyWithCapability(int capability);

// Runs fn in a child process and returns what it returned (an errno, or 0),
// so a call that changes its caller (setpgid, unshare, chroot) leaves the
// probe as it was.  A child that dies yields 255.
int isolated(const std::function<int()>& fn);

// Calls that need a privilege but change nothing: sethostname() to the
// current name and settimeofday() to now.  Each returns 0 or the errno.
int setSameHostname();
int setTimeOfDayToNow();

// ioprio_set(2) and ioprio_get(2) with <linux/ioprio.h>'s values, as that
// header does not build as C++: whom a call names, and a priority of a
// class at a level.
constexpr int kIoprioWhoProcess = 1, kIoprioWhoUser = 3;
constexpr int kIoprioRealTime = 1, kIoprioBestEffort = 2;
constexpr int ioprioOf(int ioClass, int level) { return (ioClass << 13) | level; }

// ioprio_set(who, id, ioprio): 0 or the errno.
int setIoprio(int who, int id, int ioprio);

// An interface request naming link, and ioctl(request, &req) on a socket
// of its own: 0 or the errno.
ifreq interfaceRequest(const char* link);
int interfaceIoctl(unsigned long request, ifreq& req);

// Sets link up or down by SIOCSIFFLAGS: 0 or the errno.
int setLinkUpErrno(const char* link, bool up);

// The port a netlink socket is bound to, or 0.
uint32_t netlinkPortOf(int fd);

// Adds a key of type "user" to keyring (a KEY_SPEC_* or an id): its serial,
// or -1 with errno set.
long addKey(const char* description, const char* payload, long keyring);

// Opens path with flags (and mode, for a create) and closes it at once:
// 0 or the errno.
int openErrno(const std::string& path, int flags, mode_t mode = 0644);
// A lock of type (F_WRLCK, F_UNLCK) on length bytes from start (0: to the
// end).
struct flock byteRange(short type, off_t start, off_t length);
// fcntl(fd, cmd) of a POSIX (F_SETLK) or OFD (F_OFD_SETLK) lock of
// byteRange(type, start, length): 0, or -1 and errno.
int lockBytes(int fd, int cmd, short type, off_t start, off_t length);
// A lease of type on path, opened for reading, given back at once: 0 or
// the errno.
int leaseErrno(const std::string& path, int type = F_RDLCK);

// 127.0.0.1:port.
sockaddr_in loopbackAddress(uint16_t port);

// A TCP listener on 127.0.0.1, at the port the kernel picks, stored in
// port; -1 with errno set if it could not be made.
int listenTcp(uint16_t& port);

// An AF_ALG socket bound to the algorithm name of type ("hash",
// "skcipher"); none, with errno set, if it could not be made or bound.
vs::UniqueFd algSocket(const std::string& type, const std::string& name);

// Sends size bytes of data on fd, with flags, and one control message of
// level and type carrying value (a descriptor, an operation): what
// sendmsg() returns.
ssize_t sendWithControlInt(int fd, const void* data, size_t size, int flags, int level, int type,
                           int value);

// NETLINK_LISTEN_ALL_NSID on a route netlink socket of the caller's
// namespace: 0 or the errno.
int listenAllNamespaces();

// A non-blocking netlink socket of protocol on a port the kernel picks, a
// member of the groups in the mask (joining takes CAP_NET_ADMIN but for
// protocols that let anyone listen, as uevents do); none if it could not
// be bound.
vs::UniqueFd netlinkSocket(int protocol, uint32_t groups = 0);

// The datagrams queued on fd, in order, taken without waiting.
std::vector<std::string> queuedDatagrams(int fd);

// Marks PATH with MARK_FLAGS (FAN_MARK_FILESYSTEM, FAN_MARK_MOUNT, or 0
// for the inode) for MASK, from a new fanotify group of GROUP_CLASS: 0 or
// the errno.
int fanotifyMarkErrno(const std::string& path, unsigned int groupClass, unsigned int markFlags,
                      uint64_t mask);

// A whole file's content; empty if it cannot be read.
std::string readFile(const std::string& path);

// Writes content to a file that exists (a sysctl): 0 or the errno.
int writeExisting(const std::string& path, const std::string& content);

// Writes a whole file, or dies.
void writeFile(const std::string& path, const std::string& content, mode_t mode = 0644);

// Writes each file (a sysctl a check sets for its own run) its value, and
// gives it back what it held when this goes out of scope.
class FilesSetForNow {
 public:
  explicit FilesSetForNow(const std::map<std::string, std::string>& values);
  ~FilesSetForNow();
  FilesSetForNow(const FilesSetForNow&) = delete;
  FilesSetForNow& operator=(const FilesSetForNow&) = delete;

 private:
  std::map<std::string, std::string> saved_;
};

// The probes, one per vstest subcommand; each returns the exit status.
int probeNetlink();
int probeEscape();
int probeCapabilities();
int showCapabilities();
int probeSpectator();
int probeFilesystems();
int probeObjects();
// The memory charges part of probeObjects() (testvm/probe/charges_probe.cc).
void checkMemoryCharges();
// The network set of a context (testvm/probe/net_probe.cc).
int probeNetwork();
// From the network namespace of pid, sends a router advertisement out of
// link naming itself a default router and prefix/64 on-link.
int sendRouterAdvert(pid_t pid, const char* link, const char* prefix);
// The counted limits (testvm/probe/limits_probe.cc).
int probeLimits();
// A guest cannot leave its project quota (testvm/probe/quota_probe.cc);
// dir is on a filesystem with project quotas.
int probeProjects(const std::string& dir);
// which: "recreate", "seal", "host-seal", "forkbomb", "dying" or "all".
int probeRaces(const std::string& which);

// vstest bench ARGS...: times open, stat, fork, exec, /proc, sockets and
// TCP in the host context and in a guest (testvm/probe/bench_probe.cc);
// argv holds the ARGS only.
int runBench(int argc, char** argv);
// vstest time-command ROUNDS CMD...: runs CMD to its end ROUNDS times and
// prints the median time in nanoseconds (bench.sh: vserver-stat over many
// guests).
int runTimeCommand(int argc, char** argv);
// vstest profile-command [--period NS] NAME CALLS CMD...: runs CMD to its
// end CALLS times with every CPU's clock sampled (profile.h), the system
// scope, as a tool's cost is also in what it forks and wakes; prints
// TOOLPROFILETOTAL NAME SAMPLES LOST THROTTLED CALLS PERIOD NS (NS per
// call, sampled) and TOOLPROFILE NAME SAMPLES FUNCTION lines.
int runProfileCommand(int argc, char** argv);

// Part of probeEscape: a guest held below its root tries to get out.
void checkBarrier();

// vstest on-terminal: runs argv (null-terminated) on a new terminal; its
// exit status.
int runOnTerminal(char** argv);

}  // namespace probe
