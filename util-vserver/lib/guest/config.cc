#include "config.h"

#include <arpa/inet.h>
#include <linux/utsname.h>
#include <linux/vserver.h>
#include <net/if.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <limits>
#include <set>
#include <span>
#include <string_view>
#include <system_error>

#include "../network_policy.h"
#include "../number.h"
#include "../signals.h"
#include "config_files.h"
#include "cpu_config.h"
#include "disk_limits.h"
#include "io_limits.h"
#include "paths.h"

namespace vs::guest {

namespace fs = std::filesystem;

const char* const kConfigRoot = "/etc/vservers";

namespace {

// What util-vserver's vserver script exits with when the guest directory
// is missing; scripts around it test for it.
constexpr int kMissingGuestStatus = 5;

std::string configMessage(const fs::path& file, int line, const std::string& problem) {
  std::string where = file.string();
  if (line > 0) where += ":" + std::to_string(line);
  return where + ": " + problem;
}

// ---- Small helpers ---------------------------------------------------

bool contains(std::span<const char* const> names, std::string_view name) {
  return std::any_of(names.begin(), names.end(), [name](const char* n) { return name == n; });
}

// util-vserver compares the names of its lists case-insensitively.
bool containsIgnoringCase(std::span<const char* const> names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&name](const char* n) { return strcasecmp(n, name.c_str()) == 0; });
}

// A list item without the "~" or "!" that makes it clear instead of set.
std::string withoutClearPrefix(const std::string& item) {
  if (!item.empty() && (item[0] == '~' || item[0] == '!')) return item.substr(1);
  return item;
}

std::vector<ListItem> listItems(const fs::path& file) {
  return readList(file).value_or(std::vector<ListItem>{});
}

bool isDirectory(const fs::path& path) {
  if (ConfigSnapshot::knownMissing(path)) return false;
  std::error_code error;
  return fs::is_directory(path, error);
}

bool isRegularFile(const fs::path& path) {
  if (ConfigSnapshot::knownMissing(path)) return false;
  std::error_code error;
  return fs::is_regular_file(path, error);
}

// file if it exists, else otherwise: util-vserver's preferred name for a
// setting, then the other name it reads it from.
fs::path fileOr(const fs::path& file, const fs::path& otherwise) {
  return fileExists(file) ? file : otherwise;
}

// ---- Names --------------------------------------------------------------

// What is wrong with name as a directory under the configuration root:
// dot-names are not guests (".defaults" is not one, nor are "." and "..").
std::optional<std::string> guestNameProblem(const std::string& name) {
  if (name.empty()) return "the guest name is empty";
  if (name[0] == '.') return "guest name '" + name + "' starts with '.'";
  if (name.find('/') != std::string::npos) return "guest name '" + name + "' contains '/'";
  if (name.size() > VSERVER_NAME_MAX)
    return "guest name '" + name + "' is longer than " + std::to_string(VSERVER_NAME_MAX) +
           " characters";
  return std::nullopt;
}

// The kernel's rule for a context name (see VSERVER_NAME_MAX).
bool isContextName(const std::string& name) {
  if (name.empty() || name.size() > VSERVER_NAME_MAX || name[0] == '.' || name[0] == '-')
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string notAContextName(const std::string& name) {
  return "'" + name + "' is not a context name (at most " + std::to_string(VSERVER_NAME_MAX) +
         " of A-Z a-z 0-9 . _ -, not starting with . or -)";
}

// name, else the cfgdir's basename; the kernel gets it as the context name.
std::string readName(const fs::path& cfgdir) {
  const fs::path file = cfgdir / "name";
  if (const auto name = readScalar(file)) {
    if (!isContextName(*name)) throw ConfigError(file, 1, notAContextName(*name));
    return *name;
  }
  const std::string name = cfgdir.filename().string();
  if (!isContextName(name))
    throw ConfigError(cfgdir, 0, notAContextName(name) + "; give the guest one in name");
  return name;
}

std::optional<uint32_t> readXid(const fs::path& cfgdir) {
  const fs::path file = cfgdir / "context";
  const auto text = readScalar(file);
  if (!text) return std::nullopt;
  return parsedAt(file, 1,
                  [&] { return parseXid(*text, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX); });
}

// ---- Host paths ---------------------------------------------------------

}  // namespace

fs::path vdirBase(const fs::path& defaults) {
  const fs::path base = defaults / "vdirbase";
  if (const auto target = linkTarget(base)) return *target;
  if (isDirectory(base)) return base;
  const auto text = readScalar(base);
  if (!text) return kDefaultVdirBase;
  if (!fs::path(*text).is_absolute())
    throw ConfigError(base, 1, "'" + *text + "' is not an absolute path");
  return *text;
}

fs::path runFileOf(const fs::path& cfgdir, const std::string& name) {
  return linkTarget(cfgdir / "run").value_or(fs::path(kRunDir) / name);
}

