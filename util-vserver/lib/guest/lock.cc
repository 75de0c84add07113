#include "lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

#include <cerrno>
#include <filesystem>

#include "../error.h"
#include "../file_identity.h"
#include "paths.h"

namespace vs::guest {

namespace {

// The environment variable naming the descriptor of a handed-down lock.
constexpr const char* kHandedDownLock = "VSERVER_GUEST_LOCK_FD";

// flock(fd, operation), again after a signal; false when LOCK_NB found
// the lock held.
bool lockRetrying(int fd, int operation, const std::filesystem::path& file) {
  while (flock(fd, operation) != 0) {
    if (errno == EWOULDBLOCK && (operation & LOCK_NB)) return false;
    if (errno != EINTR) throwErrno("cannot lock " + file.string());
  }
  return true;
}

UniqueFd openLockFile(const std::filesystem::path& file) {
  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  UniqueFd fd(open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) throwErrno("cannot open the lock " + file.string());
  return fd;
}

bool sameFile(int fd, const std::filesystem::path& file) {
  const auto open = identityOf(fd);
  return open && open == identityOf(file);
}

}  // namespace

std::optional<GuestLock> GuestLock::adoptHandedDown(const std::filesystem::path& file) {
  const char* text = getenv(kHandedDownLock);
  if (!text) return std::nullopt;
  int fd = -1;
  const std::string_view number(text);
  const bool parsed =
      std::from_chars(number.data(), number.data() + number.size(), fd).ec == std::errc() && fd > 2;
  // Read once: hooks and the guest must not see it.
  unsetenv(kHandedDownLock);
  if (!parsed || !sameFile(fd, file)) return std::nullopt;
  UniqueFd locked(fd);
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) throwErrno("cannot keep the lock " + file.string());
  // Ours already when the description is the one handed down; taken
  // like any other otherwise.
  lockRetrying(fd, LOCK_EX, file);
  return GuestLock(std::move(locked));
}

GuestLock GuestLock::inheritedOr(const std::string& name, const std::filesystem::path& dir) {
  if (auto handedDown = adoptHandedDown(lockFileOf(name, dir))) return std::move(*handedDown);
  return GuestLock(name, dir);
}

void GuestLock::handDownForExec() {
  if (fcntl(fd_.get(), F_SETFD, 0) != 0) throwErrno("cannot hand the guest's lock down");
  setenv(kHandedDownLock, std::to_string(fd_.get()).c_str(), 1);
}

GuestLock GuestLock::onFile(const std::filesystem::path& file) {
  UniqueFd fd = openLockFile(file);
  lockRetrying(fd.get(), LOCK_EX, file);
  return GuestLock(std::move(fd));
}

std::optional<GuestLock> GuestLock::tryFor(const std::string& name,
                                           const std::filesystem::path& dir) {
  const std::filesystem::path file = lockFileOf(name, dir);
  UniqueFd fd = openLockFile(file);
  if (!lockRetrying(fd.get(), LOCK_EX | LOCK_NB, file)) return std::nullopt;
  return GuestLock(std::move(fd));
}

GuestLock::GuestLock(const std::string& name, const std::filesystem::path& dir)
    : GuestLock(onFile(lockFileOf(name, dir))) {}

}  // namespace vs::guest
