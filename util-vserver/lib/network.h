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

namespace vs {

// An address on a host device, as "ip addr add" would put it there.
struct HostAddress {
  std::string device;
  IpPrefix address;
  std::optional<IpAddress> broadcast;  // IPv4 only
  std::string label;                   // "DEV:NAME", or empty for none

  bool operator==(const HostAddress&) const = default;
};

// One rtnetlink socket of the host's network namespace.
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

 private:
  int ifindexOf(const std::string& device);

  nl_sock* socket_;
};

}  // namespace vs
