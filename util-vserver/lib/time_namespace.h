// A guest's own boot clock (util-vserver's virt_uptime): a time namespace
// whose CLOCK_BOOTTIME reads zero when the guest starts.
#pragma once

namespace vs {

// Moves the caller into a new time namespace whose boot-time clock starts
// from (nearly) zero now, so that /proc/uptime, sysinfo(2)'s uptime,
// CLOCK_BOOTTIME and /proc/stat's btime count from now for the caller and
// every process it starts.  The monotonic and real-time clocks are the
// host's.  The caller must be single-threaded, hold CAP_SYS_ADMIN and
// CAP_SYS_TIME, and see its own /proc/self.
void enterFreshBootClock();

}  // namespace vs
