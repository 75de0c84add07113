// Replacing the current process with a command.
#pragma once

#include <string>
#include <vector>

namespace vs {

// execvp()s argv; on failure throws Error with exit status 127 when the
// program is not found and 126 when it cannot be run, as shells do.
[[noreturn]] void execCommand(const std::vector<std::string>& argv);

// For the tools that act, then run an optional command (util-vserver's
// habit): 0 when argv is empty, else stdout flushed and argv exec'd.
int execIfGiven(const std::vector<std::string>& argv);

}  // namespace vs
