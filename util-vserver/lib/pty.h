// A new pseudo-terminal for a command, relayed to the caller's terminal
// (util-vserver's vlogin): the command never holds the caller's terminal,
// so it cannot push input into it (TIOCSTI) or keep it after we are gone.
#pragma once

#include <sys/types.h>

#include "unique_fd.h"

namespace vs {

class PtyRelay {
 public:
  // Opens a pty sized like the terminal on standard input.
  PtyRelay();

  // The side to give the command.
  int commandSide() const { return replica_.get(); }

  // Closes our copy of the command side, puts our terminal in raw mode
  // and relays both ways, the window size included, until every process
  // holding the command side has closed it; then restores the terminal.
  void relay();

 private:
  UniqueFd primary_;
  UniqueFd replica_;
};

}  // namespace vs
