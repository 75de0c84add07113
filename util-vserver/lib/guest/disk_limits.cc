#include "disk_limits.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <system_error>

#include "../error.h"
#include "../number.h"
#include "../project_quota.h"
#include "config_files.h"
#include "guest_tree.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

std::string requiredScalar(const fs::path& file, const std::string& what) {
  const auto text = readScalar(file);
  if (!text) throw ConfigError(file.parent_path(), 0, "needs " + file.filename().string() + " (" +
                                                          what + ")");
  return *text;
}

// A limit of 0 would be no limit to the filesystem: a count from 1.
uint64_t readCount(const fs::path& file, uint64_t max, const std::string& what) {
  const std::string text = requiredScalar(file, what);
  return parsedAt(file, 1, [&] { return parseUnsigned(text, 1, max, file.filename().string()); });
}

// Whether it exists, is a directory and no link is checked at start
// (openLimitDirectory): a guest's configuration stays readable, for
// status and stop, while its filesystem is not mounted.
fs::path readLimitDirectory(const fs::path& file) {
  fs::path directory = requiredScalar(file, "the directory the limit is on");
  if (!directory.is_absolute())
    throw ConfigError(file, 1, "'" + directory.string() + "' is not an absolute path");
  directory = directory.lexically_normal();
  if (!directory.has_filename() && directory.has_relative_path()) directory = directory.parent_path();
  return directory;
}

DiskLimit readDiskLimit(const fs::path& dir) {
  DiskLimit limit;
  limit.entry = dir.filename().string();
  limit.directory = readLimitDirectory(dir / "directory");
  limit.spaceKiB = readCount(dir / "space_total", kMaxQuotaKiB, "the limit in 1 KiB blocks");
  limit.inodes = readCount(dir / "inodes_total", kMaxQuotaInodes, "the limit of inodes");
  if (const auto reserved = readScalar(dir / "reserved"))
    limit.reserved = static_cast<unsigned>(
        parsedAt(dir / "reserved", 1, [&] { return parseUnsigned(*reserved, 0, 100, "reserved"); }));
  return limit;
}

std::string entryName(const DiskLimit& limit) { return "dlimits/" + limit.entry; }

// A limit's directory, opened for reading.  Below the guest's root no
// component may be a symbolic link (guest_tree.h): the guest may have made
// one a link to a host directory, or to another guest's, to have that
// tagged with its project id and counted against its limits.  A directory
// outside the root is the host's, but for its last component.
UniqueFd openLimitDirectory(const fs::path& directory, const fs::path& vdir) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  if (const auto entered = findGuestTreeOnTheWay(directory, {{vdir}, {}}))
    return openInEnteredGuestTree(*entered, directory, kFlags);
  UniqueFd fd(open(directory.c_str(), kFlags | O_NOFOLLOW));
  if (!fd) {
    const int errnum = errno;  // ENOTDIR for a link: O_DIRECTORY is checked first
    struct stat st {};
    if (lstat(directory.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
      throw Error(ELOOP, directory.string() + ": is a symbolic link; name the directory itself");
    throw Error(errnum, errnoMessage(directory.string(), errnum));
  }
  return fd;
}

// A project has one quota per filesystem: two entries on one would set
// the same limits over each other.
void refuseSharedFilesystems(const std::vector<DiskLimit>& limits,
                             const std::vector<UniqueFd>& fds) {
  std::map<dev_t, const DiskLimit*> seen;
  for (size_t i = 0; i < limits.size(); ++i) {
    struct stat st {};
    if (fstat(fds[i].get(), &st) != 0)
      throwErrno(entryName(limits[i]) + ": " + limits[i].directory.string());
    const auto [other, added] = seen.emplace(st.st_dev, &limits[i]);
    if (!added)
      throw Error(0, entryName(*other->second) + " and " + entryName(limits[i]) +
                         " are on one filesystem, where the guest has one project quota");
  }
}

void applyDiskLimit(const DiskLimit& limit, int fd, uint32_t project) {
  withErrorsNamed(limit.directory.string(), [&] { requireEnforcedProjectQuotas(fd); });
  tagTree(fd, limit.directory, project);
  withErrorsNamed(limit.directory.string(),
                  [&] { setProjectLimits(fd, project, limit.spaceKiB, limit.inodes); });
}

DiskUsage usageOf(const DiskLimit& limit, const fs::path& vdir, uint32_t project) {
  DiskUsage usage;
  usage.directory = limit.directory;
  try {
    const UniqueFd fd = openLimitDirectory(limit.directory, vdir);
    usage.quota = withErrorsNamed(limit.directory.string(),
                                  [&] { return projectQuota(fd.get(), project); });
  } catch (const Error& e) {
    usage.problem = e.what();
  }
  return usage;
}

std::string usageLine(const DiskUsage& usage) {
  const std::string label = "Disk " + usage.directory.string() + ":";
  const std::string padding(label.size() < 21 ? 21 - label.size() : 1, ' ');
  if (!usage.quota) return label + padding + "unknown (" + usage.problem + ")";
  const auto against = [](uint64_t used, uint64_t max, const char* unit) {
    return std::to_string(used) + " of " +
           (max == kNoQuotaLimit ? std::string("no limit") : std::to_string(max)) + " " + unit;
  };
  return label + padding + against(usage.quota->spaceUsedKiB, usage.quota->spaceLimitKiB, "KiB") +
         ", " + against(usage.quota->inodesUsed, usage.quota->inodesLimit, "inodes");
}

}  // namespace

