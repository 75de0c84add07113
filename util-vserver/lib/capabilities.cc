#include "capabilities.h"

#include <linux/capability.h>
#include <linux/vserver.h>
#include <strings.h>

#include <array>
#include <span>

#include "error.h"

namespace vs {

namespace {

// Capability names in bit order, without the CAP_ prefix.
constexpr std::array<const char*, CAP_LAST_CAP + 1> kCapabilities = {
    "CHOWN",           "DAC_OVERRIDE",  "DAC_READ_SEARCH", "FOWNER",          "FSETID",
    "KILL",            "SETGID",        "SETUID",          "SETPCAP",         "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",      "NET_RAW",         "IPC_LOCK",
    "IPC_OWNER",       "SYS_MODULE",    "SYS_RAWIO",       "SYS_CHROOT",      "SYS_PTRACE",
    "SYS_PACCT",       "SYS_ADMIN",     "SYS_BOOT",        "SYS_NICE",        "SYS_RESOURCE",
    "SYS_TIME",        "SYS_TTY_CONFIG", "MKNOD",          "LEASE",           "AUDIT_WRITE",
    "AUDIT_CONTROL",   "SETFCAP",       "MAC_OVERRIDE",    "MAC_ADMIN",       "SYSLOG",
    "WAKE_ALARM",      "BLOCK_SUSPEND", "AUDIT_READ",      "PERFMON",         "BPF",
    "CHECKPOINT_RESTORE"};
static_assert(CAP_LAST_CAP == 40, "capability names must follow the kernel's list");

// Context capabilities in bit order (VSERVER_CCAP_*).
constexpr std::array<const char*, 10> kContextCapabilities = {
    "syslog", "module", "kexec", "binary_mount", "namespace",
    "mknod",  "sysctl", "swap",  "bpf",          "perf"};
static_assert(VSERVER_CCAP_ALL == (1ULL << kContextCapabilities.size()) - 1);

// Context flags in bit order (VSERVER_CF_*).
constexpr std::array<const char*, 6> kFlags = {"state_setup", "persistent", "lock",
                                               "virt_mem",    "virt_load",  "virt_cpu"};
static_assert(VSERVER_CF_ALL == (1ULL << kFlags.size()) - 1);

// Device map access bits in bit order (VSERVER_DEVICE_*), util-vserver's
// vdevmap option names.
constexpr std::array<const char*, 2> kDeviceAccess = {"open", "create"};
static_assert(VSERVER_DEVICE_ACCESS_ALL == (1ULL << kDeviceAccess.size()) - 1);

// Network flags and capabilities of a network set in bit order
// (VSERVER_NF_*, VSERVER_NCAP_*), util-vserver's names.
constexpr std::array<const char*, 2> kNetworkFlags = {"hide_netif", "single_ip"};
static_assert(VSERVER_NF_ALL == (1ULL << kNetworkFlags.size()) - 1);
constexpr std::array<const char*, 2> kNetworkCapabilities = {"raw_icmp", "raw"};
static_assert(VSERVER_NCAP_ALL == (1ULL << kNetworkCapabilities.size()) - 1);

std::span<const char* const> namesOf(BitSet set) {
  switch (set) {
    case BitSet::Capabilities:
      return kCapabilities;
    case BitSet::ContextCapabilities:
      return kContextCapabilities;
    case BitSet::Flags:
      return kFlags;
    case BitSet::DeviceAccess:
      return kDeviceAccess;
    case BitSet::NetworkFlags:
      return kNetworkFlags;
    case BitSet::NetworkCapabilities:
      return kNetworkCapabilities;
  }
  return {};
}

std::string withoutCapPrefix(BitSet set, const std::string& name) {
  if (set == BitSet::Capabilities && name.size() > 4 && strncasecmp(name.c_str(), "CAP_", 4) == 0)
    return name.substr(4);
  return name;
}

}  // namespace

const char* bitSetNoun(BitSet set) {
  switch (set) {
    case BitSet::Capabilities:
      return "capability";
    case BitSet::ContextCapabilities:
      return "context capability";
    case BitSet::Flags:
      return "flag";
    case BitSet::DeviceAccess:
      return "device access";
    case BitSet::NetworkFlags:
      return "network flag";
    case BitSet::NetworkCapabilities:
      return "network capability";
  }
  return "bit";
}

uint64_t bitOfName(BitSet set, const std::string& name) {
  const std::string bare = withoutCapPrefix(set, name);
  const auto names = namesOf(set);
  for (size_t bit = 0; bit < names.size(); bit++)
    if (strcasecmp(names[bit], bare.c_str()) == 0) return 1ULL << bit;
  throwUsage(std::string("unknown ") + bitSetNoun(set) + " '" + name + "'");
}

std::vector<std::string> namesOfBits(BitSet set, uint64_t bits) {
  const auto names = namesOf(set);
  std::vector<std::string> result;
  for (unsigned bit = 0; bit < 64; bit++) {
    if (!(bits & (1ULL << bit))) continue;
    result.push_back(bit < names.size() ? names[bit] : "bit" + std::to_string(bit));
  }
  return result;
}

void addToChange(BitSet set, const std::string& item, BitChange& change) {
  const bool clear = !item.empty() && (item[0] == '~' || item[0] == '!');
  const uint64_t bit = bitOfName(set, clear ? item.substr(1) : item);
  change.mask |= bit;
  if (clear)
    change.value &= ~bit;
  else
    change.value |= bit;
}

std::vector<std::string> allNames(BitSet set) {
  const auto names = namesOf(set);
  return {names.begin(), names.end()};
}


}  // namespace vs
