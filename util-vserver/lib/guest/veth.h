// A guest with a network namespace of its own (own-namespace mode:
// spaces/net, or an interface of type veth).
//
// start makes the namespace under a user namespace of its own (see
// network_namespace.h: that is what scopes the guest's CAP_NET_ADMIN to
// it) and a veth pair: the host end vsXID in the host's namespace, the
// guest end eth0 in the guest's, holding the guest's addresses and its
// default routes.  The host end either joins the bridge the interfaces
// name as their dev, or is routed: the host routes each guest address to
// it and answers ARP for the rest of the world (proxy_arp), the guest's
// IPv6 router being fe80::1 on it.  Deleting the host end deletes the
// pair; the kernel does so too when the namespace's last process ends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../network.h"
#include "../unique_fd.h"
#include "config.h"

namespace vs::guest {

// The guest end's name inside the guest.
extern const char* const kGuestVethName;  // eth0

struct VethPlan {
  std::string hostEnd;                       // vsXID
  std::string bridge;                        // empty: routed
  std::vector<HostAddress> guestAddresses;   // on eth0
  std::vector<Route> guestRoutes;            // the guest's default routes
  std::vector<HostAddress> hostAddresses;    // routed: the guest's IPv6 router
  std::vector<Route> hostRoutes;             // routed: each guest address
  bool guestEndUp = true;                    // false when every interface is down
};

// The host end of guest xid's veth.
std::string vethHostEndOf(uint32_t xid);

// What start sets up for config; throws ConfigError for interfaces that
// name different bridges or two gateways of one family.
VethPlan vethPlanOf(const GuestConfig& config);

// Makes the guest's network namespace and veth pair and configures both
// ends; on failure removes the pair again and throws.  Returns the
// namespace, open, for the guest's first process to enter.
UniqueFd createGuestNetwork(const GuestConfig& config);

// Removes the guest's veth pair if it is there (stop, a failed start, and
// what a killed start left behind).
void removeGuestNetwork(const GuestConfig& config);

}  // namespace vs::guest
