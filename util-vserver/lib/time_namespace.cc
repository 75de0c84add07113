#include "time_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "error.h"
#include "unique_fd.h"

namespace vs {

void enterFreshBootClock() {
  if (unshare(CLONE_NEWTIME) != 0) throwErrno("cannot give the guest a time namespace");
  timespec now{};
  if (clock_gettime(CLOCK_BOOTTIME, &now) != 0) throwErrno("clock_gettime(CLOCK_BOOTTIME)");
  // The kernel refuses an offset that would make the clock negative, so
  // the whole seconds only: the namespace starts at the fraction left.
  const std::string offsets = "boottime " + std::to_string(-now.tv_sec) + " 0\n";
  const UniqueFd file(open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC));
  if (!file || write(file.get(), offsets.data(), offsets.size()) !=
                   static_cast<ssize_t>(offsets.size()))
    throwErrno("cannot set the guest's boot clock (/proc/self/timens_offsets)");
  // unshare() gave the new namespace to our children only; join it.
  const UniqueFd space(open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC));
  if (!space || setns(space.get(), CLONE_NEWTIME) != 0)
    throwErrno("cannot enter the guest's time namespace");
}

}  // namespace vs
