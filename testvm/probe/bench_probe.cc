// vstest bench: what the root barrier, the hiding of processes, the
// accounting, the network set and the tools cost.  The vserver LSM checks
// on every open, stat and exec of a guest that the path lies below the
// guest's root (path_is_under_rcu()); this times open+close and stat of a
// file six directories deep, and fork+execve+wait of busybox true, in the
// host context and in a guest context sealed at the same root, so both
// walk the same path from the same root and differ only in their context.
// "readdir" reads /proc to its end, as ps does: every process is asked
// whether the reader may see it.  A guest is accounted for what it
// holds: a fork counts the new task in the guest's context until it is
// reaped, an open or a socket() charges a file or a socket to the
// context's account until it is freed (the host's are counted in
// neither).  "fork" times fork and wait of a child that exits at once
// (exec is that and an execve), "socket" a UDP socket made and closed,
// never bound, so that open+close, fork and socket show what the
// accounting costs a guest against the unpatched kernel.  The guest
// is confined to a network set (kBenchGuestAddr on the shared stack),
// which turns every network check on for the host too; the network ops
// time a UDP socket bound to the wildcard, connected and sent from
// ("udp"), a TCP connection set up and closed ("connect"), and 64 KiB
// written down one TCP connection ("stream"), each to a sink the host
// keeps on kBenchHostAddr.  Host and guest rounds alternate, which of
// them goes first flipping every round for each op, so whatever else the
// machine does weighs on both alike; the medians of the rounds are what
// testvm/bench tabulates.  Benchmarks are not tests: nothing here passes
// or fails on a time.
//
//   vstest bench [--host-only] [--root DIR] [--rounds N]
//                [--iterations OPENS,STATS,EXECS[,UDPS,CONNECTS,STREAMS[,READDIRS
//                              [,FORKS,SOCKETS]]]]
//                [--profile OP[,OP...]|all [--profile-period NS]
//                 [--profile-scope task|system]]
//
// --host-only, for a kernel without the vserver LSM, times a second host
// worker ("host2") where the guest's would be.  Otherwise a third worker,
// "veth", is a guest with a network namespace of its own, made as vserver
// start makes one (routed veth, kBenchVethAddr), whose network ops cross
// the veth to the same sinks; the setup and removal of a guest's network,
// shared (one address on bench0) and veth, is timed on its own; and so is
// the start-up of the tools, from the host (timeToolStart()):
//   SETUP KIND N NS            round N of setting up and removing KIND
//   SETUPMEDIAN KIND NS
//   TOOL KIND N NS             round N of running KIND once
//   TOOLMEDIAN KIND NS
//
// DIR (default /tmp/bench-root) must hold a/b/c/d/e/f/file, a static
// bin/true and a proc mount, both addresses must be up and the guest
// kToolGuest built (testvm/bench.sh does all).  Prints, besides "# "
// comments:
//   ROUND OP CONTEXT N NS      round N of OP took NS ns per call
//   MEDIAN OP CONTEXT NS       the median over the rounds
// and exits non-zero, saying why, when a worker could not be set up or an
// operation failed.
//
// --profile: after the timed rounds (which it leaves as they were), each
// OP listed runs once more in every worker, one round's calls, with the
// CPU clock sampled every NS ns (20000 by default, 10000 at least): under
// -icount an instruction profile (profile.h).  The samples are the
// worker's and its children's (task, the default) or the whole CPU's
// (system; profile.cc says what each leaves out).  Printed once all are
// taken, each context's functions, most samples first, every one:
//   PROFILETOTAL OP CONTEXT SAMPLES LOST THROTTLED CALLS PERIOD NS
//   PROFILE OP CONTEXT SAMPLES FUNCTION
// FUNCTION is a kernel function ("name[module]" for a module's) or
// [user] for every user-mode sample; SAMPLES * PERIOD / CALLS is the
// instructions per call spent in it, NS the profiled run's time per call.
// A profile that could not be taken is said in a comment; it does not
// change the exit status, which is the timings'.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "guest/networking.h"
#include "guest/veth.h"
#include "probe.h"
#include "process.h"
#include "profile.h"
#include "subprocess.h"
#include "vserver_client.h"