// vdir is a link to the guest's root, or (less usual) the root itself.
fs::path readVdir(const ConfigLocation& location, const std::string& name) {
  const fs::path vdir = location.cfgdir / "vdir";
  if (const auto target = linkTarget(vdir)) return *target;
  if (isDirectory(vdir)) return vdir;
  return vdirBase(location.defaults) / name;
}

namespace {

// ---- Capabilities and flags --------------------------------------------

// cflags util-vserver sets for every guest, which admins often list too,
// with no bit here: every guest gets a pid-1 init ("fakeinit") and its own
// namespaces ("namespace") anyway.  virt_uptime has no bit either: the
// tools give the guest a boot clock of its own (readVirtUptime).
constexpr char kVirtUptimeFlag[] = "virt_uptime";
constexpr std::array<const char*, 3> kFlagsWithoutBit = {"fakeinit", "namespace",
                                                         kVirtUptimeFlag};

// util-vserver's secure base of context capabilities, which admins often
// list explicitly: here the bounding set governs what they switched
// (SYS_ADMIN the guest's names, NET_RAW raw ICMP, AUDIT_CONTROL the audit
// system), so they are accepted and have no bit.
constexpr std::array<const char*, 6> kImplicitContextCapabilities = {
    "utsname", "set_utsname", "raw_icmp", "icmp", "ping", "audit_control"};

// A bcapabilities, ccapabilities or cflags list; names in implicit are
// accepted and left out.
BitChange readBitList(const fs::path& file, BitSet set, std::span<const char* const> implicit) {
  BitChange change;
  for (const ListItem& item : listItems(file)) {
    if (containsIgnoringCase(implicit, withoutClearPrefix(item.text))) continue;
    parsedAt(file, item.line, [&] { addToChange(set, item.text, change); });
  }
  return change;
}

// On, as in util-vserver's base set of cflags, unless the list clears it
// ("~virt_uptime"); the last item naming it wins.
bool readVirtUptime(const fs::path& file) {
  bool on = true;
  for (const ListItem& item : listItems(file))
    if (strcasecmp(withoutClearPrefix(item.text).c_str(), kVirtUptimeFlag) == 0)
      on = withoutClearPrefix(item.text).size() == item.text.size();
  return on;
}

// nflags and ncapabilities: util-vserver's names; those the kernel has no
// bit for are refused here, naming the file and line (network_policy.h).
template <typename Add>
BitChange readNetworkList(const fs::path& file, Add add) {
  BitChange change;
  for (const ListItem& item : listItems(file))
    parsedAt(file, item.line, [&] { add(item.text, change); });
  return change;
}

// ---- uts/ ---------------------------------------------------------------

std::optional<std::string> readUtsField(const fs::path& file) {
  auto value = readScalar(file);
  if (value && value->size() > __NEW_UTS_LEN)
    throw ConfigError(
        file, 1,
        "'" + *value + "' is longer than " + std::to_string(__NEW_UTS_LEN) + " characters");
  return value;
}

UtsConfig readUts(const fs::path& cfgdir) {
  const fs::path uts = cfgdir / "uts";
  UtsConfig config;
  // hostname and domainname are util-vserver's files from before uts/.
  config.nodename = readUtsField(fileOr(uts / "nodename", cfgdir / "hostname"));
  config.domainname = readUtsField(fileOr(uts / "domainname", cfgdir / "domainname"));
  config.sysname = readUtsField(uts / "sysname");
  config.release = readUtsField(uts / "release");
  config.version = readUtsField(uts / "version");
  config.machine = readUtsField(uts / "machine");
  return config;
}

// ---- interfaces/ --------------------------------------------------------

// Linux's rule for a device name (dev_valid_name()).
bool isDeviceName(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..") return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c));
  });
}

int addressFamily(const fs::path& file, const std::string& ip) {
  in6_addr address{};
  if (inet_pton(AF_INET, ip.c_str(), &address) == 1) return AF_INET;
  if (inet_pton(AF_INET6, ip.c_str(), &address) == 1) return AF_INET6;
  throw ConfigError(file, 1, "'" + ip + "' is not an IPv4 or IPv6 address");
}

unsigned parsePrefix(const fs::path& file, const std::string& text, int family) {
  const unsigned max = family == AF_INET ? 32 : 128;
  return static_cast<unsigned>(
      parsedAt(file, 1, [&] { return parseUnsigned(text, 0, max, "prefix"); }));
}

// A dotted IPv4 netmask as a prefix length; its ones must be contiguous.
unsigned prefixOfMask(const fs::path& file, const std::string& text) {
  in_addr mask{};
  if (inet_pton(AF_INET, text.c_str(), &mask) != 1)
    throw ConfigError(file, 1, "'" + text + "' is not an IPv4 netmask");
  const uint32_t bits = ntohl(mask.s_addr);
  const auto prefix = static_cast<unsigned>(std::popcount(bits));
  if (prefix != 0 && bits != ~uint32_t{0} << (32 - prefix))
    throw ConfigError(file, 1, "netmask '" + text + "' has gaps between its ones");
  return prefix;
}

