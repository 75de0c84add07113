#include "submission_ring.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace probe {

namespace {

// A shared mapping of the ring's area at offset, or nullptr.
void* mapRingArea(int fd, size_t size, off_t offset) {
  void* const area =
      mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
  return area == MAP_FAILED ? nullptr : area;
}

}  // namespace

SubmissionRing::SubmissionRing(unsigned entries)
    : fd_(static_cast<int>(syscall(SYS_io_uring_setup, entries, &params_))) {
  if (!fd_ || !(params_.features & IORING_FEAT_SINGLE_MMAP)) return;
  ringsSize_ = std::max(params_.sq_off.array + params_.sq_entries * sizeof(unsigned),
                        params_.cq_off.cqes + params_.cq_entries * sizeof(io_uring_cqe));
  rings_ = mapRingArea(fd_.get(), ringsSize_, IORING_OFF_SQ_RING);
  sqesSize_ = params_.sq_entries * sizeof(io_uring_sqe);
  sqes_ = static_cast<io_uring_sqe*>(mapRingArea(fd_.get(), sqesSize_, IORING_OFF_SQES));
}

SubmissionRing::~SubmissionRing() {
  if (sqes_ != nullptr) munmap(sqes_, sqesSize_);
  if (rings_ != nullptr) munmap(rings_, ringsSize_);
}

io_uring_sqe* SubmissionRing::next() {
  if (!valid()) return nullptr;
  char* const base = static_cast<char*>(rings_);
  const unsigned head =
      __atomic_load_n(reinterpret_cast<unsigned*>(base + params_.sq_off.head), __ATOMIC_ACQUIRE);
  const unsigned tail = *reinterpret_cast<unsigned*>(base + params_.sq_off.tail) + queued_;
  if (tail - head == params_.sq_entries) return nullptr;
  const unsigned index = tail & *reinterpret_cast<unsigned*>(base + params_.sq_off.ring_mask);
  reinterpret_cast<unsigned*>(base + params_.sq_off.array)[index] = index;
  queued_++;
  std::memset(&sqes_[index], 0, sizeof(sqes_[index]));
  return &sqes_[index];
}

int SubmissionRing::submit() {
  if (!valid()) return -EBADF;
  unsigned* const tail =
      reinterpret_cast<unsigned*>(static_cast<char*>(rings_) + params_.sq_off.tail);
  __atomic_store_n(tail, *tail + queued_, __ATOMIC_RELEASE);
  const long taken = syscall(SYS_io_uring_enter, fd_.get(), queued_, 0, 0, nullptr, 0);
  queued_ = 0;
  return taken < 0 ? -errno : static_cast<int>(taken);
}

}  // namespace probe
