// The boundary of every command: errors become one line and an exit status.
#pragma once

#include <functional>

namespace vs {

// Runs body and returns its exit status.  An Error (or any other exception)
// escaping it is printed as "name: message" on stderr and ends the tool with
// the error's exit status.
int runTool(const char* name, const std::function<int()>& body);

}  // namespace vs
