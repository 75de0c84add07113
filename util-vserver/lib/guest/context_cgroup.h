// The group of a running guest for the tools that know only its context
// (vlimit -c XID, vserver-stat): its run file says where start put it
// (cgroup_place.h), and the guest's configuration says where its run file
// is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <vector>

#include "config.h"
#include "registry.h"

namespace vs::guest {

// The group of the guest running as context xid, named name by its start:
// as the run file of the guest configured under configRoot with that
// name and xid records it (the default run file, /run/vservers/NAME, when
// no guest there has them); the default group when that run file is
// missing or another context's.
std::filesystem::path contextCgroupOf(uint32_t xid, const std::string& name,
                                      const std::filesystem::path& configRoot = kConfigRoot);

// The same, among guests listed once by registeredGuests(configRoot): a
// tool asking for every context reads the configuration root once.
std::filesystem::path contextCgroupOf(uint32_t xid, const std::string& name,
                                      const std::vector<RegisteredGuest>& guests,
                                      const std::filesystem::path& configRoot = kConfigRoot);

}  // namespace vs::guest
