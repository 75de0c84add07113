#include "network.h"

#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include <cerrno>

#include "error.h"

namespace vs {

namespace {

// libnl's objects, each freed by its own function.
struct CacheFree {
  void operator()(nl_cache* cache) const { nl_cache_free(cache); }
};
struct AddrPut {
  void operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
};
struct NlAddrPut {
  void operator()(nl_addr* addr) const { nl_addr_put(addr); }
};
struct LinkPut {
  void operator()(rtnl_link* link) const { rtnl_link_put(link); }
};
using Cache = std::unique_ptr<nl_cache, CacheFree>;
using Addr = std::unique_ptr<rtnl_addr, AddrPut>;
using NlAddr = std::unique_ptr<nl_addr, NlAddrPut>;
using Link = std::unique_ptr<rtnl_link, LinkPut>;
struct RoutePut {
  void operator()(rtnl_route* route) const { rtnl_route_put(route); }
};
using RouteObject = std::unique_ptr<rtnl_route, RoutePut>;

// libnl reports its own error codes; they are turned into an errno-like
// Error with libnl's text.
[[noreturn]] void throwNl(const std::string& what, int error) {
  throw Error(EIO, what + ": " + nl_geterror(error));
}

NlAddr toNlAddr(const IpAddress& address, unsigned prefix) {
  NlAddr nl(nl_addr_build(address.family, address.bytes.data(), address.size()));
  if (!nl) throw Error(ENOMEM, "cannot build a netlink address");
  nl_addr_set_prefixlen(nl.get(), static_cast<int>(prefix));
  return nl;
}

std::optional<IpAddress> toIpAddress(nl_addr* nl) {
  if (!nl) return std::nullopt;
  return ipAddressFromBytes(nl_addr_get_binary_addr(nl), nl_addr_get_len(nl));
}

Cache addressCache(nl_sock* socket) {
  nl_cache* cache = nullptr;
  if (const int error = rtnl_addr_alloc_cache(socket, &cache); error < 0)
    throwNl("cannot list the host's addresses", error);
  return Cache(cache);
}

// Calls fn(addr) for every address of the cache.
template <typename Fn>
void forEachAddress(nl_cache* cache, Fn&& fn) {
  for (nl_object* object = nl_cache_get_first(cache); object; object = nl_cache_get_next(object))
    fn(reinterpret_cast<rtnl_addr*>(object));
}

}  // namespace

HostNetwork::HostNetwork() : socket_(nl_socket_alloc()) {
  if (!socket_) throw Error(ENOMEM, "cannot allocate a netlink socket");
  if (const int error = nl_connect(socket_, NETLINK_ROUTE); error < 0) {
    nl_socket_free(socket_);
    throwNl("cannot open an rtnetlink socket", error);
  }
}

HostNetwork::~HostNetwork() { nl_socket_free(socket_); }

std::vector<IpAddress> HostNetwork::addresses() {
  const Cache cache = addressCache(socket_);
  std::vector<IpAddress> all;
  forEachAddress(cache.get(), [&all](rtnl_addr* addr) {
    if (const auto local = toIpAddress(rtnl_addr_get_local(addr))) all.push_back(*local);
  });
  return all;
}

bool HostNetwork::configured(const IpAddress& address) {
  for (const IpAddress& configured : addresses())
    if (configured == address) return true;
  return false;
}

rtnl_link* HostNetwork::linkOf(const std::string& device) {
  rtnl_link* found = nullptr;
  if (const int error = rtnl_link_get_kernel(socket_, 0, device.c_str(), &found); error < 0)
    throwNl("network device " + device, error);
  return found;
}

int HostNetwork::ifindexOf(const std::string& device) {
  const Link link(linkOf(device));
  return rtnl_link_get_ifindex(link.get());
}

std::optional<unsigned> HostNetwork::prefixOn(const std::string& device, const IpAddress& address) {
  const int ifindex = ifindexOf(device);
  const Cache cache = addressCache(socket_);
  std::optional<unsigned> prefix;
  forEachAddress(cache.get(), [&](rtnl_addr* addr) {
    if (rtnl_addr_get_ifindex(addr) == ifindex && toIpAddress(rtnl_addr_get_local(addr)) == address)
      prefix = static_cast<unsigned>(rtnl_addr_get_prefixlen(addr));
  });
  return prefix;
}

void HostNetwork::add(const HostAddress& address) {
  const std::string what = "cannot add " + address.address.address.str() + "/" +
                           std::to_string(address.address.prefix) + " to " + address.device;
  const Addr addr(rtnl_addr_alloc());
  if (!addr) throw Error(ENOMEM, what + ": out of memory");
  rtnl_addr_set_ifindex(addr.get(), ifindexOf(address.device));
  rtnl_addr_set_family(addr.get(), address.address.address.family);
  const NlAddr local = toNlAddr(address.address.address, address.address.prefix);
  if (const int error = rtnl_addr_set_local(addr.get(), local.get()); error < 0) throwNl(what, error);
  rtnl_addr_set_prefixlen(addr.get(), static_cast<int>(address.address.prefix));
  if (address.broadcast) {
    const NlAddr broadcast = toNlAddr(*address.broadcast, 32);
    if (const int error = rtnl_addr_set_broadcast(addr.get(), broadcast.get()); error < 0)
      throwNl(what, error);
  }
  if (!address.label.empty())
    if (const int error = rtnl_addr_set_label(addr.get(), address.label.c_str()); error < 0)
      throwNl(what, error);
  if (address.skipDuplicateDetection) rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  if (const int error = rtnl_addr_add(socket_, addr.get(), NLM_F_EXCL); error < 0)
    throwNl(what, error);
}

void HostNetwork::remove(const std::string& device, const IpPrefix& address) {
  const std::string what = "cannot remove " + address.address.str() + "/" +
                           std::to_string(address.prefix) + " from " + device;
  if (if_nametoindex(device.c_str()) == 0) return;  // gone with its device
  if (prefixOn(device, address.address) != address.prefix) return;  // not ours, or gone
  const Addr addr(rtnl_addr_alloc());
  if (!addr) throw Error(ENOMEM, what + ": out of memory");
  rtnl_addr_set_ifindex(addr.get(), ifindexOf(device));
  rtnl_addr_set_family(addr.get(), address.address.family);
  const NlAddr local = toNlAddr(address.address, address.prefix);
  if (const int error = rtnl_addr_set_local(addr.get(), local.get()); error < 0) throwNl(what, error);
  rtnl_addr_set_prefixlen(addr.get(), static_cast<int>(address.prefix));
  const int error = rtnl_addr_delete(socket_, addr.get(), 0);
  if (error < 0 && error != -NLE_NOADDR && error != -NLE_OBJ_NOTFOUND && error != -NLE_NODEV)
    throwNl(what, error);
}

void HostNetwork::bringUp(const std::string& device) {
  const Link link(linkOf(device));
  const Link change(rtnl_link_alloc());
  if (!change) throw Error(ENOMEM, "cannot set " + device + " up: out of memory");
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (const int error = rtnl_link_change(socket_, link.get(), change.get(), 0); error < 0)
    throwNl("cannot set " + device + " up", error);
}

void HostNetwork::addVethPair(const std::string& device, const std::string& peerName,
                              int peerNamespaceFd) {
  const std::string what = "cannot create the veth pair " + device + "/" + peerName;
  const Link link(rtnl_link_veth_alloc());
  if (!link) throw Error(ENOMEM, what + ": out of memory");
  rtnl_link_set_name(link.get(), device.c_str());
  rtnl_link* peer = rtnl_link_veth_get_peer(link.get());
  rtnl_link_set_name(peer, peerName.c_str());
  rtnl_link_set_ns_fd(peer, peerNamespaceFd);
  rtnl_link_put(peer);
  if (const int error = rtnl_link_add(socket_, link.get(), NLM_F_CREATE | NLM_F_EXCL); error < 0)
    throwNl(what, error);
}

std::optional<std::string> HostNetwork::linkType(const std::string& device) {
  rtnl_link* found = nullptr;
  const int error = rtnl_link_get_kernel(socket_, 0, device.c_str(), &found);
  if (error == -NLE_NODEV || error == -NLE_OBJ_NOTFOUND) return std::nullopt;
  if (error < 0) throwNl("network device " + device, error);
  const Link link(found);
  const char* type = rtnl_link_get_type(link.get());
  return type ? type : "";
}

void HostNetwork::deleteLink(const std::string& device) {
  const Link link(rtnl_link_alloc());
  if (!link) throw Error(ENOMEM, "cannot remove " + device + ": out of memory");
  rtnl_link_set_name(link.get(), device.c_str());
  const int error = rtnl_link_delete(socket_, link.get());
  if (error < 0 && error != -NLE_NODEV && error != -NLE_OBJ_NOTFOUND)
    throwNl("cannot remove " + device, error);
}

void HostNetwork::joinBridge(const std::string& device, const std::string& bridge) {
  if (linkType(bridge) != "bridge") throw Error(EINVAL, "network device " + bridge + " is not a bridge");
  const Link master(linkOf(bridge));
  const Link port(linkOf(device));
  if (const int error = rtnl_link_enslave(socket_, master.get(), port.get()); error < 0)
    throwNl("cannot add " + device + " to bridge " + bridge, error);
}

void HostNetwork::addRoute(const Route& route) {
  const IpAddress& destination = route.destination.address;
  const std::string what = "cannot add the route to " + destination.str() + "/" +
                           std::to_string(route.destination.prefix) + " on " + route.device;
  const int ifindex = ifindexOf(route.device);
  const RouteObject object(rtnl_route_alloc());
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (!object || !hop) {
    if (hop) rtnl_route_nh_free(hop);
    throw Error(ENOMEM, what + ": out of memory");
  }
  rtnl_route_set_family(object.get(), static_cast<uint8_t>(destination.family));
  rtnl_route_set_table(object.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(object.get(), RTPROT_STATIC);
  rtnl_route_set_type(object.get(), RTN_UNICAST);
  rtnl_route_set_scope(object.get(), route.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  const NlAddr dst = toNlAddr(destination, route.destination.prefix);
  if (const int error = rtnl_route_set_dst(object.get(), dst.get()); error < 0) {
    rtnl_route_nh_free(hop);
    throwNl(what, error);
  }
  rtnl_route_nh_set_ifindex(hop, ifindex);
  if (route.gateway) {
    const NlAddr gateway = toNlAddr(*route.gateway, route.gateway->size() * 8);
    rtnl_route_nh_set_gateway(hop, gateway.get());
    rtnl_route_nh_set_flags(hop, RTNH_F_ONLINK);
  }
  rtnl_route_add_nexthop(object.get(), hop);  // the route owns it now
  if (const int error = rtnl_route_add(socket_, object.get(), NLM_F_EXCL); error < 0)
    throwNl(what, error);
}

}  // namespace vs
