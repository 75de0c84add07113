#include "enter.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "../error.h"
#include "../open_in_root.h"
#include "../process.h"
#include "../pty.h"
#include "../signals.h"
#include "../stdio_relay.h"
#include "../tool.h"
#include "cgroup_place.h"
#include "init.h"
#include "paths.h"
#include "passwd.h"
#include "state.h"
#include "ulimits.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

void setEnvironment(InitPlan& plan, const std::string& name, const std::string& value) {
  std::erase_if(plan.environment, [&name](const std::string& var) { return var.rfind(name + "=", 0) == 0; });
  plan.environment.push_back(name + "=" + value);
}

// Standard input, output and error as command says, where a terminal of
// ours is replaced with /dev/null; then everything else closed.  Done
// before the joining process enters the guest, so that neither it nor the
// command ever holds a host terminal or a host descriptor (the pattern of
// runc's CVE-2016-9962: a process joining a container with the host's
// descriptors open).  Keeps keep, moved to fd 3.
int takeStandardStreams(const GuestCommand& command, int keep) {
  const int kept = fcntl(keep, F_DUPFD_CLOEXEC, 10);
  std::array<int, 3> moved{-1, -1, -1};
  // Above 2 first, so that no dup2 below overwrites a source still needed.
  for (int fd = 0; fd < 3; ++fd)
    if (command.stdio[fd] >= 0) moved[fd] = fcntl(command.stdio[fd], F_DUPFD_CLOEXEC, 10);
  const UniqueFd devNull(open("/dev/null", O_RDWR | O_CLOEXEC));
  for (int fd = 0; fd < 3; ++fd) {
    const int source = moved[fd] >= 0 ? moved[fd] : (isatty(fd) ? devNull.get() : -1);
    if (source >= 0 && dup2(source, fd) < 0) throwErrno("cannot set up the command's streams");
  }
  if (kept < 0 || dup3(kept, 3, O_CLOEXEC) < 0) throwErrno("cannot keep the guest's pidfd");
  closeDescriptorsFrom(4);
  return 3;
}

// In the guest: become the user, take the terminal, run the command
// with term (the caller's TERM) if there is one.
[[noreturn]] void execCommandInGuest(const GuestCommand& command,
                                     const std::optional<std::string>& term) {
  InitPlan plan = command.plan();
  std::string home = "/root";
  if (command.user) {
    const GuestUser user = lookUpGuestUser(*command.user);
    becomeUser(user);
    home = user.home;
    setEnvironment(plan, "USER", user.name);
    setEnvironment(plan, "LOGNAME", user.name);
  }
  setEnvironment(plan, "HOME", home);
  if (term) setEnvironment(plan, "TERM", *term);
  if (command.controllingTerminal && ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0)
    throwErrno("cannot take the new terminal");
  closeDescriptorsFrom(3);
  if (chdir(home.c_str()) != 0 && chdir("/") != 0) throwErrno("chdir /");
  execPlan(plan);
}

