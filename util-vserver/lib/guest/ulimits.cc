#include "ulimits.h"

#include <algorithm>
#include <filesystem>
#include <string>

#include "../error.h"
#include "../number.h"

namespace vs::guest {

namespace {

std::filesystem::path ulimitFile(const GuestConfig& config, const std::string& name) {
  return config.location.cfgdir / "ulimits" / name;
}

// "64" when both limits are 64, else "soft 0, hard inf".
std::string limitsText(const rlimit& limits) {
  if (limits.rlim_cur == limits.rlim_max) return formatLimit(limits.rlim_max);
  return "soft " + formatLimit(limits.rlim_cur) + ", hard " + formatLimit(limits.rlim_max);
}

}  // namespace

rlimit resolvedUlimit(const GuestConfig& config, const UlimitConfig& limit,
                      const rlimit& inherited) {
  rlimit resolved{};
  resolved.rlim_max = limit.hard.value_or(inherited.rlim_max);
  resolved.rlim_cur = limit.soft.value_or(std::min(inherited.rlim_cur, resolved.rlim_max));
  if (resolved.rlim_cur > resolved.rlim_max)
    throw Error(0, ulimitFile(config, limit.resource + ".soft").string() + ": soft limit " +
                       formatLimit(resolved.rlim_cur) + " is above the inherited hard limit " +
                       formatLimit(resolved.rlim_max) + "; raise it in " + limit.resource +
                       ".hard");
  return resolved;
}

void applyUlimits(const GuestConfig& config) {
  for (const UlimitConfig& limit : config.ulimits) {
    rlimit inherited{};
    if (getrlimit(limit.rlimit, &inherited) != 0) throwErrno("getrlimit " + limit.resource);
    const rlimit wanted = resolvedUlimit(config, limit, inherited);
    if (setrlimit(limit.rlimit, &wanted) != 0)
      throwErrno(ulimitFile(config, limit.resource).string() + ": cannot set " +
                 limitsText(wanted));
  }
}

}  // namespace vs::guest
