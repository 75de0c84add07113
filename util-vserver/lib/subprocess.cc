#include "subprocess.h"

#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "error.h"
#include "exec.h"
#include "process.h"
#include "unique_fd.h"

namespace vs {

namespace {

// In the child, before exec.
void redirectStdin(int stdinFd) {
  if (stdinFd >= 0 && dup2(stdinFd, STDIN_FILENO) < 0) {
    std::perror("dup2");
    _exit(126);
  }
}

// Ends a child whose output is abandoned; the error being reported is
// the caller's, whatever waitpid says.
void killAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

CapturedOutput runCapturingOutput(const std::vector<std::string>& argv, int stdinFd,
                                  size_t limit) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throwErrno("pipe");
  UniqueFd readEnd(fds[0]), writeEnd(fds[1]);

  const pid_t pid = fork();
  if (pid < 0) throwErrno("fork");
  if (pid == 0) {
    redirectStdin(stdinFd);
    if (dup2(writeEnd.get(), STDOUT_FILENO) < 0) _exit(127);
    try {
      execCommand(argv);
    } catch (const Error& e) {
      _exit(e.exitStatus());
    }
  }
  writeEnd.reset();

  CapturedOutput captured;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(readEnd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      killAndReap(pid);
      throw Error(err, errnoMessage("cannot read what " + argv.front() + " printed", err));
    }
    if (n == 0) break;
    if (static_cast<size_t>(n) > limit - captured.output.size()) {
      killAndReap(pid);
      throw Error(EFBIG, argv.front() + " printed more than " + std::to_string(limit) + " bytes");
    }
    captured.output.append(buffer, static_cast<size_t>(n));
  }
  captured.status = waitForExitStatus(pid);
  return captured;
}

int runCommand(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
               int stdinFd) {
  return waitForExitStatus(spawnCommand(argv, cwd, stdinFd).pid);
}

ChildProcess spawnCommand(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                          int stdinFd) {
  const pid_t pid = fork();
  if (pid < 0) throwErrno("fork");
  if (pid == 0) {
    redirectStdin(stdinFd);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      std::perror(cwd.c_str());
      _exit(126);
    }
    try {
      execCommand(argv);
    } catch (const Error& e) {
      std::fprintf(stderr, "%s\n", e.what());
      _exit(e.exitStatus());
    }
  }
  // Our unreaped child: its pid cannot have been reused.
  return {pid, openPidfd(pid)};
}

}  // namespace vs
