#include "process.h"

#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"

namespace vs {

ChildProcess cloneProcess(uint64_t namespaceFlags, int cgroupFd) {
  int pidfd = -1;
  clone_args args{};
  args.flags = namespaceFlags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (cgroupFd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroupFd);
  }
  const long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0) throwErrno("cannot create the guest's first process (clone3)");
  ChildProcess child;
  child.pid = static_cast<pid_t>(pid);
  if (pid > 0) child.pidfd.reset(pidfd);
  return child;
}

UniqueFd openPidfd(pid_t pid) {
  const long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) throwErrno("process " + std::to_string(pid));
  return UniqueFd(static_cast<int>(fd));
}

void joinNamespaces(int pidfd, uint64_t namespaceFlags) {
  if (setns(pidfd, static_cast<int>(namespaceFlags)) != 0)
    throwErrno("cannot join the guest's namespaces");
}

bool signalPidfd(int pidfd, int signal) {
  if (syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0) == 0) return true;
  if (errno == ESRCH) return false;
  throwErrno("cannot signal the guest");
}

int waitForExitStatus(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throwErrno("waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string describeStatus(int status) {
  if (status > 128) return std::string("killed by signal ") + sigabbrev_np(status - 128);
  return "exit status " + std::to_string(status);
}

void closeDescriptorsFrom(int first) {
  syscall(SYS_close_range, first, ~0U, 0);
}

void writeLine(int fd, const std::string& line) {
  const std::string text = line + "\n";
  (void)!write(fd, text.data(), text.size());
}

void resetSignalHandling() {
  for (int signal = 1; signal < NSIG; ++signal) ::signal(signal, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace vs
