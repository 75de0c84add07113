// Processes by pidfd: clone3 into namespaces and a cgroup, joining a
// process's namespaces, waiting.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unique_fd.h"

namespace vs {

struct ChildProcess {
  pid_t pid = 0;  // 0 in the child
  UniqueFd pidfd;
};

// fork() with clone3: the child gets new namespaces (CLONE_NEW* in
// namespaceFlags) and starts in the cgroup whose directory cgroupFd is
// open (none when negative), so it never runs outside it.
ChildProcess cloneProcess(uint64_t namespaceFlags, int cgroupFd = -1);

// A pidfd for pid; throws Error(ESRCH) when it is gone.
UniqueFd openPidfd(pid_t pid);

// Moves the caller into the namespaces (CLONE_NEW* flags) of the process
// pidfd refers to.  A PID namespace applies to the caller's children.
void joinNamespaces(int pidfd, uint64_t namespaceFlags);

// Sends signal to the process of pidfd; false when it is already gone.
bool signalPidfd(int pidfd, int signal);

// Waits up to timeoutMs for the process of pidfd (not necessarily our
// child) to end; true when it has.
bool awaitPidfd(int pidfd, int timeoutMs);

// Waits for child pid and returns its exit status, or 128 + signal.
int waitForExitStatus(pid_t pid);

// "exit status N" or "killed by signal S", for messages.
std::string describeStatus(int status);

// Writes line and a newline to fd, once, ignoring failure: for a child's
// status pipe, where nobody is left to tell.
void writeLine(int fd, const std::string& line);

// Writes text to fd in one write, as writeLine() does, without a newline.
void writeText(int fd, std::string_view text);

// Every signal back to its default action and unblocked: exec keeps
// ignored signals and the mask, which the next program should not get.
void resetSignalHandling();

// Shows the process as title in ps: its command line, overwritten in
// place (as setproctitle does: the kernel reads it from our memory), and
// its name.  Needs /proc; without it only the name changes.
void setProcessTitle(const std::string& title);

// Closes every descriptor from first upwards (before running foreign code).
void closeDescriptorsFrom(int first);

}  // namespace vs
