#include "vserver_stat.h"

#include <fcntl.h>
#include <linux/vserver.h>
#include <popt.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "../cgroup.h"
#include "../error.h"
#include "../guest/context_cgroup.h"
#include "../guest/registry.h"
#include "../network_policy.h"
#include "../popt_parser.h"
#include "../tool.h"
#include "../unique_fd.h"
#include "../vserver_client.h"

namespace vs::vserver_stat {

Options parseOptions(int argc, const char** argv) {
  int json = 0;
  const poptOption table[] = {
      {"json", 0, POPT_ARG_NONE, &json, 0, "print a JSON array, for programs", nullptr},
      POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("vserver-stat", argc, argv, table, "[--json]");
  if (!parser.arguments().empty()) throwUsage("unexpected argument '" + parser.arguments()[0] + "'");
  return Options{.json = json != 0};
}

namespace {

// A whole decimal number, nothing around it.
std::optional<uint64_t> parseNumber(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// The first count blank-separated fields of text, or fewer if it has
// fewer: a /proc/PID/stat line has 52, of which we need the first 22.
// Scanned a character at a time: find_first_of() searches its set with
// a memchr() per character, which made this most of vserver-stat's own
// work over thousands of processes.
std::vector<std::string_view> splitBlanks(std::string_view text, size_t count) {
  const auto isBlank = [](char c) { return c == ' ' || c == '\n'; };
  std::vector<std::string_view> fields;
  fields.reserve(count);
  size_t pos = 0;
  while (fields.size() < count) {
    while (pos < text.size() && isBlank(text[pos])) pos++;
    if (pos == text.size()) break;
    const size_t start = pos;
    while (pos < text.size() && !isBlank(text[pos])) pos++;
    fields.push_back(text.substr(start, pos - start));
  }
  return fields;
}

// Fields of /proc/PID/stat counted from the state, the first after the
// command name, as 0 (proc(5) numbers the state 3).
enum StatField : size_t {
  kUtime = 11,
  kStime,
  kCutime,
  kCstime,
  kStartTime = 19,
  kVsize,
  kRss,
};

}  // namespace

std::optional<ProcStat> parseProcStat(std::string_view text) {
  // The command name may hold blanks and parentheses of its own; the
  // kernel ends it with the last ')', and the fields after it are
  // numbers and a state letter.  So that ')' lies within the pid, " (",
  // and a name of at most 64 bytes, the most the kernel writes (a
  // kernel worker's); searched for there, not across the whole line.
  constexpr size_t kNameEndWithin = 10 + 2 + 64 + 1;
  const size_t nameEnd = text.substr(0, kNameEndWithin).rfind(')');
  if (nameEnd == std::string_view::npos) return std::nullopt;
  const std::vector<std::string_view> fields = splitBlanks(text.substr(nameEnd + 1), kRss + 1);
  if (fields.size() <= kRss) return std::nullopt;
  std::array<uint64_t, kRss + 1> value{};
  for (const StatField field : {kUtime, kStime, kCutime, kCstime, kStartTime, kVsize, kRss}) {
    const std::optional<uint64_t> number = parseNumber(fields[field]);
    if (!number) return std::nullopt;
    value[field] = *number;
  }
  return ProcStat{.userTicks = value[kUtime] + value[kCutime],
                  .systemTicks = value[kStime] + value[kCstime],
                  .startTicks = value[kStartTime],
                  .vszBytes = value[kVsize],
                  .rssPages = value[kRss]};
}

bool sameProcess(const TaskContext& task, const ProcStat& process, uint64_t ticksPerSecond) {
  // As the kernel's nsec_to_clock_t() divides.
  constexpr uint64_t kNsPerSecond = 1000000000;
  return !task.startNs || *task.startNs / (kNsPerSecond / ticksPerSecond) == process.startTicks;
}

void addProcess(Usage& usage, const ProcStat& process) {
  usage.processes++;
  usage.vszBytes += process.vszBytes;
  usage.rssPages += process.rssPages;
  usage.userTicks += process.userTicks;
  usage.systemTicks += process.systemTicks;
  usage.oldestStartTicks = std::min(usage.oldestStartTicks, process.startTicks);
}

std::string contextName(uint32_t xid, const std::string& kernelName) {
  if (xid == VSERVER_HOST_XID) return "root server";
  if (xid == VSERVER_SPECTATOR_XID) return "monitoring server";
  return kernelName;
}

namespace {

uint64_t ticksToMs(uint64_t ticks, const Units& units) {
  return ticks * 1000 / units.ticksPerSecond;
}

Row rowOf(uint32_t xid, const Usage& usage, const Units& units) {
  Row row;
  row.xid = xid;
  row.name = contextName(xid, "");
  row.processes = usage.processes;
  row.vszBytes = usage.vszBytes;
  row.rssBytes = usage.rssPages * units.pageSize;
  row.userMs = ticksToMs(usage.userTicks, units);
  row.systemMs = ticksToMs(usage.systemTicks, units);
  return row;
}

}  // namespace

std::vector<Row> buildRows(const std::map<uint32_t, Usage>& usage,
                           const std::vector<ContextInfo>& contexts, const Units& units,
                           uint64_t sinceBootMs) {
  std::map<uint32_t, Row> rows;
  for (const auto& [xid, used] : usage) {
    Row& row = rows[xid] = rowOf(xid, used, units);
    row.uptimeMs = sinceBootMs - std::min(sinceBootMs, ticksToMs(used.oldestStartTicks, units));
  }
  for (const ContextInfo& ctx : contexts) {
    const auto it = rows.try_emplace(ctx.xid, rowOf(ctx.xid, Usage{}, units)).first;
    it->second.name = contextName(ctx.xid, ctx.name);
    it->second.uptimeMs = ctx.uptimeNs / 1000000;
    if (ctx.net) it->second.addresses = ctx.net->addresses();
    it->second.limits = ctx.limits;
  }
  std::vector<Row> ordered;
  for (auto& [xid, row] : rows) ordered.push_back(std::move(row));
  return ordered;
}

namespace {

// The guest registered as running as ctx: the registry's name and xid are
// what a start gives the kernel.
const guest::RegisteredGuest* guestOf(const ContextInfo& ctx,
                                      const std::vector<guest::RegisteredGuest>& guests) {
  const auto it = std::find_if(guests.begin(), guests.end(), [&](const guest::RegisteredGuest& g) {
    return g.xid == ctx.xid && g.name == ctx.name;
  });
  return it == guests.end() ? nullptr : &*it;
}

// The dlimits/ usage of the guest configured in cfgdir, running as ctx;
// nothing when its configuration does not read (vserver NAME status says
// why), so that one broken guest costs no other its figures.
std::optional<std::vector<guest::DiskUsage>> diskUsageOf(const std::filesystem::path& cfgdir,
                                                         const ContextInfo& ctx) {
  try {
    const guest::GuestConfig config = guest::readGuestConfig(guest::locateGuest(cfgdir.string()));
    // The registry reads name and context leniently; these are checked.
    if (config.xid != ctx.xid || config.name != ctx.name) return std::nullopt;
    return guest::readDiskUsage(config);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

DiskUsageByContext diskUsageByContext(const std::vector<ContextInfo>& contexts,
                                      const std::filesystem::path& configRoot) {
  DiskUsageByContext usage;
  const std::vector<guest::RegisteredGuest> guests = guest::registeredGuests(configRoot);
  for (const ContextInfo& ctx : contexts) {
    if (ctx.xid < VSERVER_GUEST_XID_MIN) continue;
    const guest::RegisteredGuest* registered = guestOf(ctx, guests);
    if (!registered) continue;
    if (auto disks = diskUsageOf(registered->cfgdir, ctx))
      usage.emplace(std::pair(ctx.xid, ctx.name), std::move(*disks));
  }
  return usage;
}

void addDiskUsage(std::vector<Row>& rows, const DiskUsageByContext& usage) {
  for (Row& row : rows)
    if (const auto it = usage.find({row.xid, row.name}); it != usage.end()) row.dlimits = it->second;
}

std::string formatSize(uint64_t bytes) {
  // 1024^6 * 1000 exceeds 64 bits: the loop ends by E at the latest.
  static constexpr const char* kSuffixes[] = {" ", "K", "M", "G", "T", "P", "E"};
  uint64_t unit = 1;
  size_t suffix = 0;
  while (bytes / unit >= 1000) {
    unit *= 1024;
    suffix++;
  }
  const uint64_t tenths = bytes % unit * 10 / unit;
  return std::to_string(bytes / unit) + (tenths ? "." + std::to_string(tenths) : "") +
         kSuffixes[suffix];
}

namespace {

std::string twoDigits(uint64_t value) {
  return (value < 10 ? "0" : "") + std::to_string(value);
}

}  // namespace

std::string formatTime(uint64_t milliseconds) {
  const uint64_t seconds = milliseconds / 1000;
  const uint64_t minutes = seconds / 60;
  const uint64_t hours = minutes / 60;
  const uint64_t days = hours / 24;
  if (days > 999)
    return std::to_string(days / 365) + "y" + twoDigits(days % 365) + "d" + twoDigits(hours % 24);
  if (days > 0)
    return std::to_string(days) + "d" + twoDigits(hours % 24) + "h" + twoDigits(minutes % 60);
  if (hours > 0)
    return std::to_string(hours) + "h" + twoDigits(minutes % 60) + "m" + twoDigits(seconds % 60);
  return std::to_string(minutes) + "m" + twoDigits(seconds % 60) + "s" +
         twoDigits(milliseconds % 1000 / 10);
}

namespace {

// util-vserver's columns: the context left-aligned, the rest right-aligned
// to fixed ends, the name; then ours, the addresses, after it so that the
// columns scripts know stay where they were.
std::string tableLine(const std::string& xid, const std::string& processes, const std::string& vsz,
                      const std::string& rss, const std::string& user, const std::string& system,
                      const std::string& uptime, const std::string& name,
                      const std::string& addresses) {
  char buffer[128];
  std::snprintf(buffer, sizeof(buffer), "%-5s %4s%7s%7s%10s%10s%10s ", xid.c_str(),
                processes.c_str(), vsz.c_str(), rss.c_str(), user.c_str(), system.c_str(),
                uptime.c_str());
  return buffer + name + (addresses.empty() ? "" : " " + addresses) + "\n";
}

// Nothing for a context without addresses, so that its line still ends
// with its name, as before the column was added.
std::string addressColumn(const std::optional<std::vector<IpAddress>>& addresses) {
  return addresses ? joinAddresses(*addresses) : "";
}

}  // namespace

std::string formatTable(const std::vector<Row>& rows) {
  std::string table =
      tableLine("CTX", "PROC", "VSZ", "RSS", "userTIME", "sysTIME", "UPTIME", "NAME", "ADDRESSES");
  for (const Row& row : rows)
    table += tableLine(std::to_string(row.xid), std::to_string(row.processes),
                       formatSize(row.vszBytes), formatSize(row.rssBytes), formatTime(row.userMs),
                       formatTime(row.systemMs), formatTime(row.uptimeMs), row.name,
                       addressColumn(row.addresses));
  return table;
}

std::string jsonString(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", static_cast<unsigned>(c));
      quoted += escape;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

namespace {

std::string jsonNumber(std::optional<uint64_t> value) {
  return value ? std::to_string(*value) : "null";
}

// ["192.0.2.1", ...], or null for a context that is not confined.
std::string jsonAddresses(const std::optional<std::vector<IpAddress>>& addresses) {
  if (!addresses) return "null";
  std::string json = "[";
  for (size_t i = 0; i < addresses->size(); i++)
    json += (i ? ", " : "") + jsonString((*addresses)[i].str());
  return json + "]";
}

// {"nofile": {"current": 41, "held": 57, "hard": 4096, "hits": 0}, ...},
// hard null for no limit; null for a context the kernel did not list.
std::string jsonLimits(const std::map<vserver_limit_resource, CountedLimit>& limits) {
  std::string json;
  for (const auto& [resource, limit] : limits)
    json += (json.empty() ? "{" : ", ") + jsonString(countedResourceName(resource)) +
            ": {\"current\": " + std::to_string(limit.current) +
            ", \"held\": " + std::to_string(limit.held) +
            ", \"hard\": " + jsonNumber(limit.limit()) +
            ", \"hits\": " + std::to_string(limit.hits) + "}";
  return json.empty() ? "null" : json + "}";
}

// [{"directory": "/vservers/web1", "space_used_kib": 1234,
// "space_total_kib": 65536, "inodes_used": 56, "inodes_total": 1000}, ...],
// a total null for no limit.  null for a context without a guest's
// configuration, and for one with a quota that could not be read: a list
// missing an entry would look complete.
std::string jsonDiskLimits(const std::optional<std::vector<guest::DiskUsage>>& dlimits) {
  if (!dlimits) return "null";
  const auto total = [](uint64_t limit) {
    return jsonNumber(limit == kNoQuotaLimit ? std::nullopt : std::optional(limit));
  };
  std::string json = "[";
  for (size_t i = 0; i < dlimits->size(); i++) {
    const guest::DiskUsage& entry = (*dlimits)[i];
    if (!entry.quota) return "null";
    json += (i ? ", " : "") + std::string("{\"directory\": ") + jsonString(entry.directory.string()) +
            ", \"space_used_kib\": " + std::to_string(entry.quota->spaceUsedKiB) +
            ", \"space_total_kib\": " + total(entry.quota->spaceLimitKiB) +
            ", \"inodes_used\": " + std::to_string(entry.quota->inodesUsed) +
            ", \"inodes_total\": " + total(entry.quota->inodesLimit) + "}";
  }
  return json + "]";
}

std::string jsonObject(const Row& row) {
  return "{\"xid\": " + std::to_string(row.xid) + ", \"name\": " + jsonString(row.name) +
         ", \"processes\": " + std::to_string(row.processes) +
         ", \"vsz_bytes\": " + std::to_string(row.vszBytes) +
         ", \"rss_bytes\": " + std::to_string(row.rssBytes) +
         ", \"user_time_ms\": " + std::to_string(row.userMs) +
         ", \"system_time_ms\": " + std::to_string(row.systemMs) +
         ", \"uptime_ms\": " + std::to_string(row.uptimeMs) +
         ", \"cgroup_memory_bytes\": " + jsonNumber(row.cgroupMemoryBytes) +
         ", \"cgroup_cpu_usec\": " + jsonNumber(row.cgroupCpuUsec) +
         ", \"cgroup_cpu_max_usec\": " + jsonNumber(row.cgroupCpuMaxUsec) +
         ", \"cgroup_cpu_period_usec\": " + jsonNumber(row.cgroupCpuPeriodUsec) +
         ", \"cgroup_cpu_throttled\": " + jsonNumber(row.cgroupCpuThrottled) +
         ", \"cgroup_memory_max_bytes\": " + jsonNumber(row.cgroupMemoryMaxBytes) +
         ", \"cgroup_oom_kills\": " + jsonNumber(row.cgroupOomKills) +
         ", \"cgroup_swap_bytes\": " + jsonNumber(row.cgroupSwapBytes) +
         ", \"cgroup_swap_max_bytes\": " + jsonNumber(row.cgroupSwapMaxBytes) +
         ", \"cgroup_tasks\": " + jsonNumber(row.cgroupTasks) +
         ", \"cgroup_tasks_max\": " + jsonNumber(row.cgroupTasksMax) +
         ", \"cgroup_forks_refused\": " + jsonNumber(row.cgroupForksRefused) +
         ", \"limits\": " + jsonLimits(row.limits) +
         ", \"dlimits\": " + jsonDiskLimits(row.dlimits) +
         ", \"addresses\": " + jsonAddresses(row.addresses) + "}";
}

}  // namespace

std::string formatJson(const std::vector<Row>& rows) {
  std::string json = "[";
  for (size_t i = 0; i < rows.size(); i++)
    json += (i ? ",\n  " : "\n  ") + jsonObject(rows[i]);
  return json + (rows.empty() ? "]\n" : "\n]\n");
}

namespace {

// Nothing when the file read or opened has gone (its process has), else
// the error.
std::optional<std::string> goneOrThrow(const std::string& path) {
  if (errno == ENOENT || errno == ESRCH) return std::nullopt;
  throwErrno("cannot read " + path);
}

// /proc/PID/stat of pid, read through proc (an fd of /proc), or nothing
// when the process has gone.  One read() unless the line fills the
// buffer: procfs makes the whole line at the first read, so a short read
// is its end, and a read() to see the end costs a system call for each
// of thousands of processes.
std::optional<std::string> readProcessStat(int proc, pid_t pid) {
  const std::string name = std::to_string(pid) + "/stat";
  const UniqueFd fd(::openat(proc, name.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return goneOrThrow("/proc/" + name);
  std::string text;
  char buffer[1024];
  for (;;) {
    const ssize_t count = ::read(fd.get(), buffer, sizeof(buffer));
    if (count < 0) return goneOrThrow("/proc/" + name);
    text.append(buffer, static_cast<size_t>(count));
    if (static_cast<size_t>(count) < sizeof(buffer)) return text;
  }
}

// Adds up the processes (not their threads) of every context but this
// one of vserver-stat, which would make the spectator appear in every
// report.  One dump names them all: a question per process was most of
// the time over a thousand guests.
std::map<uint32_t, Usage> usageByContext(VserverClient& client, const Units& units) {
  std::map<uint32_t, Usage> usage;
  const pid_t self = ::getpid();
  const UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc) throwErrno("cannot open /proc");
  for (const TaskContext& task : client.processes()) {
    if (task.pid == self) continue;
    const std::optional<std::string> text = readProcessStat(proc.get(), task.pid);
    if (!text) continue;
    const std::optional<ProcStat> process = parseProcStat(*text);
    if (!process)
      throw Error(EPROTO, "unexpected contents in /proc/" + std::to_string(task.pid) + "/stat");
    // Its pid now names another process, maybe of another context.
    if (!sameProcess(task, *process, units.ticksPerSecond)) continue;
    addProcess(usage[task.xid], *process);
  }
  return usage;
}

Units systemUnits() {
  return Units{.pageSize = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)),
               .ticksPerSecond = static_cast<uint64_t>(::sysconf(_SC_CLK_TCK))};
}

// The clock /proc/PID/stat's start times count from.
uint64_t msSinceBoot() {
  timespec now{};
  if (::clock_gettime(CLOCK_BOOTTIME, &now) != 0) throwErrno("clock_gettime(CLOCK_BOOTTIME)");
  return static_cast<uint64_t>(now.tv_sec) * 1000 + static_cast<uint64_t>(now.tv_nsec) / 1000000;
}

// Each guest context's group, by xid and name.
using CgroupByContext = std::map<std::pair<uint32_t, std::string>, std::filesystem::path>;

// Found while still in the host context, as the guests' disk usage is:
// from their configurations and run files.  A guest whose run file is
// broken has no figures; the others keep theirs.
CgroupByContext guestCgroups(VserverClient& client) {
  CgroupByContext groups;
  try {
    const std::vector<guest::RegisteredGuest> guests = guest::registeredGuests(guest::kConfigRoot);
    for (const ContextInfo& ctx : client.contexts()) {
      if (ctx.xid < VSERVER_GUEST_XID_MIN || ctx.name.empty()) continue;
      try {
        groups.emplace(std::pair(ctx.xid, ctx.name),
                       guest::contextCgroupOf(ctx.xid, ctx.name, guests));
      } catch (const Error&) {
        // Its run file is broken: vserver NAME status says so.
      }
    }
  } catch (const Error&) {
    // As in guestDiskUsage(): the move into the spectator says why.
  }
  return groups;
}

// Each guest's cgroup usage, where it has a group.
void addCgroupUsage(std::vector<Row>& rows, const CgroupByContext& groups) {
  for (Row& row : rows) {
    const auto group = groups.find({row.xid, row.name});
    if (group == groups.end()) continue;
    const CgroupUsage usage = readCgroupUsage(group->second);
    row.cgroupMemoryBytes = usage.memoryBytes;
    row.cgroupCpuUsec = usage.cpuUsec;
    // null in the JSON: no limit, or no such file.
    const auto limit = [](std::optional<uint64_t> value) {
      return value == kNoCgroupLimit ? std::nullopt : value;
    };
    row.cgroupMemoryMaxBytes = limit(usage.memoryMax);
    row.cgroupOomKills = usage.oomKills;
    row.cgroupSwapBytes = usage.swapBytes;
    row.cgroupSwapMaxBytes = limit(usage.swapMax);
    row.cgroupTasks = usage.tasks;
    row.cgroupTasksMax = limit(usage.tasksMax);
    row.cgroupForksRefused = usage.forksRefused;
    row.cgroupCpuMaxUsec = limit(usage.cpuQuotaUsec);
    row.cgroupCpuPeriodUsec = usage.cpuPeriodUsec;
    row.cgroupCpuThrottled = usage.cpuThrottled;
  }
}

// Each guest's dlimits/, read while still in the host context: the
// spectator holds no capability, and quotactl(2) reads another's quota
// only with CAP_SYS_ADMIN.  A failure here fails no report: the rows say
// null, and a kernel that lists no contexts fails the move into the
// spectator next, which says why.
DiskUsageByContext guestDiskUsage(VserverClient& client) {
  try {
    return diskUsageByContext(client.contexts(), guest::kConfigRoot);
  } catch (const Error&) {
    return {};
  }
}

}  // namespace

int run(const Options& options) {
  VserverClient client;
  const DiskUsageByContext disks = options.json ? guestDiskUsage(client) : DiskUsageByContext();
  const CgroupByContext cgroups = options.json ? guestCgroups(client) : CgroupByContext();
  // The host sees no process of a guest; the spectator sees them all.
  client.migrate(VSERVER_SPECTATOR_XID);
  const Units units = systemUnits();
  const std::map<uint32_t, Usage> usage = usageByContext(client, units);
  // Listed after /proc, so that a guest whose processes were counted has
  // its name, unless it has ended since.
  std::vector<Row> rows = buildRows(usage, client.contexts(), units, msSinceBoot());
  if (!options.json) {
    std::fputs(formatTable(rows).c_str(), stdout);
    return 0;
  }
  addCgroupUsage(rows, cgroups);
  addDiskUsage(rows, disks);
  std::fputs(formatJson(rows).c_str(), stdout);
  return 0;
}

int main(int argc, const char** argv) {
  return runTool("vserver-stat", [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::vserver_stat
