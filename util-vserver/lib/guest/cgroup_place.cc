#include "cgroup_place.h"

#include <charconv>
#include <fstream>
#include <iterator>

#include "../cgroup.h"
#include "paths.h"

namespace vs::guest {

namespace fs = std::filesystem;

const char* const kSupervisorLeaf = ".supervisor";

namespace {

// systemd puts a delegated unit's ExecReload= and ExecStop= processes here.
constexpr char kSystemdControlLeaf[] = ".control";

bool hasDotComponent(const fs::path& path) {
  for (const auto& part : path)
    if (part == "." || part == "..") return true;
  return false;
}

// The group of the unit of ours that runs us, when it may hold guest
// name's group and we may make groups in it.
std::optional<fs::path> ownUnitGroup(const std::string& name) {
  const auto path = processCgroupPath("self");
  if (!path) return std::nullopt;
  const auto unit = unitGroupFor(*path, name);
  if (!unit) return std::nullopt;
  const fs::path group = fs::path(kCgroupRoot) / unit->relative_path();
  if (!cgroupWritable(group)) return std::nullopt;
  return group;
}

}  // namespace

std::optional<std::string> unifiedCgroupPath(std::string_view text) {
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    if (line.starts_with("0::")) return std::string(line.substr(3));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  }
  return std::nullopt;
}

std::optional<std::string> processCgroupPath(const std::string& pid) {
  std::ifstream stream("/proc/" + pid + "/cgroup");
  return unifiedCgroupPath(std::string(std::istreambuf_iterator<char>(stream), {}));
}

std::optional<std::string> unescapeUnitName(std::string_view unit) {
  std::string name;
  for (size_t i = 0; i < unit.size(); ++i) {
    if (unit[i] != '\\') {
      name += unit[i];
      continue;
    }
    if (unit.substr(i + 1, 1) != "x" || i + 4 > unit.size()) return std::nullopt;
    unsigned char byte = 0;
    const char* digits = unit.data() + i + 2;
    const auto [end, ec] = std::from_chars(digits, digits + 2, byte, 16);
    if (ec != std::errc() || end != digits + 2) return std::nullopt;
    name += static_cast<char>(byte);
    i += 3;
  }
  return name;
}

bool unitStartsGuest(std::string_view unit, const std::string& name) {
  if (unit == "vservers.service") return true;
  constexpr std::string_view kPrefix = "vserver@", kSuffix = ".service";
  if (unit.size() <= kPrefix.size() + kSuffix.size() || !unit.starts_with(kPrefix) ||
      !unit.ends_with(kSuffix))
    return false;
  unit.remove_prefix(kPrefix.size());
  unit.remove_suffix(kSuffix.size());
  return unescapeUnitName(unit) == name;
}

std::optional<fs::path> unitGroupFor(const fs::path& group, const std::string& name) {
  // Outside our cgroup namespace's root the kernel says "/../..".
  if (!group.is_absolute() || hasDotComponent(group)) return std::nullopt;
  const fs::path leaf = group.filename();
  const fs::path unit = leaf == kSupervisorLeaf || leaf == kSystemdControlLeaf ? group.parent_path()
                                                                                : group;
  if (!unitStartsGuest(unit.filename().string(), name)) return std::nullopt;
  return unit;
}

std::optional<std::string> guestCgroupProblem(const fs::path& group, const std::string& name) {
  const std::string problem = "cgroup '" + group.string() + "' ";
  if (!group.is_absolute()) return problem + "is not an absolute path";
  if (hasDotComponent(group)) return problem + "has a '.' or '..' in it";
  if (!pathBelow(group, kCgroupRoot)) return problem + "is not below " + kCgroupRoot;
  if (group == defaultCgroupOf(name)) return std::nullopt;
  if (group.filename() == name && unitStartsGuest(group.parent_path().filename().string(), name))
    return std::nullopt;
  return problem + "is neither guest " + name + "'s default group nor " + name +
         " in a vserver unit's group";
}

CgroupPlace placeGuestCgroup(const std::string& name) {
  const auto unit = ownUnitGroup(name);
  if (!unit) return {.group = defaultCgroupOf(name), .unitGroup = std::nullopt};
  makeParentCgroup(*unit, kSupervisorLeaf);
  return {.group = *unit / name, .unitGroup = *unit};
}

}  // namespace vs::guest
