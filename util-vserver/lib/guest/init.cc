#include "init.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "../error.h"
#include "../process.h"

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
constexpr useconds_t kOthersPollUs = 200000;

// Whether any process but us is left in our PID namespace: kill(-1)
// reaches every one of them but pid 1.
bool othersRemain() { return kill(-1, 0) == 0; }

// The environment pid 1 inherited is the caller's; the guest can read it
// in /proc/1/environ, which shows the original strings, not environ.
void scrubEnvironment() {
  for (char** var = environ; var && *var; ++var) std::memset(*var, 0, std::strlen(*var));
  clearenv();
}

}  // namespace

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

void runReaper(const InitPlan& plan, int statusFd, int outputFd) {
  const pid_t child = fork();
  if (child < 0) {
    writeLine(statusFd, errnoMessage("fork", errno));
    _exit(1);
  }
  if (child == 0) {
    try {
      if (plan.foreground && (dup2(outputFd, STDOUT_FILENO) < 0 || dup2(outputFd, STDERR_FILENO) < 0))
        throwErrno("cannot pass the start command's output on");
      execPlan(plan);
    } catch (const Error& e) {
      writeLine(statusFd, e.what());
      _exit(e.exitStatus());
    }
  }
  close(outputFd);
  if (!plan.foreground) close(statusFd);
  scrubEnvironment();
  int status = 0;
  int result = 0;
  for (;;) {
    const pid_t pid = wait(&status);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0 && othersRemain()) {
      usleep(kOthersPollUs);
      continue;
    }
    if (pid < 0) _exit(result);
    if (pid != child) continue;
    result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (plan.foreground) {
      writeLine(statusFd, std::string(kCommandExitPrefix) + std::to_string(result));
      close(statusFd);
    }
  }
}

}  // namespace vs::guest
