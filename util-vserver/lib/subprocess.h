// Running a program and collecting what it prints.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "process.h"

namespace vs {

struct CapturedOutput {
  std::string output;  // its standard output
  int status = 0;      // exit status, or 128 + signal
};

// What runCapturingOutput keeps at most: ps lists what guests put in
// their command lines, which no admin's tool should hold unbounded.
inline constexpr size_t kCapturedOutputLimit = 64 << 20;

// Runs argv (searched in PATH) with its standard output captured; its
// standard error is ours, its standard input ours or stdinFd.  A program
// that cannot be run exits 126 or 127.  Throws Error if no child can be
// made, or, having killed it, if its output cannot be read or passes
// limit bytes.
CapturedOutput runCapturingOutput(const std::vector<std::string>& argv, int stdinFd = -1,
                                  size_t limit = kCapturedOutputLimit);

// What runReadingLines hands on of a longer line: ps -ww prints the
// whole command line a guest's process chose.
inline constexpr size_t kLongestLine = 64 << 10;

// Runs argv as runCapturingOutput does, handing each line of its standard
// output to onLine as it comes, without its line end (a line longer than
// longest cut there, the rest of it dropped), so that no amount of output
// is held; returns its exit status.  Throws as runCapturingOutput does,
// and what onLine throws, having killed it.
int runReadingLines(const std::vector<std::string>& argv,
                    const std::function<void(const std::string&)>& onLine,
                    size_t longest = kLongestLine);

// Runs argv (searched in PATH) with our standard streams (standard input
// from stdinFd when that is given), in directory cwd (ours when empty),
// and returns its exit status, 128 + signal when it was killed.  A
// program that cannot be run exits 126 or 127 with a line on standard
// error.
int runCommand(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
               int stdinFd = -1);

// Starts what runCommand runs and returns without waiting: the caller
// waits on the pidfd (poll) and then for the pid.
ChildProcess spawnCommand(const std::vector<std::string>& argv,
                          const std::filesystem::path& cwd = {}, int stdinFd = -1);

}  // namespace vs
