#include "naddress.h"

#include <linux/vserver.h>
#include <net/if.h>
#include <popt.h>

#include <cerrno>
#include <cstdio>

#include "../error.h"
#include "../exec.h"
#include "../guest/lock.h"
#include "../guest/paths.h"
#include "../network.h"
#include "../network_policy.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::naddress {

namespace {

enum OptionId { kIp = 1 };

void requireDeviceName(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find_first_of("/: \t") != std::string::npos)
    throwUsage("--dev '" + name + "' is not a network device name");
}

}  // namespace

Options parseOptions(int argc, const char** argv) {
  int add = 0, remove = 0, set = 0, shared = 0;
  char* xid = nullptr;
  char* lback = nullptr;
  char* dev = nullptr;
  Options options;
  const poptOption table[] = {
      {"nid", 0, POPT_ARG_STRING, &xid, 0, "the context", "N"},
      {"xid", 0, POPT_ARG_STRING, &xid, 0, "the same as --nid", "N"},
      {"add", 0, POPT_ARG_NONE, &add, 0, "add the addresses to its network set", nullptr},
      {"remove", 0, POPT_ARG_NONE, &remove, 0, "remove them from it", nullptr},
      {"set", 0, POPT_ARG_NONE, &set, 0, "make them its only addresses", nullptr},
      {"ip", 0, POPT_ARG_STRING, nullptr, kIp, "an address, with its prefix for --dev",
       "ADDR[/PREFIX]"},
      {"lback", 0, POPT_ARG_STRING, &lback, 0, "its loopback address (127.x.y.z)", "L"},
      {"dev", 0, POPT_ARG_STRING, &dev, 0, "also add (remove) the addresses on this host device",
       "DEV"},
      {"shared", 0, POPT_ARG_NONE, &shared, 0,
       "take addresses the host or another context has too", nullptr},
      POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("naddress", argc, argv, table,
                    "--nid N (--add|--remove|--set) --ip ADDR[/PREFIX]... [--lback L] [--dev DEV] "
                    "[--shared] [-- COMMAND [ARG...]]",
                    [&options](int id, const char* arg) {
                      if (id == kIp) options.addresses.push_back(parseIpPrefix(arg));
                    });
  const std::unique_ptr<char, decltype(&free)> xidOwner(xid, free), lbackOwner(lback, free),
      devOwner(dev, free);

  if (add + remove + set != 1) throwUsage("give exactly one of --add, --remove and --set");
  options.action = add ? Action::Add : remove ? Action::Remove : Action::Set;
  if (!xid) throwUsage("--nid is required");
  options.xid = parseXid(xid, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  if (lback) {
    if (remove) throwUsage("--lback goes with --add or --set");
    options.lback = parseLoopbackAddress(lback);
  }
  if (options.addresses.empty() && !set && !lback) throwUsage("give an address with --ip");
  for (const IpPrefix& address : options.addresses) requireContextAddress(address.address);
  if (dev) {
    requireDeviceName(dev);
    options.device = dev;
  }
  options.shared = shared;
  options.command = parser.arguments();
  return options;
}

NetworkSet changedSet(const std::optional<NetworkSet>& current, const Options& options) {
  NetworkSet net = current.value_or(NetworkSet{});
  if (options.action == Action::Set) {
    net.ipv4.clear();
    net.ipv6.clear();
  }
  for (const IpPrefix& prefixed : options.addresses) {
    const IpAddress& address = prefixed.address;
    if (options.action == Action::Remove) {
      if (!net.remove(address))
        throwUsage("context " + std::to_string(options.xid) + " has no address " + address.str());
      continue;
    }
    if (net.contains(address))
      throwUsage(address.str() + " is " +
                 (options.action == Action::Set ? "given twice" : "already an address of context " +
                                                                      std::to_string(options.xid)));
    net.add(address);
  }
  if (options.lback) net.lback = options.lback;
  requireAddressCount(net);
  return net;
}

namespace {

// What may not be taken: another context's address (unless --shared),
// the host's when it is to be put on a device (unless --shared), another
// context's loopback address.
void refuseConflicts(const Options& options, const ContextInfo& context,
                     const std::vector<ContextInfo>& contexts,
                     const std::vector<IpAddress>& hostAddresses) {
  if (options.lback)
    if (const auto conflict = loopbackConflict(*options.lback, contexts, options.xid))
      throwUsage(*conflict);
  if (options.action == Action::Remove) return;
  for (const IpPrefix& address : options.addresses) {
    // --set may name what the context has already: that is no conflict.
    if (context.net && context.net->contains(address.address)) continue;
    const AddressClaim claim{address.address, options.shared, false};
    if (const auto conflict = addressConflict(claim, hostAddresses, contexts, options.xid))
      throwUsage(*conflict + " (--shared allows that)");
  }
}

// Puts the new addresses on the device; returns those it added.
std::vector<HostAddress> addToDevice(HostNetwork& host, const Options& options) {
  std::vector<HostAddress> added;
  try {
    for (const IpPrefix& address : options.addresses) {
      if (host.configured(address.address)) continue;  // --shared: the host's already
      const HostAddress hostAddress{options.device, address,
                                    broadcastOf(address.address, address.prefix), ""};
      host.add(hostAddress);
      added.push_back(hostAddress);
    }
    host.bringUp(options.device);
  } catch (const Error&) {
    for (const HostAddress& address : added) host.remove(address.device, address.address);
    throw;
  }
  return added;
}

void removeFromDevice(HostNetwork& host, const Options& options) {
  for (const IpPrefix& address : options.addresses)
    if (const auto prefix = host.prefixOn(options.device, address.address))
      host.remove(options.device, {address.address, *prefix});
}

void change(const Options& options) {
  VserverClient client;
  const ContextInfo context = requireRunningContext(client, options.xid);
  // One naddress or start at a time checks and takes addresses.
  const guest::GuestLock lock = guest::GuestLock::onFile(guest::interfacesLockFile());
  HostNetwork host;
  const bool onDevice = !options.device.empty() && options.action != Action::Remove;
  refuseConflicts(options, context, client.contexts(),
                  onDevice ? host.addresses() : std::vector<IpAddress>{});
  PolicyChange policy;
  policy.net = changedSet(context.net, options);
  const std::vector<HostAddress> added = onDevice ? addToDevice(host, options)
                                                  : std::vector<HostAddress>{};
  try {
    client.setPolicy(options.xid, policy);
  } catch (const Error&) {
    for (const HostAddress& address : added) host.remove(address.device, address.address);
    throw;
  }
  if (!options.device.empty() && options.action == Action::Remove) removeFromDevice(host, options);
}

}  // namespace

int run(const Options& options) {
  change(options);
  return execIfGiven(options.command);
}

int main(int argc, const char** argv) {
  return runTool("naddress", [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::naddress
