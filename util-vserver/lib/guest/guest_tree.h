// Paths a host tool opens that may lie in a guest's tree (a dlimits
// directory, a bind mount's source): below a guest's root every directory
// and link is the guest's, and it may turn any of them into a link to a
// host directory, or to another guest's, while the tool looks.  The way to
// the root is the host's (a /vservers linked to /srv/vservers is the
// admin's).
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "../unique_fd.h"

namespace vs::guest {

struct InGuestTree {
  std::filesystem::path root;   // as given, or with links resolved
  std::filesystem::path below;  // relative; "." for the root itself
};

// The first of roots that path is or lies in, each compared as given and
// with the host's links resolved; nothing when path lies in none.
std::optional<InGuestTree> locateInGuestTree(const std::filesystem::path& path,
                                             const std::vector<std::filesystem::path>& roots);

// Opens where.below in where.root through no symbolic link; throws
// Error(ELOOP) when one is on the way, naming shown (the path as the
// configuration gave it), and the open's own error otherwise.
UniqueFd openInGuestTree(const InGuestTree& where, const std::filesystem::path& shown, int flags);

}  // namespace vs::guest
