#include "guest_tree.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <system_error>

#include "../error.h"
#include "../file_identity.h"
#include "../open_in_root.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

// As the kernel's MAXSYMLINKS.
constexpr int kMaxLinksFollowed = 40;

// Directories by identity, each with the path that names it in messages.
class NamedDirectories {
 public:
  explicit NamedDirectories(const std::vector<fs::path>& paths) {
    for (const fs::path& path : paths) {
      struct stat st {};
      if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) entries_.push_back({identityOf(st), path});
    }
  }

  const fs::path* find(const struct stat& st) const {
    for (const auto& [identity, path] : entries_)
      if (identityOf(st) == identity) return &path;
    return nullptr;
  }

 private:
  std::vector<std::pair<FileIdentity, fs::path>> entries_;
};

UniqueFd openHostRoot() { return UniqueFd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)); }

fs::path joined(const std::deque<fs::path>& parts) {
  fs::path result;
  for (const fs::path& part : parts)
    if (!part.empty()) result /= part;
  return result.empty() ? fs::path(".") : result;
}

// The target of the link open as fd; nothing when it cannot be read.
std::optional<fs::path> linkTarget(int fd) {
  char target[PATH_MAX];
  const ssize_t length = readlinkat(fd, "", target, sizeof(target));
  if (length <= 0 || length == sizeof(target)) return std::nullopt;
  return fs::path(std::string(target, static_cast<size_t>(length)));
}

// A guest's root that the host's link shown, an entry of a base, names:
// the link and the way to its target are the admin's.
std::optional<EnteredGuestTree> rootByLink(const fs::path& shown, const std::deque<fs::path>& rest) {
  std::error_code error;
  const fs::path root = fs::canonical(shown, error);
  if (error) return std::nullopt;
  UniqueFd fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  return EnteredGuestTree{std::move(fd), shown, joined(rest)};
}

}  // namespace

std::optional<EnteredGuestTree> findGuestTreeOnTheWay(const fs::path& path, const GuestTrees& trees) {
  if (!path.is_absolute()) return std::nullopt;
  const NamedDirectories roots(trees.roots), bases(trees.bases);
  const fs::path relative = path.relative_path();
  std::deque<fs::path> rest(relative.begin(), relative.end());
  UniqueFd dir = openHostRoot();
  int linksFollowed = 0;
  for (;;) {
    struct stat st {};
    if (!dir || fstat(dir.get(), &st) != 0) return std::nullopt;
    if (const fs::path* root = roots.find(st)) return EnteredGuestTree{std::move(dir), *root, joined(rest)};
    if (rest.empty()) return std::nullopt;
    const fs::path part = rest.front();
    rest.pop_front();
    if (part.empty() || part == ".") continue;
    // Every directory of a base is a guest's root; its parent is not.
    const fs::path* base = part == ".." ? nullptr : bases.find(st);
    UniqueFd next(openat(dir.get(), part.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next || fstat(next.get(), &st) != 0) return std::nullopt;
    if (S_ISLNK(st.st_mode)) {
      if (base) return rootByLink(*base / part, rest);
      // The host's link: its target takes its place in the way.
      const auto target = linkTarget(next.get());
      if (!target || ++linksFollowed > kMaxLinksFollowed) return std::nullopt;
      const fs::path targetParts = target->relative_path();
      rest.insert(rest.begin(), targetParts.begin(), targetParts.end());
      if (target->is_absolute()) dir = openHostRoot();
      continue;
    }
    if (base && S_ISDIR(st.st_mode)) return EnteredGuestTree{std::move(next), *base / part, joined(rest)};
    dir = std::move(next);
  }
}

UniqueFd openInEnteredGuestTree(const EnteredGuestTree& entered, const fs::path& shown, int flags) {
  UniqueFd fd = openBeneathWithoutLinks(entered.root.get(), entered.below.c_str(), flags);
  if (fd) return fd;
  const std::string below = " in the guest's tree (below " + entered.rootShown.string() + ")";
  if (errno == ELOOP)
    throw Error(ELOOP, shown.string() + ": a symbolic link" + below +
                           " leads there; name the directory itself");
  if (errno == EXDEV) throw Error(EXDEV, shown.string() + ": a '..'" + below + " leads out of it");
  throwErrno(shown.string());
}

}  // namespace vs::guest
