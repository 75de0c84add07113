#include "network_policy.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <span>
#include <string_view>

#include "error.h"

namespace vs {

namespace {

// util-vserver's flags (lib/nflags-net.c) that the kernel has no bit for:
// refused, since accepting one would leave the guest without what its
// admin asked for.
constexpr std::array<const char*, 8> kUnsupportedNetworkFlags = {
    "lock",        "private",     "lback_allow", "hide_lback",
    "state_setup", "state_admin", "sc_helper",   "persistent"};

// Loopback remapping is what the kernel always does for a confined context.
constexpr std::array<const char*, 2> kAlwaysOnNetworkFlags = {"lback_remap", "remap_lback"};

constexpr std::array<const char*, 1> kUnsupportedNetworkCapabilities = {"tun_create"};

bool containsIgnoringCase(std::span<const char* const> names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&name](const char* n) { return strcasecmp(n, name.c_str()) == 0; });
}

bool clears(const std::string& item) { return !item.empty() && (item[0] == '~' || item[0] == '!'); }

std::string bare(const std::string& item) { return clears(item) ? item.substr(1) : item; }

uint32_t ipv4Bits(const IpAddress& address) {
  return uint32_t{address.bytes[0]} << 24 | uint32_t{address.bytes[1]} << 16 |
         uint32_t{address.bytes[2]} << 8 | address.bytes[3];
}

bool isIpv4Invalid(const IpAddress& address) {
  const uint8_t first = address.bytes[0];
  return first == 0 || first == 127 || (first >= 224 && first < 240) ||
         ipv4Bits(address) == ~uint32_t{0};
}

bool isIpv6Invalid(const IpAddress& address) {
  static constexpr std::array<uint8_t, 16> kUnspecified{};
  static constexpr std::array<uint8_t, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr std::array<uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const bool mapped = std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin());
  return address.bytes == kUnspecified || address.bytes == kLoopback || address.bytes[0] == 0xff ||
         mapped;
}

}  // namespace

void addNetworkFlag(const std::string& item, BitChange& change) {
  const std::string name = bare(item);
  if (containsIgnoringCase(kAlwaysOnNetworkFlags, name)) {
    if (clears(item))
      throwUsage("network flag '" + name + "' cannot be cleared: loopback remapping is always on");
    return;
  }
  if (containsIgnoringCase(kUnsupportedNetworkFlags, name))
    throwUsage("network flag '" + name + "' is not supported");
  addToChange(BitSet::NetworkFlags, item, change);
}

void addNetworkCapability(const std::string& item, BitChange& change) {
  if (containsIgnoringCase(kUnsupportedNetworkCapabilities, bare(item)))
    throwUsage("network capability '" + bare(item) + "' is not supported");
  addToChange(BitSet::NetworkCapabilities, item, change);
}

IpAddress parseLoopbackAddress(const std::string& text) {
  const auto address = parseIpAddress(text);
  if (!address || address->family != AF_INET || address->bytes[0] != 127)
    throwUsage("loopback address '" + text + "' is not in 127.0.0.0/8");
  const uint32_t host = ipv4Bits(*address) & 0xffffff;
  if (host == 0 || host == 1 || host == 0xffffff)
    throwUsage("loopback address '" + text +
               "' may not be 127.0.0.0, 127.0.0.1 or 127.255.255.255");
  return *address;
}

void requireContextAddress(const IpAddress& address) {
  if (address.family == AF_INET ? isIpv4Invalid(address) : isIpv6Invalid(address))
    throwUsage("'" + address.str() +
               "' cannot be a guest's address (unspecified, loopback, multicast or v4-mapped)");
}

void requireAddressCount(const NetworkSet& net) {
  if (net.ipv4.size() > VSERVER_NET_ADDRS_MAX || net.ipv6.size() > VSERVER_NET_ADDRS_MAX)
    throwUsage("a context holds at most " + std::to_string(VSERVER_NET_ADDRS_MAX) +
               " IPv4 and " + std::to_string(VSERVER_NET_ADDRS_MAX) + " IPv6 addresses");
}

std::string describeContext(const ContextInfo& context) {
  return "context " + std::to_string(context.xid) +
         (context.name.empty() ? "" : " (" + context.name + ")");
}

std::optional<ContextInfo> holderOf(const IpAddress& address,
                                    const std::vector<ContextInfo>& contexts, uint32_t self) {
  for (const ContextInfo& context : contexts)
    if (context.xid != self && context.net && context.net->contains(address)) return context;
  return std::nullopt;
}

std::optional<std::string> addressConflict(const AddressClaim& claim,
                                           const std::vector<IpAddress>& hostAddresses,
                                           const std::vector<ContextInfo>& contexts,
                                           uint32_t self) {
  const std::string address = claim.address.str();
  const bool onHost = std::find(hostAddresses.begin(), hostAddresses.end(), claim.address) !=
                      hostAddresses.end();
  if (claim.mustBeOnHost && !onHost) return address + " is not configured on the host";
  if (claim.shared) return std::nullopt;
  if (const auto holder = holderOf(claim.address, contexts, self))
    return address + " belongs to running " + describeContext(*holder);
  if (!claim.mustBeOnHost && onHost) return address + " is already configured on the host";
  return std::nullopt;
}

std::optional<std::string> loopbackConflict(const IpAddress& lback,
                                            const std::vector<ContextInfo>& contexts,
                                            uint32_t self) {
  for (const ContextInfo& context : contexts)
    if (context.xid != self && context.net && context.net->lback == lback)
      return "loopback address " + lback.str() + " belongs to running " + describeContext(context);
  return std::nullopt;
}

std::string joinAddresses(const std::vector<IpAddress>& addresses, const char* separator) {
  std::string text;
  for (const IpAddress& address : addresses) text += (text.empty() ? "" : separator) + address.str();
  return text;
}

}  // namespace vs
