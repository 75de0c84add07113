#include "devices.h"

#include <linux/vserver.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <utility>

#include "../error.h"
#include "../text.h"
#include "config_files.h"
#include "paths.h"

namespace vs::guest {

namespace fs = std::filesystem;

void makeDeviceNodes(const fs::path& dev) {
  struct Node {
    const char* name;
    unsigned major, minor;
  };
  static constexpr Node kNodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                                    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
                                    {"ptmx", 5, 2}};
  for (const Node& node : kNodes) {
    const fs::path path = dev / node.name;
    if (fileExists(path)) continue;
    if (mknod(path.c_str(), S_IFCHR | 0666, makedev(node.major, node.minor)) != 0)
      throwErrno("cannot create device node " + path.string());
    if (chmod(path.c_str(), 0666) != 0) throwErrno("cannot set the mode of " + path.string());
  }
}

namespace {

// Where entry's node goes below the guest's /dev: its path below the
// host's, if the guest may open it and it lies there.
std::optional<fs::path> pathInDev(const DeviceMapEntry& entry) {
  if (!(entry.rule.access & VSERVER_DEVICE_OPEN)) return std::nullopt;
  return pathBelow(entry.device, "/dev");
}

void makeParentDirectories(const fs::path& dev, const fs::path& relative) {
  fs::path dir = dev;
  for (const fs::path& part : relative.parent_path()) {
    dir /= part;
    ensureDirectory(dir, 0755);
  }
}

void copyDeviceNode(const fs::path& node, const DeviceMapEntry& entry) {
  const std::string what = "the guest's " + entry.device.string();
  const mode_t type = entry.rule.type == DeviceRule::Type::Block ? S_IFBLK : S_IFCHR;
  if (mknod(node.c_str(), type | entry.permissions,
            makedev(entry.rule.major, entry.rule.minor.value())) != 0)
    throwErrno("cannot create " + what);
  if (chown(node.c_str(), entry.uid, entry.gid) != 0) throwErrno("cannot set the owner of " + what);
  // Last: mknod's mode went through our umask, and chown clears set-id bits.
  if (chmod(node.c_str(), entry.permissions) != 0) throwErrno("cannot set the mode of " + what);
}

}  // namespace

void makeMappedDeviceNodes(const fs::path& dev, const std::vector<DeviceMapEntry>& devices) {
  for (const DeviceMapEntry& entry : devices) {
    const auto relative = pathInDev(entry);
    if (!relative || fileExists(dev / *relative)) continue;
    makeParentDirectories(dev, *relative);
    copyDeviceNode(dev / *relative, entry);
  }
}

void makeDevEntries(const fs::path& dev) {
  static constexpr std::pair<const char*, const char*> kLinks[] = {{"fd", "/proc/self/fd"},
                                                                   {"stdin", "/proc/self/fd/0"},
                                                                   {"stdout", "/proc/self/fd/1"},
                                                                   {"stderr", "/proc/self/fd/2"}};
  for (const auto& [link, target] : kLinks)
    if (!fileExists(dev / link)) makeSymlink(target, dev / link);
  ensureDirectory(dev / "pts", 0755);
  ensureDirectory(dev / "shm", 01777);
}

std::vector<fs::path> deviceNodesOutsideDev(const fs::path& root) {
  std::vector<fs::path> nodes;
  std::error_code error;
  fs::recursive_directory_iterator walk(root, fs::directory_options::skip_permission_denied, error);
  for (; !error && walk != fs::recursive_directory_iterator(); walk.increment(error)) {
    if (walk.depth() == 0 && walk->path().filename() == "dev") {
      walk.disable_recursion_pending();
      continue;
    }
    const fs::file_status status = walk->symlink_status(error);
    if (fs::is_character_file(status) || fs::is_block_file(status)) nodes.push_back(walk->path());
  }
  if (error) throw Error(error.value(), "cannot scan " + root.string() + ": " + error.message());
  return nodes;
}

void dropDeviceNodesOutsideDev(const fs::path& root, const std::string& guest) {
  for (const fs::path& node : deviceNodesOutsideDev(root)) {
    struct stat info {};
    if (lstat(node.c_str(), &info) != 0) continue;
    std::fprintf(stderr,
                 "vserver: %s: warning: %s is a %s device (%u:%u) outside /dev: not copied "
                 "into the guest\n",
                 guest.c_str(), printable(node.string()).c_str(), S_ISBLK(info.st_mode) ? "block" : "character",
                 major(info.st_rdev), minor(info.st_rdev));
    if (unlink(node.c_str()) != 0) throwErrno("cannot remove the device node " + node.string());
  }
}

}  // namespace vs::guest