namespace probe {

namespace {

// The contexts of the guest rounds; the suites leave them free.
constexpr uint32_t kBenchXid = 4700;
constexpr uint32_t kBenchVethXid = 4701;
// The guests whose network setup is timed (their contexts never run).
constexpr uint32_t kSetupSharedXid = 4702;
constexpr uint32_t kSetupVethXid = 4703;
constexpr int kSetupRounds = 15;
// The tools' start-up: calls per round; the contexts vcontext --create
// makes, one per call of a round; the guest whose "vserver NAME exec" is
// timed (bench.sh builds it; timeToolStart() starts and stops it, so that
// it adds no process to /proc during the rounds before).
constexpr long kToolCalls = 40;
constexpr uint32_t kToolXidFirst = 4710;
constexpr char kToolGuest[] = "benchtool";
// Below the root: six directories deep.
constexpr char kFile[] = "/a/b/c/d/e/f/file";
constexpr char kTrue[] = "/bin/true";

// The host's sinks and the guest's one address, on bench0 (bench.sh).
constexpr char kBenchHostAddr[] = "10.71.0.1";
constexpr char kBenchGuestAddr[] = "10.71.0.2";
constexpr char kBenchVethAddr[] = "10.71.1.2";
constexpr char kSetupSharedAddr[] = "10.71.2.2";
constexpr char kSetupVethAddr[] = "10.71.3.2";
constexpr uint16_t kUdpSinkPort = 7001;
constexpr uint16_t kTcpSinkPort = 7000;
constexpr size_t kStreamChunk = 64 * 1024;

// In the order --iterations lists them: new ops go last, so that an older
// list still means what it did.
enum Op : int { kOpen, kStat, kExec, kUdp, kConnect, kStream, kReaddir, kFork, kSocket, kOpCount };
constexpr const char* kOpNames[kOpCount] = {"open",   "stat",    "exec", "udp",   "connect",
                                            "stream", "readdir", "fork", "socket"};

struct Options {
  bool hostOnly = false;
  std::string root = "/tmp/bench-root";
  int rounds = 7;
  // fork costs a fraction of exec's million emulated instructions, socket
  // about what udp does without its bind, connect and send.
  long iterations[kOpCount] = {50000, 50000, 500, 20000, 2000, 2000, 2000, 2000, 20000};
  // --profile: the ops profiled after the rounds, the sampling period,
  // and whether the whole CPU is sampled rather than the worker's tasks.
  std::vector<Op> profile;
  long profilePeriod = kDefaultSamplePeriodNs;
  bool profileSystem = false;
};

sockaddr_in sinkAddress(uint16_t port) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  inet_pton(AF_INET, kBenchHostAddr, &sin.sin_addr);
  return sin;
}

// socket, bind to the wildcard, connect and send one datagram, close.
int udpOnce(const sockaddr_in& sink) {
  static const char datagram[64] = {};
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  sockaddr_in any{};
  any.sin_family = AF_INET;
  int err = 0;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof(any)) != 0 ||
      connect(fd, reinterpret_cast<const sockaddr*>(&sink), sizeof(sink)) != 0 ||
      send(fd, datagram, sizeof(datagram), 0) != sizeof(datagram))
    err = -errno;
  close(fd);
  return err;
}

// A TCP connection to the sink, or -errno.
int connectSink(const sockaddr_in& sink) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sink), sizeof(sink)) != 0) {
    const int err = -errno;
    close(fd);
    return err;
  }
  return fd;
}

// Writes n chunks down one connection to the sink.
int stream(const sockaddr_in& sink, long n) {
  static const std::vector<char> chunk(kStreamChunk);
  const int fd = connectSink(sink);
  if (fd < 0) return fd;
  int err = 0;
  for (long i = 0; i < n && !err; i++) {
    size_t done = 0;
    while (done < chunk.size() && !err) {
      const ssize_t sent = write(fd, chunk.data() + done, chunk.size() - done);
      if (sent < 0) err = -errno;
      else done += static_cast<size_t>(sent);
    }
  }
  close(fd);
  return err;
}

// fork, the child exiting at once, and wait: 0, or -errno (-ECHILD when
// the child did not exit 0).
int forkOnce() {
  const pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) _exit(0);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -errno;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

// A UDP socket made and closed, never bound: what socket() and its
// release cost (udpOnce() adds bind, connect and send).
int socketOnce() {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  close(fd);
  return 0;
}

// Reads /proc to its end, as ls or ps does; the entries, or -1.
long listProc() {
  DIR* dir = opendir("/proc");
  if (!dir) return -1;
  long entries = 0;
  while (readdir(dir)) entries++;
  closedir(dir);
  return entries;
}