// dir/prefix, else dir/mask.  A netmask describes IPv4 addresses only, so
// an IPv6 address passes over it (an interfaces/mask shared with IPv4
// addresses is no mistake).
std::optional<unsigned> prefixIn(const fs::path& dir, int family) {
  if (const auto prefix = readScalar(dir / "prefix"))
    return parsePrefix(dir / "prefix", *prefix, family);
  const auto mask = readScalar(dir / "mask");
  if (!mask || family != AF_INET) return std::nullopt;
  return prefixOfMask(dir / "mask", *mask);
}

unsigned interfacePrefix(const fs::path& dir, const fs::path& interfacesDir, int family) {
  if (const auto prefix = prefixIn(dir, family)) return *prefix;
  if (const auto prefix = prefixIn(interfacesDir, family)) return *prefix;
  return family == AF_INET ? 32 : 128;
}

std::string interfaceDevice(const fs::path& dir, const fs::path& interfacesDir) {
  const auto file = withFallback(dir, interfacesDir, "dev");
  if (!file) throw ConfigError(dir, 0, "needs a dev (or nodev)");
  const std::string dev = readScalar(*file).value_or("");
  if (!isDeviceName(dev)) throw ConfigError(*file, 1, "'" + dev + "' is not a network device name");
  return dev;
}

// interfaces/<dir>/type: veth is the only type there is, and it asks
// for own-namespace mode.
bool isVethInterface(const fs::path& dir) {
  const fs::path file = dir / "type";
  const auto type = readScalar(file);
  if (!type) return false;
  if (*type != "veth") throw ConfigError(file, 1, "unknown interface type '" + *type + "' (veth is the only one)");
  return true;
}

// What a guest with its own network namespace cannot use: its addresses
// are on its own veth, not on a host device nor anybody else's.
void refuseSharedStackFiles(const fs::path& dir) {
  for (const char* file : {"nodev", "only_ip", "shared"})
    if (fileExists(dir / file))
      throw ConfigError(dir / file, 0,
                        "has no meaning for a guest with its own network namespace (spaces/net)");
}

// dir/gateway, an address of the interface's family, for a bridged veth:
// a routed one's router is the host end of the veth.
std::string interfaceGateway(const fs::path& dir, const InterfaceConfig& config, int family) {
  const fs::path file = dir / "gateway";
  const auto gateway = readScalar(file);
  if (!gateway) return "";
  if (config.dev.empty())
    throw ConfigError(file, 0, "needs a dev: the bridge the guest's veth joins (a routed veth's "
                               "router is its host end)");
  if (addressFamily(file, *gateway) != family)
    throw ConfigError(file, 1, "'" + *gateway + "' is not of the family of " + config.ip);
  return *gateway;
}

InterfaceConfig readInterface(const fs::path& dir, const fs::path& interfacesDir,
                              bool ownNamespace) {
  const fs::path ipFile = dir / "ip";
  const auto ip = readScalar(ipFile);
  if (!ip) throw ConfigError(dir, 0, "needs an ip");
  const int family = addressFamily(ipFile, *ip);
  InterfaceConfig config;
  config.dirName = dir.filename().string();
  config.ip = *ip;
  config.prefix = interfacePrefix(dir, interfacesDir, family);
  config.label = readScalar(dir / "name").value_or("");
  config.down = fileExists(dir / "down");
  if (ownNamespace) {
    refuseSharedStackFiles(dir);
    if (withFallback(dir, interfacesDir, "dev")) config.dev = interfaceDevice(dir, interfacesDir);
    config.gateway = interfaceGateway(dir, config, family);
    return config;
  }
  if (fileExists(dir / "gateway"))
    throw ConfigError(dir / "gateway", 0,
                      "only a guest with its own network namespace (spaces/net) has a gateway");
  // only_ip is util-vserver's older name for nodev.
  config.nodev = fileExists(dir / "nodev") || fileExists(dir / "only_ip");
  if (!config.nodev) config.dev = interfaceDevice(dir, interfacesDir);
  config.shared = fileExists(dir / "shared");
  return config;
}

std::optional<IpAddress> readLoopback(const fs::path& file) {
  const auto text = readScalar(file);
  if (!text) return std::nullopt;
  return parsedAt(file, 1, [&] { return parseLoopbackAddress(*text); });
}

// The subdirectories of interfaces/ that are addresses, in name order.
std::vector<fs::path> interfaceDirs(const fs::path& interfacesDir) {
  std::vector<fs::path> dirs;
  for (const auto& entry : sortedEntries(interfacesDir))
    if (isDirectory(entry.path()) && !fileExists(entry.path() / "disabled"))
      dirs.push_back(entry.path());
  return dirs;
}

// Every address dir is an address, in name order; the files directly in
// interfaces/ are their defaults.
std::vector<InterfaceConfig> readInterfaces(const fs::path& interfacesDir, bool ownNamespace) {
  std::vector<InterfaceConfig> interfaces;
  for (const fs::path& dir : interfaceDirs(interfacesDir))
    interfaces.push_back(readInterface(dir, interfacesDir, ownNamespace));
  return interfaces;
}

