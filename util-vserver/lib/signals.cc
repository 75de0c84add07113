#include "signals.h"

#include <strings.h>

#include <cerrno>
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

namespace {

volatile sig_atomic_t deferredSignal = 0;

void noteSignal(int signal) {
  if (deferredSignal == 0) deferredSignal = signal;
}

}  // namespace

DeferredInterruption::DeferredInterruption() {
  deferredSignal = 0;
  struct sigaction action {};
  action.sa_handler = noteSignal;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < kInterruptSignals.size(); ++i) {
    sigaction(kInterruptSignals[i], nullptr, &saved_[i]);
    // Ignored stays ignored (nohup).
    if (saved_[i].sa_handler != SIG_IGN) sigaction(kInterruptSignals[i], &action, nullptr);
  }
}

DeferredInterruption::~DeferredInterruption() {
  for (size_t i = 0; i < kInterruptSignals.size(); ++i) sigaction(kInterruptSignals[i], &saved_[i], nullptr);
}

void DeferredInterruption::check(const std::string& what) const {
  const int caught = deferredSignal;
  if (caught != 0)
    throw Error(EINTR, what + " (interrupted by SIG" + sigabbrev_np(caught) + ")", 128 + caught);
}

}  // namespace vs
