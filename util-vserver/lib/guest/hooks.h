// The scripts/ hooks of a guest.
//
// util-vserver executes an executable hook with the arguments "PHASE NAME"
// and sources a non-executable one into its shell, where it can change
// the launcher's variables.  We have no shell to source into: a
// non-executable hook is run by /bin/sh with the same arguments, so it
// works unless it relies on setting the launcher's variables (which
// includes DONT_SKIP_DEFAULTS: .defaults hooks run only for phases the
// guest has no hooks of).
#pragma once

#include <filesystem>

#include "config.h"

namespace vs::guest {

// Runs the hooks of phase in order, in directory cwd; the first failing
// one throws an Error naming it and how it failed.
void runHooks(const GuestConfig& config, HookPhase phase, const std::filesystem::path& cwd);

}  // namespace vs::guest