bool anyVethInterface(const fs::path& interfacesDir) {
  const auto dirs = interfaceDirs(interfacesDir);
  return std::count_if(dirs.begin(), dirs.end(), isVethInterface) > 0;
}

// The shared stack's settings, which a guest with its own network
// namespace has no use for: an error rather than a silent no-op.
void refuseNetworkSetFiles(const fs::path& cfgdir) {
  for (const char* file : {"nflags", "ncapabilities", "interfaces/lback"})
    if (fileExists(cfgdir / file))
      throw ConfigError(cfgdir / file, 0,
                        "applies to the shared network stack only; this guest has its own "
                        "network namespace (spaces/net or an interface of type veth)");
}

// ---- rlimits/ -----------------------------------------------------------

// util-vserver's resource names (src/vlimit.c), in its order, and swap,
// ours: util-vserver had no swap limit, and memory.swap.max is a cgroup's
// to give (issue 11).
constexpr std::array<const char*, 20> kLimitResources = {
    "cpu",   "fsize",    "data",  "stack",  "core", "rss",   "nproc",  "nofile", "memlock", "as",
    "locks", "msgqueue", "nsock", "openfd", "anon", "shmem", "semary", "nsems",  "dentry", "swap"};

constexpr std::array<const char*, 3> kLimitKinds = {"min", "soft", "hard"};

std::optional<uint64_t> readLimitFile(const fs::path& file) {
  const auto text = readScalar(file);
  if (!text) return std::nullopt;
  return parsedAt(file, 1, [&] { return parseLimit(*text); });
}

// rlimits/RES sets all three values; RES.min, RES.soft and RES.hard
// override it.
std::optional<RlimitConfig> readRlimit(const fs::path& dir, const std::string& resource) {
  RlimitConfig limit;
  limit.resource = resource;
  if (const auto all = readLimitFile(dir / resource)) limit.min = limit.soft = limit.hard = all;
  if (const auto min = readLimitFile(dir / (resource + ".min"))) limit.min = min;
  if (const auto soft = readLimitFile(dir / (resource + ".soft"))) limit.soft = soft;
  if (const auto hard = readLimitFile(dir / (resource + ".hard"))) limit.hard = hard;
  if (!limit.min && !limit.soft && !limit.hard) return std::nullopt;
  return limit;
}

// util-vserver only looks for the names it knows, so a misspelt file
// would be silently ignored; we refuse it instead.  Every file of dir is
// RES or RES.KIND.  Returns the RESs that have a file, so that only their
// files are opened: every command reads the configuration, and most
// guests set few limits or none.
std::set<std::string> limitsWithFiles(const fs::path& dir, bool (*isResource)(std::string_view),
                                      std::span<const char* const> kinds) {
  std::set<std::string> resources;
  for (const auto& entry : sortedEntries(dir)) {
    const std::string name = entry.path().filename().string();
    if (isIgnoredFileName(name)) continue;
    const auto dot = name.find('.');
    const std::string resource = name.substr(0, dot);
    const bool known =
        isResource(resource) && (dot == std::string::npos || contains(kinds, name.substr(dot + 1)));
    if (!known) throw ConfigError(entry.path(), 0, "unknown resource limit '" + name + "'");
    resources.insert(resource);
  }
  return resources;
}

bool isRlimitResource(std::string_view name) { return contains(kLimitResources, name); }

std::vector<RlimitConfig> readRlimits(const fs::path& dir) {
  const std::set<std::string> withFiles = limitsWithFiles(dir, isRlimitResource, kLimitKinds);
  std::vector<RlimitConfig> limits;
  for (const char* resource : kLimitResources)
    if (withFiles.contains(resource))
      if (auto limit = readRlimit(dir, resource)) limits.push_back(std::move(*limit));
  return limits;
}

// ---- ulimits/ -----------------------------------------------------------

struct UlimitResource {
  const char* name;
  int rlimit;
};

// util-vserver's exec-ulimit resources, in its order.
constexpr std::array<UlimitResource, 10> kUlimitResources = {{
    {"core", RLIMIT_CORE}, {"cpu", RLIMIT_CPU}, {"data", RLIMIT_DATA}, {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS}, {"memlock", RLIMIT_MEMLOCK}, {"nofile", RLIMIT_NOFILE},
    {"nproc", RLIMIT_NPROC}, {"rss", RLIMIT_RSS}, {"stack", RLIMIT_STACK}}};

constexpr std::array<const char*, 2> kUlimitKinds = {"soft", "hard"};

// "inf" is setrlimit()'s no limit.
static_assert(kUnlimited == RLIM_INFINITY);

