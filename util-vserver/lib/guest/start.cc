#include "start.h"

#include <fcntl.h>
#include <linux/vserver.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "../cgroup.h"
#include "../error.h"
#include "../every_step.h"
#include "../process.h"
#include "../relay_copy.h"
#include "../subprocess.h"
#include "../system_log.h"
#include "../text.h"
#include "../time_namespace.h"
#include "../vserver_client.h"
#include "cgroup_place.h"
#include "disk_limits.h"
#include "hooks.h"
#include "ignored_settings.h"
#include "init.h"
#include "limits.h"
#include "lock.h"
#include "mounts.h"
#include "networking.h"
#include "registry.h"
#include "run_file.h"
#include "state.h"
#include "stop.h"
#include "ulimits.h"
#include "veth.h"

namespace vs::guest {

namespace {

// Where the first process finds its status pipe and both ends of the
// pipe for its start command's output, once it closed the rest.
constexpr int kStatusFd = 3;
constexpr int kOutputFd = 4;
constexpr int kOutputReadFd = 5;
// What the monitor passes on once the start command has ended: what it
// wrote before, not what its daemons keep writing.
constexpr size_t kFinalOutputLimit = 65536;
// The longest verdict read from the status pipe.  Guest code can write to
// it (the reaper of a foreground command holds it while the command runs,
// and guest root may open /proc/1/fd/N): what it sends must not grow our
// memory without bound.
constexpr size_t kVerdictLimit = 4096;

ContextPolicy policyOf(const GuestConfig& config) {
  ContextPolicy policy;
  policy.flags = applyChange(kDefaultGuestFlags, config.flags) & ~VSERVER_CF_STATE_SETUP;
  policy.bcaps = boundingCapabilities(config);
  policy.ccaps = applyChange(0, config.ccaps);
  for (const DeviceMapEntry& entry : config.devices) policy.devices.push_back(entry.rule);
  // Every guest on the shared stack is confined to its network set, given
  // at creation so that no task of the context ever runs without it.
  if (!config.spaces.net) policy.net = networkSetOf(config);
  // The counted limits likewise, so that no task of the context runs
  // unlimited.
  policy.limits = countedLimitsOf(config);
  return policy;
}

std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Appends what fd has to text; false at its end.
bool readSome(int fd, std::string& text) {
  char buffer[512];
  const ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n < 0) return errno == EINTR;
  text.append(buffer, static_cast<size_t>(n));
  return n > 0;
}

// Everything up to the first line of what fd delivers, until EOF.
std::string readMessage(int fd) {
  std::string message;
  while (readSome(fd, message)) {
  }
  return firstLine(message);
}

void setUtsNames(const GuestConfig& config) {
  const std::string nodename = config.uts.nodename.value_or(config.name);
  if (sethostname(nodename.data(), nodename.size()) != 0)
    throwErrno("cannot set the guest's nodename '" + nodename + "'");
  if (config.uts.domainname &&
      setdomainname(config.uts.domainname->data(), config.uts.domainname->size()) != 0)
    throwErrno("cannot set the guest's domainname");
}

// The guest's first process: pid 1 of its PID namespace, already in its
// cgroup.  Prepares the guest's view, enters its context and becomes its
// init.  Reports a failure as one line on kStatusFd; success is the pipe
// closing when the init is exec'd.
[[noreturn]] void becomeGuestInit(const GuestConfig& config, const StartOptions& options) {
  try {
    const UniqueFd devNull(open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devNull) throwErrno("/dev/null");
    // Rooted here, in the guest's cgroup (see kGuestNamespaces).
    if (unshare(CLONE_NEWCGROUP) != 0) throwErrno("cannot give the guest a cgroup namespace");
    // While the host's /proc is still ours to write its offsets to.
    if (config.virtUptime) enterFreshBootClock();
    mountGuestFilesystems(config);
    runHooks(config, HookPhase::PreStart, config.vdir);
    std::optional<VserverClient> client(std::in_place);
    pivotIntoGuestRoot(config.vdir);
    setUtsNames(config);
    applyNice(config);  // while we may still lower it: not yet in the context
    applyUlimits(config);  // likewise: a raised hard limit needs CAP_SYS_RESOURCE
    const InitPlan plan = startPlan(config, options.rescue ? &options.rescueCommand : nullptr);
    try {
      client->createContext(requireXid(config), config.name, policyOf(config));
    } catch (const Error& e) {
      if (e.errnum() != EEXIST) throw;
      throw Error(EEXIST, "context " + std::to_string(*config.xid) + " is already in use");
    }
    client.reset();  // the guest's pid 1 keeps no socket of ours
    for (int fd = 0; fd < 3; ++fd) dup2(devNull.get(), fd);
    prctl(PR_SET_PDEATHSIG, 0);
    // Nothing of the monitor's (SIGPIPE ignored) or the caller's (nohup)
    // signal handling reaches the guest.
    resetSignalHandling();
    if (plan.reaper) runReaper(plan, kStatusFd, kOutputFd, kOutputReadFd);
    execPlan(plan);
  } catch (const std::exception& e) {
    writeLine(kStatusFd, e.what());
  }
  _exit(1);
}

class Monitor {
 public:
  Monitor(const GuestConfig& config, const StartOptions& options, const CgroupPlace& cgroup,
          int reportFd, int lockFd)
      : config_(config), options_(options), cgroup_(cgroup), reportFd_(reportFd), lockFd_(lockFd) {}

