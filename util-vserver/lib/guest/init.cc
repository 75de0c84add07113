#include "init.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "../error.h"
#include "../process.h"
#include "../unique_fd.h"

namespace vs::guest {

namespace {

// util-vserver's: a guest that stays up a while for someone to enter it.
const std::vector<std::string> kRescueDefault{"/bin/sleep", "900"};

// Debian's rc, or Red Hat's.
std::string sysvRcScript() {
  for (const char* rc : {"/etc/init.d/rc", "/etc/rc.d/rc"}) {
    if (access(rc, X_OK) == 0) return rc;
  }
  throw Error(ENOENT, "init style sysv: the guest has no /etc/init.d/rc or /etc/rc.d/rc");
}

std::vector<std::string> sysvEnvironment(const GuestConfig& config, const std::string& runlevel,
                                         const std::string& previous) {
  std::vector<std::string> environment = config.init.environment;
  environment.push_back("RUNLEVEL=" + runlevel);
  environment.push_back("PREVLEVEL=" + previous);
  return environment;
}

// How often pid 1 looks whether processes that are not its children (a
// stop command, an enter session) are still there.
constexpr int kOthersPollMs = 200;

// Whether any process but us is left in our PID namespace: kill(-1)
// reaches every one of them but pid 1.
bool othersRemain() { return kill(-1, 0) == 0; }

// The reaper's child: the plan's command, its output to outputFd when it
// runs in the foreground.
[[noreturn]] void execCommand(const InitPlan& plan, const sigset_t& childExit, int statusFd,
                              int outputFd) {
  try {
    sigprocmask(SIG_UNBLOCK, &childExit, nullptr);
    if (plan.foreground &&
        (dup2(outputFd, STDOUT_FILENO) < 0 || dup2(outputFd, STDERR_FILENO) < 0))
      throwErrno("cannot pass the start command's output on");
    execPlan(plan);
  } catch (const Error& e) {
    writeLine(statusFd, e.what());
    _exit(e.exitStatus());
  }
}

// Pid 1 of a reaper style: reaps, reports the command's end, drains its
// output once the monitor let go.
class Reaper {
 public:
  Reaper(const InitPlan& plan, pid_t child, int statusFd, int outputReadFd,
         const sigset_t& childExit)
      : child_(child),
        status_(statusFd),
        output_(outputReadFd),
        childExits_(signalfd(-1, &childExit, SFD_NONBLOCK | SFD_CLOEXEC)) {
    if (!plan.foreground) {
      status_.reset();
      output_.reset();
    }
  }

  [[noreturn]] void run() {
    for (;;) {
      const bool childrenLeft = reapChildren();
      if (!childrenLeft && !othersRemain()) _exit(result_);
      // Others are not our children: no signal tells when they are gone.
      waitForEvents(childrenLeft && childExits_ ? -1 : kOthersPollMs);
    }
  }

 private:
  // Reaps what has ended; false when we have no children left.
  bool reapChildren() {
    for (;;) {
      int status = 0;
      const pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid == 0) return true;
      if (pid < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (pid != child_) continue;
      result_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (status_) writeLine(status_.get(), std::string(kCommandExitPrefix) + std::to_string(result_));
    }
  }

  void waitForEvents(int timeoutMs) {
    // The status pipe reports an error once the monitor closed its end.
    pollfd fds[3] = {{childExits_.get(), POLLIN, 0},
                     {status_.get(), 0, 0},
                     {status_ ? -1 : output_.get(), POLLIN, 0}};
    if (poll(fds, 3, timeoutMs) < 0) return;
    if (fds[0].revents) {
      signalfd_siginfo info;
      while (read(childExits_.get(), &info, sizeof(info)) > 0) {
      }
    }
    if (fds[1].revents) status_.reset();
    if (fds[2].revents && !discardInput(output_.get())) output_.reset();
  }

  // Reads and discards what fd holds; false at its end.
  static bool discardInput(int fd) {
    char buffer[4096];
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    return n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN));
  }

  const pid_t child_;
  UniqueFd status_;  // open while the monitor listens
  UniqueFd output_;
  const UniqueFd childExits_;
  int result_ = 0;
};

}  // namespace

void scrubEnvironment() {
  for (char** var = environ; var && *var; ++var) std::memset(*var, 0, std::strlen(*var));
  clearenv();
}

InitPlan startPlan(const GuestConfig& config, const std::vector<std::string>* rescueCommand) {
  InitPlan plan{{}, config.init.environment, true, false};
  if (rescueCommand) {
    plan.command = rescueCommand->empty() ? kRescueDefault : *rescueCommand;
    return plan;
  }
  if (!config.init.startCommand.empty()) {
    plan.command = config.init.startCommand;
    plan.foreground = true;
    return plan;
  }
  switch (config.init.style) {
    case InitStyle::Plain:
      plan.command = {"/sbin/init"};
      plan.reaper = false;
      break;
    case InitStyle::Sysv:
      plan.command = {sysvRcScript(), config.init.runlevelStart};
      plan.environment = sysvEnvironment(config, config.init.runlevelStart, "N");
      plan.foreground = true;
      break;
    case InitStyle::Rescue:
      plan.command = kRescueDefault;
      break;
  }
  return plan;
}

bool hasStopCommand(const GuestConfig& config) {
  return !config.init.stopCommand.empty() ||
         (config.init.style == InitStyle::Sysv && config.init.startCommand.empty());
}

InitPlan stopPlan(const GuestConfig& config) {
  InitPlan plan{{}, config.init.environment, false, false};
  if (!config.init.stopCommand.empty()) {
    plan.command = config.init.stopCommand;
  } else if (config.init.style == InitStyle::Sysv && config.init.startCommand.empty()) {
    plan.command = {sysvRcScript(), config.init.runlevelStop};
    plan.environment =
        sysvEnvironment(config, config.init.runlevelStop, config.init.runlevelStart);
  }
  return plan;
}

void execPlan(const InitPlan& plan) {
  std::vector<char*> argv, envp;
  for (const auto& arg : plan.command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  for (const auto& var : plan.environment) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  // The PATH of the guest's environment finds a bare command name.
  for (const auto& var : plan.environment) {
    if (var.rfind("PATH=", 0) == 0) setenv("PATH", var.c_str() + 5, 1);
  }
  execvpe(argv[0], argv.data(), envp.data());
  const int errnum = errno;
  throw Error(errnum, errnoMessage("cannot run " + plan.command[0] + " in the guest", errnum),
              errnum == ENOENT ? 127 : 126);
}

void runReaper(const InitPlan& plan, int statusFd, int outputFd, int outputReadFd) {
  // Before the command can run: it must not find our caller's environment
  // or command line in /proc/1.
  scrubEnvironment();
  setProcessTitle("init");
  prctl(PR_SET_DUMPABLE, 0);
  // Blocked before the fork, so that no child's exit goes unnoticed.
  sigset_t childExit;
  sigemptyset(&childExit);
  sigaddset(&childExit, SIGCHLD);
  sigprocmask(SIG_BLOCK, &childExit, nullptr);
  const pid_t child = fork();
  if (child < 0) {
    writeLine(statusFd, errnoMessage("fork", errno));
    _exit(1);
  }
  if (child == 0) execCommand(plan, childExit, statusFd, outputFd);
  close(outputFd);
  Reaper reaper(plan, child, statusFd, outputReadFd, childExit);
  reaper.run();
}

}  // namespace vs::guest
