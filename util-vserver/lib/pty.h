// A new pseudo-terminal for a command, relayed to the caller's terminal
// (util-vserver's vlogin): the command never holds the caller's terminal,
// so it cannot push input into it (TIOCSTI) or keep it after we are gone.
#pragma once

#include <sys/types.h>

#include <filesystem>

#include "unique_fd.h"

namespace vs {

class PtyRelay {
 public:
  // A pty sized like the terminal on standard input, from the devpts
  // instance of the tree under root (a guest's, so that it sees the
  // pty as its own /dev/pts/N), else from ours.
  explicit PtyRelay(const std::filesystem::path& root);

  // The side to give the command.
  int commandSide() const { return replica_.get(); }

  // Closes our copy of the command side, puts our terminal in raw mode
  // and relays both ways, the window size included, until the process of
  // pidfd has ended (and its output has been passed on) or every process
  // holding the command side has closed it; then restores the terminal.
  void relay(int pidfd);

 private:
  UniqueFd primary_;
  UniqueFd replica_;
};

}  // namespace vs
