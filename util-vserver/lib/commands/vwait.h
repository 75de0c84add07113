// vwait: wait for a context to end, and say why it did.
//
//   vwait [--timeout SECONDS] XID
//
// Prints "FINISHED <reason>" (reason: exited, restart, halt, poweroff) and
// exits 0, or prints "TIMEOUT" and exits 2.  Any error, including a context
// that is not running, prints "ERROR: ..." and exits 127, as util-vserver's.
#pragma once

#include <cstdint>
#include <optional>

namespace vs::vwait {

constexpr int kExitTimeout = 2;
constexpr int kExitError = 127;

struct Options {
  uint32_t xid = 0;
  std::optional<unsigned> timeoutSeconds;
};

Options parseOptions(int argc, const char** argv);
int run(const Options& options);
int main(int argc, const char** argv);

}  // namespace vs::vwait
