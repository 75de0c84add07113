#include "root_guard.h"

#include "paths.h"

namespace vs::guest {

namespace fs = std::filesystem;

std::optional<fs::path> heldByRoot(const fs::path& root, const ConfigLocation& location,
                                   const std::vector<fs::path>& kept) {
  const fs::path canonicalRoot = fs::weakly_canonical(root);
  std::vector<fs::path> guarded = kept;
  guarded.insert(guarded.end(),
                 {kDefaultVdirBase, vdirBase(location.defaults), location.cfgdir});
  for (const fs::path& path : guarded)
    if (isWithin(fs::weakly_canonical(path), canonicalRoot)) return path;
  return std::nullopt;
}

std::optional<fs::path> outsideVdirBase(const fs::path& root, const ConfigLocation& location) {
  const fs::path base = fs::weakly_canonical(vdirBase(location.defaults));
  const fs::path canonicalRoot = fs::weakly_canonical(root);
  if (pathBelow(canonicalRoot, base)) return std::nullopt;
  return base;
}

}  // namespace vs::guest
