// An io_uring with its submission queue mapped, for the checks that need
// requests in flight (vstest has no liburing: the few lines below are
// all it takes, and the VM's static image stays without another library).
#pragma once

#include <linux/io_uring.h>

#include <cstddef>

#include "unique_fd.h"

namespace probe {

class SubmissionRing {
 public:
  // A ring of entries submission slots; valid() says whether it was made.
  explicit SubmissionRing(unsigned entries);
  ~SubmissionRing();
  SubmissionRing(const SubmissionRing&) = delete;
  SubmissionRing& operator=(const SubmissionRing&) = delete;

  bool valid() const { return rings_ != nullptr && sqes_ != nullptr; }
  // The next free slot, zeroed, or nullptr when all are queued.
  io_uring_sqe* next();
  // Submits what next() queued: how many the kernel took, or -errno.
  // What it did not take stays queued for the next submit().
  int submit();

 private:
  // Before fd_, whose initializer fills it in.
  io_uring_params params_{};
  vs::UniqueFd fd_;
  void* rings_ = nullptr;
  size_t ringsSize_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqesSize_ = 0;
  unsigned queued_ = 0;
};

}  // namespace probe
