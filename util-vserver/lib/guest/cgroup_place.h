// Where a guest's cgroup v2 group is.  A guest started inside a systemd
// unit of ours (initscripts/systemd: vservers.service, or
// vserver@NAME.service; both Delegate=yes) gets NAME in the unit's own
// group, so that the unit holds the guest's processes: systemctl status
// shows them, the unit's slice accounts for them.  Any other start (by
// hand, from a login session, whose scope ends at logout) gets the
// default group, /sys/fs/cgroup/vserver/NAME (paths.h).  The run file
// records which (run_file.h): every other command finds it there.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace vs::guest {

// The leaf of a unit's group that the processes in the group move into,
// so that the group may have guests' groups with controllers below it.
// Guest names never start with '.' (a context name cannot), so neither
// this nor systemd's ".control" leaf (its ExecReload= and ExecStop=
// processes in a delegated unit) is ever a guest's group.
extern const char* const kSupervisorLeaf;  // .supervisor

// The cgroup v2 path in the text of /proc/PID/cgroup: its "0::PATH"
// line; nothing without one (a host with cgroup v1 only).
std::optional<std::string> unifiedCgroupPath(std::string_view text);

// The cgroup v2 path of process pid ("self" for ours) in the text of
// /proc/PID/cgroup; nothing when it is gone or has none.
std::optional<std::string> processCgroupPath(const std::string& pid);

// A unit name with systemd's escapes (\xNN) undone; nothing when one is
// malformed.
std::optional<std::string> unescapeUnitName(std::string_view unit);

// Whether unit (a unit's name, as its group is named) is one of ours that
// starts guest name: vservers.service (the guests of a mark), or
// vserver@NAME.service with NAME escaped or not.
bool unitStartsGuest(std::string_view unit, const std::string& name);

// The group of the unit of ours that runs a process in group (a cgroup
// path as /proc/PID/cgroup gives it), which may hold guest name's group:
// group itself, or its parent when group is the unit's supervisor leaf
// (start-vservers starting the next guest, a monitor restarting its guest
// after a reboot) or systemd's ".control" (systemctl reload vservers).
// Nothing when no unit of ours that starts name runs the process.
std::optional<std::filesystem::path> unitGroupFor(const std::filesystem::path& group,
                                                  const std::string& name);

// What is wrong with group as the recorded group of guest name, which a
// stop kills and removes: it must be a group start could have chosen,
// the default group or NAME in the group of a unit of ours, given as an
// absolute path below /sys/fs/cgroup with no "." or "..".  Nothing when
// it is fine.
std::optional<std::string> guestCgroupProblem(const std::filesystem::path& group,
                                              const std::string& name);

struct CgroupPlace {
  std::filesystem::path group;  // the guest's group
  // The unit's group that group is made in; nothing for the default
  // group, whose parents are ours to make.
  std::optional<std::filesystem::path> unitGroup;
};

// Where start puts guest name's group: in the group of the unit of ours
// that runs us when we may write to it, after that group's processes (us
// among them) moved into its supervisor leaf and its controllers were
// enabled for its children; else in the default group.
CgroupPlace placeGuestCgroup(const std::string& name);

}  // namespace vs::guest
