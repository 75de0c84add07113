// One step of a relay between two descriptors (a pty, a pipe, a terminal).
#pragma once

namespace vs {

// Copies what from has to to, all of it; false at from's end or when to
// is gone, true when from merely had nothing (EINTR, EAGAIN).
bool copyAvailable(int from, int to);

}  // namespace vs