  // Starts the guest and reports to the caller; returns once the guest
  // has ended.
  void run();

 private:
  std::optional<std::string> startGuestProcess(int networkNamespaceFd);
  std::optional<std::string> awaitGuestInit(int statusFd);
  bool relayOutput();
  void rollBack();
  void superviseUntilEnd();
  void restartAfterReboot(GuestLock& lock);

  const GuestConfig& config_;
  const StartOptions& options_;
  const CgroupPlace& cgroup_;
  bool askedForRestart();

  int reportFd_;
  int lockFd_;
  VserverClient client_;
  ChildProcess init_;
  UniqueFd output_;  // the start command's output and errors, while it runs
  TerminalText outputText_;
  const bool outputToTerminal_ = mayReachTerminal(STDOUT_FILENO);
  // How guest output reaches a terminal beyond our output; null if none.
  TerminalText* outputTerminal() { return outputToTerminal_ ? &outputText_ : nullptr; }
  std::optional<int> commandStatus_;  // how a foreground start command ended
  std::optional<ExitEvent> exit_;     // the context's exit notification
  void drainExitEvents();
  bool callerGone_ = false;
};

// The first process enters networkNamespaceFd unless it is negative
// (the shared stack).
std::optional<std::string> Monitor::startGuestProcess(int networkNamespaceFd) {
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) throwErrno("pipe");
  UniqueFd statusRead(pipeFds[0]), statusWrite(pipeFds[1]);
  if (pipe2(pipeFds, O_CLOEXEC) != 0) throwErrno("pipe");
  output_.reset(pipeFds[0]);
  UniqueFd outputWrite(pipeFds[1]);
  const UniqueFd cgroup = createCgroup(cgroup_.group, cgroup_.unitGroup);
  // Before the first process: the guest never runs unlimited.
  applyCgroupSettings(cgroup_.group, config_);
  init_ = cloneProcess(kGuestNamespacesAtClone, cgroup.get());
  if (init_.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Above all targets first, so that no dup3 can overwrite another.
    const int status = fcntl(statusWrite.get(), F_DUPFD_CLOEXEC, kOutputReadFd + 1);
    const int output = fcntl(outputWrite.get(), F_DUPFD_CLOEXEC, kOutputReadFd + 1);
    const int outputRead = fcntl(output_.get(), F_DUPFD_CLOEXEC, kOutputReadFd + 1);
    if (status < 0 || output < 0 || outputRead < 0 || dup3(status, kStatusFd, O_CLOEXEC) < 0 ||
        dup3(output, kOutputFd, O_CLOEXEC) < 0 || dup3(outputRead, kOutputReadFd, O_CLOEXEC) < 0)
      _exit(1);
    if (networkNamespaceFd >= 0 && setns(networkNamespaceFd, CLONE_NEWNET) != 0) {
      writeLine(kStatusFd, "cannot enter the guest's network namespace: " +
                               std::string(std::strerror(errno)));
      _exit(1);
    }
    closeDescriptorsFrom(kOutputReadFd + 1);
    becomeGuestInit(config_, options_);
  }
  statusWrite.reset();
  outputWrite.reset();
  // Closing statusRead on return hands the output over to the guest's pid 1.
  return awaitGuestInit(statusRead.get());
}

