#include "process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <sstream>
#include <optional>
#include <vector>

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
  if (pid < 0) throwErrno("cannot create a process (clone3)");
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

bool awaitPidfd(int pidfd, int timeoutMs) {
  pollfd fd{pidfd, POLLIN, 0};
  int ready = 0;
  while ((ready = poll(&fd, 1, timeoutMs)) < 0) {
    if (errno != EINTR) throwErrno("poll");
  }
  return ready > 0;
}

int waitForExitStatus(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throwErrno("waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string describeStatus(int status) {
  // 255 (a tool's failure) is no 128 + signal: there is no signal 127.
  if (const char* signal = status > 128 ? sigabbrev_np(status - 128) : nullptr)
    return std::string("killed by signal ") + signal;
  return "exit status " + std::to_string(status);
}

namespace {

// Fields 48 and 49 of /proc/self/stat: where our arguments are.
constexpr size_t kArgStartField = 48;

struct ArgumentArea {
  uintptr_t start = 0, end = 0;
};

// /proc/self/stat, the kernel's and ours: after pivot_root, /proc may be
// a directory of the guest's tree, whose "stat" (a file, a FIFO, a link
// to another process's) would tell us where to write or hold us.
std::optional<std::string> ownStatLine() {
  const UniqueFd fd(open("/proc/self/stat", O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  struct statfs filesystem {};
  if (!fd || fstatfs(fd.get(), &filesystem) != 0 || filesystem.f_type != PROC_SUPER_MAGIC)
    return std::nullopt;
  char buffer[4096];
  const ssize_t n = read(fd.get(), buffer, sizeof(buffer) - 1);
  if (n <= 0) return std::nullopt;
  std::string stat(buffer, static_cast<size_t>(n));
  if (!stat.starts_with(std::to_string(getpid()) + " (")) return std::nullopt;
  return stat;
}

std::optional<ArgumentArea> argumentArea() {
  const std::optional<std::string> stat = ownStatLine();
  if (!stat) return std::nullopt;
  // The name (field 2) is in parentheses and may hold anything.
  const size_t nameEnd = stat->rfind(')');
  if (nameEnd == std::string::npos) return std::nullopt;
  std::istringstream rest(stat->substr(nameEnd + 1));
  const std::vector<std::string> fields{std::istream_iterator<std::string>(rest), {}};
  const size_t index = kArgStartField - 3;  // rest starts at field 3
  if (fields.size() <= index + 1) return std::nullopt;
  ArgumentArea area;
  const auto parse = [](const std::string& field, uintptr_t& value) {
    return std::from_chars(field.data(), field.data() + field.size(), value).ec == std::errc();
  };
  if (!parse(fields[index], area.start) || !parse(fields[index + 1], area.end) ||
      area.end <= area.start + 1)
    return std::nullopt;
  return area;
}

}  // namespace

void setProcessTitle(const std::string& title) {
  prctl(PR_SET_NAME, title.c_str());
  const auto area = argumentArea();
  if (!area) return;
  char* const args = reinterpret_cast<char*>(area->start);
  const size_t size = area->end - area->start;
  std::memset(args, 0, size);
  std::memcpy(args, title.data(), std::min(title.size(), size - 1));
  // A last byte that is not NUL tells the kernel to show the area up to
  // its first NUL: the title alone, without the emptied arguments.
  args[size - 1] = ' ';
}

void closeDescriptorsFrom(int first) {
  syscall(SYS_close_range, first, ~0U, 0);
}

void writeLine(int fd, const std::string& line) { writeText(fd, line + "\n"); }

void writeText(int fd, std::string_view text) {
  if (!text.empty()) (void)!write(fd, text.data(), text.size());
}

void resetSignalHandling() {
  for (int signal = 1; signal < NSIG; ++signal) ::signal(signal, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace vs
