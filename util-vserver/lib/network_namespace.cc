#include "network_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "error.h"
#include "kernel_file.h"
#include "process.h"

namespace vs {

namespace {

// Every id to itself: what the guest's root is stays what it is on the
// host (file owners, sysctl owners of the namespace).
constexpr const char* kIdentityMap = "0 0 4294967295\n";

UniqueFd openNamespaceOf(pid_t pid) {
  const std::string file = "/proc/" + std::to_string(pid) + "/ns/net";
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throwErrno("cannot open " + file);
  return fd;
}

}  // namespace

UniqueFd createOwnedNetworkNamespace() {
  // clone3 makes the user namespace first and the network namespace under
  // it; the child only holds them until we have them open.
  ChildProcess holder = cloneProcess(CLONE_NEWUSER | CLONE_NEWNET);
  if (holder.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) pause();
  }
  try {
    const std::string proc = "/proc/" + std::to_string(holder.pid);
    writeKernelFile(proc + "/uid_map", kIdentityMap);
    writeKernelFile(proc + "/gid_map", kIdentityMap);
    UniqueFd netns = openNamespaceOf(holder.pid);
    signalPidfd(holder.pidfd.get(), SIGKILL);
    waitForExitStatus(holder.pid);
    return netns;
  } catch (...) {
    signalPidfd(holder.pidfd.get(), SIGKILL);
    waitForExitStatus(holder.pid);
    throw;
  }
}

EnteredNetworkNamespace::EnteredNetworkNamespace(int namespaceFd)
    : previous_(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
  if (!previous_) throwErrno("cannot open /proc/thread-self/ns/net");
  if (setns(namespaceFd, CLONE_NEWNET) != 0)
    throwErrno("cannot enter the guest's network namespace");
}

EnteredNetworkNamespace::~EnteredNetworkNamespace() {
  // Staying in the guest's namespace would configure the host's network
  // in it from here on: nothing sane is left to do.
  if (setns(previous_.get(), CLONE_NEWNET) != 0) std::abort();
}

}  // namespace vs
