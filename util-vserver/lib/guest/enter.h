// Running a command inside a running guest (enter, exec, suexec and the
// stop command): a child of ours, made in the guest's cgroup and PID
// namespace, joins its other namespaces and its context and becomes the
// command.  We stay on the host, outside the guest, so nothing of the
// host's is reachable from the guest through us.
#pragma once

#include <sys/types.h>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "../process.h"
#include "../vserver_client.h"
#include "config.h"
#include "init.h"
#include "run_file.h"

namespace vs::guest {

struct GuestCommand {
  // Decided inside the guest (after joining its mount namespace).
  std::function<InitPlan()> plan;
  std::optional<std::string> user;  // suexec: a name or uid from the guest's /etc/passwd
  // What the command gets as standard input, output and error instead of
  // ours (-1: ours).  Where ours is a terminal and nothing replaces it,
  // the command gets /dev/null: guest code never holds a host terminal.
  std::array<int, 3> stdio{-1, -1, -1};
  bool controllingTerminal = false;  // stdio is a pty's terminal side, to make the command's
  // ulimits/ (guest/ulimits.h), which a stop command goes without: a
  // file broken since the start must not keep the guest's own shutdown
  // from running.
  bool perProcessLimits = true;
};

// Starts command in the guest: our child, which becomes the command.
// Throws when it cannot be made (the guest's init gone, its cgroup full).
ChildProcess spawnInGuest(VserverClient& client, const GuestConfig& config,
                          const RunRecord& record, const GuestCommand& command);

// exec/suexec/enter: runs command and returns its exit status.  With
// terminals on standard input and output, the command gets a new pty of
// its own, relayed to ours; with a terminal on only some of the three
// streams (standard error included), a pipe relayed to it in its place.
// Either way the guest never holds the caller's terminal.
int runInGuest(const GuestConfig& config, GuestCommand command);

}  // namespace vs::guest
