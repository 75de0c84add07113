// Init styles: what runs as the guest's init and how it is told to stop.
//
// The guest gets its own PID namespace, so its first process is its pid 1
// and the guest ends when that process ends.  With style "plain" that is
// the guest's own /sbin/init.  The other styles run a command that does
// not stay (sysv's "/etc/init.d/rc 3" starts services and returns), so
// pid 1 is a reaper of ours that starts the command, adopts what it
// leaves running and ends when nothing is left: util-vserver's "the guest
// runs while it has processes".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config.h"

namespace vs::guest {

struct InitPlan {
  std::vector<std::string> command;      // what to run in the guest
  std::vector<std::string> environment;  // its whole environment
  bool reaper = false;                   // run it under our pid-1 reaper
  // Start waits for it and shows its output, as util-vserver's did for
  // sysv's rc and cmd.start; not for a command meant to stay (rescue).
  bool foreground = false;
};

// The start plan of config's style; a rescue start runs rescueCommand
// (default /bin/sleep 900, as util-vserver) instead.  Decided inside the guest root, where the
// sysv style looks for its rc script.
InitPlan startPlan(const GuestConfig& config, const std::vector<std::string>* rescueCommand);

// Whether config's style has a stop command to run before the kill
// sequence (cmd.stop, or sysv's rc at the stop runlevel).
bool hasStopCommand(const GuestConfig& config);

// That stop command; decided inside the guest root.
InitPlan stopPlan(const GuestConfig& config);

// What the reaper writes on its status descriptor when a foreground
// command ends: kCommandExitPrefix + its exit status.
constexpr std::string_view kCommandExitPrefix = "exit ";

// Runs plan.command as pid 1's child and reaps every orphan until none
// is left; then exits.  The descriptors are close-on-exec.  statusFd is
// written an error line if the command cannot be started; for a
// foreground command it is written kCommandExitPrefix and its status
// when the command ends.  A foreground command's output and errors go to
// outputFd, a pipe whose read end is outputReadFd.  The monitor relays
// that output to the caller while the command runs; once it lets go
// (closes its end of statusFd), pid 1 reads and discards what the
// daemons left writing there, in the guest's cgroup at the guest's cost,
// so that they neither block nor get SIGPIPE.  Pid 1 shows as "init".
[[noreturn]] void runReaper(const InitPlan& plan, int statusFd, int outputFd, int outputReadFd);

// Wipes our environment, the strings too: /proc/PID/environ shows the
// original strings, not environ, so clearenv() alone leaves them readable.
void scrubEnvironment();

// execve()s plan.command with exactly plan.environment.
[[noreturn]] void execPlan(const InitPlan& plan);

}  // namespace vs::guest
