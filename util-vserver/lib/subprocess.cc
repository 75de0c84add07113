#include "subprocess.h"

#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>

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

// Starts argv with its standard output on a pipe, whose reading end it
// returns in readEnd.
pid_t spawnWithOutputPipe(const std::vector<std::string>& argv, int stdinFd, UniqueFd& readEnd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throwErrno("pipe");
  readEnd.reset(fds[0]);
  UniqueFd writeEnd(fds[1]);
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
  return pid;
}

// Hands what the child of pid prints on readEnd to take, piece by piece,
// until its end, and returns the child's exit status; kills it when
// reading or take fails.
int readOutput(pid_t pid, int readEnd, const std::string& name,
               const std::function<void(std::string_view)>& take) {
  char buffer[4096];
  try {
    for (;;) {
      const ssize_t n = read(readEnd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throwErrno("cannot read what " + name + " printed");
      if (n == 0) break;
      take(std::string_view(buffer, static_cast<size_t>(n)));
    }
  } catch (...) {
    killAndReap(pid);
    throw;
  }
  return waitForExitStatus(pid);
}

}  // namespace

CapturedOutput runCapturingOutput(const std::vector<std::string>& argv, int stdinFd,
                                  size_t limit) {
  UniqueFd readEnd;
  const pid_t pid = spawnWithOutputPipe(argv, stdinFd, readEnd);
  CapturedOutput captured;
  captured.status = readOutput(pid, readEnd.get(), argv.front(), [&](std::string_view piece) {
    if (piece.size() > limit - captured.output.size())
      throw Error(EFBIG, argv.front() + " printed more than " + std::to_string(limit) + " bytes");
    captured.output.append(piece);
  });
  return captured;
}

int runReadingLines(const std::vector<std::string>& argv,
                    const std::function<void(const std::string&)>& onLine, size_t longest) {
  UniqueFd readEnd;
  const pid_t pid = spawnWithOutputPipe(argv, -1, readEnd);
  std::string line;
  bool cut = false;  // the rest of the line is dropped
  const int status = readOutput(pid, readEnd.get(), argv.front(), [&](std::string_view piece) {
    for (size_t end; (end = piece.find('\n')) != std::string_view::npos; piece.remove_prefix(end + 1)) {
      if (!cut) line.append(piece.substr(0, std::min(end, longest - line.size())));
      onLine(line);
      line.clear();
      cut = false;
    }
    if (!cut) line.append(piece.substr(0, std::min(piece.size(), longest - line.size())));
    cut = line.size() == longest;
  });
  if (!line.empty()) onLine(line);
  return status;
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
