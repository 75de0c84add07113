// Errors of the util-vserver library.
//
// Every failure is an Error carrying the errno it stands for and one line
// for the user; commands catch it at their boundary (see tool.h), print the
// line and exit.
#pragma once

#include <stdexcept>
#include <string>

namespace vs {

// Exit status of a tool that failed itself, as opposed to the status of a
// command it ran (util-vserver's wrapper convention).
constexpr int kToolFailure = 255;

class Error : public std::runtime_error {
 public:
  Error(int errnum, const std::string& message, int exitStatus = kToolFailure)
      : std::runtime_error(message), errnum_(errnum), exitStatus_(exitStatus) {}

  // The errno this error stands for; 0 for usage and configuration errors.
  int errnum() const { return errnum_; }

  // What the tool exits with when this error ends it.
  int exitStatus() const { return exitStatus_; }

 private:
  int errnum_;
  int exitStatus_;
};

// "what: strerror(errnum)".
std::string errnoMessage(const std::string& what, int errnum);

// Throws Error(errno, "what: strerror(errno)").
[[noreturn]] void throwErrno(const std::string& what);

// Throws Error(0, message): a usage or input mistake, no errno involved.
[[noreturn]] void throwUsage(const std::string& message);

}  // namespace vs
