// vdlimit: show and change a context's disk limits, as util-vserver's
// vdlimit does, on the project quota whose project id is the xid
// (project_quota.h):
//
//   vdlimit --xid XID [--set LIMIT=VALUE]... [--remove] PATH...
//
// PATH is any file or directory of the filesystem.  Without --set or
// --remove it prints, for each PATH, util-vserver's lines:
//
//   XID PATH
//   space_used=N      (1 KiB blocks)
//   space_total=N     (-1: no limit)
//   inodes_used=N
//   inodes_total=N
//   reserved=0
//
// The guest need not run and no vserver module is needed: the limits are
// the filesystem's, and they outlive the guest.  A start sets dlimits/
// again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vs::vdlimit {

struct Options {
  uint32_t xid = 0;
  // The totals --set gives (kNoQuotaLimit for -1); an unset one keeps
  // its current value.
  std::optional<uint64_t> spaceKiB;
  std::optional<uint64_t> inodes;
  bool set = false;     // --set given, if only as reserved=0
  bool remove = false;  // both totals to none
  std::vector<std::string> paths;
};

Options parseOptions(int argc, const char** argv);
int run(const Options& options);
int main(int argc, const char** argv);

}  // namespace vs::vdlimit
