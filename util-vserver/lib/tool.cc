#include "tool.h"

#include <cstdio>
#include <exception>

#include "error.h"
#include "text.h"

namespace vs {

int runTool(const char* name, const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    printError(name, e.what());
    return e.exitStatus();
  } catch (const std::exception& e) {
    printError(name, e.what());
    return kToolFailure;
  }
}

void printError(std::string_view prefix, std::string_view message) {
  const std::string line = std::string(prefix) + ": " + printable(message) + "\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace vs
