// The small vserver NAME commands: status, running, delete.
#pragma once

#include "config.h"

namespace vs::guest {

// Exit status of status and running for a stopped guest (util-vserver's).
constexpr int kExitStopped = 3;

// Prints "Vserver 'NAME' is running at context 'X'", its process count,
// what its cgroup and its context use against their limits (limits.h),
// uptime and addresses (its network set's, "" for none), and returns 0; or says it is stopped and returns kExitStopped.
int printStatus(const GuestConfig& config);

// 0 when the guest runs, 1 when not (util-vserver's "running").
int guestRunning(const GuestConfig& config);

// Stops the guest if it runs, then removes its root and its configuration
// directory.  Asks on the terminal first unless force.
int deleteGuest(const GuestConfig& config, bool force);

}  // namespace vs::guest
