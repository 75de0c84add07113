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

}  // namespace vs::guest
