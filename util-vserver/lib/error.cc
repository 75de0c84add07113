#include "error.h"

#include <cerrno>
#include <cstring>

namespace vs {

std::string errnoMessage(const std::string& what, int errnum) {
  return what + ": " + std::strerror(errnum);
}

void throwErrno(const std::string& what) {
  const int errnum = errno;
  throw Error(errnum, errnoMessage(what, errnum));
}

void throwUsage(const std::string& message) { throw Error(0, message); }

}  // namespace vs
