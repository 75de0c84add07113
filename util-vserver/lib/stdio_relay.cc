#include "stdio_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "error.h"
#include "process.h"
#include "relay_copy.h"

namespace vs {

namespace {

// The kernel's default for an unprivileged user's pipes (pipe-max-size).
constexpr int kInputPipeSize = 1 << 20;

}  // namespace

StdioRelay::StdioRelay() {
  for (int fd = 0; fd < 3; ++fd) {
    if (!isatty(fd)) continue;
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) throwErrno("pipe");
    // Standard input flows to the command, the others from it.
    const bool input = fd == STDIN_FILENO;
    ours_[fd].reset(input ? ends[1] : ends[0]);
    command_[fd].reset(input ? ends[0] : ends[1]);
    // What a pty holds for a command that reads slowly (the relay drops
    // what its full input takes no more), not a pipe's 64 KiB.
    if (input) fcntl(ends[1], F_SETPIPE_SZ, kInputPipeSize);
  }
}

bool StdioRelay::needed() const {
  return ours_[0] || ours_[1] || ours_[2];
}

std::array<int, 3> StdioRelay::commandSide() const {
  return {command_[0].get(), command_[1].get(), command_[2].get()};
}

void StdioRelay::relay(int pidfd) {
  for (UniqueFd& end : command_) end.reset();
  if (ours_[0]) setNonBlocking(ours_[0].get());
  // Input first: our terminal, to the pipe's writing end.
  pollfd fds[4] = {{ours_[0] ? STDIN_FILENO : -1, POLLIN, 0},
                   {ours_[1].get(), POLLIN, 0},
                   {ours_[2].get(), POLLIN, 0},
                   {pidfd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      throwErrno("poll");
    }
    if (fds[0].revents && copyAvailable(STDIN_FILENO, ours_[0].get()) < 0) {
      fds[0].fd = -1;
      ours_[0].reset();  // the command sees the end of its input
    }
    for (int out = 1; out < 3; ++out)
      if (fds[out].revents && copyAvailable(ours_[out].get(), out, &text_[out]) < 0) fds[out].fd = -1;
    if (fds[3].revents) break;
  }
  copyWhatIsLeft({{fds[1].fd, STDOUT_FILENO, &text_[1]}, {fds[2].fd, STDERR_FILENO, &text_[2]}});
  for (int out = 1; out < 3; ++out)
    if (ours_[out]) writeText(out, text_[out].finish());
}

}  // namespace vs