// ulimits/RES sets the soft and the hard limit; RES.soft and RES.hard
// override one.  A soft limit from RES above RES.hard is lowered to it,
// as exec-ulimit did; RES.soft above the hard limit asks for what the
// kernel refuses, and is refused here.
std::optional<UlimitConfig> readUlimit(const fs::path& dir, const UlimitResource& resource) {
  UlimitConfig limit{resource.name, resource.rlimit, std::nullopt, std::nullopt};
  const fs::path both = dir / resource.name;
  const fs::path softFile = dir / (limit.resource + ".soft");
  const fs::path hardFile = dir / (limit.resource + ".hard");
  if (const auto value = readLimitFile(both)) limit.soft = limit.hard = value;
  const auto soft = readLimitFile(softFile);
  if (soft) limit.soft = soft;
  const auto hard = readLimitFile(hardFile);
  if (hard) limit.hard = hard;
  if (!limit.soft && !limit.hard) return std::nullopt;
  if (limit.soft && limit.hard && *limit.soft > *limit.hard) {
    if (soft)
      throw ConfigError(softFile, 0,
                        "soft limit " + formatLimit(*limit.soft) + " is above the hard limit " +
                            formatLimit(*limit.hard) + " (" +
                            (hard ? hardFile : both).filename().string() + ")");
    limit.soft = limit.hard;
  }
  return limit;
}

std::vector<UlimitConfig> readUlimits(const fs::path& dir) {
  const std::set<std::string> withFiles = limitsWithFiles(dir, isUlimitResource, kUlimitKinds);
  std::vector<UlimitConfig> limits;
  for (const UlimitResource& resource : kUlimitResources)
    if (withFiles.contains(resource.name))
      if (auto limit = readUlimit(dir, resource)) limits.push_back(std::move(*limit));
  return limits;
}

// ---- apps/init/ ---------------------------------------------------------

// Styles util-vserver knows whose start and stop commands we do not carry.
constexpr std::array<const char*, 4> kUnsupportedInitStyles = {"minit", "gentoo", "openrc", "arch"};

InitStyle parseInitStyle(const fs::path& file, const std::string& text) {
  if (text == "sysv") return InitStyle::Sysv;
  if (text == "plain") return InitStyle::Plain;
  if (text == "rescue") return InitStyle::Rescue;
  if (contains(kUnsupportedInitStyles, text))
    throw ConfigError(file, 1, "style '" + text + "' is not supported (sysv, plain, rescue)");
  throw ConfigError(file, 1, "unknown style '" + text + "' (sysv, plain, rescue)");
}

// What a kill step without a WAIT waits: 5 s, as util-vserver's "15 5 9"
// does between its signals.  The last step's wait is the stop's time-out,
// which ends as soon as the guest does; on a loaded host dozens of guests
// killed at once take more than 5 s to exit, which is no failure.
constexpr unsigned kDefaultKillWait = 5;
constexpr unsigned kDefaultFinalKillWait = 30;

std::vector<KillStep> defaultKillSequence() {
  return {{SIGTERM, kDefaultKillWait}, {SIGKILL, kDefaultFinalKillWait}};
}

// "SIGNAL [WAIT SIGNAL]... [WAIT]"; util-vserver's default "15 5 9".
std::vector<KillStep> parseKillSequence(const fs::path& file, const std::string& text) {
  const std::vector<std::string> words = splitBlanks(text);
  if (words.empty()) throw ConfigError(file, 1, "expected SIGNAL [WAIT SIGNAL]...");
  std::vector<KillStep> steps;
  for (size_t i = 0; i < words.size(); i += 2) {
    KillStep step;
    step.signal = parsedAt(file, 1, [&] { return parseSignal(words[i]); });
    step.waitSeconds = i + 1 < words.size() ? kDefaultKillWait : kDefaultFinalKillWait;
    if (i + 1 < words.size())
      step.waitSeconds = static_cast<unsigned>(parsedAt(file, 1, [&] {
        return parseUnsigned(words[i + 1], 0, std::numeric_limits<unsigned>::max(), "wait");
      }));
    steps.push_back(step);
  }
  return steps;
}

// cmd.start, cmd.stop: one argv element per line, blank lines included.
std::vector<std::string> readCommand(const fs::path& file) {
  auto lines = readList(file, true);
  if (!lines) return {};
  // An editor's empty last line is not an empty last argument.
  if (!lines->empty() && lines->back().text.empty()) lines->pop_back();
  if (lines->empty())
    throw ConfigError(file, 0, "empty; expected the command, one argument per line");
  std::vector<std::string> argv;
  for (const ListItem& line : *lines) argv.push_back(line.text);
  return argv;
}

std::vector<std::string> readGuestNames(const fs::path& file) {
  std::vector<std::string> names;
  for (const ListItem& item : listItems(file)) {
    if (const auto problem = guestNameProblem(item.text))
      throw ConfigError(file, item.line, *problem);
    names.push_back(item.text);
  }
  return names;
}

// The whole environment of init (util-vserver starts it with env -i).
std::vector<std::string> readEnvironment(const ConfigLocation& location) {
  const auto file = withFallback(location.cfgdir, location.defaults, "apps/init/environment");
  if (!file) return {"PATH=/bin:/usr/bin:/sbin:/usr/sbin"};
  std::vector<std::string> environment;
  for (const ListItem& item : listItems(*file)) {
    const auto equals = item.text.find('=');
    if (equals == 0 || equals == std::string::npos)
      throw ConfigError(*file, item.line, "expected VAR=VALUE");
    environment.push_back(item.text);
  }
  return environment;
}

