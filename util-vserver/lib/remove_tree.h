// Removing a directory tree without crossing into other filesystems, so a
// mount left inside (a guest's /proc, a bind mount) is never emptied.
#pragma once

#include <filesystem>

namespace vs {

// Removes path and everything under it on its filesystem; a missing path
// is fine.  Throws Error naming what could not be removed (for instance a
// mount point still in use).
void removeTree(const std::filesystem::path& path);

}  // namespace vs
