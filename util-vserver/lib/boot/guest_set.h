// Which guests a group start, stop or status acts on: those under the
// configuration root whose apps/init/mark holds the mark, and the guests
// they depend on (apps/init/depends), transitively, since a guest starts
// only after those run and a stop undoes what the start did.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dependency_graph.h"

namespace vs::boot {

struct GuestSet {
  // Every guest of the set by its directory name, with its dependencies.
  // A broken guest is here without them.
  Dependencies graph;
  // Guests of the set that cannot be acted on, with the reason: a
  // configuration that does not read, a dependency that is no guest or
  // is disabled.
  std::map<std::string, std::string> broken;
  // Marked guests left out because of their disabled file.
  std::vector<std::string> disabled;
  // How long each readable guest's start may run when nobody watches it
  // (its apps/init/restart-timeout).
  std::map<std::string, std::chrono::seconds> startLimits;
};

// Reads the marks of every guest directory under configRoot (no dot
// directories), then the whole configuration of each guest of the set.
// A cfgdir named in depends is the directory under configRoot, as
// `vserver NAME` takes it.
GuestSet selectGuests(const std::filesystem::path& configRoot, const std::string& mark);

}  // namespace vs::boot
