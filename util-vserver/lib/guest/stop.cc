#include "stop.h"

#include <fcntl.h>
#include <linux/vserver.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <optional>

#include "../cgroup.h"
#include "../error.h"
#include "../every_step.h"
#include "../process.h"
#include "../relay_copy.h"
#include "../text.h"
#include "../tool.h"
#include "../unique_fd.h"
#include "enter.h"
#include "hooks.h"
#include "init.h"
#include "lock.h"
#include "networking.h"
#include "registry.h"
#include "run_file.h"
#include "state.h"
#include "veth.h"

namespace vs::guest {

namespace {

// How long the style's stop command may take before the kill sequence.
constexpr int kStopCommandTimeoutMs = 30000;
constexpr int kPollMs = 100;

// Sends signal to the whole context and waits up to waitMs for it to end;
// true when it has.
bool signalAndWait(VserverClient& client, uint32_t xid, int signal, int waitMs) {
  try {
    client.kill(xid, signal);
  } catch (const Error& e) {
    if (e.errnum() == ENOENT || e.errnum() == ESRCH) return true;
    throw;
  }
  return client.waitForExit(xid, waitMs).has_value();
}

// How long a stop, once it let go of the lock, waits for the guest's
// monitor to end; a monitor that does not is another process by now.
constexpr int kMonitorExitTimeoutMs = 5000;

// A pidfd for the guest's monitor, when its run file names one that runs.
UniqueFd monitorOf(const GuestConfig& config) {
  const auto record = readRunFile(config.runFile, config.name);
  if (!record) return {};
  try {
    return openPidfd(record->monitorPid);
  } catch (const Error&) {
    return {};
  }
}

// The stop command's streams: /dev/null for input, and a pipe for output
// and one for errors, which we pass on to ours.  Guest code holds none of
// our descriptors: not a file our output goes to (which it could
// truncate), not the journal's socket, not the caller's input.  A reader
// of ours that went away (vserver stop | head -1) must not end us
// half-way through the stop: once the command is made (with SIGPIPE as
// it was), SIGPIPE is ignored while we pass its output on.
class StopCommandStreams {
 public:
  StopCommandStreams() : input_(open("/dev/null", O_RDONLY | O_CLOEXEC)) {
    if (!input_) throwErrno("cannot open /dev/null");
    for (size_t i = 0; i < ours_.size(); i++) {
      int ends[2];
      if (pipe2(ends, O_CLOEXEC) != 0) throwErrno("cannot make a pipe");
      ours_[i] = UniqueFd(ends[0]);
      theirs_[i] = UniqueFd(ends[1]);
      setNonBlocking(ends[0]);
    }
  }

  ~StopCommandStreams() {
    if (ignoringSigpipe_) sigaction(SIGPIPE, &savedSigpipe_, nullptr);
  }
  StopCommandStreams(const StopCommandStreams&) = delete;
  StopCommandStreams& operator=(const StopCommandStreams&) = delete;

  std::array<int, 3> commandSide() const {
    return {input_.get(), theirs_[0].get(), theirs_[1].get()};
  }

  // Once the command has been made: the pipes end with it.
  void commandMade() {
    input_.reset();
    for (UniqueFd& fd : theirs_) fd.reset();
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ignoringSigpipe_ = sigaction(SIGPIPE, &ignore, &savedSigpipe_) == 0;
  }

  // Passes on what the command wrote so far, up to a budget in all: a
  // guest writing for ever must not fill our log.
  void passOn() {
    for (size_t i = 0; i < ours_.size() && passed_ < kLeftOverBudget; i++) {
      const ssize_t copied = copyAvailable(ours_[i].get(), kOurs[i], terminal(i));
      if (copied > 0) passed_ += static_cast<size_t>(copied);
    }
  }

  // Once the command has ended: what is left in the pipes.
  void passOnTheRest() {
    if (passed_ < kLeftOverBudget)
      copyWhatIsLeft({{ours_[0].get(), STDOUT_FILENO, terminal(0)},
                      {ours_[1].get(), STDERR_FILENO, terminal(1)}},
                     kLeftOverBudget - passed_);
    for (size_t i = 0; i < kOurs.size(); i++)
      if (TerminalText* text = terminal(i)) writeText(kOurs[i], text->finish());
  }

