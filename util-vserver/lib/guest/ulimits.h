// ulimits/: a guest's per-process resource limits (setrlimit(2)), set as
// util-vserver's exec-ulimit set them on the guest's init, whose
// children inherit them, and here also on every process that enters the
// guest (guest/enter.h), so that each process of the guest starts with
// the same.  Unlike rlimits/, which bounds the guest as a whole, each
// holds each process on its own.  A resource ulimits/ does not name
// keeps what the starting command has: exec-ulimit raised those hard
// limits to infinity, but the host's limits on the starting service are
// the admin's choice.
#pragma once

#include <sys/resource.h>

#include "config.h"

namespace vs::guest {

// What setrlimit() gets for limit when the calling process has
// inherited: a value not configured is the inherited one, a soft one
// lowered to a configured hard limit below it.  Throws an Error naming
// RES.soft when it alone is given and is above the inherited hard limit,
// which only RES.hard may raise.
rlimit resolvedUlimit(const GuestConfig& config, const UlimitConfig& limit,
                      const rlimit& inherited);

// Sets config's limits on the calling process.  Called before it joins
// the guest's context, while it holds CAP_SYS_RESOURCE: raising a hard
// limit needs it, and the guest's bounding set may lack it.  A refusal
// throws an Error naming the file: "/etc/vservers/web/ulimits/nofile:
// cannot set 2000000000: Operation not permitted".
void applyUlimits(const GuestConfig& config);

}  // namespace vs::guest
