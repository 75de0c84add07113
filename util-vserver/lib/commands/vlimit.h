// vlimit: show and change the limits of a running guest, as util-vserver's
// vlimit does, on the guest's cgroup and, for the resources the module
// counts (nofile, nsock, semary, msgqueue, nsems, locks), on its context
// (guest/limits.h has the mapping).
//
//   vlimit -c XID [-a] [[-M|-S|-H]... --RESOURCE VALUE]...
//
// -M, -S and -H say which of the next resource's limits VALUE sets (the
// hard one when none is given), as in util-vserver.  Values are written as
// in rlimits/ ("inf", K/M/G suffixes; pages for the memory resources).
// The change holds until the guest stops; rlimits/ is what a start
// applies.  Without a change, or with -a, it prints one line per limit:
// the resource, what the guest uses, its soft and hard limit, and how
// often the limit refused the guest.
#pragma once

#include <cstdint>
#include <vector>

#include "../guest/config.h"

namespace vs::vlimit {

struct Options {
  uint32_t xid = 0;
  bool show = false;
  // One entry per resource named, in the order first named; a resource
  // named twice keeps the last value of each kind.
  std::vector<guest::RlimitConfig> changes;
};

Options parseOptions(int argc, const char** argv);
int run(const Options& options);
int main(int argc, const char** argv);

}  // namespace vs::vlimit
