#include "relay_copy.h"

#include <unistd.h>

#include <cerrno>

namespace vs {

bool copyAvailable(int from, int to) {
  char buffer[4096];
  const ssize_t n = read(from, buffer, sizeof(buffer));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  for (ssize_t done = 0; done < n;) {
    const ssize_t written = write(to, buffer + done, static_cast<size_t>(n - done));
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return false;
    done += written;
  }
  return true;
}

}  // namespace vs
