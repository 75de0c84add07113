#include "remove_tree.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "error.h"

namespace vs {

namespace {

constexpr int kMaxOpenDirs = 64;

int removeEntry(const char* path, const struct stat*, int type, FTW*) {
  const int result = (type == FTW_DP) ? rmdir(path) : unlink(path);
  return result == 0 ? 0 : errno;
}

}  // namespace

void removeTree(const std::filesystem::path& path) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return;
    throwErrno("cannot remove " + path.string());
  }
  const int errnum = nftw(path.c_str(), removeEntry, kMaxOpenDirs, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (errnum != 0)
    throw Error(errnum, errnoMessage("cannot remove all of " + path.string(), errnum > 0 ? errnum : errno));
}

}  // namespace vs
