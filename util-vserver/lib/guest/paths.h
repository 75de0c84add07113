// Where the toolkit keeps a guest's state on the host.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace vs::guest {

// Default directory for guest roots ( .defaults/vdirbase overrides it).
extern const char* const kDefaultVdirBase;  // /vservers
// Run files: one per running guest, holding its xid.
extern const char* const kRunDir;  // /run/vservers
// Where the host's cgroup v2 hierarchy is mounted: every guest's group
// is below it.
extern const char* const kCgroupRoot;  // /sys/fs/cgroup
// The cgroup v2 directory under which a guest started outside a systemd
// unit of ours gets NAME/ (see cgroup_place.h for the other place).
extern const char* const kCgroupBase;  // /sys/fs/cgroup/vserver

// The lock a build, start, stop or delete of guest name holds, in dir.
std::filesystem::path lockFileOf(const std::string& name,
                                 const std::filesystem::path& dir = kRunDir);  // /run/vservers/.lock.NAME

// The lock a build holds while it picks a context id and writes it into
// the new cfgdir, so that two builds never pick the same.
std::filesystem::path contextIdLockFile(const std::filesystem::path& dir = kRunDir);  // /run/vservers/.lock-context-ids

// The lock every start and naddress holds while it checks an address
// against the host's and adds it, so that no two take the same one.
std::filesystem::path interfacesLockFile(const std::filesystem::path& dir = kRunDir);  // /run/vservers/.lock-interfaces

// What start added to the host's devices for guest name (its run state,
// kept until a stop, or the next start after a crash, removed them).
std::filesystem::path addressRecordOf(const std::string& name,
                                      const std::filesystem::path& dir = kRunDir);  // /run/vservers/.addresses.NAME

// The group of guest name when it was not started by a systemd unit of
// ours, or by a version that did not record its group in the run file.
std::filesystem::path defaultCgroupOf(const std::string& name);  // /sys/fs/cgroup/vserver/NAME

// Whether path is dir or lies below it, compared as written, component by
// component: like pathBelow, it resolves neither ".." nor a link.
bool isWithin(const std::filesystem::path& path, const std::filesystem::path& dir);

// path relative to dir when path lies strictly below dir, compared as
// written, component by component; nothing otherwise.
std::optional<std::filesystem::path> pathBelow(const std::filesystem::path& path,
                                               const std::filesystem::path& dir);

}  // namespace vs::guest
