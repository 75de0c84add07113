#include "veth.h"

#include <algorithm>

#include "../error.h"
#include "../kernel_file.h"
#include "../network_namespace.h"
#include "networking.h"
#include "state.h"

namespace vs::guest {

namespace fs = std::filesystem;

const char* const kGuestVethName = "eth0";

namespace {

// The guest's IPv6 router on a routed veth: a link-local address of the
// host end, the same in every guest.
const IpAddress kRoutedIpv6Router = *parseIpAddress("fe80::1");

IpAddress defaultAddress(int family) {
  IpAddress any;
  any.family = family;
  return any;
}

// The bridge every interface names, or none for a routed veth.
std::string bridgeOf(const GuestConfig& config) {
  if (config.interfaces.empty()) return "";
  const std::string bridge = config.interfaces.front().dev;
  const auto named = [](const std::string& dev) { return dev.empty() ? "no bridge" : dev; };
  for (const InterfaceConfig& iface : config.interfaces)
    if (iface.dev != bridge)
      throw ConfigError(interfaceDir(config, iface) / "dev", 1,
                        "the guest's veth joins one bridge or none: " + named(bridge) + " or " +
                            named(iface.dev));
  return bridge;
}

void addGatewayRoutes(const GuestConfig& config, VethPlan& plan) {
  for (const InterfaceConfig& iface : config.interfaces) {
    if (iface.gateway.empty()) continue;
    const fs::path file = interfaceDir(config, iface) / "gateway";
    const IpAddress gateway = validatedAddress(file, iface.gateway);
    const bool taken = std::any_of(plan.guestRoutes.begin(), plan.guestRoutes.end(),
                                   [&](const Route& r) { return r.gateway->family == gateway.family; });
    if (taken) throw ConfigError(file, 1, "a second default gateway of the same family");
    plan.guestRoutes.push_back({{defaultAddress(gateway.family), 0}, kGuestVethName, gateway});
  }
}

void addRoutedRoutes(VethPlan& plan) {
  bool ipv4 = false, ipv6 = false;
  for (const HostAddress& address : plan.guestAddresses) {
    const IpAddress& ip = address.address.address;
    plan.hostRoutes.push_back({{ip, static_cast<unsigned>(ip.size() * 8)}, plan.hostEnd, {}});
    (ip.family == AF_INET ? ipv4 : ipv6) = true;
  }
  // IPv4: everything is on the link, where the host end answers ARP.
  if (ipv4) plan.guestRoutes.push_back({{defaultAddress(AF_INET), 0}, kGuestVethName, {}});
  if (ipv6) {
    plan.guestRoutes.push_back(
        {{defaultAddress(AF_INET6), 0}, kGuestVethName, kRoutedIpv6Router});
    HostAddress router{plan.hostEnd, {kRoutedIpv6Router, 64}, {}, "", true};
    plan.hostAddresses.push_back(router);
  }
}

// The host end's settings for a routed veth: proxy ARP so that the
// guest's on-link default route reaches past the host, and strict
// reverse-path filtering so that what comes from the guest carries one of
// its addresses.  The guest is no router of the host's: the host end
// takes no router advertisement from it (with NET_RAW it would send one
// making itself the host's default IPv6 router, with on-link prefixes
// covering every address) and no redirect.
void setRoutedHostEnd(const std::string& hostEnd) {
  const fs::path conf = fs::path("/proc/sys/net/ipv4/conf") / hostEnd;
  writeKernelFile(conf / "proxy_arp", "1");
  writeKernelFile(conf / "rp_filter", "1");
  writeKernelFile(conf / "accept_redirects", "0");
  const fs::path conf6 = fs::path("/proc/sys/net/ipv6/conf") / hostEnd;
  if (!fs::exists(conf6)) return;  // a kernel without IPv6
  for (const char* setting : {"accept_ra", "accept_redirects", "autoconf"})
    writeKernelFile(conf6 / setting, "0");
}

void configureHostEnd(HostNetwork& host, const VethPlan& plan) {
  if (plan.bridge.empty()) setRoutedHostEnd(plan.hostEnd);
  for (const HostAddress& address : plan.hostAddresses) host.add(address);
  if (!plan.bridge.empty()) host.joinBridge(plan.hostEnd, plan.bridge);
  host.bringUp(plan.hostEnd);
  for (const Route& route : plan.hostRoutes) host.addRoute(route);
}

// Inside the guest's namespace: loopback, eth0 and its routes, and ping
// for every group (ICMP datagram sockets; the guest cannot write
// /proc/sys/net itself).
void configureGuestEnd(int netns, const VethPlan& plan) {
  const EnteredNetworkNamespace entered(netns);
  HostNetwork guest;
  guest.bringUp("lo");
  for (const HostAddress& address : plan.guestAddresses) guest.add(address);
  if (!plan.guestEndUp) return;
  guest.bringUp(kGuestVethName);
  for (const Route& route : plan.guestRoutes) guest.addRoute(route);
  writeKernelFile("/proc/sys/net/ipv4/ping_group_range", "0 2147483647");
}

// What a killed start left: the guest is not running, so a veth of its
// name is no one's.  A device of another kind is the admin's.
void removeStaleVeth(HostNetwork& host, const std::string& hostEnd) {
  const auto type = host.linkType(hostEnd);
  if (!type) return;
  if (*type != "veth")
    throw Error(EEXIST, "network device " + hostEnd + " is not a veth; not removing it");
  host.deleteLink(hostEnd);
}

}  // namespace

std::string vethHostEndOf(uint32_t xid) { return "vs" + std::to_string(xid); }

VethPlan vethPlanOf(const GuestConfig& config) {
  VethPlan plan;
  plan.hostEnd = vethHostEndOf(requireXid(config));
  plan.bridge = bridgeOf(config);
  plan.guestEndUp = config.interfaces.empty() ||
                    std::any_of(config.interfaces.begin(), config.interfaces.end(),
                                [](const InterfaceConfig& iface) { return !iface.down; });
  for (InterfaceConfig iface : config.interfaces) {
    iface.dev = kGuestVethName;
    HostAddress address = hostAddressOf(config, iface);
    // Nothing else is on the guest's link to hold it.
    address.skipDuplicateDetection = true;
    plan.guestAddresses.push_back(address);
  }
  if (plan.bridge.empty())
    addRoutedRoutes(plan);
  else
    addGatewayRoutes(config, plan);
  return plan;
}

UniqueFd createGuestNetwork(const GuestConfig& config) {
  const VethPlan plan = vethPlanOf(config);
  HostNetwork host;
  removeStaleVeth(host, plan.hostEnd);
  UniqueFd netns = createOwnedNetworkNamespace();
  host.addVethPair(plan.hostEnd, kGuestVethName, netns.get());
  try {
    configureHostEnd(host, plan);
    configureGuestEnd(netns.get(), plan);
  } catch (const Error& e) {
    try {
      host.deleteLink(plan.hostEnd);
    } catch (const Error& undo) {
      throw Error(e.errnum(), std::string(e.what()) + "; removing the veth pair failed too: " + undo.what());
    }
    throw;
  }
  return netns;
}

void removeGuestNetwork(const GuestConfig& config) {
  if (!config.xid) return;
  HostNetwork host;
  const std::string hostEnd = vethHostEndOf(*config.xid);
  if (host.linkType(hostEnd) == "veth") host.deleteLink(hostEnd);
}

}  // namespace vs::guest
