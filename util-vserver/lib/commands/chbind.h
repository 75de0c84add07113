// chbind: run a command confined to some of the host's addresses, without
// a guest, as util-vserver's chbind does.
//
//   chbind [--silent] [--nid N] [--ip ADDR[/PREFIX]]... [--lback L]
//          [--flag [~]F]... [--ncap [~]C]... [--secure] -- COMMAND [ARG...]
//
// Creates a fresh context (xid N, or the first free one of
// kDynamicXidMin..VSERVER_GUEST_XID_MAX) that holds only a network set:
// every capability in its bounding set, no context capability, the
// caller's root; sealed at once.  The command is exec'd in it, and the
// context ends with the command and whatever it started.  Addresses must
// be configured on the host already: chbind adds none.  --secure sets
// util-vserver's secure defaults (hide_netif, raw_icmp) before --flag and
// --ncap apply; a prefix is accepted for util-vserver's syntax and unused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../ip_address.h"
#include "../vserver_proto.h"

namespace vs::chbind {

// util-vserver's range of dynamic context ids.
constexpr uint32_t kDynamicXidMin = 49152;

struct Options {
  bool silent = false;
  std::optional<uint32_t> xid;
  std::vector<IpPrefix> addresses;
  std::optional<IpAddress> lback;
  BitChange flags;  // over 0, or the secure default with --secure
  BitChange caps;
  bool secure = false;
  std::vector<std::string> command;
};

Options parseOptions(int argc, const char** argv);

// The network set the options ask for; throws a usage Error for an
// address given twice or too many of a family.
NetworkSet networkSetOf(const Options& options);

// The first id of kDynamicXidMin..VSERVER_GUEST_XID_MAX at or after from
// that no context in contexts has; nothing when all are taken.
std::optional<uint32_t> firstFreeXid(const std::vector<ContextInfo>& contexts,
                                     uint32_t from = kDynamicXidMin);

// Creates the context and execs the command; returns only by throwing.
[[noreturn]] void run(const Options& options);

int main(int argc, const char** argv);

}  // namespace vs::chbind