uint64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Runs op n times; the elapsed ns, or -errno of the first failure.
int64_t timeOp(Op op, long n) {
  char* const argv[] = {const_cast<char*>("true"), nullptr};
  char* const envp[] = {nullptr};
  struct stat st {};
  const uint64_t start = nowNs();
  for (long i = 0; i < n; i++) {
    switch (op) {
      case kOpen: {
        const int fd = open(kFile, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return -errno;
        close(fd);
        break;
      }
      case kStat:
        if (stat(kFile, &st) != 0) return -errno;
        break;
      case kExec: {
        const pid_t pid = fork();
        if (pid < 0) return -errno;
        if (pid == 0) {
          execve(kTrue, argv, envp);
          _exit(127);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) != pid) return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -ENOEXEC;
        break;
      }
      case kUdp: {
        const int err = udpOnce(sinkAddress(kUdpSinkPort));
        if (err) return err;
        break;
      }
      case kConnect: {
        const int fd = connectSink(sinkAddress(kTcpSinkPort));
        if (fd < 0) return fd;
        close(fd);
        break;
      }
      case kStream: {
        // One connection for the whole round: n chunks.
        const int err = stream(sinkAddress(kTcpSinkPort), n);
        return err ? err : static_cast<int64_t>(nowNs() - start);
      }
      case kReaddir:
        if (listProc() < 0) return -errno;
        break;
      case kFork: {
        const int err = forkOnce();
        if (err) return err;
        break;
      }
      case kSocket: {
        const int err = socketOnce();
        if (err) return err;
        break;
      }
      case kOpCount:
        break;
    }
  }
  return static_cast<int64_t>(nowNs() - start);
}

// The host's sinks, in a process of their own: a UDP socket nobody reads
// (its datagrams are dropped once its buffer is full) and a TCP listener
// that drains each connection to its end.  Returns the sink's pid, or
// -errno.
pid_t startSinks() {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return -errno;
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid != 0) {
    close(ready[1]);
    int err = -EPIPE;
    if (pid < 0 || read(ready[0], &err, sizeof(err)) != sizeof(err) || err) {
      close(ready[0]);
      if (pid > 0) waitpid(pid, nullptr, 0);
      return pid < 0 ? -errno : err;
    }
    close(ready[0]);
    return pid;
  }
  close(ready[0]);
  const sockaddr_in udp = sinkAddress(kUdpSinkPort), tcp = sinkAddress(kTcpSinkPort);
  const int one = 1;
  const int udpFd = socket(AF_INET, SOCK_DGRAM, 0);
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  int err = 0;
  if (udpFd < 0 || listener < 0 ||
      bind(udpFd, reinterpret_cast<const sockaddr*>(&udp), sizeof(udp)) != 0 ||
      setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(listener, reinterpret_cast<const sockaddr*>(&tcp), sizeof(tcp)) != 0 ||
      listen(listener, 128) != 0)
    err = -errno;
  if (write(ready[1], &err, sizeof(err)) != sizeof(err) || err) _exit(1);
  close(ready[1]);
  std::vector<char> buffer(kStreamChunk);
  for (;;) {
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    while (read(fd, buffer.data(), buffer.size()) > 0) {
    }
    close(fd);
  }
}

struct Request {
  int op;
  long iterations;
};

// A process chrooted at the root, in the host context or in a guest
// context of its own, that times what it is asked to over a pipe.
struct Worker {
  std::string context;
  bool guest = false;
  int netns = -1;  // a veth guest's network namespace
  pid_t pid = -1;
  int requests = -1;
  int replies = -1;
};

// The guest's policy: the default one, on the shared stack with one address.
vs::ContextPolicy benchGuestPolicy() {
  vs::ContextPolicy policy;
  policy.net = vs::NetworkSet{};
  policy.net->add(*vs::parseIpAddress(kBenchGuestAddr));
  return policy;
}

