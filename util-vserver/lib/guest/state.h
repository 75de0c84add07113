// Whether a guest runs: its context exists under the guest's name.  The
// static xid of the configuration is the key, as in util-vserver, so a
// lost run file never hides a running guest.
#pragma once

#include <optional>

#include "../vserver_client.h"
#include "config.h"
#include "run_file.h"

namespace vs::guest {

// The guest's context if it runs.
std::optional<ContextInfo> runningContext(VserverClient& client, const GuestConfig& config);

// The xid of config, or a ConfigError asking for one.
uint32_t requireXid(const GuestConfig& config);

// The running guest's run record, checked against the kernel: its init
// still exists and is in the guest's context.  Throws naming what is wrong.
RunRecord runningRecord(VserverClient& client, const GuestConfig& config);

}  // namespace vs::guest
