// vserver NAME start: lock, validate, hooks, then a monitor process that
// builds the guest (cgroup, namespaces, mounts, pivot_root, hostname,
// context with its policy, sealed) and stays to clean up when the guest
// ends, restarting it when it asked for a reboot.
//
// Processes: the caller ("vserver start") forks the monitor and waits for
// its verdict; the monitor clones the guest's first process into new
// mount, UTS, IPC and PID namespaces inside the guest's cgroup.  That
// process prepares the guest and becomes (or starts) its init.  Any
// failure, including the caller being killed, makes the monitor undo
// everything: kill the first process (the PID namespace takes every
// other with it, the mount namespace its mounts), remove the cgroup and
// the run file; only then does the caller hear of it.
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace vs::guest {

struct StartOptions {
  bool rescue = false;                     // --rescue: run rescueCommand as the init
  std::vector<std::string> rescueCommand;  // default /bin/sleep 900
};

// Returns the exit status for the command; errors throw.
int startGuest(const GuestConfig& config, const StartOptions& options);

}  // namespace vs::guest