std::vector<DiskLimit> readDiskLimits(const fs::path& dir) {
  std::vector<DiskLimit> limits;
  for (const auto& entry : sortedEntries(dir)) {
    std::error_code error;
    if (isIgnoredFileName(entry.path().filename().string()) || !entry.is_directory(error)) continue;
    // An admin may disable an entry because it no longer reads.
    if (fileExists(entry.path() / "disabled")) continue;
    limits.push_back(readDiskLimit(entry.path()));
  }
  return limits;
}

void checkDiskLimits(const GuestConfig& config) {
  if (config.diskLimits.empty()) return;
  if (!config.xid)
    throw Error(0, config.name + ": dlimits need a static context id (the file context)");
  // ext4 and XFS let a task with CAP_SYS_RESOURCE allocate past any
  // quota (dquot's ignore_hardlimit()).
  if (boundingCapabilities(config) & (uint64_t{1} << CAP_SYS_RESOURCE))
    throw Error(0, config.name + ": bcapabilities grant CAP_SYS_RESOURCE: the kernel lets "
                                 "CAP_SYS_RESOURCE pass any quota, so dlimits cannot hold this "
                                 "guest");
}

void applyDiskLimits(const GuestConfig& config) {
  checkDiskLimits(config);
  const auto ofEntry = [&config](const DiskLimit& limit, const auto& step) {
    return withErrorsNamed(config.name + ": " + entryName(limit), step);
  };
  std::vector<UniqueFd> fds;
  for (const DiskLimit& limit : config.diskLimits)
    fds.push_back(ofEntry(limit, [&] { return openLimitDirectory(limit.directory, config.vdir); }));
  withErrorsNamed(config.name, [&] { refuseSharedFilesystems(config.diskLimits, fds); });
  for (size_t i = 0; i < fds.size(); ++i)
    ofEntry(config.diskLimits[i],
            [&] { applyDiskLimit(config.diskLimits[i], fds[i].get(), *config.xid); });
}

std::vector<DiskUsage> readDiskUsage(const GuestConfig& config) {
  std::vector<DiskUsage> usage;
  if (!config.xid) return usage;
  for (const DiskLimit& limit : config.diskLimits)
    usage.push_back(usageOf(limit, config.vdir, *config.xid));
  return usage;
}

std::vector<std::string> diskUsageLines(const std::vector<DiskUsage>& usage) {
  std::vector<std::string> lines;
  for (const DiskUsage& entry : usage) lines.push_back(usageLine(entry));
  return lines;
}

}  // namespace vs::guest
