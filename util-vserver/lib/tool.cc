#include "tool.h"

#include <cstdio>
#include <exception>

#include "error.h"

namespace vs {

int runTool(const char* name, const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return e.exitStatus();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return kToolFailure;
  }
}

}  // namespace vs
