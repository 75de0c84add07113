// Starting or stopping a set of guests at once: each guest by its own
// `vserver CFGDIR start|stop` (so that a monitor, which restarts a
// rebooted guest by running its own program again, runs vserver, and one
// guest's failure stays its own), in
// dependency order, a bounded number at a time, within one time limit,
// each start also within its guest's own (apps/init/restart-timeout).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "../system_log.h"
#include "guest_set.h"

namespace vs::boot {

enum class Action { Start, Stop };

struct GroupRunOptions {
  Action action = Action::Start;
  unsigned jobs = 1;
  std::chrono::seconds timeout{0};
  std::filesystem::path configRoot;
  std::filesystem::path vserver;  // the vserver program
};

// Runs the action over set.  A start refuses a dependency cycle before
// anything starts, naming it; a stop names it and stops every guest of
// the set without order, since shutdown must go on.  A stop that reaches
// the time limit kills what is left of the set's guests through their
// contexts.  Logs each outcome; returns the guests that failed, in the
// order they were handed out.
std::vector<std::string> runGroup(const GuestSet& set, const GroupRunOptions& options,
                                  const SystemLog& log);

}  // namespace vs::boot
