#include "pty.h"

#include <fcntl.h>
#include <linux/major.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "error.h"
#include "relay_copy.h"
#include "open_in_root.h"

namespace vs {

namespace {

// Raw mode on a terminal for as long as it lives.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) != 0) throwErrno("tcgetattr");
    termios raw = saved_;
    cfmakeraw(&raw);
    if (tcsetattr(fd_, TCSADRAIN, &raw) != 0) throwErrno("tcsetattr");
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  ~RawTerminal() { tcsetattr(fd_, TCSADRAIN, &saved_); }

 private:
  int fd_;
  termios saved_{};
};

void copyWindowSize(int from, int to) {
  winsize size{};
  if (ioctl(from, TIOCGWINSZ, &size) == 0) ioctl(to, TIOCSWINSZ, &size);
}

UniqueFd windowChanges() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGWINCH);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  return UniqueFd(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

// root/dev/pts/ptmx, opened only if it is a ptmx device; invalid when
// there is none.
UniqueFd openPtmxUnder(const std::filesystem::path& root) {
  const UniqueFd rootFd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootFd) return {};
  const UniqueFd found = openInRoot(rootFd.get(), "dev/pts/ptmx", O_PATH | O_NOFOLLOW);
  struct stat status {};
  if (!found || fstat(found.get(), &status) != 0 || !S_ISCHR(status.st_mode) ||
      status.st_rdev != makedev(TTYAUX_MAJOR, 2))
    return {};
  const std::string reopen = "/proc/self/fd/" + std::to_string(found.get());
  return UniqueFd(open(reopen.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
}

}  // namespace

PtyRelay::PtyRelay(const std::filesystem::path& root) : primary_(openPtmxUnder(root)) {
  if (!primary_) primary_.reset(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!primary_) throwErrno("cannot open a pty");
  if (unlockpt(primary_.get()) != 0) throwErrno("cannot unlock a pty");
  // The peer by the primary, not by a name that might mean another tree.
  replica_.reset(ioctl(primary_.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!replica_) throwErrno("cannot open the pty's terminal side");
  copyWindowSize(STDIN_FILENO, primary_.get());
}

void PtyRelay::relay(int pidfd) {
  replica_.reset();
  setNonBlocking(primary_.get());
  const UniqueFd resized = windowChanges();
  const RawTerminal raw(STDIN_FILENO);
  pollfd fds[4] = {{primary_.get(), POLLIN, 0},
                   {STDIN_FILENO, POLLIN, 0},
                   {resized.get(), POLLIN, 0},
                   {pidfd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents && copyAvailable(primary_.get(), STDOUT_FILENO) < 0) return;
    if (fds[1].revents && copyAvailable(STDIN_FILENO, primary_.get()) < 0) fds[1].fd = -1;
    if (fds[2].revents) {
      signalfd_siginfo info;
      while (read(resized.get(), &info, sizeof(info)) > 0) {
      }
      copyWindowSize(STDIN_FILENO, primary_.get());
    }
    // Not a keystroke more once the command has ended, even when a
    // process it left behind still holds the pty.
    if (fds[3].revents) break;
  }
  copyWhatIsLeft({{primary_.get(), STDOUT_FILENO}});
}

}  // namespace vs
