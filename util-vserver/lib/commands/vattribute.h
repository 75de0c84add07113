// vattribute: show or change a context's flags and capability sets, then
// optionally run a command.  --get also shows its device map and network
// set.
//
//   vattribute [--xid N] --get
//   vattribute [--xid N] --set [--bcap [~!]CAP]... [--ccap [~!]CCAP]...
//              [--flag [~!]FLAG]... [--secure] [-- COMMAND [ARG...]]
//
// Without --xid it acts on the caller's own context: a launcher in the
// setup state configures its context from inside and seals it with
// "--flag ~state_setup", then execs the guest's init.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../vserver_proto.h"

namespace vs::vattribute {

struct Options {
  bool get = false;
  std::optional<uint32_t> xid;
  PolicyChange change;
  std::vector<std::string> command;
};

Options parseOptions(int argc, const char** argv);

// The --get listing, one "name: item item..." line per set, then the
// device map as "devices: c 10:200 open,create; b 7:* open", then the
// network set as "nflags: hide_netif", "ncaps: raw_icmp", "lback:
// 127.1.2.193", "addresses: 192.0.2.1 2001:db8::1" (or "network: no
// network set (...)" for a context without one).
std::string describe(const ContextInfo& info);

int run(const Options& options);

int main(int argc, const char** argv);

}  // namespace vs::vattribute