InitConfig readInit(const ConfigLocation& location) {
  const fs::path dir = location.cfgdir / "apps/init";
  InitConfig init;
  if (const auto style = readScalar(dir / "style"))
    init.style = parseInitStyle(dir / "style", *style);
  init.runlevelStart =
      readScalar(fileOr(dir / "runlevel.start", dir / "runlevel")).value_or(init.runlevelStart);
  init.runlevelStop = readScalar(dir / "runlevel.stop").value_or(init.runlevelStop);
  if (const auto killseq = readScalar(dir / "killseq"))
    init.killSequence = parseKillSequence(dir / "killseq", *killseq);
  else
    init.killSequence = defaultKillSequence();
  if (const auto timeout = readScalar(dir / "restart-timeout"))
    init.unwatchedStartSeconds = parsedAt(dir / "restart-timeout", 1, [&] {
      return parseUnsigned(*timeout, 1, kMaxStartTimeoutSeconds, "restart-timeout");
    });
  init.startCommand = readCommand(dir / "cmd.start");
  init.stopCommand = readCommand(dir / "cmd.stop");
  for (const ListItem& mark : listItems(dir / "mark")) init.marks.push_back(mark.text);
  init.depends = readGuestNames(dir / "depends");
  init.environment = readEnvironment(location);
  return init;
}

// ---- fstab, shell, spaces/ ----------------------------------------------

FstabEntry parseFstabLine(const fs::path& file, const ListItem& item) {
  const std::vector<std::string> fields = splitBlanks(item.text);
  if (fields.size() < 4 || fields.size() > 6)
    throw ConfigError(file, item.line, "expected SOURCE TARGET TYPE OPTIONS [DUMP [PASS]]");
  const FstabEntry entry{fields[0], fields[1], fields[2], fields[3], item.line};
  const fs::path target(entry.target);
  if (!target.is_absolute())
    throw ConfigError(file, item.line, "target '" + entry.target + "' is not an absolute path");
  // The mount happens inside the guest's root; ".." could leave it.
  if (std::any_of(target.begin(), target.end(), [](const fs::path& part) { return part == ".."; }))
    throw ConfigError(file, item.line, "target '" + entry.target + "' contains '..'");
  return entry;
}

std::vector<FstabEntry> readFstab(const fs::path& file) {
  std::vector<FstabEntry> entries;
  for (const ListItem& item : listItems(file)) entries.push_back(parseFstabLine(file, item));
  return entries;
}

std::vector<std::string> readShell(const ConfigLocation& location) {
  const auto file = withFallback(location.cfgdir, location.defaults, "shell");
  if (!file) return {"/bin/sh", "-l"};
  std::vector<std::string> argv = splitBlanks(readScalar(*file).value_or(""));
  if (argv.empty()) throw ConfigError(*file, 1, "expected the shell and its arguments");
  return argv;
}

// util-vserver's spaces/pid and spaces/net: empty asks for a new
// namespace, "0" for none, anything else names a guest whose namespace
// to share, which we do not offer.
bool wantsNewSpace(const fs::path& file) {
  const auto content = readScalar(file);
  if (!content || *content == "0") return false;
  if (!content->empty())
    throw ConfigError(file, 1, "sharing the namespace of '" + *content + "' is not supported");
  return true;
}

// spaces/mask is not read: it picks the namespaces util-vserver's vspace
// creates, and here that set is fixed (mount, UTS, IPC and PID, plus the
// network with spaces/net), leaving the mask nothing to choose.
SpacesConfig readSpaces(const fs::path& dir) {
  const fs::path pid = dir / "pid";
  // A guest's init is pid 1 of its own PID namespace; there is no mode in
  // which a guest shares the host's process ids.
  if (fileExists(pid) && !wantsNewSpace(pid))
    throw ConfigError(pid, 1, "cannot be turned off: every guest has its own PID namespace");
  SpacesConfig spaces;
  spaces.net = wantsNewSpace(dir / "net");
  return spaces;
}

// ---- apps/vdevmap/ ------------------------------------------------------

constexpr std::array<const char*, 3> kDeviceRuleFiles = {"device", "open", "create"};

// util-vserver's remap and target send the guest's opens of one device to
// another; the kernel's map only allows or refuses, so they are refused
// rather than leave the guest the device it named.  Any other name is
// refused too: a misspelt open would quietly take access away.
void checkDeviceRuleFileNames(const fs::path& dir) {
  for (const auto& entry : sortedEntries(dir)) {
    const std::string name = entry.path().filename().string();
    if (isIgnoredFileName(name) || contains(kDeviceRuleFiles, name)) continue;
    if (name == "remap" || name == "target")
      throw ConfigError(entry.path(), 0, "device remapping is not supported");
    throw ConfigError(entry.path(), 0, "unknown device map setting '" + name + "'");
  }
}

