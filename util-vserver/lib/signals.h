// Signal names as users type them ("TERM", "SIGTERM", "term" or "15"),
// and work that a signal must not cut short half-way.
#pragma once

#include <signal.h>

#include <array>
#include <string>

namespace vs {

// Returns the signal number, 0..64; throws a usage Error otherwise.
int parseSignal(const std::string& text);

// What a user or a terminal sends to stop a command: Ctrl-C, kill, a
// hang-up, Ctrl-\.
inline constexpr std::array<int, 4> kInterruptSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// kInterruptSignals as a set, for sigprocmask().
const sigset_t& interruptSignals();

// While one lives, the kInterruptSignals go to handler (with the
// sigaction flags given), those ignored (nohup) staying ignored; then
// back to what they were.
class InterruptSignalsTo {
 public:
  InterruptSignalsTo(void (*handler)(int), int flags);
  ~InterruptSignalsTo();
  InterruptSignalsTo(const InterruptSignalsTo&) = delete;
  InterruptSignalsTo& operator=(const InterruptSignalsTo&) = delete;

 private:
  std::array<struct sigaction, kInterruptSignals.size()> saved_{};
};

// While one lives, the kInterruptSignals are noted instead of ending the
// process (those ignored stay ignored), so that work which must be undone
// when cut short can be: the owner checks between its steps and unwinds.
// A command it runs meanwhile gets the default actions back at exec, so
// Ctrl-C still stops it, and its failure brings the owner to the next
// check.  One at a time.
class DeferredInterruption {
 public:
  DeferredInterruption();
  DeferredInterruption(const DeferredInterruption&) = delete;
  DeferredInterruption& operator=(const DeferredInterruption&) = delete;

  // Throws Error(EINTR, "WHAT (interrupted by SIGxxx)", 128 + signal)
  // once a signal has come; the first one counts.
  void check(const std::string& what) const;

 private:
  InterruptSignalsTo noting_;
};

}  // namespace vs
