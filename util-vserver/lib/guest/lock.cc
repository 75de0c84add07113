#include "lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <filesystem>

#include "../error.h"
#include "paths.h"

namespace vs::guest {

GuestLock::GuestLock(const std::string& name, const std::filesystem::path& dir) {
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  const auto file = lockFileOf(name, dir);
  fd_.reset(open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd_) throwErrno("cannot open the lock " + file.string());
  while (flock(fd_.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throwErrno("cannot lock " + file.string());
  }
}

}  // namespace vs::guest