 private:
  static constexpr std::array<int, 2> kOurs{STDOUT_FILENO, STDERR_FILENO};
  // How stream i reaches a terminal beyond ours, if it may.
  TerminalText* terminal(size_t i) { return toTerminal_[i] ? &text_[i] : nullptr; }
  const std::array<bool, 2> toTerminal_{mayReachTerminal(STDOUT_FILENO),
                                        mayReachTerminal(STDERR_FILENO)};
  std::array<TerminalText, 2> text_;
  struct sigaction savedSigpipe_ {};
  bool ignoringSigpipe_ = false;
  UniqueFd input_;
  std::array<UniqueFd, 2> ours_;    // our end of the output and error pipes
  std::array<UniqueFd, 2> theirs_;  // the command's end
  size_t passed_ = 0;
};

// Runs the stop command inside the guest, giving it a bounded time; the
// kill sequence deals with whatever it leaves.  True when the guest ended.
bool runStopCommand(VserverClient& client, const GuestConfig& config) {
  const auto record = readRunFile(config.runFile, config.name);
  if (!record || !hasStopCommand(config)) return false;
  StopCommandStreams streams;
  GuestCommand command;
  command.plan = [&config] { return stopPlan(config); };
  command.perProcessLimits = false;
  command.stdio = streams.commandSide();
  pid_t pid = 0;
  try {
    pid = spawnInGuest(client, config, *record, command).pid;
  } catch (const Error& e) {
    // A guest whose cgroup is full (a fork bomb) has no room for its
    // stop command, and its init may be ending: the kill sequence does
    // the stopping then.
    printError("vserver: " + config.name + ": warning: the stop command did not start", e.what());
    return false;
  }
  streams.commandMade();
  bool ended = false;
  for (int waited = 0; waited < kStopCommandTimeoutMs && !ended; waited += kPollMs) {
    ended = client.waitForExit(*config.xid, kPollMs).has_value();
    streams.passOn();
    if (!ended && waitpid(pid, nullptr, WNOHANG) == pid) {
      streams.passOnTheRest();
      return false;
    }
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  streams.passOnTheRest();
  return ended;
}

}  // namespace

void allowContextToEnd(VserverClient& client, uint32_t xid) {
  PolicyChange change;
  change.flags.mask = VSERVER_CF_PERSISTENT;
  try {
    client.setPolicy(xid, change);
  } catch (const Error& e) {
    if (e.errnum() != ESRCH && e.errnum() != ENOENT) throw;
  }
}

void killGuest(VserverClient& client, const GuestConfig& config) {
  const uint32_t xid = *config.xid;
  for (const KillStep& step : config.init.killSequence) {
    if (signalAndWait(client, xid, step.signal, static_cast<int>(step.waitSeconds) * 1000)) return;
  }
  if (!runningContext(client, config)) return;
  throw Error(ETIMEDOUT, config.name + ": still running after the kill sequence (apps/init/killseq)");
}

void finishStoppedGuest(const GuestConfig& config) {
  EveryStep steps;
  steps.run([&] { runHooks(config, HookPhase::PostStop, config.vdir); });
  steps.run([&] { removeCgroup(recordedCgroupOf(config)); });
  steps.run([&] { removeGuestAddresses(config); });
  steps.run([&] { removeGuestNetwork(config); });
  steps.run([&] { removeRunFile(config.runFile); });
  steps.run([&] { runHooks(config, HookPhase::PostpostStop, config.vdir); });
  steps.throwFirstFailure();
}

void clearStaleState(const GuestConfig& config) {
  const std::filesystem::path group = recordedCgroupOf(config);
  removeRunFile(config.runFile);
  removeCgroup(group);
  removeGuestAddresses(config);
  removeGuestNetwork(config);
}

int stopGuest(const GuestConfig& config) {
  // Before the lock, which the name keys: another guest's, if it is shared.
  refuseSharedIdentity(config.location.cfgdir, config.name, config.xid);
  UniqueFd monitor;
  int status = 0;
  {
    const GuestLock lock(config.name);
    monitor = monitorOf(config);
    status = stopGuest(config, lock);
  }
  // The monitor sees the guest's end once it has the lock, and ends.  We
  // return after it, so that nothing of the guest is left in a systemd
  // unit's group when its ExecStop= is done: systemd then removes the
  // group, whose controllers start enabled (cgroup_place.h).  A group it
  // kept would refuse the unit's next ExecStart= (EBUSY).
  if (monitor) awaitPidfd(monitor.get(), kMonitorExitTimeoutMs);
  return status;
}

int stopGuest(const GuestConfig& config, const GuestLock& /*held*/) {
  VserverClient client;
  const auto context = runningContext(client, config);
  if (!context) {
    std::fprintf(stderr, "vserver: %s is not running\n", config.name.c_str());
    clearStaleState(config);
    return 0;
  }
  runHooks(config, HookPhase::PreStop, config.vdir);
  client.watchExits();
  allowContextToEnd(client, *config.xid);
  // The context may have ended between the check and joining the events.
  if (runningContext(client, config) && !runStopCommand(client, config))
    killGuest(client, config);
  finishStoppedGuest(config);
  return 0;
}

}  // namespace vs::guest
