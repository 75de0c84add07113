// naddress: change the network set of a running context, as util-vserver's
// naddress does, then optionally run a command.
//
//   naddress --nid N (--add | --remove | --set) [--ip ADDR[/PREFIX]]...
//            [--lback L] [--dev DEV] [--shared] [-- COMMAND [ARG...]]
//
// --xid is an alias of --nid.  The set is read (CTX_GET), changed and
// given back whole (CTX_SET).  --add refuses an address another running
// context holds unless --shared; with --dev it also puts the address on
// that host device (unless the host has it already, which --shared then
// allows) and --remove takes it off again.  --set replaces the addresses
// (with --dev adding the new ones to the device, removing nothing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../ip_address.h"
#include "../vserver_proto.h"

namespace vs::naddress {

enum class Action { Add, Remove, Set };

struct Options {
  Action action = Action::Add;
  uint32_t xid = 0;
  std::vector<IpPrefix> addresses;
  std::optional<IpAddress> lback;
  std::string device;  // --dev, empty for none
  bool shared = false;
  std::vector<std::string> command;
};

Options parseOptions(int argc, const char** argv);

// The context's new set: current (empty for a context not yet confined,
// which the change confines) changed as options say.  Throws a usage
// Error for an address --add finds there already or --remove does not
// find, or a set beyond VSERVER_NET_ADDRS_MAX addresses of a family.
NetworkSet changedSet(const std::optional<NetworkSet>& current, const Options& options);

int run(const Options& options);

int main(int argc, const char** argv);

}  // namespace vs::naddress
