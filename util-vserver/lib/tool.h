// The boundary of every command: errors become one line and an exit status.
#pragma once

#include <functional>
#include <string_view>

namespace vs {

// Runs body and returns its exit status.  An Error (or any other exception)
// escaping it is printed as "name: message" on stderr and ends the tool with
// the error's exit status.
int runTool(const char* name, const std::function<int()>& body);

// Prints "prefix: message" on stderr, the message made printable: it may
// quote what a guest wrote (a field of its /etc/passwd, a name in its
// tree), which must reach the caller's terminal as text, not as escape
// sequences or further lines.
void printError(std::string_view prefix, std::string_view message);

}  // namespace vs