uint32_t readDeviceAccess(const fs::path& dir) {
  uint32_t access = 0;
  if (fileExists(dir / "open")) access |= VSERVER_DEVICE_OPEN;
  if (fileExists(dir / "create")) access |= VSERVER_DEVICE_CREATE;
  if (!access) throw ConfigError(dir, 0, "needs open or create (or both)");
  return access;
}

// The host node device names, followed through links as util-vserver's
// vdevmap follows them (/dev/cdrom names the drive, not the link).
struct stat deviceNode(const fs::path& file, const std::string& device) {
  if (!fs::path(device).is_absolute())
    throw ConfigError(file, 1, "'" + device + "' is not an absolute path");
  struct stat node {};
  if (stat(device.c_str(), &node) != 0) throw ConfigError(file, 1, errnoMessage(device, errno));
  if (!S_ISCHR(node.st_mode) && !S_ISBLK(node.st_mode))
    throw ConfigError(file, 1, "'" + device + "' is not a device node");
  return node;
}

DeviceMapEntry readDeviceRule(const fs::path& dir) {
  checkDeviceRuleFileNames(dir);
  const fs::path file = dir / "device";
  const auto device = readScalar(file);
  if (!device) throw ConfigError(dir, 0, "needs a device");
  const struct stat node = deviceNode(file, *device);
  DeviceMapEntry entry;
  entry.device = fs::path(*device).lexically_normal();
  entry.rule.type = S_ISBLK(node.st_mode) ? DeviceRule::Type::Block : DeviceRule::Type::Char;
  entry.rule.major = major(node.st_rdev);
  entry.rule.minor = minor(node.st_rdev);
  entry.rule.access = readDeviceAccess(dir);
  entry.permissions = node.st_mode & 07777;
  entry.uid = node.st_uid;
  entry.gid = node.st_gid;
  return entry;
}

// Every subdirectory is a rule, in name order, as util-vserver's start
// takes apps/vdevmap/*/.
std::vector<DeviceMapEntry> readDeviceMap(const fs::path& dir) {
  std::vector<DeviceMapEntry> devices;
  for (const auto& entry : sortedEntries(dir)) {
    if (isIgnoredFileName(entry.path().filename().string()) || !isDirectory(entry.path())) continue;
    if (devices.size() == VSERVER_DEVICES_MAX)
      throw ConfigError(dir, 0,
                        "more than " + std::to_string(VSERVER_DEVICES_MAX) +
                            " device rules, the most a context takes");
    devices.push_back(readDeviceRule(entry.path()));
  }
  return devices;
}

// ---- scripts/ -----------------------------------------------------------

constexpr std::array<HookPhase, 7> kHookPhases = {
    HookPhase::Initialize, HookPhase::PrepreStart, HookPhase::PreStart,    HookPhase::PostStart,
    HookPhase::PreStop,    HookPhase::PostStop,    HookPhase::PostpostStop};

// The tools run as root, for whom access(X_OK) holds when any execute bit
// is set; the bits give that answer whoever reads the configuration.
HookScript hookScript(const fs::path& file) {
  std::error_code error;
  const fs::perms perms = fs::status(file, error).permissions();
  const fs::perms anyExecute =
      fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
  return {file, !error && (perms & anyExecute) != fs::perms::none};
}

std::vector<HookScript> scriptsIn(const fs::path& dir, HookPhase phase) {
  const std::string name = hookPhaseName(phase);
  std::vector<HookScript> scripts;
  if (isRegularFile(dir / name)) scripts.push_back(hookScript(dir / name));
  for (const auto& entry : sortedEntries(dir / (name + ".d"))) {
    if (isIgnoredFileName(entry.path().filename().string()) || !isRegularFile(entry.path()))
      continue;
    scripts.push_back(hookScript(entry.path()));
  }
  return scripts;
}

// As util-vserver: a guest with scripts of its own for a phase does not
// run the .defaults ones of that phase.  (util-vserver lets a sourced
// script ask for them with DONT_SKIP_DEFAULTS; we do not source scripts.)
std::vector<std::vector<HookScript>> readHooks(const ConfigLocation& location) {
  std::vector<std::vector<HookScript>> hooks;
  for (const HookPhase phase : kHookPhases) {
    auto scripts = scriptsIn(location.cfgdir / "scripts", phase);
    if (scripts.empty()) scripts = scriptsIn(location.defaults / "scripts", phase);
    hooks.push_back(std::move(scripts));
  }
  return hooks;
}

void requireDirectory(const fs::path& cfgdir) {
  std::error_code error;
  const fs::file_status status = fs::status(cfgdir, error);
  if (!fs::exists(status))
    throw Error(ENOENT, "guest directory " + cfgdir.string() + " does not exist",
                kMissingGuestStatus);
  if (!fs::is_directory(status))
    throw Error(ENOTDIR, "guest directory " + cfgdir.string() + " is not a directory",
                kMissingGuestStatus);
}

}  // namespace

std::span<const char* const> limitResourceNames() { return kLimitResources; }

bool isUlimitResource(std::string_view resource) {
  return std::any_of(kUlimitResources.begin(), kUlimitResources.end(),
                     [resource](const UlimitResource& r) { return resource == r.name; });
}

