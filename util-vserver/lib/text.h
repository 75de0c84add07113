// Small text helpers the tools share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vs {

// items with separator between them: joined({"a", "b"}, ", ") is "a, b".
std::string joined(const std::vector<std::string>& items, std::string_view separator);

// text made safe to print on a terminal or in a log when a guest wrote
// it (a path in its tree, a line from its processes): control characters
// (C0, DEL, C1 such as the 8-bit CSI), the marks and overrides of
// bidirectional text, and bytes that are not UTF-8 as \xHH, so that none
// moves the cursor, reorders or rewrites what is shown or starts a new log
// line.
std::string printable(std::string_view text);

// Whether what a guest writes to fd must go through TerminalText: unless
// fd is a regular file (a log or a redirect, which keeps what the guest
// wrote), it may end at a person's terminal, as a pipe through ssh
// without -t or through tee does.
bool mayReachTerminal(int fd);

// What a guest writes on its way to the caller's terminal (its start and
// stop output), made printable as printable() makes text, piece by piece:
// line ends, tabs and carriage returns pass, and so do colour settings
// (ESC [ digits and semicolons m), which boot scripts print; every other
// escape sequence, which could move the cursor, retitle the window or
// make the terminal answer into its input, does not.  A UTF-8 or colour
// sequence cut by the end of a piece waits for the next one.
class TerminalText {
 public:
  std::string pass(std::string_view piece);

  // At the end of the output: what was held, escaped, and a reset of the
  // colours if any were set, so that none outlasts the guest's output
  // (text made invisible, the admin's prompt recoloured).
  std::string finish();

 private:
  std::string held_;      // an unfinished sequence, shorter than kLongestHeld
  bool coloured_ = false;  // a colour setting was passed
};

}  // namespace vs
