// vkill: signal the processes of a context.
//
//   vkill --xid N [-s SIG]              every process of context N
//   vkill [--xid N] [-s SIG] PID...     those processes (of context N)
//
// The default signal is TERM.  Without --xid each PID is signalled in the
// context it belongs to.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace vs::vkill {

struct Options {
  std::optional<uint32_t> xid;
  int signal = 15;
  std::vector<pid_t> pids;
};

Options parseOptions(int argc, const char** argv);
int run(const Options& options);
int main(int argc, const char** argv);

}  // namespace vs::vkill
