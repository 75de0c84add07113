// The guests under a configuration root, as far as their identity goes:
// the name their context and host state carry (the name file, else the
// directory's name) and their static context id.  Two guests sharing
// either would share a lock, a cgroup, a run file or a context, so that
// one's stop kills the other: build and start refuse a guest whose name or
// xid another directory already holds.  By both, vserver-stat finds the
// configuration of the guest a context runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vs::guest {

struct RegisteredGuest {
  std::filesystem::path cfgdir;
  std::string name;
  std::optional<uint32_t> xid;
};

// The context id in cfgdir/context, when it holds one.
std::optional<uint32_t> contextOf(const std::filesystem::path& cfgdir);

// Every guest directory under configRoot (no dot directories).
std::vector<RegisteredGuest> registeredGuests(const std::filesystem::path& configRoot);

// Every guest directory under configRoot but exclude.
std::vector<RegisteredGuest> otherGuests(const std::filesystem::path& configRoot,
                                         const std::filesystem::path& exclude);

// Throws Error(EEXIST) naming the other directory when one under the
// cfgdir's parent holds name or xid too.
void refuseSharedIdentity(const std::filesystem::path& cfgdir, const std::string& name,
                          std::optional<uint32_t> xid);

}  // namespace vs::guest
