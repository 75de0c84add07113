// The configuration of one guest, read from its util-vserver directory
// /etc/vservers/NAME/ with /etc/vservers/.defaults/ as the fallback.
//
// readGuestConfig() reads and validates every file the toolkit knows into
// one typed GuestConfig.  It is pure: it only reads files under the two
// directories it is given, so the unit tests point it at temporary trees
// and need no root.  The first malformed file ends it with a ConfigError
// whose message names the file, the line and what is wrong.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../capabilities.h"
#include "../error.h"
#include "../number.h"
#include "../vserver_proto.h"

namespace vs::guest {

// A configuration file that cannot be used: "FILE:LINE: what is wrong"
// (": LINE" left out when the file as a whole is at fault).
class ConfigError : public Error {
 public:
  ConfigError(const std::filesystem::path& file, int line, const std::string& problem);
};

// Runs parse, a library parser that reports bad input as a usage Error
// (number.h, capabilities.h), and turns that Error into a ConfigError at
// file:line.
template <typename Parse>
auto parsedAt(const std::filesystem::path& file, int line, Parse&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const Error& e) {
    throw ConfigError(file, line, e.what());
  }
}

// The context flags every guest has unless its cflags clear them: a view
// of its own memory, load and CPUs, as util-vserver's base cflags give
// new guests (virt_uptime, the fourth, is a time namespace, not a flag).
constexpr uint64_t kDefaultGuestFlags =
    VSERVER_CF_VIRT_MEM | VSERVER_CF_VIRT_LOAD | VSERVER_CF_VIRT_CPU;

// Where a guest's configuration lives.
struct ConfigLocation {
  std::filesystem::path cfgdir;    // /etc/vservers/NAME
  std::filesystem::path defaults;  // /etc/vservers/.defaults
};

// The default configuration root, /etc/vservers.
extern const char* const kConfigRoot;

// Resolves what a user typed: a name (looked up under configRoot) or,
// as in util-vserver, a path containing '/', which is the cfgdir itself;
// its defaults are then the sibling ".defaults" (the path is made absolute
// and normalized, so "web/" names the guest "web").  Throws a usage Error
// for a name that cannot be a guest's ("", ".", "..", ".defaults", longer
// than VSERVER_NAME_MAX).  Does not check that the directory exists.
ConfigLocation locateGuest(const std::string& nameOrPath,
                           const std::filesystem::path& configRoot = kConfigRoot);

enum class InitStyle { Sysv, Plain, Rescue };

// One step of apps/init/killseq: send signal, then wait up to waitSeconds
// for the guest to end (the last step's wait is the stop time-out).
struct KillStep {
  int signal = 0;
  unsigned waitSeconds = 0;
};

// A start's time limit in seconds: start-vservers' --timeout for a whole
// set, and a guest's apps/init/restart-timeout for each start of it that
// nobody watches (its restart after a reboot, its start in a set).
inline constexpr unsigned kDefaultStartTimeoutSeconds = 180;
inline constexpr unsigned kDefaultUnwatchedStartSeconds = 60;
inline constexpr unsigned kMaxStartTimeoutSeconds = 86400;  // a day

struct InitConfig {
  InitStyle style = InitStyle::Sysv;
  std::string runlevelStart = "3";  // apps/init/runlevel.start, else runlevel
  std::string runlevelStop = "6";
  std::vector<KillStep> killSequence;     // default {TERM,5},{KILL,5}
  unsigned unwatchedStartSeconds = kDefaultUnwatchedStartSeconds;  // apps/init/restart-timeout
  std::vector<std::string> startCommand;  // cmd.start: one argv element per line
  std::vector<std::string> stopCommand;   // cmd.stop
  std::vector<std::string> marks;         // mark: one group name per line
  std::vector<std::string> depends;       // guest names
  std::vector<std::string> environment;   // VAR=VALUE, default PATH only
};

// One line of fstab: "SOURCE TARGET TYPE OPTIONS [DUMP [PASS]]".
struct FstabEntry {
  std::string source;
  std::string target;  // inside the guest, absolute
  std::string type;
  std::string options;  // "defaults" when given as such
  int line = 0;
};

