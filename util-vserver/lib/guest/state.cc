#include "state.h"

#include <cerrno>

#include "../error.h"
#include "paths.h"

namespace vs::guest {

uint32_t requireXid(const GuestConfig& config) {
  if (!config.xid)
    throw ConfigError(config.location.cfgdir / "context", 0,
                      "missing: a guest needs a static context id (2..65535)");
  return *config.xid;
}

std::optional<ContextInfo> runningContext(VserverClient& client, const GuestConfig& config) {
  try {
    ContextInfo info = client.context(requireXid(config));
    if (info.name == config.name) return info;
    return std::nullopt;
  } catch (const Error& e) {
    if (e.errnum() == ESRCH || e.errnum() == ENOENT) return std::nullopt;
    throw;
  }
}

bool contextExists(uint32_t xid) {
  try {
    VserverClient client;
    client.context(xid);
    return true;
  } catch (const Error& e) {
    if (e.errnum() == ESRCH || e.errnum() == ENOENT) return false;
    throw;
  }
}

RunRecord runningRecord(VserverClient& client, const GuestConfig& config) {
  if (!runningContext(client, config)) throw Error(ESRCH, "guest " + config.name + " is not running", 1);
  const auto record = readRunFile(config.runFile, config.name);
  if (!record || record->xid != *config.xid)
    throw Error(ENOENT, "guest " + config.name + " runs but its run file " +
                            config.runFile.string() + " is missing or stale");
  try {
    if (client.taskXid(record->initPid) == record->xid) return *record;
  } catch (const Error& e) {
    if (e.errnum() != ESRCH && e.errnum() != ENOENT) throw;
  }
  throw Error(ESRCH, "guest " + config.name + ": its init (pid " +
                         std::to_string(record->initPid) + ") is gone");
}

std::filesystem::path recordedCgroupOf(const GuestConfig& config) {
  const auto record = readRunFile(config.runFile, config.name);
  return record ? record->cgroup : defaultCgroupOf(config.name);
}

}  // namespace vs::guest
