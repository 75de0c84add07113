#include "cgroup.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "error.h"
#include "kernel_file.h"

namespace vs {

namespace fs = std::filesystem;

namespace {

// Controllers a guest's group gets: what the limits are made of
// (guest/limits.h).  Enabled for every guest, limits or not, so that
// usage is counted from the first process on.
const char* const kGuestControllers[] = {"memory", "pids", "cpu", "cpuset", "io"};

std::string readFirstLine(const fs::path& file) {
  std::ifstream stream(file);
  std::string line;
  std::getline(stream, line);
  return line;
}

// The cgroup2 mount the group lives under.
fs::path cgroupMountOf(const fs::path& group) {
  fs::path root = group.root_path();
  for (const auto& part : group.relative_path()) {
    root /= part;
    struct statfs info {};
    if (statfs(root.c_str(), &info) == 0 && info.f_type == CGROUP2_SUPER_MAGIC) return root;
  }
  throw Error(ENOENT, "cgroup v2 is not mounted above " + group.string() +
                          " (mount -t cgroup2 none /sys/fs/cgroup)");
}

// Lets dir's children use the guest controllers that dir has.
void delegateControllers(const fs::path& dir) {
  std::istringstream available(readFirstLine(dir / "cgroup.controllers"));
  const std::set<std::string> offered{std::istream_iterator<std::string>(available), {}};
  std::string enable;
  for (const char* controller : kGuestControllers) {
    if (offered.count(controller)) enable += std::string(enable.empty() ? "+" : " +") + controller;
  }
  if (!enable.empty()) writeKernelFile(dir / "cgroup.subtree_control", enable);
}

void makeDirectory(const fs::path& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throwErrno("cannot create cgroup " + dir.string());
}

// How often makeParentCgroup() looks for processes that came into the
// group while it moved those it saw: each pass moves what forked during
// the last, so a few passes empty it unless something keeps adding.
constexpr int kEmptyingPasses = 100;

// Moves every process in group into to; true when there was none.  One
// that exits meanwhile is not there to move.
bool moveProcesses(const fs::path& group, const fs::path& to) {
  std::ifstream procs(group / "cgroup.procs");
  const std::vector<pid_t> pids{std::istream_iterator<pid_t>(procs), {}};
  for (const pid_t pid : pids) {
    try {
      joinCgroup(to, pid);
    } catch (const Error& e) {
      if (e.errnum() != ESRCH) throw;
    }
  }
  return pids.empty();
}

// How deep removeEmptiedCgroup() goes below a group: the kernel's
// cgroup.max.depth, which start sets on a guest's group, is 16.
constexpr int kMaxRemovedDepth = 64;

// Removes group and the groups below it, deepest first, once the processes
// that cgroup.kill ended are gone: a group that has children cannot go,
// and a guest that mounts cgroup2 makes its own below its group.
void removeEmptiedCgroup(const fs::path& group, int depth) {
  using namespace std::chrono_literals;
  if (depth > kMaxRemovedDepth) throw Error(ELOOP, "cgroup " + group.string() + " is nested too deep");
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(group, error)) {
    if (entry.is_directory(error) && !entry.is_symlink(error)) removeEmptiedCgroup(entry.path(), depth + 1);
  }
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (rmdir(group.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) break;
    std::this_thread::sleep_for(10ms);
  }
  throwErrno("cannot remove cgroup " + group.string());
}

}  // namespace

bool cgroupPopulated(const fs::path& group) {
  std::ifstream events(group / "cgroup.events");
  std::string key, value;
  while (events >> key >> value) {
    if (key == "populated") return value != "0";
  }
  return false;
}

