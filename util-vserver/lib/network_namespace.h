// Network namespaces a guest has of its own: made under a user namespace
// of their own, and entered for a while to configure them.
#pragma once

#include "unique_fd.h"

namespace vs {

// A new network namespace owned by a new user namespace that maps every
// uid and gid to itself, open (its /proc/PID/ns/net).  The kernel checks
// each capability over the namespace (CAP_NET_ADMIN to configure it,
// CAP_NET_RAW for its raw sockets) against its owner, and the vserver
// module grants a guest CAP_NET_ADMIN over no other owner than such a
// one: the guest administers this namespace and nothing of the host's.
UniqueFd createOwnedNetworkNamespace();

// While it lives, the calling thread is in the network namespace fd
// refers to; then back in the one it was in.  Sockets made meanwhile
// stay with the namespace, and so do /proc/sys/net files opened.
class EnteredNetworkNamespace {
 public:
  explicit EnteredNetworkNamespace(int namespaceFd);
  ~EnteredNetworkNamespace();
  EnteredNetworkNamespace(const EnteredNetworkNamespace&) = delete;
  EnteredNetworkNamespace& operator=(const EnteredNetworkNamespace&) = delete;

 private:
  UniqueFd previous_;
};

}  // namespace vs
