// vserver NAME stop: pre-stop hooks, the init style's stop command inside
// the guest, then apps/init/killseq on every process of its context until
// the context is gone; then post-stop hooks, the cgroup and run file
// removed, postpost-stop hooks.
#pragma once

#include "../vserver_client.h"
#include "config.h"
#include "lock.h"

namespace vs::guest {

// Returns the exit status for the command; errors throw.  Takes the
// guest's lock, or runs under one the caller holds (delete: the stop and
// the removal are one step for a start waiting on the lock).
int stopGuest(const GuestConfig& config);
int stopGuest(const GuestConfig& config, const GuestLock& held);

// Runs the kill sequence until the guest's context ends; throws when it
// outlives the last step.  The caller holds the guest's lock.
void killGuest(VserverClient& client, const GuestConfig& config);

// What is left once the guest's processes are gone: post-stop hooks, the
// cgroup the run file records, the addresses start added to the host, the
// run file, postpost-stop hooks.  Every step is tried; the
// first failure is thrown at the end.
void finishStoppedGuest(const GuestConfig& config);

// Clears the context's persistent flag, which would keep it alive
// without processes; nothing when the context is already gone.
void allowContextToEnd(VserverClient& client, uint32_t xid);

// Removes what a crashed monitor may have left for a guest that is not
// running: its run file, the (empty) cgroup that records and the host
// addresses it added.
void clearStaleState(const GuestConfig& config);

}  // namespace vs::guest
