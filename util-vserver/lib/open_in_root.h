// Opening a path inside a tree someone else controls (a guest's root):
// every component, symlinks included, resolves as if the tree were the
// root, so nothing the tree's owner puts there leads out of it.
#pragma once

#include "unique_fd.h"

namespace vs {

// openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; O_CLOEXEC is
// added.  Invalid with errno set on failure.
UniqueFd openInRoot(int rootFd, const char* path, int flags);

// openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: path, relative,
// must name something below rootFd through no symlink at all (ELOOP); for
// a path the tree's owner must not point elsewhere, even inside the tree.
// O_CLOEXEC is added.  Invalid with errno set on failure.
UniqueFd openBeneathWithoutLinks(int rootFd, const char* path, int flags);

}  // namespace vs
