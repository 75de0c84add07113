#include "enter.h"

#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "../error.h"
#include "../process.h"
#include "../pty.h"
#include "../signals.h"
#include "paths.h"
#include "passwd.h"
#include "state.h"

namespace vs::guest {

namespace {

void setEnvironment(InitPlan& plan, const std::string& name, const std::string& value) {
  std::erase_if(plan.environment, [&name](const std::string& var) { return var.rfind(name + "=", 0) == 0; });
  plan.environment.push_back(name + "=" + value);
}

void takeTerminal(int terminalFd) {
  if (setsid() < 0) throwErrno("setsid");
  for (int fd = 0; fd < 3; ++fd) dup2(terminalFd, fd);
  if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0) throwErrno("cannot take the new terminal");
}

// In the guest: become the user, take the terminal, run the command.
[[noreturn]] void execCommandInGuest(const GuestCommand& command) {
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
  if (const char* term = getenv("TERM")) setEnvironment(plan, "TERM", term);
  // Never in the caller's session: guest code must not get the caller's
  // terminal as its controlling terminal (TIOCSTI, /dev/tty).
  if (command.terminalFd >= 0)
    takeTerminal(command.terminalFd);
  else if (setsid() < 0)
    throwErrno("setsid");
  closeDescriptorsFrom(3);
  if (chdir(home.c_str()) != 0 && chdir("/") != 0) throwErrno("chdir /");
  execPlan(plan);
}

volatile sig_atomic_t forwardedTo = 0;

void forwardSignal(int signal) { kill(forwardedTo, signal); }

// The command has a session of its own, so what the caller's terminal
// sends (Ctrl-C, hang-up) reaches only us: pass it on.
void forwardSignalsTo(pid_t pid) {
  forwardedTo = pid;
  struct sigaction action {};
  action.sa_handler = forwardSignal;
  sigemptyset(&action.sa_mask);
  for (const int signal : kInterruptSignals) sigaction(signal, &action, nullptr);
}

// Our child: joins the guest, then forks the command into its PID
// namespace and passes its exit status on.  It talks to the module over
// a socket of its own: the parent may be reading the one it inherited
// (stop waits for exit events on it) and would swallow the replies.
[[noreturn]] void joinGuestAndRun(const GuestConfig& config, const RunRecord& record,
                                  int initPidfd, const GuestCommand& command) {
  try {
    VserverClient client;
    const auto cgroup = cgroupOf(config.name);
    if (std::filesystem::exists(cgroup)) {
      std::ofstream procs(cgroup / "cgroup.procs");
      procs << getpid() << std::endl;
      if (!procs) throw Error(EIO, "cannot join the guest's cgroup " + cgroup.string());
    }
    joinNamespaces(initPidfd, kGuestNamespaces);
    client.migrate(record.xid);
    const pid_t pid = fork();
    if (pid < 0) throwErrno("fork");
    if (pid == 0) execCommandInGuest(command);
    forwardSignalsTo(pid);
    _exit(waitForExitStatus(pid));
  } catch (const Error& e) {
    std::fprintf(stderr, "vserver: %s: %s\n", config.name.c_str(), e.what());
    _exit(e.exitStatus());
  }
}

}  // namespace

pid_t spawnInGuest(VserverClient& client, const GuestConfig& config, const RunRecord& record,
                   const GuestCommand& command) {
  // The pidfd first, then the check: the pid cannot be reused in between.
  const UniqueFd initPidfd = openPidfd(record.initPid);
  if (client.taskXid(record.initPid) != record.xid)
    throw Error(ESRCH, config.name + ": its init (pid " + std::to_string(record.initPid) +
                           ") is gone");
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throwErrno("fork");
  if (pid == 0) joinGuestAndRun(config, record, initPidfd.get(), command);
  return pid;
}

int runInGuest(const GuestConfig& config, GuestCommand command) {
  VserverClient client;
  const RunRecord record = runningRecord(client, config);
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
    return waitForExitStatus(spawnInGuest(client, config, record, command));
  PtyRelay pty("/proc/" + std::to_string(record.initPid) + "/root");
  command.terminalFd = pty.commandSide();
  const pid_t pid = spawnInGuest(client, config, record, command);
  pty.relay();
  return waitForExitStatus(pid);
}

}  // namespace vs::guest
