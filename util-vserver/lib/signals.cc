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

const sigset_t& interruptSignals() {
  static const sigset_t set = [] {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int signal : kInterruptSignals) sigaddset(&signals, signal);
    return signals;
  }();
  return set;
}

InterruptSignalsTo::InterruptSignalsTo(void (*handler)(int), int flags) {
  struct sigaction action {};
  action.sa_handler = handler;
  action.sa_flags = flags;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < kInterruptSignals.size(); ++i) {
    sigaction(kInterruptSignals[i], nullptr, &saved_[i]);
    if (saved_[i].sa_handler != SIG_IGN) sigaction(kInterruptSignals[i], &action, nullptr);
  }
}

InterruptSignalsTo::~InterruptSignalsTo() {
  for (size_t i = 0; i < kInterruptSignals.size(); ++i)
    sigaction(kInterruptSignals[i], &saved_[i], nullptr);
}

namespace {

volatile sig_atomic_t deferredSignal = 0;

void noteSignal(int signal) {
  if (deferredSignal == 0) deferredSignal = signal;
}

// noteSignal, from a clean slate.
void (*freshNoting())(int) {
  deferredSignal = 0;
  return noteSignal;
}

}  // namespace

// No SA_RESTART: a wait the signal cuts short returns EINTR, so the owner
// gets to its next check.
DeferredInterruption::DeferredInterruption() : noting_(freshNoting(), 0) {}

void DeferredInterruption::check(const std::string& what) const {
  const int caught = deferredSignal;
  if (caught != 0)
    throw Error(EINTR, what + " (interrupted by SIG" + sigabbrev_np(caught) + ")", 128 + caught);
}

}  // namespace vs
