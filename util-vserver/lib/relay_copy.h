// One step of a relay between two descriptors (a pty, a pipe, a terminal).
#pragma once

#include <sys/types.h>

#include <initializer_list>

namespace vs {

class TerminalText;

// Copies what from has to to, all of it, through terminal unless it is
// null: the bytes read, 0 when from merely had nothing (EINTR, EAGAIN),
// -1 at from's end or when to is gone.  A non-blocking to that is full
// takes no more of it: what guest code leaves unread (its input) must not
// hold the relay, which then would not see the command end.
ssize_t copyAvailable(int from, int to, TerminalText* terminal = nullptr);

// Makes fd non-blocking (a relay's end toward guest code), adding to its
// flags; throws.
void setNonBlocking(int fd);

struct RelayPath {
  int from;
  int to;
  TerminalText* terminal = nullptr;  // how to passes guest output on, if a terminal
};

// What copyWhatIsLeft copies at most unless told otherwise.
inline constexpr size_t kLeftOverBudget = 1 << 20;

// Once the command has ended: copies what each path's source holds
// already, until none has anything (polling a pty flushes what is on its
// way to it) or budget bytes have been copied.  The command's own output
// is in the pipe or the pty by then; a process it left behind that holds
// the other end (a guest's background job on its terminal, a daemon its
// start command left) could write for ever, and must not keep us relaying.
void copyWhatIsLeft(std::initializer_list<RelayPath> paths, size_t budget = kLeftOverBudget);

}  // namespace vs