// The guest's cgroup directory.  The child that joins the guest is made
// in it by clone3, as a write to cgroup.procs would cost a grace period
// of RCU on most hosts (cgroup_threadgroup_rwsem, unless cgroup2 is
// mounted favordynmods).  A running guest's group cannot be removed while
// its init is in it, so a missing one means the run file is wrong: the
// command would run outside the guest's limits, and is refused.
UniqueFd openGuestCgroup(const std::string& name, const RunRecord& record) {
  UniqueFd group(::open(record.cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!group && errno == ENOENT)
    throw Error(ENOENT, name + ": its cgroup " + record.cgroup.string() +
                            " is gone; not running a command outside its limits");
  if (!group) throwErrno("cannot open the guest's cgroup " + record.cgroup.string());
  return group;
}

// The group of the guest's init, relative to the guest's own, for a
// command the guest's own group refuses: a guest that handed controllers
// to the groups below its own (systemd in a guest does, once every process
// of its own is in them) keeps processes out of its own group, as the
// kernel does for any group with controllers below it (EBUSY).  Init's
// group takes them, as init is in it; runc's exec does the same.  The
// guest chooses that group and what holds there (a freeze, pids.max), as
// it may do with the command once it runs.
fs::path initCgroupBelow(const std::string& name, const RunRecord& record) {
  const std::string problem = name + ": its cgroup " + record.cgroup.string() + " takes no process";
  const auto path = processCgroupPath(std::to_string(record.initPid));
  if (!path) throw Error(EBUSY, problem + ", and its init's cgroup cannot be read");
  const auto below =
      pathBelow(fs::path(kCgroupRoot) / fs::path(*path).relative_path(), record.cgroup);
  if (!below) throw Error(EBUSY, problem + ", and its init is in no group below it");
  return *below;
}

// Our child, made in the guest's cgroup, or in its init's when the
// guest's own takes no process (initCgroupBelow()).
ChildProcess cloneIntoGuestCgroup(const std::string& name, const RunRecord& record, int groupFd) {
  try {
    return cloneProcess(0, groupFd);
  } catch (const Error& e) {
    if (e.errnum() != EBUSY) throw;
  }
  const fs::path below = initCgroupBelow(name, record);
  const fs::path shown = record.cgroup / below;
  const UniqueFd initGroup = openBeneathWithoutLinks(groupFd, below.c_str(), O_RDONLY | O_DIRECTORY);
  if (!initGroup) throwErrno("cannot open the cgroup of " + name + "'s init " + shown.string());
  try {
    return cloneProcess(0, initGroup.get());
  } catch (const Error& e) {
    throw Error(e.errnum(), errnoMessage(name + ": its cgroup takes no process, nor does its init's, " +
                                             shown.string(),
                                         e.errnum()));
  }
}

// Our child, made in the guest's PID namespace: joins the guest's other
// namespaces and its context, and becomes the command.  It talks to the
// module over a socket of its own: the parent may be reading the one it
// inherited (stop waits for exit events on it) and would swallow the
// replies.
[[noreturn]] void joinGuestAndExec(const GuestConfig& config, const RunRecord& record,
                                   int initPidfd, const GuestCommand& command) {
  try {
    // Blocked by the caller across the clone (InterruptSignalsBlocked);
    // the command takes them.
    sigprocmask(SIG_UNBLOCK, &interruptSignals(), nullptr);
    // Not dumpable from here on: once in the guest's context and
    // namespaces, guest root must not read our memory or take our
    // descriptors through /proc (ptrace, /proc/PID/fd).  Its
    // CAP_SYS_PTRACE gets past that; the kernel keeps a guest from
    // tracing a process that joined it until it execs.  Without that
    // kernel, or before it: out of the caller's session (whose terminal
    // /dev/tty would open) and without its environment before we join.
    if (prctl(PR_SET_DUMPABLE, 0) != 0) throwErrno("prctl(PR_SET_DUMPABLE)");
    if (setsid() < 0) throwErrno("setsid");
    const char* callerTerm = getenv("TERM");
    const std::optional<std::string> term =
        callerTerm ? std::optional<std::string>(callerTerm) : std::nullopt;
    scrubEnvironment();
    initPidfd = takeStandardStreams(command, initPidfd);
    VserverClient client;
    joinNamespaces(initPidfd, kGuestNamespaces);
    // The limits the guest's init started with, for the command and all
    // it starts; set outside the context, whose bounding set may lack the
    // CAP_SYS_RESOURCE a raised hard limit needs.
    if (command.perProcessLimits) applyUlimits(config);
    client.migrate(record.xid);
    execCommandInGuest(command, term);
  } catch (const Error& e) {
    printError("vserver: " + config.name, e.what());
    _exit(e.exitStatus());
  } catch (...) {
    // Never unwound into the caller's frames, which would restore its
    // PID namespace for our children.
    std::fprintf(stderr, "vserver: %s: cannot run the command\n", config.name.c_str());
    _exit(255);
  }
}

// While one lives, our children are made in the PID namespace of the
// process pidfd refers to; then in ours again.  So the command is made
// in the guest's PID namespace at once, where joining it after the fork
// would take a second fork.
class ChildrenInPidNamespaceOf {
 public:
  explicit ChildrenInPidNamespaceOf(int pidfd) : ours_(openPidfd(getpid())) {
    joinNamespaces(pidfd, CLONE_NEWPID);
  }
  ~ChildrenInPidNamespaceOf() {
    // Back to our own: the kernel allows it always.
    if (setns(ours_.get(), CLONE_NEWPID) != 0) std::abort();
  }
  ChildrenInPidNamespaceOf(const ChildrenInPidNamespaceOf&) = delete;
  ChildrenInPidNamespaceOf& operator=(const ChildrenInPidNamespaceOf&) = delete;

 private:
  UniqueFd ours_;
};

}  // namespace

