// The per-guest lock: start, stop, restart and delete of one guest run
// one at a time.  An flock(2), so a killed holder never leaves it behind.
#pragma once

#include <filesystem>
#include <string>

#include "../unique_fd.h"
#include "paths.h"

namespace vs::guest {

class GuestLock {
 public:
  // Blocks until the lock of guest name (in dir) is ours.
  explicit GuestLock(const std::string& name, const std::filesystem::path& dir = kRunDir);

  // The descriptor holding the lock; a forked process that keeps it open
  // keeps the lock after we are gone.
  int fd() const { return fd_.get(); }

  // Gives the lock up now (our copy of it).
  void release() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

}  // namespace vs::guest