ConfigError::ConfigError(const fs::path& file, int line, const std::string& problem)
    : Error(0, configMessage(file, line, problem)) {}

ConfigLocation locateGuest(const std::string& nameOrPath, const fs::path& configRoot) {
  if (nameOrPath.find('/') == std::string::npos) {
    if (const auto problem = guestNameProblem(nameOrPath)) throwUsage(*problem);
    return {configRoot / nameOrPath, configRoot / ".defaults"};
  }
  // Normalized so that "web/" and "./web" name the guest "web" too.
  fs::path cfgdir = fs::absolute(nameOrPath).lexically_normal();
  if (!cfgdir.has_filename()) cfgdir = cfgdir.parent_path();
  return {cfgdir, cfgdir.parent_path() / ".defaults"};
}

const char* hookPhaseName(HookPhase phase) {
  switch (phase) {
    case HookPhase::Initialize:
      return "initialize";
    case HookPhase::PrepreStart:
      return "prepre-start";
    case HookPhase::PreStart:
      return "pre-start";
    case HookPhase::PostStart:
      return "post-start";
    case HookPhase::PreStop:
      return "pre-stop";
    case HookPhase::PostStop:
      return "post-stop";
    case HookPhase::PostpostStop:
      return "postpost-stop";
  }
  return "unknown";
}

uint64_t boundingCapabilities(const GuestConfig& config) {
  // A guest administers a network namespace of its own, and the module
  // lets it do so over that namespace alone.
  const uint64_t ownNetworkCaps = config.spaces.net ? uint64_t{1} << CAP_NET_ADMIN : 0;
  return applyChange(VSERVER_BCAPS_DEFAULT | ownNetworkCaps, config.bcaps);
}

// Files util-vserver knows that are not read here, and so never an error:
// cache, ncontext, noncontext, tag, umask, personality,
// ionice/, badness, schedule,
// sysctl/, netns/, fstab.remote, namespace, nonamespace, keepfds,
// noisy, apps/vshelper/, apps/vunify/, apps/init/{sync,tty,mtab,cmd.*-sync}.
// Nor is the directory walked for unknown names: admins keep notes there.
GuestConfig readGuestConfig(const ConfigLocation& location) {
  const fs::path& cfgdir = location.cfgdir;
  requireDirectory(cfgdir);
  const ConfigSnapshot snapshot;
  GuestConfig config;
  config.location = location;
  config.name = readName(cfgdir);
  config.xid = readXid(cfgdir);
  config.vdir = readVdir(location, config.name);
  config.runFile = runFileOf(cfgdir, config.name);
  config.bcaps = readBitList(cfgdir / "bcapabilities", BitSet::Capabilities, {});
  config.ccaps = readBitList(cfgdir / "ccapabilities", BitSet::ContextCapabilities,
                             kImplicitContextCapabilities);
  config.flags =
      readBitList(fileOr(cfgdir / "cflags", cfgdir / "flags"), BitSet::Flags, kFlagsWithoutBit);
  config.virtUptime = readVirtUptime(fileOr(cfgdir / "cflags", cfgdir / "flags"));
  config.nflags = readNetworkList(cfgdir / "nflags", addNetworkFlag);
  config.ncaps = readNetworkList(cfgdir / "ncapabilities", addNetworkCapability);
  config.lback = readLoopback(cfgdir / "interfaces/lback");
  config.uts = readUts(cfgdir);
  config.spaces = readSpaces(cfgdir / "spaces");
  if (anyVethInterface(cfgdir / "interfaces")) config.spaces.net = true;
  if (config.spaces.net) refuseNetworkSetFiles(cfgdir);
  config.interfaces = readInterfaces(cfgdir / "interfaces", config.spaces.net);
  config.rlimits = readRlimits(cfgdir / "rlimits");
  config.ulimits = readUlimits(cfgdir / "ulimits");
  config.sched = readSched(cfgdir / "sched");
  config.cpuset = readCpuset(cfgdir / "cpuset");
  config.cgroup = readCgroupDirectory(cfgdir / "cgroup");
  config.nice = readNice(cfgdir / "nice");
  config.init = readInit(location);
  config.fstab = readFstab(cfgdir / "fstab");
  config.shell = readShell(location);
  config.devices = readDeviceMap(cfgdir / "apps/vdevmap");
  config.diskLimits = readDiskLimits(cfgdir / "dlimits");
  config.hooks = readHooks(location);
  config.disabled = fileExists(cfgdir / "disabled");
  return config;
}

GuestConfig readStopEssentials(const ConfigLocation& location) {
  GuestConfig config;
  config.location = location;
  config.name = readName(location.cfgdir);
  config.runFile = runFileOf(location.cfgdir, config.name);
  // plain: the style without a stop command of its own.
  config.init.style = InitStyle::Plain;
  config.init.killSequence = defaultKillSequence();
  config.hooks.resize(kHookPhases.size());
  return config;
}

}  // namespace vs::guest
