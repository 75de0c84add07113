// Whether a guest runs: its context exists under the guest's name.  The
// static xid of the configuration is the key, as in util-vserver, so a
// lost run file never hides a running guest.
#pragma once

#include <sched.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include "../vserver_client.h"
#include "config.h"
#include "run_file.h"

namespace vs::guest {

// The namespaces of a guest (CLONE_NEW* flags): enter and exec join them.
// start creates all but three with the first process.  The cgroup
// namespace is rooted at the guest's own cgroup, so the guest sees (and,
// mounting cgroup2, reaches) only its own group; start creates it with
// unshare once its first process is in that group, as clone3 would root
// it at ours.  The network namespace is the host's, or one start made
// beforehand (see veth.h), which the first process enters.  The time
// namespace is the host's, or one the first process makes for a guest
// with virt_uptime, its boot clock starting then (time_namespace.h).
constexpr uint64_t kGuestNamespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
                                      CLONE_NEWCGROUP | CLONE_NEWNET | CLONE_NEWTIME;
constexpr uint64_t kGuestNamespacesAtClone =
    kGuestNamespaces & ~uint64_t{CLONE_NEWCGROUP | CLONE_NEWNET | CLONE_NEWTIME};

// The guest's context if it runs.
std::optional<ContextInfo> runningContext(VserverClient& client, const GuestConfig& config);

// Whether context xid exists, asked of the kernel: a run file can be lost
// or left behind, the kernel's table cannot.  Without the module loaded
// no context exists.
bool contextExists(uint32_t xid);

// The xid of config, or a ConfigError asking for one.
uint32_t requireXid(const GuestConfig& config);

// The running guest's run record, checked against the kernel: its init
// still exists and is in the guest's context.  Throws naming what is wrong.
RunRecord runningRecord(VserverClient& client, const GuestConfig& config);

// The guest's group as its run file records it; without a run file (it
// was lost, or the guest never ran), the default group, which is where a
// guest of this host had its group before run files recorded it.
std::filesystem::path recordedCgroupOf(const GuestConfig& config);

}  // namespace vs::guest
