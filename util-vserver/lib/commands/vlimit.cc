#include "vlimit.h"

#include <linux/vserver.h>
#include <popt.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "../cgroup.h"
#include "../error.h"
#include "../guest/context_cgroup.h"
#include "../guest/limits.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../text.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::vlimit {

namespace fs = std::filesystem;

namespace {

// popt vals: the resource options follow kResourceVal, in
// limitResourceNames() order.
constexpr int kXidVal = 'c';
constexpr int kShowVal = 'a';
constexpr int kResourceVal = 1000;

// Which limits of the next resource option its value sets.
struct Kinds {
  bool min = false;
  bool soft = false;
  bool hard = false;
};

guest::RlimitConfig& changeOf(Options& options, const std::string& resource) {
  auto found = std::find_if(options.changes.begin(), options.changes.end(),
                            [&](const guest::RlimitConfig& c) { return c.resource == resource; });
  if (found != options.changes.end()) return *found;
  options.changes.push_back({});
  options.changes.back().resource = resource;
  return options.changes.back();
}

void addChange(Options& options, const std::string& resource, Kinds kinds, const char* text) {
  const uint64_t value = [&] {
    try {
      return parseLimit(text);
    } catch (const Error& e) {
      throwUsage("--" + resource + ": " + e.what());
    }
  }();
  if (!kinds.min && !kinds.soft && !kinds.hard) kinds.hard = true;
  guest::RlimitConfig& change = changeOf(options, resource);
  if (kinds.min) change.min = value;
  if (kinds.soft) change.soft = value;
  if (kinds.hard) change.hard = value;
}

std::vector<poptOption> optionTable() {
  std::vector<poptOption> table = {
      {"xid", 'c', POPT_ARG_STRING, nullptr, kXidVal, "the guest's context", "XID"},
      {"all", 'a', POPT_ARG_NONE, nullptr, kShowVal, "show every limit (after the changes)",
       nullptr},
      {nullptr, 'M', POPT_ARG_NONE, nullptr, 'M', "the next limit given is the minimum", nullptr},
      {nullptr, 'S', POPT_ARG_NONE, nullptr, 'S', "the next limit given is the soft one", nullptr},
      {nullptr, 'H', POPT_ARG_NONE, nullptr, 'H', "the next limit given is the hard one (default)",
       nullptr},
  };
  int val = kResourceVal;
  for (const char* resource : guest::limitResourceNames())
    table.push_back({resource, 0, POPT_ARG_STRING, nullptr, val++, "set this limit", "VALUE"});
  table.push_back({nullptr, '\0', POPT_ARG_INCLUDE_TABLE, poptHelpOptions, 0, "Help options:",
                   nullptr});
  table.push_back(POPT_TABLEEND);
  return table;
}

// What vlimit's options can do instead, for a change nothing takes.
std::string unappliedMessage(const std::string& resource, guest::Unapplied why) {
  switch (why) {
    case guest::Unapplied::kHardOnly:
      return "--" + resource + ": only its hard limit (-H) applies";
    case guest::Unapplied::kSoftOrHardOnly:
      return "--" + resource + ": only its soft (-S) and hard (-H) limits apply";
    case guest::Unapplied::kNotEnforced:
      break;
  }
  std::vector<std::string> enforced = guest::enforcedRlimits();
  const std::string last = enforced.back();
  enforced.pop_back();
  return "--" + resource + ": not enforced yet; vlimit changes " + joined(enforced, ", ") +
         " and " + last;
}

// What the changes become: writes to the guest's cgroup, and the module's
// counted limits of its context.
struct Plan {
  std::vector<guest::CgroupSetting> settings;
  HardLimits counted;
};

Plan planOf(const std::vector<guest::RlimitConfig>& changes) {
  for (const guest::RlimitConfig& change : changes)
    if (const auto why = guest::unappliedBecause(change))
      throwUsage(unappliedMessage(change.resource, *why));
  guest::GuestConfig config;
  config.rlimits = changes;
  return {guest::cgroupSettingsOf(config, static_cast<uint64_t>(sysconf(_SC_PAGESIZE))),
          guest::countedLimitsOf(config)};
}

fs::path groupOf(const ContextInfo& context) {
  const std::string which = "context " + std::to_string(context.xid);
  if (context.name.empty()) throw Error(ENOENT, which + " is no guest of vserver: it has no cgroup");
  const fs::path group = guest::contextCgroupOf(context.xid, context.name);
  if (!fs::is_directory(group))
    throw Error(ENOENT, which + " (" + context.name + ") has no cgroup " + group.string());
  return group;
}

// The value file holds now, to put back; vlimit writes no other file.
std::optional<std::string> currentValue(const CgroupUsage& usage, const std::string& file) {
  const std::optional<uint64_t> value = file == "pids.max"          ? usage.tasksMax
                                        : file == "memory.max"      ? usage.memoryMax
                                        : file == "memory.high"     ? usage.memoryHigh
                                        : file == "memory.swap.max" ? usage.swapMax
                                                                    : std::nullopt;
  if (!value) return std::nullopt;
  return *value == kNoCgroupLimit ? "max" : std::to_string(*value);
}

// Writes every setting, or, when the kernel refuses one, puts back those
// already written and throws its refusal.
void applyAll(const fs::path& group, const std::vector<guest::CgroupSetting>& settings) {
  const CgroupUsage before = readCgroupUsage(group);
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    try {
      setCgroupValue(group, it->file, it->value);
    } catch (const Error&) {
      for (auto done = settings.begin(); done != it; ++done)
        if (const auto old = currentValue(before, done->file)) {
          try {
            setCgroupValue(group, done->file, *old);
          } catch (const Error&) {
            // The refusal that made us undo is what the user must read.
          }
        }
      throw;
    }
  }
}

