#include "paths.h"

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

}  // namespace vs::guest
