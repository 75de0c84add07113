#include "remove_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dir_stream.h"
#include "error.h"
#include "text.h"
#include "unique_fd.h"

namespace vs {

namespace {

// What a directory is, to recognize it when the walk comes back up.
struct Identity {
  uint32_t devMajor = 0, devMinor = 0;
  uint64_t inode = 0, mountId = 0;
  bool isDirectory = false;

  bool sameAs(const Identity& other) const {
    return devMajor == other.devMajor && devMinor == other.devMinor && inode == other.inode &&
           mountId == other.mountId;
  }
};

// How an error names what it was about: built only when there is one, as
// building a path for every entry would cost time quadratic in the depth
// of a tree a guest made as deep as it liked.
using Shown = std::function<std::string()>;

// The entry name in dirFd (or dirFd itself when name is empty), without
// following a symlink or triggering an automount; nothing when it is gone.
std::optional<Identity> identify(int dirFd, const char* name, const Shown& shown) {
  struct statx info {};
  const int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (*name ? 0 : AT_EMPTY_PATH);
  if (statx(dirFd, name, flags, STATX_TYPE | STATX_INO | STATX_MNT_ID, &info) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throwErrno("cannot remove " + shown());
  }
  return Identity{info.stx_dev_major, info.stx_dev_minor, info.stx_ino, info.stx_mnt_id,
                  S_ISDIR(info.stx_mode)};
}

UniqueFd openDirectory(int dirFd, const char* name, const Shown& shown) {
  UniqueFd fd(openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throwErrno("cannot remove " + shown());
  return fd;
}

// The walk: the directory it is in, open, and the names and identities of
// those above it up to the top.  Only the current directory is open.
class TreeRemoval {
 public:
  TreeRemoval(UniqueFd top, const Identity& identity, std::string shownTop)
      : current_(std::move(top)), mountId_(identity.mountId), shownTop_(std::move(shownTop)) {}

  // Empties the top directory.
  void emptyTop();

 private:
  std::optional<std::string> removeEntriesUntilSubdirectory();
  void descendInto(const std::string& name);
  void ascend();
  std::string shown(const std::string& name = {}) const;

  UniqueFd current_;
  uint64_t mountId_;
  std::string shownTop_;
  std::vector<std::string> names_;       // from the top's child down to current_
  std::vector<Identity> ancestors_;      // of current_, the top first
};

// The path of name in current_, printable: the names are the guest's.
std::string TreeRemoval::shown(const std::string& name) const {
  std::string path = shownTop_;
  for (const std::string& part : names_) path += "/" + part;
  return printable(name.empty() ? path : path + "/" + name);
}

// Unlinks what in current_ is no directory; returns the first directory
// left, or nothing once current_ is empty.
std::optional<std::string> TreeRemoval::removeEntriesUntilSubdirectory() {
  const int fd = dup(current_.get());
  if (fd < 0) throwErrno("cannot remove " + shown());
  const DirStream dir(fdopendir(fd));
  if (!dir) {
    close(fd);
    throwErrno("cannot remove " + shown());
  }
  while (const dirent* entry = readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const auto identity = identify(current_.get(), name.c_str(), [&] { return shown(name); });
    if (!identity) continue;
    if (identity->isDirectory) {
      if (identity->mountId != mountId_)
        throw Error(EBUSY, "cannot remove " + shown(name) + ": a mount point");
      return name;
    }
    if (unlinkat(current_.get(), name.c_str(), 0) != 0 && errno != ENOENT)
      throwErrno("cannot remove " + shown(name));
  }
  return std::nullopt;
}

void TreeRemoval::descendInto(const std::string& name) {
  UniqueFd child = openDirectory(current_.get(), name.c_str(), [&] { return shown(name); });
  // Checked on the open directory: between the look and the open, a
  // directory could have been swapped for a mount's.
  const auto identity = identify(child.get(), "", [&] { return shown(name); });
  if (!identity || identity->mountId != mountId_)
    throw Error(EBUSY, "cannot remove " + shown(name) + ": a mount point");
  ancestors_.push_back(*identify(current_.get(), "", [&] { return shown(); }));
  names_.push_back(name);
  current_ = std::move(child);
}

// Back to the parent of current_, which must be the directory we came
// from: one moved elsewhere meanwhile would take ".." out of the tree.
void TreeRemoval::ascend() {
  UniqueFd parent = openDirectory(current_.get(), "..", [&] { return shown(".."); });
  const auto identity = identify(parent.get(), "", [&] { return shown(".."); });
  if (!identity || !identity->sameAs(ancestors_.back()))
    throw Error(EXDEV, "cannot remove " + shown() + ": it was moved during the removal");
  const std::string name = names_.back();
  names_.pop_back();
  ancestors_.pop_back();
  current_ = std::move(parent);
  if (unlinkat(current_.get(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    throwErrno("cannot remove " + shown(name));
}

void TreeRemoval::emptyTop() {
  for (;;) {
    if (const auto subdirectory = removeEntriesUntilSubdirectory()) {
      descendInto(*subdirectory);
    } else if (!names_.empty()) {
      ascend();
    } else {
      return;
    }
  }
}

}  // namespace

void removeTree(const std::filesystem::path& given) {
  // "DIR/" names DIR.
  const std::filesystem::path path = given.has_filename() ? given : given.parent_path();
  // The path's own directories are the caller's (the host's): followed.
  const std::filesystem::path parentPath =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw Error(EINVAL, "cannot remove " + path.string() + ": not a name to remove");
  UniqueFd parent(open(parentPath.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!parent) {
    if (errno == ENOENT) return;
    throwErrno("cannot remove " + path.string());
  }
  const Shown shownPath = [&] { return path.string(); };
  const auto identity = identify(parent.get(), name.c_str(), shownPath);
  if (!identity) return;
  if (!identity->isDirectory) {
    if (unlinkat(parent.get(), name.c_str(), 0) != 0 && errno != ENOENT)
      throwErrno("cannot remove " + path.string());
    return;
  }
  UniqueFd top = openDirectory(parent.get(), name.c_str(), shownPath);
  const auto topIdentity = identify(top.get(), "", shownPath);
  TreeRemoval(std::move(top), *topIdentity, path.string()).emptyTop();
  if (unlinkat(parent.get(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    throwErrno("cannot remove all of " + path.string());
}

}  // namespace vs
