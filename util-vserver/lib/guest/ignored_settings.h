// Settings the configuration reader accepts and validates, but that start
// does not apply: the rlimits guest/limits.h maps to nothing (yet), the
// reserved share of dlimits/, which project quotas do not have, and
// util-vserver's cgroup/name, the group's name, which is fixed here.  A
// guest must not start silently without them: start warns once per setting.
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace vs::guest {

// One line per setting of config that start ignores, naming its file and
// what the guest gets instead; empty when there is none.
std::vector<std::string> ignoredSettings(const GuestConfig& config);

}  // namespace vs::guest
