#include "guest_tree.h"

#include <fcntl.h>

#include <cerrno>
#include <system_error>

#include "../error.h"
#include "../open_in_root.h"

namespace vs::guest {

namespace fs = std::filesystem;

std::optional<InGuestTree> locateInGuestTree(const fs::path& path, const std::vector<fs::path>& roots) {
  std::error_code error;
  for (const fs::path& given : roots) {
    for (const fs::path& root : {given.lexically_normal(), fs::weakly_canonical(given, error)}) {
      const fs::path below = path.lexically_relative(root);
      if (root.empty() || below.empty() || *below.begin() == "..") continue;
      return InGuestTree{root, below};
    }
  }
  return std::nullopt;
}

UniqueFd openInGuestTree(const InGuestTree& where, const fs::path& shown, int flags) {
  const UniqueFd rootFd(open(where.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootFd) throwErrno(where.root.string());
  UniqueFd fd = openBeneathWithoutLinks(rootFd.get(), where.below.c_str(), flags);
  if (!fd && errno == ELOOP)
    throw Error(ELOOP, shown.string() + ": a symbolic link in the guest's tree (below " +
                           where.root.string() + ") leads there; name the directory itself");
  if (!fd) throwErrno(shown.string());
  return fd;
}

}  // namespace vs::guest