[[noreturn]] void serve(const Options& options, const Worker& worker, int requests, int replies) {
  int64_t setup = 0;
  if ((worker.netns >= 0 && setns(worker.netns, CLONE_NEWNET) != 0) ||
      chroot(options.root.c_str()) != 0 || chdir("/") != 0)
    setup = -errno;
  else if (worker.netns >= 0)
    setup = -enterNewContext(kBenchVethXid, "bench-veth");
  else if (worker.guest)
    setup = -enterNewContext(kBenchXid, "bench", benchGuestPolicy());
  if (write(replies, &setup, sizeof(setup)) != sizeof(setup) || setup != 0) _exit(1);
  Request request{};
  while (read(requests, &request, sizeof(request)) == sizeof(request)) {
    const int64_t elapsed = timeOp(static_cast<Op>(request.op), request.iterations);
    if (write(replies, &elapsed, sizeof(elapsed)) != sizeof(elapsed)) _exit(1);
  }
  _exit(0);
}

// Starts worker; the workers started before it are others.
bool spawn(Worker& worker, const std::vector<Worker>& others, const Options& options) {
  int requests[2], replies[2];
  if (pipe2(requests, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0) return false;
  std::fflush(stdout);
  worker.pid = fork();
  if (worker.pid == 0) {
    close(requests[1]);
    close(replies[0]);
    // Holding another worker's request pipe open would keep it from
    // seeing its end.
    for (const Worker& other : others) {
      close(other.requests);
      close(other.replies);
    }
    serve(options, worker, requests[0], replies[1]);
  }
  close(requests[0]);
  close(replies[1]);
  worker.requests = requests[1];
  worker.replies = replies[0];
  int64_t setup = -EPIPE;
  if (worker.pid < 0 || read(worker.replies, &setup, sizeof(setup)) != sizeof(setup) || setup) {
    std::printf("# bench: the %s worker could not start: %s\n", worker.context.c_str(),
                std::strerror(static_cast<int>(-setup)));
    return false;
  }
  return true;
}

// Says that op failed in worker; returns the negative errno.
double failed(const Worker& worker, Op op, int64_t err) {
  std::printf("# bench: %s in the %s context failed: %s\n", kOpNames[op], worker.context.c_str(),
              std::strerror(static_cast<int>(-err)));
  return static_cast<double>(err);
}

// Asks worker to run op iterations times.
bool sendRequest(const Worker& worker, Op op, long iterations) {
  const Request request{op, iterations};
  return write(worker.requests, &request, sizeof(request)) == sizeof(request);
}

// The worker's reply: the ns per call, or a negative errno.
double awaitReply(const Worker& worker, Op op, long iterations) {
  int64_t elapsed = -EPIPE;
  if (read(worker.replies, &elapsed, sizeof(elapsed)) != sizeof(elapsed)) elapsed = -EPIPE;
  if (elapsed < 0) return failed(worker, op, elapsed);
  return static_cast<double>(elapsed) / static_cast<double>(iterations);
}

// The ns per call of one round, or a negative errno.
double run(const Worker& worker, Op op, long iterations) {
  if (!sendRequest(worker, op, iterations)) return failed(worker, op, -EPIPE);
  return awaitReply(worker, op, iterations);
}

void stop(Worker& worker) {
  if (worker.pid <= 0) return;
  close(worker.requests);
  close(worker.replies);
  waitpid(worker.pid, nullptr, 0);
  worker.pid = -1;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// One op's profile in one worker.
struct OpProfile {
  Op op;
  const Worker* worker;
  double ns;  // per call, profiled
  Profile profile;
};

// Runs op in worker, one round's calls, with the CPU clock sampled; false
// when the op failed.  The sampler sleeps while the worker runs, waking
// only to empty a ring half full, so that its own work stays out of a
// system profile as far as it can.
bool profileOp(const Worker& worker, Op op, const Options& options, const KernelSymbols& symbols,
               std::vector<OpProfile>& profiles) {
  CpuClockSampler sampler(options.profileSystem ? -1 : worker.pid, options.profilePeriod);
  const long calls = options.iterations[op];
  sampler.start();
  if (!sendRequest(worker, op, calls)) {
    failed(worker, op, -EPIPE);
    return false;
  }
  sampler.drainUntilReadable(worker.replies);
  Profile profile = sampler.stop(symbols);
  const double ns = awaitReply(worker, op, calls);
  if (ns < 0) return false;
  profiles.push_back({op, &worker, ns, std::move(profile)});
  return true;
}

void printProfile(const OpProfile& p, const Options& options) {
  const char* const op = kOpNames[p.op];
  const char* const context = p.worker->context.c_str();
  std::printf("PROFILETOTAL %s %s %ld %ld %ld %ld %ld %.1f\n", op, context, p.profile.samples,
              p.profile.lost, p.profile.throttled, options.iterations[p.op], options.profilePeriod,
              p.ns);
  for (const auto& [function, samples] : p.profile.functions)
    std::printf("PROFILE %s %s %ld %s\n", op, context, samples, function.c_str());
}

// Profiles every op of options.profile in every worker, up to the first
// failure, and prints the profiles taken; false, said, after a failure.
bool takeProfiles(const std::vector<Worker>& workers, const Options& options) {
  std::vector<OpProfile> profiles;
  bool taken = true;
  try {
    const KernelSymbols symbols;
    for (const Op op : options.profile)
      for (const Worker& worker : workers)
        taken = taken && profileOp(worker, op, options, symbols, profiles);
  } catch (const vs::Error& e) {
    std::printf("# bench: profiling failed: %s\n", e.what());
    taken = false;
  }
  // Only now: the console echoes this output (bench.sh), which would
  // otherwise run beside the next op sampled.
  for (const OpProfile& profile : profiles) printProfile(profile, options);
  return taken;
}

// takeProfiles() in a child process: the symbol table and the rings then
// leave this process's memory as it was, for the tool timings after the
// rounds fork this process and would copy the page tables of a grown heap.
bool profileOps(const std::vector<Worker>& workers, const Options& options) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    const bool taken = takeProfiles(workers, options);
    std::fflush(stdout);
    _exit(taken ? 0 : 1);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    std::printf("# bench: no profile: the profiler failed\n");
    return false;
  }
  return true;
}

