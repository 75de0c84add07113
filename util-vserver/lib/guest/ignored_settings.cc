#include "ignored_settings.h"

#include "../text.h"
#include "limits.h"
#include "paths.h"

namespace vs::guest {

namespace {

std::string counted(size_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// The rlimits/ nothing enforces per guest for which ulimits/ has a limit
// per process: not the same, but often what such a file was meant for.
std::vector<std::string> perProcessInstead(const GuestConfig& config) {
  std::vector<std::string> names;
  for (const RlimitConfig& limit : config.rlimits)
    if (unappliedBecause(limit) == Unapplied::kNotEnforced && isUlimitResource(limit.resource))
      names.push_back(limit.resource);
  return names;
}

}  // namespace

std::vector<std::string> ignoredSettings(const GuestConfig& config) {
  std::vector<std::string> lines;
  const auto ignored = [&](const std::string& file, const std::string& what,
                           const std::string& instead) {
    lines.push_back((config.location.cfgdir / file).string() + ": " + what + " not applied yet" +
                    (instead.empty() ? "" : "; " + instead));
  };
  // Those guest/limits.h turns into cgroup settings are applied.
  if (const auto names = unappliedRlimits(config); !names.empty()) {
    std::string instead = "none is set";
    if (const auto perProcess = perProcessInstead(config); !perProcess.empty())
      instead += "; per-process limits (" + joined(perProcess, ", ") + ") are set in ulimits/";
    ignored("rlimits",
            counted(names.size(), "limit", "limits") + " (" + joined(names, ", ") + ")", instead);
  }
  // util-vserver's dlimits kept a share back for the guest's root; a
  // project quota has no such share, and configs commonly ask for 5%.
  for (const DiskLimit& limit : config.diskLimits)
    if (limit.reserved > 0)
      lines.push_back((config.location.cfgdir / "dlimits" / limit.entry / "reserved").string() +
                      ": project quotas reserve nothing for the guest's root; the " +
                      std::to_string(limit.reserved) + "% are not kept back");
  if (const auto& files = config.sched.bucketFiles; !files.empty())
    lines.push_back((config.location.cfgdir / "sched").string() + ": " + joined(files, ", ") +
                    " not read: a cgroup keeps the rate (fill-rate/interval), not the bucket");
  // exec-ulimit set these too, but Linux has ignored RLIMIT_RSS since 2.6
  // and RLIMIT_LOCKS since 2.4: a guest given them would be bounded by
  // nothing.  Their per-guest counterparts in rlimits/ are enforced.
  for (const UlimitConfig& limit : config.ulimits)
    if (limit.resource == "rss" || limit.resource == "locks")
      lines.push_back((config.location.cfgdir / "ulimits" / limit.resource).string() +
                      ": set, but the kernel enforces no per-process " + limit.resource +
                      " limit; rlimits/" + limit.resource + " bounds the guest's " +
                      (limit.resource == "rss" ? "memory" : "file locks"));
  // util-vserver named the guest's group after this file; here the name
  // is fixed, and scripts that look for the group must use that one.
  if (config.cgroup.name)
    lines.push_back((config.location.cfgdir / "cgroup/name").string() +
                    ": not read: a guest's group is named after the guest, " + config.name +
                    " in " + kCgroupBase +
                    " or in the group of the systemd unit that started it (vserver " +
                    config.name + " status names it)");
  return lines;
}

}  // namespace vs::guest
