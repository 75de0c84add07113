#include "signals.h"

#include <strings.h>

#include <csignal>
#include <cstring>

#include "error.h"
#include "number.h"

namespace vs {

int parseSignal(const std::string& text) {
  if (!text.empty() && text[0] >= '0' && text[0] <= '9')
    return static_cast<int>(parseUnsigned(text, 0, 64, "signal"));
  const char* name = text.c_str();
  if (strncasecmp(name, "SIG", 3) == 0) name += 3;
  for (int sig = 1; sig < SIGRTMIN; sig++) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && strcasecmp(abbrev, name) == 0) return sig;
  }
  throwUsage("unknown signal '" + text + "'");
}

}  // namespace vs
