#include "relay_copy.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "error.h"
#include "text.h"

namespace vs {

ssize_t copyAvailable(int from, int to, TerminalText* terminal) {
  char buffer[4096];
  const ssize_t n = read(from, buffer, sizeof(buffer));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
  if (n <= 0) return -1;
  std::string shown;
  std::string_view out(buffer, static_cast<size_t>(n));
  if (terminal) out = shown = terminal->pass(out);
  for (size_t done = 0; done < out.size();) {
    const ssize_t written = write(to, out.data() + done, out.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && errno == EAGAIN) break;
    if (written < 0) return -1;
    done += static_cast<size_t>(written);
  }
  return n;
}

void setNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) throwErrno("cannot set O_NONBLOCK");
}

void copyWhatIsLeft(std::initializer_list<RelayPath> paths, size_t budget) {
  std::vector<pollfd> fds;
  for (const RelayPath& path : paths) fds.push_back({path.from, POLLIN, 0});
  while (budget > 0) {
    const int ready = poll(fds.data(), fds.size(), 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    size_t i = 0;
    for (const RelayPath& path : paths) {
      pollfd& fd = fds[i++];
      if (!fd.revents) continue;
      const ssize_t copied = copyAvailable(path.from, path.to, path.terminal);
      if (copied <= 0) {
        fd.fd = -1;
        continue;
      }
      budget -= std::min(budget, static_cast<size_t>(copied));
    }
  }
}

}  // namespace vs
