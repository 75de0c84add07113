#include "context_cgroup.h"

#include "paths.h"
#include "run_file.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

fs::path runFileOf(uint32_t xid, const std::string& name,
                   const std::vector<RegisteredGuest>& guests, const fs::path& configRoot) {
  for (const RegisteredGuest& guest : guests)
    if (guest.xid == xid && guest.name == name)
      return readStopEssentials(locateGuest(guest.cfgdir.string(), configRoot)).runFile;
  return fs::path(kRunDir) / name;
}

}  // namespace

fs::path contextCgroupOf(uint32_t xid, const std::string& name, const fs::path& configRoot) {
  return contextCgroupOf(xid, name, registeredGuests(configRoot), configRoot);
}

fs::path contextCgroupOf(uint32_t xid, const std::string& name,
                         const std::vector<RegisteredGuest>& guests, const fs::path& configRoot) {
  const auto record = readRunFile(runFileOf(xid, name, guests, configRoot), name);
  return record && record->xid == xid ? record->cgroup : defaultCgroupOf(name);
}

}  // namespace vs::guest