// Waits for the first process's verdict, passing its start command's
// output on to our caller and watching for the caller to die.
std::optional<std::string> Monitor::awaitGuestInit(int statusFd) {
  pollfd fds[3] = {{statusFd, POLLIN, 0}, {output_.get(), POLLIN, 0}, {reportFd_, 0, 0}};
  std::string status;
  // Until a verdict line or the pipe's end: a foreground command's reaper
  // keeps its end open until we close ours.
  for (bool statusOpen = true; statusOpen && status.find('\n') == std::string::npos;) {
    if (status.size() > kVerdictLimit) return "the guest's first process sent an overlong status";
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      throwErrno("poll");
    }
    if (fds[2].revents) {
      callerGone_ = true;
      return "vserver start was killed";
    }
    if (fds[1].revents && !relayOutput()) fds[1].fd = -1;
    if (fds[0].revents) statusOpen = readSome(statusFd, status);
  }
  copyWhatIsLeft({{output_.get(), STDOUT_FILENO, outputTerminal()}}, kFinalOutputLimit);
  if (TerminalText* terminal = outputTerminal()) writeText(STDOUT_FILENO, terminal->finish());
  output_.reset();
  const std::string verdict = firstLine(status);
  if (verdict.rfind(kCommandExitPrefix, 0) == 0) {
    const std::string exitStatus = verdict.substr(kCommandExitPrefix.size());
    if (exitStatus.empty() || exitStatus.size() > 3 ||
        exitStatus.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(exitStatus) > 255)
      return "the guest's first process sent a bad exit status '" + printable(exitStatus) + "'";
    commandStatus_ = std::stoi(exitStatus);
    return std::nullopt;
  }
  // Our own first process's message, unless guest code wrote it.
  if (!verdict.empty()) return printable(verdict);
  if (waitpid(init_.pid, nullptr, WNOHANG) == init_.pid) {
    init_.pid = 0;
    return "the guest's first process died while starting";
  }
  return std::nullopt;
}

// Copies what the start command wrote to our standard output, the
// caller's; false at the pipe's end.
bool Monitor::relayOutput() {
  char buffer[4096];
  const ssize_t n = read(output_.get(), buffer, sizeof(buffer));
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  std::string shown;
  std::string_view out(buffer, static_cast<size_t>(n));
  if (TerminalText* terminal = outputTerminal()) out = shown = terminal->pass(out);
  (void)!write(STDOUT_FILENO, out.data(), out.size());
  return true;
}

// Each step runs whatever became of the one before: a context that cannot
// be told to end must not keep its processes running, nor its cgroup.
void Monitor::rollBack() {
  EveryStep steps;
  steps.run([&] {
    if (runningContext(client_, config_)) allowContextToEnd(client_, *config_.xid);
  });
  steps.run([&] {
    if (init_.pid <= 0) return;
    signalPidfd(init_.pidfd.get(), SIGKILL);
    waitForExitStatus(init_.pid);
  });
  // The guest's group only: a unit's group and its supervisor leaf hold
  // the unit's other processes, and systemd removes them with the unit.
  steps.run([&] { removeCgroup(cgroup_.group); });
  steps.run([&] { removeGuestAddresses(config_); });
  steps.run([&] { removeGuestNetwork(config_); });
  steps.throwFirstFailure();
}

