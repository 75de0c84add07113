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

// The guests' trees, for a path whose way may lead into one through the
// host's links: their roots, and the directories whose every
// subdirectory, or link of the admin's to one, is one (the vdir base).
struct GuestTrees {
  std::vector<std::filesystem::path> roots;
  std::vector<std::filesystem::path> bases;
};

// A guest's root that the host's resolution of path (absolute, without
// "..") enters, open, with the rest of the way: each component is looked
// up by itself and the host's links followed here, so a root is seen when
// the way reaches it (compared by identity), however the path names it.
struct EnteredGuestTree {
  UniqueFd root;
  std::filesystem::path rootShown;  // for messages
  std::filesystem::path below;      // relative; "." for the root itself
};

// Nothing when the way reaches no root, or its host part does not resolve
// here (mount(2) then resolves the path as it is, automounts included).
std::optional<EnteredGuestTree> findGuestTreeOnTheWay(const std::filesystem::path& path,
                                                      const GuestTrees& trees);

// Opens entered.below beneath entered.root through no symbolic link;
// throws Error(ELOOP) when one is on the way and Error(EXDEV) when a ".."
// would leave the root, naming shown (the path as the configuration gave
// it), and the open's own error otherwise.
UniqueFd openInEnteredGuestTree(const EnteredGuestTree& entered, const std::filesystem::path& shown,
                                int flags);

}  // namespace vs::guest
