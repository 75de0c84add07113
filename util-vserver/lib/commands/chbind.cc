#include "chbind.h"

#include <linux/vserver.h>
#include <popt.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <set>

#include "../error.h"
#include "../exec.h"
#include "../network.h"
#include "../network_policy.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::chbind {

namespace {

enum OptionId { kIp = 1, kFlag, kNcap };

}  // namespace

Options parseOptions(int argc, const char** argv) {
  int silent = 0, secure = 0;
  char* xid = nullptr;
  char* lback = nullptr;
  Options options;
  const poptOption table[] = {
      {"silent", 0, POPT_ARG_NONE, &silent, 0, "say nothing about the new context", nullptr},
      {"nid", 0, POPT_ARG_STRING, &xid, 0, "the new context's id (default: the first free one "
                                           "from 49152)", "N"},
      {"xid", 0, POPT_ARG_STRING, &xid, 0, "the same as --nid", "N"},
      {"ip", 0, POPT_ARG_STRING, nullptr, kIp, "an address of the host the command may use",
       "ADDR[/PREFIX]"},
      {"lback", 0, POPT_ARG_STRING, &lback, 0, "its loopback address (127.x.y.z)", "L"},
      {"flag", 0, POPT_ARG_STRING, nullptr, kFlag, "a network flag (~F clears it)", "F"},
      {"ncap", 0, POPT_ARG_STRING, nullptr, kNcap, "a network capability (~C clears it)", "C"},
      {"secure", 0, POPT_ARG_NONE, &secure, 0, "util-vserver's secure defaults: hide_netif, raw_icmp",
       nullptr},
      POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("chbind", argc, argv, table,
                    "[--nid N] --ip ADDR[/PREFIX]... [OPTIONS] -- COMMAND [ARG...]",
                    [&options](int id, const char* arg) {
                      switch (id) {
                        case kIp:
                          options.addresses.push_back(parseIpPrefix(arg));
                          break;
                        case kFlag:
                          addNetworkFlag(arg, options.flags);
                          break;
                        case kNcap:
                          addNetworkCapability(arg, options.caps);
                          break;
                        default:
                          break;
                      }
                    });
  const std::unique_ptr<char, decltype(&free)> xidOwner(xid, free), lbackOwner(lback, free);

  options.silent = silent;
  options.secure = secure;
  if (xid) options.xid = parseXid(xid, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  if (lback) options.lback = parseLoopbackAddress(lback);
  for (const IpPrefix& address : options.addresses) requireContextAddress(address.address);
  options.command = parser.arguments();
  if (options.command.empty()) throwUsage("no command given");
  return options;
}

NetworkSet networkSetOf(const Options& options) {
  NetworkSet net;
  net.flags = applyChange(options.secure ? kSecureNetworkFlags : 0, options.flags);
  net.caps = applyChange(options.secure ? kSecureNetworkCaps : 0, options.caps);
  net.lback = options.lback;
  for (const IpPrefix& address : options.addresses) {
    if (net.contains(address.address)) throwUsage(address.address.str() + " is given twice");
    net.add(address.address);
  }
  requireAddressCount(net);
  return net;
}

std::optional<uint32_t> firstFreeXid(const std::vector<ContextInfo>& contexts, uint32_t from) {
  std::set<uint32_t> taken;
  for (const ContextInfo& context : contexts) taken.insert(context.xid);
  for (uint32_t xid = std::max(from, kDynamicXidMin); xid <= VSERVER_GUEST_XID_MAX; xid++)
    if (!taken.count(xid)) return xid;
  return std::nullopt;
}

namespace {

// chbind adds no address: each must be the host's already.
void requireHostAddresses(const NetworkSet& net) {
  HostNetwork host;
  const std::vector<IpAddress> configured = host.addresses();
  for (const IpAddress& address : net.addresses())
    if (std::find(configured.begin(), configured.end(), address) == configured.end())
      throwUsage(address.str() + " is not configured on the host (chbind adds no address)");
}

ContextPolicy policyOf(const NetworkSet& net) {
  ContextPolicy policy;
  policy.bcaps = VSERVER_BCAPS_ALL;
  policy.net = net;
  return policy;
}

// The given xid, or the first free one; another creator may take a free
// one between the listing and the creation, so the next is tried then.
uint32_t createContext(VserverClient& client, const Options& options, const NetworkSet& net) {
  if (options.xid) {
    client.createContext(*options.xid, "", policyOf(net));
    return *options.xid;
  }
  const std::vector<ContextInfo> contexts = client.contexts();
  for (auto xid = firstFreeXid(contexts); xid; xid = firstFreeXid(contexts, *xid + 1)) {
    try {
      client.createContext(*xid, "", policyOf(net));
      return *xid;
    } catch (const Error& e) {
      if (e.errnum() != EEXIST) throw;
    }
  }
  throw Error(EBUSY, "no free context id in " + std::to_string(kDynamicXidMin) + ".." +
                         std::to_string(VSERVER_GUEST_XID_MAX));
}

}  // namespace

void run(const Options& options) {
  const NetworkSet net = networkSetOf(options);
  requireHostAddresses(net);
  uint32_t xid = 0;
  {
    VserverClient client;
    xid = createContext(client, options, net);
  }
  if (!options.silent)
    std::fprintf(stderr, "chbind: context %u, addresses %s\n", xid,
                 net.addresses().empty() ? "none" : joinAddresses(net.addresses()).c_str());
  execCommand(options.command);
}

int main(int argc, const char** argv) {
  return runTool("chbind", [&]() -> int { run(parseOptions(argc, argv)); });
}

}  // namespace vs::chbind