void Monitor::run() {
  std::optional<std::string> failure;
  try {
    client_.watchExits();
    // Before the guest's first process, which may bind them at once.
    UniqueFd netns;
    if (config_.spaces.net)
      netns = createGuestNetwork(config_);
    else
      addGuestAddresses(config_, client_);
    // The guest's processes hold its namespace from here on.
    failure = startGuestProcess(netns ? netns.get() : -1);
    if (!failure)
      writeRunFile(config_.runFile, {.xid = *config_.xid,
                                     .initPid = init_.pid,
                                     .monitorPid = getpid(),
                                     .cgroup = cgroup_.group});
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (failure) {
    try {
      rollBack();
    } catch (const std::exception& e) {
      *failure += std::string("; undoing the start failed too: ") + e.what();
    }
    if (!callerGone_) writeLine(reportFd_, "error " + *failure);
    return;
  }
  writeLine(reportFd_, commandStatus_ ? "ok " + std::to_string(*commandStatus_) : "ok");
  superviseUntilEnd();
}

// After a successful start: wait for the guest to end.  Unless a stop is
// cleaning up for it (it holds the lock and removes the run file), clean
// up ourselves and restart a guest that asked for it.
void Monitor::superviseUntilEnd() {
  const UniqueFd devNull(open("/dev/null", O_RDWR | O_CLOEXEC));
  for (int fd = 0; fd < 3; ++fd) dup2(devNull.get(), fd);
  close(reportFd_);
  close(lockFd_);
  pollfd fds[2] = {{init_.pidfd.get(), POLLIN, 0}, {client_.eventFd(), POLLIN, 0}};
  while (!fds[0].revents) {
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents) drainExitEvents();
  }
  waitForExitStatus(init_.pid);

  GuestLock lock(config_.name);
  const auto record = readRunFile(config_.runFile, config_.name);
  if (!record || record->monitorPid != getpid()) return;
  const bool restart = askedForRestart();
  try {
    if (runningContext(client_, config_)) allowContextToEnd(client_, *config_.xid);
    finishStoppedGuest(config_);
  } catch (const Error&) {
    // Nobody is there to tell; the restart below must still happen.
  }
  if (restart) restartAfterReboot(lock);
}

// By a new "vserver start", which takes the lock over; waited for, so
// that a guest that does not come back is logged rather than lost in our
// /dev/null.  Nobody watches this start: one the guest keeps from ending
// (a sysv rc that never returns) would hold the guest's lock, and with it
// every stop of the guest, for ever.  At the time limit it is killed,
// which undoes it as Ctrl-C would.
void Monitor::restartAfterReboot(GuestLock& lock) {
  const SystemLog log("vserver");
  lock.handDownForExec();
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe");
  const ChildProcess start = spawnCommand({exe, config_.location.cfgdir.string(), "start"});
  // The start holds it now; our copy would keep it from a second open of
  // its own (a failed post-start hook's stop).
  lock.release();
  const unsigned limit = config_.init.unwatchedStartSeconds;
  const bool ended = awaitPidfd(start.pidfd.get(), static_cast<int>(limit * 1000));
  if (!ended) signalPidfd(start.pidfd.get(), SIGKILL);
  const int status = waitForExitStatus(start.pid);
  // Killed before its guest was up, the start undoes itself; killed in its
  // post-start hooks, it leaves the guest running.
  if (!ended)
    log.error(config_.name + ": its start after its reboot was cut short at " +
              "apps/init/restart-timeout (" + std::to_string(limit) + " s)");
  else if (status == 0)
    log.info(config_.name + ": restarted after its reboot");
  else
    log.error(config_.name + ": did not come back up after its reboot (vserver start: " +
              describeStatus(status) + ")");
}

// Whether the guest ended by reboot(2) asking for a restart: its context's
// exit notification says so.
bool Monitor::askedForRestart() {
  try {
    if (!exit_) exit_ = client_.waitForExit(*config_.xid, 5000);
  } catch (const Error&) {
  }
  return exit_ && exit_->reason == VSERVER_EXIT_RESTART;
}

// Other contexts' notifications, read as they come while the guest runs.
void Monitor::drainExitEvents() {
  try {
    if (auto event = client_.waitForExit(*config_.xid, 0)) exit_ = event;
  } catch (const Error&) {
    // An overflow (ENOBUFS) loses messages but leaves the socket usable.
  }
}

