// The per-guest lock: start, stop, restart, delete, a build of the guest
// and a clone of it run one at a time.  An flock(2), so a killed holder
// never leaves it behind.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "../unique_fd.h"
#include "paths.h"

namespace vs::guest {

class GuestLock {
 public:
  // Blocks until the lock of guest name (in dir) is ours.
  explicit GuestLock(const std::string& name, const std::filesystem::path& dir = kRunDir);

  // Blocks until the lock in file (made if missing) is ours.
  static GuestLock onFile(const std::filesystem::path& file);

  // The lock of guest name if nobody holds it, else nothing.
  static std::optional<GuestLock> tryFor(const std::string& name,
                                         const std::filesystem::path& dir = kRunDir);

  // The descriptor holding the lock; a forked process that keeps it open
  // keeps the lock after we are gone.
  int fd() const { return fd_.get(); }

  // Gives the lock up now (our copy of it).
  void release() { fd_.reset(); }

  // The lock a restarting monitor handed down across its exec of
  // "vserver start" (see handDownForExec), else a new one as above.  The
  // hand-down closes the window in which a stop, finding neither context
  // nor run file, would report the guest stopped just before the restart
  // brings it back.
  static GuestLock inheritedOr(const std::string& name, const std::filesystem::path& dir = kRunDir);

  // Keeps the lock held across our next execve: the descriptor stays open
  // and the environment tells the new program which one it is.
  void handDownForExec();

 private:
  explicit GuestLock(UniqueFd locked) : fd_(std::move(locked)) {}
  static std::optional<GuestLock> adoptHandedDown(const std::filesystem::path& file);

  UniqueFd fd_;
};

}  // namespace vs::guest
