// A directory stream (opendir, fdopendir), closed when it goes out of
// scope.
#pragma once

#include <dirent.h>

#include <memory>

namespace vs {

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

using DirStream = std::unique_ptr<DIR, DirCloser>;

}  // namespace vs
