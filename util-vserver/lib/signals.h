// Signal names as users type them: "TERM", "SIGTERM", "term" or "15".
#pragma once

#include <string>

namespace vs {

// Returns the signal number, 0..64; throws a usage Error otherwise.
int parseSignal(const std::string& text);

}  // namespace vs