// interfaces/<dir>/: an address of the guest (applied by guest/networking.h
// on the shared stack, by guest/veth.h in own-namespace mode).
struct InterfaceConfig {
  std::string dirName;  // the <dir> it came from
  std::string ip;       // IPv4 or IPv6, validated
  unsigned prefix = 0;  // from prefix or mask, else interfaces/prefix|mask, else 32/128
  // The host device: the address goes on it (shared stack; empty with
  // nodev), or, in own-namespace mode, the bridge the guest's veth joins
  // (empty: the host routes the address to the veth).
  std::string dev;
  std::string gateway;  // own-namespace mode with a bridge: the default router, validated
  std::string label;    // "name"
  bool nodev = false;
  bool down = false;
  bool shared = false;  // "shared": may be the host's or another guest's too
};

// util-vserver's resource names and our swap, as rlimits/ and vlimit take
// them.
std::span<const char* const> limitResourceNames();

// rlimits/<resource>[.min|.soft|.hard] (guest/limits.h says which become
// cgroup limits).  Values are counts, bytes or pages as util-vserver defines them;
// nullopt where not given; kUnlimited for "inf".
struct RlimitConfig {
  std::string resource;  // "nproc", "rss", ...
  std::optional<uint64_t> min, soft, hard;
};

// Whether ulimits/ takes resource: util-vserver's exec-ulimit list, core,
// cpu, data, fsize, locks, memlock, nofile, nproc, rss and stack.
bool isUlimitResource(std::string_view resource);

// ulimits/<resource>[.soft|.hard]: a per-process limit (setrlimit(2)) of
// every process of the guest (guest/ulimits.h).  nullopt where not given:
// the process keeps the value it inherits; RLIM_INFINITY for "inf".  A
// soft value is never above a hard one given with it.
struct UlimitConfig {
  std::string resource;  // "nofile", "core", ...
  int rlimit = 0;        // RLIMIT_NOFILE, RLIMIT_CORE, ...
  std::optional<rlim_t> soft, hard;
};

// sched/: util-vserver's token bucket, of which a cgroup keeps the rate
// (fill-rate tokens every interval ticks) and the priority bias.
struct SchedConfig {
  std::optional<uint64_t> fillRate;     // sched/fill-rate, >= 1
  std::optional<uint64_t> interval;     // sched/interval, >= 1
  std::optional<int> priorityBias;      // sched/priority-bias, -20..19
  // The bucket's other files that are there: a cgroup has no bucket
  // (tokens, tokens-min, tokens-max) and no idle-time rate (fill-rate2,
  // interval2, idle-time), so they are named at start, not applied.
  std::vector<std::string> bucketFiles;
};

// cpuset/: the CPUs and memory nodes the guest may use, in the kernel's
// list syntax ("0-2,4"), checked for form only: which exist is the
// kernel's to say at start.
struct CpusetConfig {
  std::optional<std::string> cpus;  // cpuset/cpus
  std::optional<std::string> mems;  // cpuset/mems
};

// One line of cgroup/io.max or cgroup/io.weight (guest/io_limits.h): the
// kernel's format, but the device may be a block device node's path,
// which start turns into its MAJ:MIN, and numbers may carry the
// suffixes rlimits/ takes (256K).
struct IoLine {
  std::string device;    // "MAJ:MIN", an absolute path, or empty: io.weight's default
  std::string settings;  // io.max: "wbps=262144 riops=max", suffixes resolved; io.weight: "50"
  int line = 0;          // in its file, for messages
};

// cgroup/: the io controller's limits.  util-vserver wrote every file
// there into the guest's group; the other controllers' limits come from
// rlimits/, sched/ and cpuset/ here.
struct CgroupConfig {
  std::vector<IoLine> ioMax;     // cgroup/io.max, in file order
  std::vector<IoLine> ioWeight;  // cgroup/io.weight, in file order
  bool name = false;             // cgroup/name is there: util-vserver's group name, not used
};

struct UtsConfig {
  std::optional<std::string> nodename, domainname, sysname, release, version, machine;
};

// spaces/: namespaces beyond those every guest gets (mount, UTS, IPC, PID).
struct SpacesConfig {
  // A network namespace of its own with a veth pair (own-namespace mode):
  // spaces/net empty, or an interface of type veth.  "0" or no file: the
  // shared stack.
  bool net = false;
};

// apps/vdevmap/<dir>/: a host device node the guest may open or create,
// as the host node was when the configuration was read.
struct DeviceMapEntry {
  std::filesystem::path device;  // absolute, lexically normal
  DeviceRule rule;               // its type and numbers, with its minor
  mode_t permissions = 0;        // the node's, for its copy in the guest's /dev
  uid_t uid = 0;
  gid_t gid = 0;
};