// A guest configuration with one address: on bench0 (shared), or on a
// routed veth (ownNamespace), as vserver start would set it up.
vs::guest::GuestConfig benchGuest(const std::string& name, uint32_t xid, const char* address,
                                  bool ownNamespace) {
  vs::guest::GuestConfig config;
  config.name = name;
  config.location.cfgdir = "/etc/vservers/" + name;
  config.xid = xid;
  config.spaces.net = ownNamespace;
  vs::guest::InterfaceConfig iface;
  iface.dirName = "0";
  iface.ip = address;
  iface.prefix = 32;
  if (!ownNamespace) iface.dev = "bench0";
  config.interfaces.push_back(iface);
  return config;
}

// Sets up and removes a guest's network kSetupRounds times each way, the
// two alternating; prints the rounds and medians.  False on a failure.
bool timeNetworkSetup() {
  const auto shared = benchGuest("bench-shared", kSetupSharedXid, kSetupSharedAddr, false);
  const auto veth = benchGuest("bench-setup", kSetupVethXid, kSetupVethAddr, true);
  std::vector<double> times[2];
  const char* const kinds[2] = {"shared", "veth"};
  try {
    vs::VserverClient client;
    for (int round = 1; round <= kSetupRounds; round++) {
      for (int kind = 0; kind < 2; kind++) {
        const uint64_t start = nowNs();
        if (kind == 0) {
          vs::guest::addGuestAddresses(shared, client);
          vs::guest::removeGuestAddresses(shared);
        } else {
          vs::guest::createGuestNetwork(veth);
          vs::guest::removeGuestNetwork(veth);
        }
        times[kind].push_back(static_cast<double>(nowNs() - start));
        std::printf("SETUP %s %d %.1f\n", kinds[kind], round, times[kind].back());
      }
    }
  } catch (const vs::Error& e) {
    std::printf("# bench: network setup failed: %s\n", e.what());
    return false;
  }
  for (int kind = 0; kind < 2; kind++)
    std::printf("SETUPMEDIAN %s %.1f\n", kinds[kind], median(times[kind]));
  return true;
}

// Starts a command with fork and execvp, its output discarded; its pid,
// or -errno.
pid_t spawnQuietly(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDOUT_FILENO);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// What awaitSuccess() or spawnQuietly() said, for a failure line.
const char* failureText(int err) { return err == -ECHILD ? "non-zero exit" : std::strerror(-err); }

