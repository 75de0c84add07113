// vstest on-terminal: runs a command the way a user at a terminal would,
// so the suites can see what `vserver NAME enter` does with a caller's
// terminal.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "error.h"
#include "probe.h"
#include "process.h"
#include "unique_fd.h"

namespace probe {

namespace {

// A prompt may never come; the input is fed after this long regardless.
constexpr int kPromptWaitMs = 20000;

[[noreturn]] void execOnTerminal(const std::string& terminal, char** argv) {
  setsid();
  const int fd = open(terminal.c_str(), O_RDWR);
  if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) != 0) _exit(126);
  for (int target = 0; target < 3; ++target) dup2(fd, target);
  if (fd > 2) close(fd);
  execvp(argv[0], argv);
  _exit(127);
}

void writeAll(int fd, const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) vs::throwErrno("write to the terminal");
    done += static_cast<size_t>(n);
  }
}

}  // namespace

int runOnTerminal(char** argv) {
  const vs::UniqueFd primary(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!primary || grantpt(primary.get()) != 0 || unlockpt(primary.get()) != 0)
    vs::throwErrno("posix_openpt");
  const std::string terminal = ptsname(primary.get());
  struct stat terminalStat {};
  if (stat(terminal.c_str(), &terminalStat) != 0) vs::throwErrno("stat " + terminal);
  // Its filesystem and inode, like stat(1)'s %d:%i, for the suite to compare.
  std::printf("# caller terminal %lu:%lu\n", static_cast<unsigned long>(terminalStat.st_dev),
              static_cast<unsigned long>(terminalStat.st_ino));
  std::fflush(stdout);
  const std::string input(std::istreambuf_iterator<char>(std::cin), {});

  const pid_t pid = fork();
  if (pid < 0) vs::throwErrno("fork");
  if (pid == 0) execOnTerminal(terminal, argv);
  bool fed = false;
  for (;;) {
    pollfd pfd{primary.get(), POLLIN, 0};
    const int ready = poll(&pfd, 1, fed ? -1 : kPromptWaitMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready > 0) {
      char buffer[4096];
      const ssize_t n = read(primary.get(), buffer, sizeof(buffer));
      if (n <= 0) break;  // EIO: every holder of the terminal closed it
      writeAll(STDOUT_FILENO, std::string(buffer, static_cast<size_t>(n)));
    }
    if (!fed) {
      writeAll(primary.get(), input);
      fed = true;
    }
  }
  return vs::waitForExitStatus(pid);
}

}  // namespace probe