ChildProcess spawnInGuest(VserverClient& client, const GuestConfig& config,
                          const RunRecord& record, const GuestCommand& command) {
  // The pidfd first, then the check: the pid cannot be reused in between.
  const UniqueFd initPidfd = openPidfd(record.initPid);
  if (client.taskXid(record.initPid) != record.xid)
    throw Error(ESRCH, config.name + ": its init (pid " + std::to_string(record.initPid) +
                           ") is gone");
  const UniqueFd cgroup = openGuestCgroup(config.name, record);
  std::fflush(nullptr);
  const ChildrenInPidNamespaceOf inGuest(initPidfd.get());
  ChildProcess child = cloneIntoGuestCgroup(config.name, record, cgroup.get());
  // The child never returns here, so never leaves the guest's namespace
  // for its own children.
  if (child.pid == 0) joinGuestAndExec(config, record, initPidfd.get(), command);
  return child;
}

namespace {

// While one lives, the kInterruptSignals wait: none is lost, and none
// ends us, before the command is there to take it.  Then what came is
// delivered.
class InterruptSignalsBlocked {
 public:
  InterruptSignalsBlocked() { sigprocmask(SIG_BLOCK, &interruptSignals(), &before_); }
  ~InterruptSignalsBlocked() { sigprocmask(SIG_SETMASK, &before_, nullptr); }
  InterruptSignalsBlocked(const InterruptSignalsBlocked&) = delete;
  InterruptSignalsBlocked& operator=(const InterruptSignalsBlocked&) = delete;

 private:
  sigset_t before_{};
};

volatile sig_atomic_t forwardedPidfd = -1;

void forwardSignal(int signal) {
  syscall(SYS_pidfd_send_signal, forwardedPidfd, signal, nullptr, 0);
}

// The command started, and the caller's interrupt signals passed on to it
// while this lives: it has a session of its own, so what the caller's
// terminal sends (Ctrl-C, hang-up) reaches only us.  By pidfd, which
// cannot reach another process once the command has been reaped.
class ForwardingChild {
 public:
  ForwardingChild(VserverClient& client, const GuestConfig& config, const RunRecord& record,
                  const GuestCommand& command) {
    const InterruptSignalsBlocked untilForwarding;
    child_ = spawnInGuest(client, config, record, command);
    forwardedPidfd = child_.pidfd.get();
    forwarding_.emplace(forwardSignal, SA_RESTART);
  }
  ~ForwardingChild() {
    forwarding_.reset();
    forwardedPidfd = -1;
  }
  ForwardingChild(const ForwardingChild&) = delete;
  ForwardingChild& operator=(const ForwardingChild&) = delete;

  int pidfd() const { return child_.pidfd.get(); }
  int waitForExit() const { return waitForExitStatus(child_.pid); }

 private:
  ChildProcess child_;
  std::optional<InterruptSignalsTo> forwarding_;
};

// Some of our streams are terminals, not both input and output: a pipe
// in place of each, relayed.
int runWithPipesForTerminals(VserverClient& client, const GuestConfig& config,
                             const RunRecord& record, GuestCommand command) {
  StdioRelay relay;
  command.stdio = relay.commandSide();
  const ForwardingChild child(client, config, record, command);
  relay.relay(child.pidfd());
  return child.waitForExit();
}

int runWithPty(VserverClient& client, const GuestConfig& config, const RunRecord& record,
               GuestCommand command) {
  PtyRelay pty("/proc/" + std::to_string(record.initPid) + "/root");
  command.stdio = {pty.commandSide(), pty.commandSide(), pty.commandSide()};
  command.controllingTerminal = true;
  const ForwardingChild child(client, config, record, command);
  pty.relay(child.pidfd());
  return child.waitForExit();
}

}  // namespace

int runInGuest(const GuestConfig& config, GuestCommand command) {
  VserverClient client;
  const RunRecord record = runningRecord(client, config);
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
    return runWithPty(client, config, record, std::move(command));
  if (isatty(STDERR_FILENO) || isatty(STDIN_FILENO) || isatty(STDOUT_FILENO))
    return runWithPipesForTerminals(client, config, record, std::move(command));
  return ForwardingChild(client, config, record, command).waitForExit();
}

}  // namespace vs::guest