UniqueFd createCgroup(const fs::path& group, const std::optional<fs::path>& top) {
  fs::path dir = top ? *top : cgroupMountOf(group);
  for (const auto& part : group.lexically_relative(dir)) {
    delegateControllers(dir);
    dir /= part;
    makeDirectory(dir);
  }
  if (cgroupPopulated(group)) throw Error(EBUSY, "cgroup " + group.string() + " is in use");
  UniqueFd fd(open(group.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throwErrno("cannot open cgroup " + group.string());
  return fd;
}

bool cgroupWritable(const fs::path& dir) {
  struct statfs info {};
  return statfs(dir.c_str(), &info) == 0 && info.f_type == CGROUP2_SUPER_MAGIC &&
         access(dir.c_str(), W_OK) == 0;
}

void makeParentCgroup(const fs::path& group, const std::string& leaf) {
  const fs::path leafGroup = group / leaf;
  makeDirectory(leafGroup);
  for (int pass = 0; pass < kEmptyingPasses; ++pass) {
    if (!moveProcesses(group, leafGroup)) continue;
    try {
      delegateControllers(group);
      return;
    } catch (const Error& e) {
      // A process came in after the group was seen empty.
      if (e.errnum() != EBUSY) throw;
    }
  }
  throw Error(EBUSY, "cannot empty cgroup " + group.string() + " into " + leafGroup.string() +
                         ": processes keep coming into it");
}

void removeCgroup(const fs::path& group) {
  if (!fs::exists(group)) return;
  if (cgroupPopulated(group)) writeKernelFile(group / "cgroup.kill", "1");
  removeEmptiedCgroup(group, 0);
}

void setCgroupValue(const fs::path& group, const std::string& file, const std::string& value) {
  const fs::path path = group / file;
  const UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd && errno == ENOENT)
    throw Error(ENOENT, "this kernel has no cgroup file " + file +
                            " (its controller or kernel option is missing)");
  if (!fd) throwErrno("cannot open cgroup file " + file);
  if (write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    throwErrno("the kernel refused " + file + " '" + value + "'");
}

std::optional<uint64_t> parseCgroupLimit(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  if (text == "max") return kNoCgroupLimit;
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || rest != end) return std::nullopt;
  return value;
}

std::optional<std::pair<uint64_t, uint64_t>> parseCpuMax(std::string_view text) {
  const size_t blank = text.find(' ');
  if (blank == std::string_view::npos) return std::nullopt;
  const auto quota = parseCgroupLimit(text.substr(0, blank));
  const auto period = parseCgroupLimit(text.substr(blank + 1));
  if (!quota || !period || *period == 0 || *period == kNoCgroupLimit) return std::nullopt;
  return std::pair(*quota, *period);
}

std::optional<uint64_t> parseKeyedCount(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      const auto value = parseCgroupLimit(line.substr(key.size() + 1));
      return value == kNoCgroupLimit ? std::nullopt : value;
    }
  }
  return std::nullopt;
}

CgroupUsage readCgroupUsage(const fs::path& group) {
  // A file that cannot be read counts as missing: usage is for show.
  const auto text = [&](const char* file) -> std::optional<std::string> {
    std::ifstream stream(group / file);
    if (!stream) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(stream), {});
  };
  const auto limit = [&](const char* file) -> std::optional<uint64_t> {
    const auto contents = text(file);
    return contents ? parseCgroupLimit(*contents) : std::nullopt;
  };
  const auto count = [&](const char* file, std::string_view key) -> std::optional<uint64_t> {
    const auto contents = text(file);
    return contents ? parseKeyedCount(*contents, key) : std::nullopt;
  };
  const auto cpuMax = [&]() -> std::optional<std::pair<uint64_t, uint64_t>> {
    const auto contents = text("cpu.max");
    return contents ? parseCpuMax(*contents) : std::nullopt;
  }();
  return CgroupUsage{.tasks = limit("pids.current"),
                     .tasksMax = limit("pids.max"),
                     .forksRefused = count("pids.events", "max"),
                     .memoryBytes = limit("memory.current"),
                     .memoryMax = limit("memory.max"),
                     .memoryHigh = limit("memory.high"),
                     .oomKills = count("memory.events", "oom_kill"),
                     .swapBytes = limit("memory.swap.current"),
                     .swapMax = limit("memory.swap.max"),
                     .swapRefused = count("memory.swap.events", "max"),
                     .cpuUsec = count("cpu.stat", "usage_usec"),
                     .cpuQuotaUsec = cpuMax ? std::optional(cpuMax->first) : std::nullopt,
                     .cpuPeriodUsec = cpuMax ? std::optional(cpuMax->second) : std::nullopt,
                     .cpuThrottled = count("cpu.stat", "nr_throttled")};
}

void joinCgroup(const fs::path& group, pid_t pid) {
  writeKernelFile(group / "cgroup.procs", std::to_string(pid));
}

}  // namespace vs
