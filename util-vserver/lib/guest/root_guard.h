// What a recursive removal of a guest root must never take along: build
// --force and delete remove the root a vdir link names, and a link gone
// wrong can name a directory holding much more.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "config.h"

namespace vs::guest {

// The first of kept, /vservers, the vdir base of location's .defaults and
// location's cfgdir that root is or holds (compared with links resolved),
// as given; nothing when removing root takes none of them.
std::optional<std::filesystem::path> heldByRoot(const std::filesystem::path& root,
                                                const ConfigLocation& location,
                                                const std::vector<std::filesystem::path>& kept = {});

// The vdir base of location's .defaults (else /vservers), compared with
// links resolved, when root is not strictly inside it; nothing when it is.
// delete removes only roots there: a vdir link pointing anywhere else (a
// guest's /etc, the host's /home) is a mistake or an attack.
std::optional<std::filesystem::path> outsideVdirBase(const std::filesystem::path& root,
                                                     const ConfigLocation& location);

}  // namespace vs::guest
