#include "vattribute.h"

#include <linux/vserver.h>
#include <popt.h>

#include <cstdio>

#include "../error.h"
#include "../exec.h"
#include "../network_policy.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../text.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::vattribute {

namespace {

enum OptionId { kBcap = 1, kCcap, kFlag, kSecure };

// "c 10:200 open,create", "b 7:* open".
std::string describeDeviceRule(const DeviceRule& rule) {
  return std::string(rule.type == DeviceRule::Type::Block ? "b " : "c ") +
         std::to_string(rule.major) + ":" +
         (rule.minor ? std::to_string(*rule.minor) : std::string("*")) + " " +
         joined(namesOfBits(BitSet::DeviceAccess, rule.access), ",");
}

// A rule holds blanks, so the rules are set apart by "; ".
std::string describeDevices(const std::vector<DeviceRule>& rules) {
  std::vector<std::string> items;
  for (const DeviceRule& rule : rules) items.push_back(describeDeviceRule(rule));
  return joined(items, "; ");
}

// "nflags: ...", "ncaps: ...", "lback: ...", "addresses: ..." of a
// confined context.  The module does not know the namespaces of a context
// without a network set: it uses the host's stack, unconfined (vcontext),
// or a network namespace of its own (spaces/net).
std::string describeNetwork(const std::optional<NetworkSet>& net) {
  if (!net)
    return "network: no network set (the host's stack, or a network namespace of its own)\n";
  return "nflags: " + joined(namesOfBits(BitSet::NetworkFlags, net->flags), " ") + "\n" +
         "ncaps: " + joined(namesOfBits(BitSet::NetworkCapabilities, net->caps), " ") + "\n" +
         "lback: " + (net->lback ? net->lback->str() : std::string()) + "\n" +
         "addresses: " + joinAddresses(net->addresses(), " ") + "\n";
}

}  // namespace

Options parseOptions(int argc, const char** argv) {
  int get = 0, set = 0;
  char* xid = nullptr;
  Options options;
  const poptOption table[] = {
      {"xid", 0, POPT_ARG_STRING, &xid, 0, "the context (default: the caller's)", "N"},
      {"get", 0, POPT_ARG_NONE, &get, 0, "show the context's flags and capability sets", nullptr},
      {"set", 0, POPT_ARG_NONE, &set, 0, "change them", nullptr},
      {"bcap", 0, POPT_ARG_STRING, nullptr, kBcap,
       "add a capability to the bounding set (~CAP removes it)", "CAP"},
      {"ccap", 0, POPT_ARG_STRING, nullptr, kCcap, "set a context capability (~CCAP clears it)",
       "CCAP"},
      {"flag", 0, POPT_ARG_STRING, nullptr, kFlag, "set a context flag (~FLAG clears it)", "FLAG"},
      {"secure", 0, POPT_ARG_NONE, nullptr, kSecure,
       "reset the bounding set to util-vserver's secure default", nullptr},
      POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("vattribute", argc, argv, table,
                    "[--xid N] (--get | --set OPTIONS) [-- COMMAND [ARG...]]",
                    [&options](int id, const char* arg) {
                      switch (id) {
                        case kBcap:
                          addToChange(BitSet::Capabilities, arg, options.change.bcaps);
                          break;
                        case kCcap:
                          addToChange(BitSet::ContextCapabilities, arg, options.change.ccaps);
                          break;
                        case kFlag:
                          addToChange(BitSet::Flags, arg, options.change.flags);
                          break;
                        case kSecure:
                          options.change.bcaps = {VSERVER_BCAPS_DEFAULT, VSERVER_BCAPS_ALL};
                          break;
                        default:
                          break;
                      }
                    });
  const std::unique_ptr<char, decltype(&free)> xidOwner(xid, free);

  if (get == set) throwUsage("give exactly one of --get and --set");
  options.get = get;
  if (xid) options.xid = parseXid(xid, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  if (get && !options.change.empty()) throwUsage("--get takes no changes");
  if (set && options.change.empty()) throwUsage("--set needs --bcap, --ccap, --flag or --secure");
  options.command = parser.arguments();
  return options;
}

std::string describe(const ContextInfo& info) {
  return "flags: " + joined(namesOfBits(BitSet::Flags, info.flags), " ") + "\n" +
         "bcaps: " + joined(namesOfBits(BitSet::Capabilities, info.bcaps), " ") + "\n" +
         "ccaps: " + joined(namesOfBits(BitSet::ContextCapabilities, info.ccaps), " ") + "\n" +
         "devices: " + describeDevices(info.devices) + "\n" + describeNetwork(info.net);
}

int run(const Options& options) {
  {
    VserverClient client;
    const uint32_t xid = options.xid ? *options.xid : client.taskXid();
    if (xid < VSERVER_GUEST_XID_MIN)
      throwUsage("the caller is not in a guest context: give --xid");
    if (options.get)
      std::fputs(describe(client.context(xid)).c_str(), stdout);
    else
      client.setPolicy(xid, options.change);
  }
  return execIfGiven(options.command);
}

int main(int argc, const char** argv) {
  return runTool("vattribute", [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::vattribute
