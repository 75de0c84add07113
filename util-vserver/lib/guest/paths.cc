#include "paths.h"

#include <algorithm>

namespace vs::guest {

const char* const kDefaultVdirBase = "/vservers";
const char* const kRunDir = "/run/vservers";
const char* const kCgroupRoot = "/sys/fs/cgroup";
const char* const kCgroupBase = "/sys/fs/cgroup/vserver";

std::filesystem::path lockFileOf(const std::string& name, const std::filesystem::path& dir) {
  return dir / (".lock." + name);
}

std::filesystem::path contextIdLockFile(const std::filesystem::path& dir) {
  return dir / ".lock-context-ids";
}

std::filesystem::path interfacesLockFile(const std::filesystem::path& dir) {
  return dir / ".lock-interfaces";
}

std::filesystem::path addressRecordOf(const std::string& name, const std::filesystem::path& dir) {
  return dir / (".addresses." + name);
}

std::filesystem::path defaultCgroupOf(const std::string& name) {
  return std::filesystem::path(kCgroupBase) / name;
}

bool isWithin(const std::filesystem::path& path, const std::filesystem::path& dir) {
  return std::mismatch(dir.begin(), dir.end(), path.begin(), path.end()).first == dir.end();
}

std::optional<std::filesystem::path> pathBelow(const std::filesystem::path& path,
                                               const std::filesystem::path& dir) {
  std::filesystem::path below = path.lexically_relative(dir);
  if (below.empty() || below == "." || *below.begin() == "..") return std::nullopt;
  return below;
}

}  // namespace vs::guest