// A failing post-start hook fails the start: the guest is stopped again.
void runPostStartHooks(const GuestConfig& config) {
  try {
    runHooks(config, HookPhase::PostStart, config.vdir);
  } catch (const Error& e) {
    VserverClient client;
    GuestLock lock(config.name);
    client.watchExits();
    allowContextToEnd(client, *config.xid);
    killGuest(client, config);
    finishStoppedGuest(config);
    throw Error(e.errnum(), config.name + ": " + e.what() + "; the guest was stopped again");
  }
}

// The caller's side: hooks that run on the host, then the monitor's verdict.
int awaitMonitor(const GuestConfig& config, int reportFd) {
  const std::string verdict = readMessage(reportFd);
  if (verdict == "ok") return 0;
  if (verdict.rfind("ok ", 0) == 0) {
    const int status = std::stoi(verdict.substr(3));
    if (status != 0)
      std::fprintf(stderr, "vserver: %s: the start command ended with %s\n", config.name.c_str(),
                   describeStatus(status).c_str());
    return 0;
  }
  if (verdict.rfind("error ", 0) == 0) throw Error(0, config.name + ": " + verdict.substr(6));
  throw Error(0, config.name + ": the start monitor died");
}

void refuseUsedXid(VserverClient& client, const GuestConfig& config) {
  try {
    const ContextInfo other = client.context(requireXid(config));
    throw Error(EEXIST, "context " + std::to_string(other.xid) + " is already in use by " +
                            (other.name.empty() ? "an unnamed context" : "guest " + other.name));
  } catch (const Error& e) {
    if (e.errnum() != ESRCH && e.errnum() != ENOENT) throw;
  }
}

void warnAboutIgnoredSettings(const GuestConfig& config) {
  for (const std::string& line : ignoredSettings(config))
    std::fprintf(stderr, "vserver: %s: warning: %s\n", config.name.c_str(), line.c_str());
}

void refuseMissingRoot(const GuestConfig& config) {
  std::error_code error;
  if (!std::filesystem::is_directory(config.vdir, error))
    throw Error(ENOENT, config.name + ": the guest root " + config.vdir.string() +
                            " does not exist (vdir)");
}

}  // namespace

int startGuest(const GuestConfig& config, const StartOptions& options) {
  VserverClient client;
  refuseSharedIdentity(config.location.cfgdir, config.name, config.xid);
  GuestLock lock = GuestLock::inheritedOr(config.name);
  if (const auto running = runningContext(client, config)) {
    std::fprintf(stderr, "vserver: %s is already running at context %u\n", config.name.c_str(),
                 running->xid);
    return 0;
  }
  refuseUsedXid(client, config);
  refuseMissingRoot(config);
  warnAboutIgnoredSettings(config);
  // Before the first hook: a failure here leaves nothing to undo.
  applyDiskLimits(config);
  clearStaleState(config);
  runHooks(config, HookPhase::Initialize, config.location.cfgdir);
  runHooks(config, HookPhase::PrepreStart, config.location.cfgdir);

  // Here, not in the monitor: a unit's group that cannot take the guest's
  // fails the start plainly, before anything is set up to be undone.
  const CgroupPlace cgroup = placeGuestCgroup(config.name);

  int reportFds[2];
  if (pipe2(reportFds, O_CLOEXEC) != 0) throwErrno("pipe");
  UniqueFd reportRead(reportFds[0]), reportWrite(reportFds[1]);
  std::fflush(nullptr);
  const pid_t monitor = fork();
  if (monitor < 0) throwErrno("fork");
  if (monitor == 0) {
    setsid();
    reportRead.reset();
    signal(SIGPIPE, SIG_IGN);
    try {
      Monitor(config, options, cgroup, reportWrite.get(), lock.fd()).run();
    } catch (...) {
    }
    _exit(0);
  }
  reportWrite.reset();
  lock.release();
  const int status = awaitMonitor(config, reportRead.get());
  runPostStartHooks(config);
  return status;
}

}  // namespace vs::guest
