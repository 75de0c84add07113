#include "vdlimit.h"

#include <linux/vserver.h>
#include <popt.h>

#include <cstdio>
#include <sstream>

#include "../error.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../project_quota.h"
#include "../tool.h"

namespace vs::vdlimit {

namespace {

constexpr int kXidVal = 1;
constexpr int kSetVal = 2;
constexpr int kRemoveVal = 3;

const poptOption kOptions[] = {
    {"xid", '\0', POPT_ARG_STRING, nullptr, kXidVal, "the context, whose id is the project id",
     "XID"},
    {"set", '\0', POPT_ARG_STRING, nullptr, kSetVal,
     "set space_total (1 KiB blocks) or inodes_total; -1 for no limit; several as A=1,B=2",
     "LIMIT=VALUE"},
    {"remove", '\0', POPT_ARG_NONE, nullptr, kRemoveVal, "remove both limits", nullptr},
    {nullptr, '\0', POPT_ARG_INCLUDE_TABLE, poptHelpOptions, 0, "Help options:", nullptr},
    POPT_TABLEEND};

// A total as util-vserver's vdlimit takes it: -1 is none.  0 is refused,
// since the filesystem would read it as none too.
uint64_t parseTotal(const std::string& limit, const std::string& text, uint64_t max) {
  if (text == "-1") return kNoQuotaLimit;
  try {
    return parseUnsigned(text, 1, max, limit);
  } catch (const Error& e) {
    throwUsage(std::string("--set: ") + e.what() + "; -1 for no limit");
  }
}

void setLimit(Options& options, const std::string& limit, const std::string& value) {
  if (limit == "space_total") {
    options.spaceKiB = parseTotal(limit, value, kMaxQuotaKiB);
  } else if (limit == "inodes_total") {
    options.inodes = parseTotal(limit, value, kMaxQuotaInodes);
  } else if (limit == "reserved") {
    // Accepted as 0 so that util-vserver's scripts setting it still work.
    if (value != "0")
      throwUsage("--set reserved=" + value + ": project quotas reserve nothing (only 0 is taken)");
  } else if (limit == "space_used" || limit == "inodes_used") {
    throwUsage("--set " + limit + ": usage is counted by the filesystem");
  } else {
    throwUsage("--set: unknown limit '" + limit + "' (space_total, inodes_total, reserved)");
  }
}

// "LIMIT=VALUE[,LIMIT=VALUE]...".
void addSettings(Options& options, const std::string& arg) {
  std::istringstream pairs(arg);
  for (std::string pair; std::getline(pairs, pair, ',');) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0)
      throwUsage("--set: expected LIMIT=VALUE, got '" + pair + "'");
    setLimit(options, pair.substr(0, equals), pair.substr(equals + 1));
  }
}

std::string totalText(uint64_t limit) {
  return limit == kNoQuotaLimit ? "-1" : std::to_string(limit);
}

void printQuota(const Options& options, const std::string& path, const ProjectQuota& quota) {
  std::printf("%u %s\nspace_used=%s\nspace_total=%s\ninodes_used=%s\ninodes_total=%s\nreserved=0\n",
              options.xid, path.c_str(), std::to_string(quota.spaceUsedKiB).c_str(),
              totalText(quota.spaceLimitKiB).c_str(), std::to_string(quota.inodesUsed).c_str(),
              totalText(quota.inodesLimit).c_str());
}

// A limit set where the filesystem does not enforce it would be a limit
// in name only; removing one needs no such care.
void change(const Options& options, int fsFd) {
  if (options.remove) {
    setProjectLimits(fsFd, options.xid, kNoQuotaLimit, kNoQuotaLimit);
    return;
  }
  requireEnforcedProjectQuotas(fsFd);
  const ProjectQuota now = projectQuota(fsFd, options.xid);
  setProjectLimits(fsFd, options.xid, options.spaceKiB.value_or(now.spaceLimitKiB),
                   options.inodes.value_or(now.inodesLimit));
}

}  // namespace

Options parseOptions(int argc, const char** argv) {
  Options options;
  std::optional<std::string> xid;
  const auto onOption = [&](int val, const char* arg) {
    switch (val) {
      case kXidVal:
        xid = arg;
        return;
      case kSetVal:
        addSettings(options, arg);
        options.set = true;
        return;
      case kRemoveVal:
        options.remove = true;
        return;
      default:
        return;
    }
  };
  const PoptParser parser("vdlimit", argc, argv, kOptions,
                          "--xid XID [--set LIMIT=VALUE]... [--remove] PATH...", onOption);
  if (!xid) throwUsage("name the context: --xid XID");
  if (options.set && options.remove) throwUsage("--set and --remove do not go together");
  options.paths = parser.arguments();
  if (options.paths.empty()) throwUsage("name a PATH on the filesystem");
  options.xid = parseXid(*xid, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  return options;
}

int run(const Options& options) {
  for (const std::string& path : options.paths)
    onFilesystemOf(path, [&](int fsFd) {
      if (options.set || options.remove)
        change(options, fsFd);
      else
        printQuota(options, path, projectQuota(fsFd, options.xid));
    });
  return 0;
}

int main(int argc, const char** argv) {
  return runTool("vdlimit", [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::vdlimit