// The hard limits context had of the resources changed names.
HardLimits limitsBefore(const ContextInfo& context, const HardLimits& changed) {
  HardLimits before;
  for (const auto& [resource, hard] : changed)
    if (const auto found = context.limits.find(resource); found != context.limits.end())
      before[resource] = found->second.hard;
  return before;
}

// The counted limits go first, in one request: refused, it leaves nothing
// to undo.  A cgroup write refused after it puts them back as context had
// them, once applyAll() has put back its own.
void applyPlan(VserverClient& client, const ContextInfo& context, const fs::path& group,
               const Plan& plan) {
  if (!plan.counted.empty()) client.setLimits(context.xid, plan.counted);
  try {
    applyAll(group, plan.settings);
  } catch (const Error&) {
    if (!plan.counted.empty()) {
      try {
        client.setLimits(context.xid, limitsBefore(context, plan.counted));
      } catch (const Error&) {
        // As in applyAll(): the refusal that made us undo is what counts.
      }
    }
    throw;
  }
}

// VSERVER_LIMIT_INFINITY reads "inf" as "max" does.
static_assert(VSERVER_LIMIT_INFINITY == kNoCgroupLimit);

std::string limitText(std::optional<uint64_t> value, uint64_t unit) {
  if (!value) return "-";
  if (*value == kNoCgroupLimit) return "inf";
  return std::to_string(*value / unit);
}

void printLimits(const fs::path& group, const ContextInfo& context) {
  const CgroupUsage usage = readCgroupUsage(group);
  const auto pageSize = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  std::printf("%-10s %12s %12s %12s %8s\n", "RESOURCE", "CURRENT", "SOFT", "HARD", "HITS");
  const auto row = [](const char* resource, const std::string& current, const std::string& soft,
                      const std::string& hard, const std::string& hits) {
    std::printf("%-10s %12s %12s %12s %8s\n", resource, current.c_str(), soft.c_str(), hard.c_str(),
                hits.c_str());
  };
  if (usage.tasks)
    row("nproc", limitText(usage.tasks, 1), "-", limitText(usage.tasksMax, 1),
        limitText(usage.forksRefused, 1));
  // rss, anon and as all bound the group's memory: one row, in pages.
  if (usage.memoryBytes)
    row("rss", limitText(usage.memoryBytes, pageSize), limitText(usage.memoryHigh, pageSize),
        limitText(usage.memoryMax, pageSize), limitText(usage.oomKills, 1));
  // Swap is counted apart from memory, in pages too; it has no soft limit.
  if (usage.swapBytes)
    row("swap", limitText(usage.swapBytes, pageSize), "-", limitText(usage.swapMax, pageSize),
        limitText(usage.swapRefused, 1));
  // The module's counted resources have a hard limit only.
  for (const auto& [resource, limit] : context.limits)
    row(countedResourceName(resource), limitText(limit.current, 1), "-", limitText(limit.hard, 1),
        limitText(limit.hits, 1));
}

}  // namespace

Options parseOptions(int argc, const char** argv) {
  const std::vector<poptOption> table = optionTable();
  Options options;
  std::optional<std::string> xid;
  Kinds kinds;
  const auto onOption = [&](int val, const char* arg) {
    switch (val) {
      case kXidVal:
        xid = arg;
        return;
      case kShowVal:
        options.show = true;
        return;
      case 'M':
        kinds.min = true;
        return;
      case 'S':
        kinds.soft = true;
        return;
      case 'H':
        kinds.hard = true;
        return;
      default:
        addChange(options, guest::limitResourceNames()[static_cast<size_t>(val - kResourceVal)],
                  kinds, arg);
        kinds = {};
    }
  };
  const PoptParser parser("vlimit", argc, argv, table.data(),
                          "-c XID [-a] [[-M|-S|-H]... --RESOURCE VALUE]...", onOption);
  if (!parser.arguments().empty()) throwUsage("vlimit runs no command: '" + parser.arguments()[0] + "'");
  if (!xid) throwUsage("name the guest's context: -c XID");
  if (kinds.min || kinds.soft || kinds.hard) throwUsage("-M, -S and -H go before a --RESOURCE VALUE");
  options.xid = parseXid(*xid, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  if (options.changes.empty()) options.show = true;
  return options;
}

int run(const Options& options) {
  // Every change is checked before the first is written.
  const Plan plan = planOf(options.changes);
  VserverClient client;
  const ContextInfo context = requireRunningContext(client, options.xid);
  const fs::path group = groupOf(context);
  applyPlan(client, context, group, plan);
  if (options.show) printLimits(group, requireRunningContext(client, options.xid));
  return 0;
}

int main(int argc, const char** argv) {
  return runTool("vlimit", [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::vlimit