// Waits for our child pid: 0 when it exited 0, else -errno or -ECHILD.
int awaitSuccess(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -errno;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

// Runs a command to its end with fork, execvp and wait, its output
// discarded; 0 when it exited 0, else -errno or -ECHILD.  The timed calls
// use this rather than vs::runCommand(), which also opens a pidfd for
// every child: the bare exec they are compared with has nothing else.
int runTimedCommand(const std::vector<std::string>& args) {
  const pid_t pid = spawnQuietly(args);
  return pid < 0 ? pid : awaitSuccess(pid);
}

// The command lines whose start-up is timed: a bare /bin/true; the floor
// of any tool that runs a command, a static binary that execs it (busybox
// env: two execs where the bare run has one); a new context made and
// entered (each call its own xid, so that none waits for the release of
// the last); and a command run in a running guest.
std::vector<std::string> toolCommand(int kind, long call) {
  switch (kind) {
    case 0:
      return {kTrue};
    case 1:
      return {"busybox", "env", kTrue};
    case 2:
      return {"vcontext", "--create", "--xid", std::to_string(kToolXidFirst + call), "--",
              kTrue};
    default:
      return {"vserver", kToolGuest, "exec", kTrue};
  }
}

// Times each of the toolCommand()s kToolCalls times a round,
// the kinds' order flipping every round; prints the rounds and medians.
bool timeToolCommands(const Options& options) {
  constexpr int kKinds = 4;
  const char* const kinds[kKinds] = {"exec", "chain", "vcontext", "vserver-exec"};
  std::vector<double> times[kKinds];
  for (int round = 1; round <= options.rounds; round++) {
    for (int k = 0; k < kKinds; k++) {
      const int kind = round % 2 ? k : kKinds - 1 - k;
      const uint64_t start = nowNs();
      for (long call = 0; call < kToolCalls; call++) {
        const int err = runTimedCommand(toolCommand(kind, call));
        if (err) {
          std::printf("# bench: %s failed: %s\n", kinds[kind], failureText(err));
          return false;
        }
      }
      times[kind].push_back(static_cast<double>(nowNs() - start) /
                            static_cast<double>(kToolCalls));
      std::printf("TOOL %s %d %.1f\n", kinds[kind], round, times[kind].back());
      std::fflush(stdout);
    }
  }
  for (int kind = 0; kind < kKinds; kind++)
    std::printf("TOOLMEDIAN %s %.1f\n", kinds[kind], median(times[kind]));
  return true;
}

// timeToolCommands() with the guest kToolGuest running.
bool timeToolStart(const Options& options) {
  if (vs::runCommand({"vserver", kToolGuest, "start"}) != 0) {
    std::printf("# bench: the guest %s did not start\n", kToolGuest);
    return false;
  }
  const bool timed = timeToolCommands(options);
  if (vs::runCommand({"vserver", kToolGuest, "stop"}) != 0)
    std::printf("# bench: the guest %s did not stop\n", kToolGuest);
  return timed;
}

// COUNT,COUNT,... in the order of kOpNames, every count positive: the
// lists of older versions (3, 6 or 7 counts) still parse, the ops they
// leave out keeping their defaults; anything else is refused.
bool parseIterations(const char* list, long (&iterations)[kOpCount]) {
  long parsed[kOpCount];
  int given = 0;
  for (const char* p = list;; p++) {
    char* end = nullptr;
    errno = 0;
    const long count = std::strtol(p, &end, 10);
    if (given == kOpCount || end == p || errno || count < 1) return false;
    parsed[given++] = count;
    p = end;
    if (*p == '\0') break;
    if (*p != ',') return false;
  }
  if (given != 3 && given != 6 && given != 7 && given != kOpCount) return false;
  std::copy(parsed, parsed + given, iterations);
  return true;
}

// OP,OP,... of kOpNames, or "all".
bool parseOps(const std::string& list, std::vector<Op>& ops) {
  if (list == "all") {
    for (int op = 0; op < kOpCount; op++) ops.push_back(static_cast<Op>(op));
    return true;
  }
  size_t start = 0;
  for (;;) {
    const size_t end = std::min(list.find(',', start), list.size());
    const auto name = list.substr(start, end - start);
    const auto* const found = std::find(kOpNames, kOpNames + kOpCount, name);
    if (found == kOpNames + kOpCount) return false;
    ops.push_back(static_cast<Op>(found - kOpNames));
    if (end == list.size()) return true;
    start = end + 1;
  }
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 0; i < argc; i++) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    if (arg == "--host-only") {
      options.hostOnly = true;
    } else if (arg == "--root" && hasValue) {
      options.root = argv[++i];
    } else if (arg == "--rounds" && hasValue) {
      options.rounds = std::atoi(argv[++i]);
      if (options.rounds < 1) return false;
    } else if (arg == "--iterations" && hasValue) {
      // The lists of older versions (3, 6 or 7 counts) still parse; the
      // ops they leave out keep their defaults.
      if (!parseIterations(argv[++i], options.iterations)) return false;
    } else if (arg == "--profile" && hasValue) {
      if (!parseOps(argv[++i], options.profile)) return false;
    } else if (arg == "--profile-period" && hasValue) {
      options.profilePeriod = std::atol(argv[++i]);
      if (options.profilePeriod < kMinSamplePeriodNs) return false;
    } else if (arg == "--profile-scope" && hasValue) {
      const std::string scope = argv[++i];
      if (scope != "task" && scope != "system") return false;
      options.profileSystem = scope == "system";
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int runTimeCommand(int argc, char** argv) {
  char* end = nullptr;
  const long rounds = argc > 1 ? std::strtol(argv[0], &end, 10) : 0;
  if (rounds < 1 || rounds > 1000 || *end) {
    std::fprintf(stderr, "usage: vstest time-command ROUNDS CMD [ARG...]\n");
    return 2;
  }
  const std::vector<std::string> command(argv + 1, argv + argc);
  std::vector<double> times;
  for (long round = 0; round < rounds; round++) {
    const uint64_t start = nowNs();
    const int err = runTimedCommand(command);
    if (err) {
      std::printf("# time-command: %s failed: %s\n", argv[1], failureText(err));
      return 1;
    }
    times.push_back(static_cast<double>(nowNs() - start));
  }
  std::printf("%.1f\n", median(times));
  return 0;
}

namespace {

// The NAME, CALLS, PERIOD and CMD of profile-command, or false.
bool parseProfileCommand(int argc, char** argv, std::string& name, long& calls, long& period,
                         std::vector<std::string>& command) {
  int first = 0;
  if (argc > 2 && std::string(argv[0]) == "--period") {
    period = std::atol(argv[1]);
    if (period < kMinSamplePeriodNs) return false;
    first = 2;
  }
  if (argc - first < 3) return false;
  name = argv[first];
  char* end = nullptr;
  calls = std::strtol(argv[first + 1], &end, 10);
  if (calls < 1 || calls > 1000 || *end) return false;
  command.assign(argv + first + 2, argv + argc);
  return true;
}

// Runs command calls times, one after the other, sampling every CPU
// while each runs; the failure said, or the profile.
std::optional<Profile> profileCommandRuns(const std::vector<std::string>& command, long calls,
                                          long period, double& ns) {
  const KernelSymbols symbols;
  CpuClockSampler sampler(-1, period);
  sampler.start();
  const uint64_t start = nowNs();
  for (long call = 0; call < calls; call++) {
    const pid_t pid = spawnQuietly(command);
    if (pid < 0) {
      std::printf("# profile-command: %s: %s\n", command[0].c_str(), failureText(pid));
      return std::nullopt;
    }
    {
      const vs::UniqueFd pidfd = vs::openPidfd(pid);
      sampler.drainUntilReadable(pidfd.get());
    }
    if (const int err = awaitSuccess(pid)) {
      std::printf("# profile-command: %s failed: %s\n", command[0].c_str(), failureText(err));
      return std::nullopt;
    }
  }
  ns = static_cast<double>(nowNs() - start) / static_cast<double>(calls);
  return sampler.stop(symbols);
}

}  // namespace

int runProfileCommand(int argc, char** argv) {
  long calls = 0, period = kDefaultSamplePeriodNs;
  std::string name;
  std::vector<std::string> command;
  if (!parseProfileCommand(argc, argv, name, calls, period, command)) {
    std::fprintf(stderr, "usage: vstest profile-command [--period NS] NAME CALLS CMD [ARG...]\n");
    return 2;
  }
  double ns = 0;
  const std::optional<Profile> profile = profileCommandRuns(command, calls, period, ns);
  if (!profile) return 1;
  std::printf("TOOLPROFILETOTAL %s %ld %ld %ld %ld %ld %.1f\n", name.c_str(), profile->samples,
              profile->lost, profile->throttled, calls, period, ns);
  for (const auto& [function, samples] : profile->functions)
    std::printf("TOOLPROFILE %s %ld %s\n", name.c_str(), samples, function.c_str());
  return 0;
}

int runBench(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: vstest bench [--host-only] [--root DIR] [--rounds N]"
                 " [--iterations OPENS,STATS,EXECS[,UDPS,CONNECTS,STREAMS[,READDIRS"
                 "[,FORKS,SOCKETS]]]] [--profile OP[,OP...]|all [--profile-period NS]"
                 " [--profile-scope task|system]]\n");
    return 2;
  }
  // One CPU for the workers and what they fork, so that no round pays for
  // a migration the other did not.
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  CPU_SET(0, &cpus);
  if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0)
    std::printf("# bench: not pinned to CPU 0: %s\n", std::strerror(errno));

  // With --host-only (the unpatched kernel) a second host worker takes
  // the guest's turns: the VM then does the same work at the same pace as
  // the patched one beside it, and host2 against host shows how far two
  // runs of the same thing differ.
  const pid_t sinks = startSinks();
  if (sinks < 0) {
    std::printf("# bench: the host's sinks could not start: %s\n",
                std::strerror(static_cast<int>(-sinks)));
    return 1;
  }
  std::vector<Worker> workers{{"host", false}};
  workers.push_back(options.hostOnly ? Worker{"host2", false} : Worker{"guest", true});
  const auto vethGuest = benchGuest("bench-veth", kBenchVethXid, kBenchVethAddr, true);
  vs::UniqueFd vethNamespace;
  if (!options.hostOnly) {
    try {
      vethNamespace = vs::guest::createGuestNetwork(vethGuest);
    } catch (const vs::Error& e) {
      std::printf("# bench: the veth guest's network could not be set up: %s\n", e.what());
      return 1;
    }
    workers.push_back(Worker{"veth", true, vethNamespace.get()});
  }
  bool ok = true;
  for (size_t i = 0; i < workers.size() && ok; i++)
    ok = spawn(workers[i], {workers.begin(), workers.begin() + static_cast<long>(i)}, options);
  std::printf(
      "# bench: %d rounds of %ld opens, %ld stats, %ld execs, %ld udp sends, %ld connects, %ld "
      "stream chunks, %ld readdirs of /proc (%ld entries), %ld forks, %ld sockets per context "
      "(%s)\n",
      options.rounds, options.iterations[kOpen], options.iterations[kStat],
      options.iterations[kExec], options.iterations[kUdp], options.iterations[kConnect],
      options.iterations[kStream], options.iterations[kReaddir], listProc(),
      options.iterations[kFork], options.iterations[kSocket],
      options.hostOnly ? "host and host2" : "host, guest and veth");
  std::fflush(stdout);

  std::map<std::string, std::vector<double>> results[kOpCount];
  // A warm-up round of a tenth, untimed, so that the first timed round
  // finds the caches as the others do.
  for (int op = 0; op < kOpCount && ok; op++)
    for (const Worker& worker : workers)
      ok = ok && run(worker, static_cast<Op>(op), options.iterations[op] / 10 + 1) >= 0;
  for (int round = 1; round <= options.rounds && ok; round++) {
    for (int op = 0; op < kOpCount && ok; op++) {
      for (size_t k = 0; k < workers.size() && ok; k++) {
        // In order in odd rounds (host first), reversed in even ones.
        const Worker& worker = workers[round % 2 ? k : workers.size() - 1 - k];
        const double ns = run(worker, static_cast<Op>(op), options.iterations[op]);
        ok = ns >= 0;
        if (!ok) break;
        results[op][worker.context].push_back(ns);
        std::printf("ROUND %s %s %d %.1f\n", kOpNames[op], worker.context.c_str(), round, ns);
        std::fflush(stdout);
      }
    }
  }
  // After the rounds, so that they are timed as without it; a profile
  // that fails leaves the timings standing.
  if (ok && !options.profile.empty()) profileOps(workers, options);
  for (Worker& worker : workers) stop(worker);
  if (ok && !options.hostOnly) ok = timeNetworkSetup();
  if (ok && !options.hostOnly) ok = timeToolStart(options);
  kill(sinks, SIGKILL);
  waitpid(sinks, nullptr, 0);
  if (!options.hostOnly) vs::guest::removeGuestNetwork(vethGuest);
  if (!ok) return 1;
  for (int op = 0; op < kOpCount; op++)
    for (const Worker& worker : workers)
      std::printf("MEDIAN %s %s %.1f\n", kOpNames[op], worker.context.c_str(),
                  median(results[op][worker.context]));
  return 0;
}

}  // namespace probe
