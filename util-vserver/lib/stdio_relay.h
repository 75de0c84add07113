// Pipes in place of those of our standard streams that are terminals, for
// a command that must not hold them (guest code and the admin's terminal:
// TIOCSTI, /dev/tty, a terminal kept after we are gone).  Used when a pty
// of its own does not fit, because only some of the streams are terminals
// (a command reading the terminal with its output in a file, or writing
// its errors to the terminal with its output piped on).
#pragma once

#include <array>

#include "text.h"
#include "unique_fd.h"

namespace vs {

class StdioRelay {
 public:
  // A pipe for each of standard input, output and error that is a terminal.
  StdioRelay();

  // Whether any of them is.
  bool needed() const;

  // What the command gets as standard input, output and error: a pipe's
  // end, or -1 where it keeps ours.
  std::array<int, 3> commandSide() const;

  // Closes our copies of the command side, then copies between our
  // streams and the pipes until the process of pidfd has ended and its
  // output has been passed on, made printable as start's is: this is no
  // interactive session, and guest code must not make the terminal
  // answer into the caller's input.
  void relay(int pidfd);

 private:
  std::array<UniqueFd, 3> ours_;     // our end of each pipe
  std::array<UniqueFd, 3> command_;  // the command's end
  std::array<TerminalText, 3> text_;  // what goes out to a terminal, 1 and 2
};

}  // namespace vs
