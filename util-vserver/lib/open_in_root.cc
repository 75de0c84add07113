#include "open_in_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace vs {

namespace {

UniqueFd openResolving(int rootFd, const char* path, int flags, uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<unsigned>(flags | O_CLOEXEC);
  how.resolve = resolve;
  return UniqueFd(static_cast<int>(syscall(SYS_openat2, rootFd, path, &how, sizeof(how))));
}

}  // namespace

UniqueFd openInRoot(int rootFd, const char* path, int flags) {
  return openResolving(rootFd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

UniqueFd openBeneathWithoutLinks(int rootFd, const char* path, int flags) {
  return openResolving(rootFd, path, flags, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
}

}  // namespace vs
