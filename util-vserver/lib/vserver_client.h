// The vserver module's generic netlink family, as calls.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genl_socket.h"
#include "vserver_proto.h"

namespace vs {

class VserverClient {
 public:
  // Connects and looks the family up; without the module loaded this
  // throws an Error saying so and how to fix it.
  VserverClient();

  // Creates context xid, named name (may be empty), and moves the calling
  // process into it.  The caller must be single-threaded.
  void createContext(uint32_t xid, const std::string& name, const ContextPolicy& policy = {});

  // Moves the calling process into an existing context (1: the spectator).
  void migrate(uint32_t xid);

  ContextInfo context(uint32_t xid);
  std::vector<ContextInfo> contexts();

  // The context of process pid, or of the caller when pid is empty.
  uint32_t taskXid(std::optional<pid_t> pid = std::nullopt);

  // Every process the caller can see, with its context, in pid order: one
  // request where taskXid() per process would cost a round trip each.
  std::vector<TaskContext> processes();

  // Changes a context's flags and capability sets.
  void setPolicy(uint32_t xid, const PolicyChange& change);

  // Changes the hard limits of the counted resources named in limits, and
  // only those, of a running context (context(xid).limits has them all).
  void setLimits(uint32_t xid, const HardLimits& limits);

  // Signals every process of a context, or only process pid of it.
  void kill(uint32_t xid, int signal, std::optional<pid_t> pid = std::nullopt);

  // Joins the context notifications, on a socket of their own: a
  // notification must never be read as the reply to a request.  Call
  // before checking a context still exists, then waitForExit().
  void watchExits();

  // Waits up to timeoutMs (-1: forever) for context xid to end; returns
  // its notification, or nothing on time-out.
  // Throws Error(EINVAL) unless watchExits() came first.
  std::optional<ExitEvent> waitForExit(uint32_t xid, int64_t timeoutMs);

  // Readable when notifications wait: drain them with waitForExit(xid, 0)
  // so that the socket's buffer never overflows and loses one.  -1 before
  // watchExits().
  int eventFd() const { return events_ ? events_->fd() : -1; }

  uint32_t protocolVersion() const { return family_.version; }

 private:
  GenlSocket socket_;                 // requests and their replies only
  std::optional<GenlSocket> events_;  // the notifications, once watched
  GenlFamily family_;
};

// client.context(xid), but a context that does not exist is "context XID
// is not running", as the tools acting on a running guest say.
ContextInfo requireRunningContext(VserverClient& client, uint32_t xid);

}  // namespace vs
