// Running a program and collecting what it prints.
#pragma once

#include <string>
#include <vector>

namespace vs {

struct CapturedOutput {
  std::string output;  // its standard output
  int status = 0;      // exit status, or 128 + signal
};

// Runs argv (searched in PATH) with its standard output captured; its
// standard error is ours.  Throws Error if it cannot be started.
CapturedOutput runCapturingOutput(const std::vector<std::string>& argv);

}  // namespace vs
