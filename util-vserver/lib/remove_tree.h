// Removing a directory tree someone else may be writing to (a guest's
// root while the guest's processes are still there, or come back).
//
// The walk goes by directory descriptors (openat/unlinkat), never by path
// names: a directory swapped for a symlink mid-walk is unlinked as a
// symlink, never followed, so the removal cannot be sent out of the tree
// (the nftw + unlink(fullpath) pattern can).  It does not cross into other
// mounts, so a mount left inside (a guest's /proc, a bind mount) is never
// emptied; and it holds one directory open at a time, so a tree deeper
// than PATH_MAX (or than the descriptor limit) goes as well.
#pragma once

#include <filesystem>

namespace vs {

// Removes path and everything under it on its mount; a missing path is
// fine, and a symlink is removed itself.  Throws Error naming what could
// not be removed (a mount point inside, a tree changed under the walk).
void removeTree(const std::filesystem::path& path);

}  // namespace vs
