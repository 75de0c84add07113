// The host's addresses, through rtnetlink (libnl-route-3): what start
// adds to a host device for a guest and stop removes again, and what is
// configured already.  Never by running ip(8).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ip_address.h"

struct nl_sock;
struct rtnl_link;

namespace vs {

// An address on a host device, as "ip addr add" would put it there.
struct HostAddress {
  std::string device;
  IpPrefix address;
  std::optional<IpAddress> broadcast;  // IPv4 only
  std::string label;                   // "DEV:NAME", or empty for none
  // Usable at once (IFA_F_NODAD), where nothing else can hold it (IPv6):
  // a new network namespace's veth.
  bool skipDuplicateDetection = false;

  bool operator==(const HostAddress&) const = default;
};

// A route of the main table: to destination through device, via gateway
// (on the device's link, whatever its addresses) or straight to the link.
struct Route {
  IpPrefix destination;
  std::string device;
  std::optional<IpAddress> gateway;
};

// One rtnetlink socket of the network namespace the caller is in when it
// is made (the host's, unless made inside EnteredNetworkNamespace); the
// socket stays with that namespace.
class HostNetwork {
 public:
  HostNetwork();
  ~HostNetwork();
  HostNetwork(const HostNetwork&) = delete;
  HostNetwork& operator=(const HostNetwork&) = delete;

  // Every address configured on any device of the host.
  std::vector<IpAddress> addresses();

  bool configured(const IpAddress& address);

  // The prefix length address has on device, if it is there.
  std::optional<unsigned> prefixOn(const std::string& device, const IpAddress& address);

  // Adds address; throws when the device is missing or the address is
  // already there (with any prefix: the kernel's NLM_F_EXCL).
  void add(const HostAddress& address);

  // Removes exactly address/prefix from device; nothing when it is not
  // there (any more).  Throws for other failures.
  void remove(const std::string& device, const IpPrefix& address);

  // Sets device up (ip link set DEV up).
  void bringUp(const std::string& device);

  // Creates a veth pair: device here and its peer, named peerName, in the
  // network namespace peerNamespaceFd refers to, so that the peer's name
  // never meets ours.  Throws when device exists.
  void addVethPair(const std::string& device, const std::string& peerName, int peerNamespaceFd);

  // The kind of device ("veth", "bridge", "dummy", "" for a physical
  // one), or nothing when there is no such device.
  std::optional<std::string> linkType(const std::string& device);

  // Deletes device (a veth with its peer); nothing when it is gone, as a
  // veth goes by itself with the network namespace of its peer.
  void deleteLink(const std::string& device);

  // Makes device a port of bridge; throws when bridge is not a bridge.
  void joinBridge(const std::string& device, const std::string& bridge);

  // Throws when the route exists already (NLM_F_EXCL).
  void addRoute(const Route& route);

 private:
  rtnl_link* linkOf(const std::string& device);
  int ifindexOf(const std::string& device);

  nl_sock* socket_;
};

}  // namespace vs
