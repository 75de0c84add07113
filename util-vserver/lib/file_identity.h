// A file by what it is rather than by its name: its device and inode, as
// stat(2) gives them, to tell whether two names or descriptors lead to one
// file.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <optional>

namespace vs {

struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

inline FileIdentity identityOf(const struct stat& st) { return {st.st_dev, st.st_ino}; }

// Of the file open as fd; nothing when fstat fails.
inline std::optional<FileIdentity> identityOf(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return std::nullopt;
  return identityOf(st);
}

// Of the file path names, links followed; nothing when stat fails.
inline std::optional<FileIdentity> identityOf(const std::filesystem::path& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return identityOf(st);
}

}  // namespace vs