// dlimits/<entry>/: a disk limit of the guest on the filesystem holding
// directory, as a project quota whose project id is the guest's xid
// (guest/disk_limits.h).
struct DiskLimit {
  std::string entry;                // the <entry> it came from
  std::filesystem::path directory;  // absolute, lexically normal; existed when read
  uint64_t spaceKiB = 0;            // space_total, in 1 KiB blocks
  uint64_t inodes = 0;              // inodes_total
  unsigned reserved = 0;            // percent, 0..100; project quotas reserve nothing
};

// The hook phases of scripts/, in the order they run.
enum class HookPhase {
  Initialize,
  PrepreStart,
  PreStart,
  PostStart,
  PreStop,
  PostStop,
  PostpostStop
};

// "initialize", "prepre-start", ..., the file names in scripts/.
const char* hookPhaseName(HookPhase phase);

// The scripts of one phase: scripts/<phase> then scripts/<phase>.d/* in
// name order, taken from the guest's scripts/ if it has any for that
// phase, else from .defaults/scripts/.
struct HookScript {
  std::filesystem::path path;
  bool executable = false;  // false: util-vserver would source it (we run it with /bin/sh)
};

struct GuestConfig {
  ConfigLocation location;
  std::string name;                // name, else the cfgdir's basename
  std::optional<uint32_t> xid;     // context (2..65535); required to start
  std::filesystem::path vdir;      // vdir link, else .defaults/vdirbase/NAME, else /vservers/NAME
  std::filesystem::path runFile;   // run link's target, else /run/vservers/NAME
  BitChange bcaps;                 // bcapabilities over the default bounding set
  BitChange ccaps;                 // ccapabilities
  BitChange flags;                 // cflags (or the old flags) over kDefaultGuestFlags
  bool virtUptime = true;          // cflags virt_uptime: the guest's boot clock starts with it
  BitChange nflags;                // nflags over kSecureNetworkFlags
  BitChange ncaps;                 // ncapabilities over kSecureNetworkCaps
  std::optional<IpAddress> lback;  // interfaces/lback; else the kernel's default
  UtsConfig uts;
  std::vector<InterfaceConfig> interfaces;
  std::vector<RlimitConfig> rlimits;
  std::vector<UlimitConfig> ulimits;  // in util-vserver's order
  SchedConfig sched;
  CpusetConfig cpuset;
  CgroupConfig cgroup;
  std::optional<int> nice;  // nice: the guest's init's nice value, -20..19
  InitConfig init;
  std::vector<FstabEntry> fstab;          // fstab; none when there is no file
  std::vector<std::string> shell;         // shell, .defaults/shell, else /bin/sh -l
  SpacesConfig spaces;
  std::vector<DeviceMapEntry> devices;         // apps/vdevmap/, in name order
  std::vector<DiskLimit> diskLimits;           // dlimits/, in name order, disabled ones left out
  std::vector<std::vector<HookScript>> hooks;  // indexed by HookPhase
  bool disabled = false;

  const std::vector<HookScript>& hooksOf(HookPhase phase) const {
    return hooks[static_cast<size_t>(phase)];
  }
};

// The guest's bounding set of capabilities: the default one (with
// CAP_NET_ADMIN for a guest of its own network namespace) changed by
// bcapabilities.
uint64_t boundingCapabilities(const GuestConfig& config);

// Where guest roots go by default: .defaults/vdirbase (util-vserver uses
// the path .defaults/vdirbase/NAME, so a link or a directory there both
// work; we also take a scalar file), else /vservers.
std::filesystem::path vdirBase(const std::filesystem::path& defaults);

// The root of guest name configured at location: where its vdir link
// points, vdir itself when it is a directory, else vdirbase/NAME.
std::filesystem::path readVdir(const ConfigLocation& location, const std::string& name);

// The run file of the guest in cfgdir: where its run link points
// (util-vserver's cfgdir/run), else /run/vservers/NAME.
std::filesystem::path runFileOf(const std::filesystem::path& cfgdir, const std::string& name);

// Reads and validates everything; throws ConfigError (or Error when the
// directory is missing).
GuestConfig readGuestConfig(const ConfigLocation& location);

// What a stop needs when the configuration no longer reads, because it
// was broken while the guest ran: the name and run file, the default kill
// sequence, no stop command and no hooks.  The xid is left to the caller,
// which takes it from the run file.
GuestConfig readStopEssentials(const ConfigLocation& location);

}  // namespace vs::guest
